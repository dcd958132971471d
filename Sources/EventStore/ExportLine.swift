import Foundation

/// Why an import was refused: the line and the reason. Nothing of the file was imported.
public struct ImportLineError: Error, CustomStringConvertible, Sendable {
    public let line: Int
    public let reason: String
    public var description: String { "line \(line): \(reason)" }

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }
}

/// One line of an export: the checks an import makes before anything reaches the database.
/// Foundation only, so that the fuzzer (scripts/fuzz) can build it on its own.
public enum ExportLine {
    public struct Line: Decodable, Sendable {
        let tenant: String
        let position: Int64
        let stream: String
        let stream_version: Int64
        let event_id: UUID
        let type: String
        let schema_version: Int
        let data: JSONObject
        let metadata: JSONObject
        let command_id: UUID?
        let occurred_at: String
        let recorded_at: String

        var eventID: UUID { event_id }
    }

    /// Accepts any JSON object (its content is the database's to store).
    struct JSONObject: Decodable {
        init(from decoder: any Decoder) throws {
            _ = try decoder.container(keyedBy: AnyKey.self)
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Checks one line: UTF-8, a JSON object with every field of the right type, sane values.
    public static func parse(_ bytes: [UInt8], line: Int) throws(ImportLineError) -> Line {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw ImportLineError(line: line, reason: "not valid UTF-8")
        }
        guard !bytes.contains(0) else { throw ImportLineError(line: line, reason: "contains a NUL byte") }
        let event: Line
        do {
            event = try JSONDecoder().decode(Line.self, from: Data(bytes))
        } catch let DecodingError.keyNotFound(key, _) {
            throw ImportLineError(line: line, reason: "the field \"\(key.stringValue)\" is missing")
        } catch let DecodingError.typeMismatch(_, context) {
            throw ImportLineError(
                line: line, reason: "the field \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" has the wrong type")
        } catch let DecodingError.valueNotFound(_, context) {
            throw ImportLineError(
                line: line, reason: "the field \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" is null")
        } catch let DecodingError.dataCorrupted(context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ImportLineError(line: line, reason: field.isEmpty ? "not a JSON object" : "the field \"\(field)\" is not valid")
        } catch {
            throw ImportLineError(line: line, reason: "not a JSON event: \(error)")
        }
        guard event.position > 0, event.stream_version > 0, event.schema_version > 0 else {
            throw ImportLineError(line: line, reason: "position, stream_version and schema_version must be positive")
        }
        guard !event.stream.isEmpty, event.stream.count <= 200, !event.type.isEmpty, event.type.count <= 100 else {
            throw ImportLineError(line: line, reason: "stream and type must be 1-200 and 1-100 characters")
        }
        guard bytes.count <= 4 * 1_048_576 else { throw ImportLineError(line: line, reason: "the line is over 4 MiB") }
        for (name, value) in [("occurred_at", event.occurred_at), ("recorded_at", event.recorded_at)] {
            guard isTimestamp(value) else {
                throw ImportLineError(line: line, reason: "the field \"\(name)\" is not a date and time such as 2026-09-01T10:00:00+00:00")
            }
        }
        return event
    }

    /// `YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±HH:MM)`, as export writes it, with a real date.
    static func isTimestamp(_ text: String) -> Bool {
        let pattern = #"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)$"#
        guard let match = text.range(of: pattern, options: .regularExpression), match == text.startIndex..<text.endIndex else {
            return false
        }
        let parts = text.prefix(19).split(whereSeparator: { "-T :".contains($0) }).compactMap { Int($0) }
        guard parts.count == 6 else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4], second: parts[5])
        guard (1...9999).contains(parts[0]), components.isValidDate(in: calendar), parts[3] < 24, parts[4] < 60, parts[5] < 61 else {
            return false
        }
        return true
    }
}
