internal import CLibPQ
import CanonicalUUID
import Foundation

/// The rows a statement returned, owning its `PGresult` and clearing it once.
///
/// Rows come in PostgreSQL's text format; ``Row`` decodes each cell into the Swift type asked
/// for and says exactly what did not fit.
///
/// `@unchecked Sendable`: a `PGresult` is never modified after libpq hands it over, and libpq
/// documents reading one from several threads as safe; every stored property is a `let`.
public final class ResultSet: @unchecked Sendable, RandomAccessCollection {
    let handle: OpaquePointer
    /// The columns, in order.
    public let columns: [Column]
    private let columnIndex: [String: Int]
    /// The number of rows.
    public let count: Int

    init(_ handle: OpaquePointer) {
        self.handle = handle
        count = Int(PQntuples(handle))
        // A COPY result reports its column count but has no column names.
        let columnCount = PQresultStatus(handle) == PGRES_TUPLES_OK ? Int(PQnfields(handle)) : 0
        columns = (0..<columnCount).map { index in
            Column(
                name: PQfname(handle, Int32(index)).map { String(cString: $0) } ?? "", index: index,
                type: PostgresType(oid: UInt32(PQftype(handle, Int32(index)))))
        }
        // The first column of a name wins, as in SQL's own name resolution.
        columnIndex = Dictionary(columns.map { ($0.name, $0.index) }, uniquingKeysWith: { first, _ in first })
    }

    deinit { PQclear(handle) }

    /// A column of a result: its name, position and type.
    public struct Column: Sendable, Hashable {
        public let name: String
        public let index: Int
        public let type: PostgresType
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    public subscript(position: Int) -> Row { Row(result: self, index: position) }

    /// Rows inserted, updated, deleted, copied or selected by the command (`PQcmdTuples`).
    public var affectedRows: Int {
        Int(String(cString: PQcmdTuples(handle))) ?? 0
    }

    /// The command tag: `INSERT 0 1`, `UPDATE 3`, `COMMIT`, `ROLLBACK`, …
    public var commandTag: String { String(cString: PQcmdStatus(handle)) }

    /// The index of the column with this exact name (case-sensitive, as the server spelled it).
    public func columnIndex(named name: String) -> Int? { columnIndex[name] }
}

/// One row of a ``ResultSet``: a small value that keeps its result alive.
public struct Row: Sendable {
    public let result: ResultSet
    public let index: Int

    /// Decodes the cell at a column index. Ask for an optional (`String?.self`) to accept NULL.
    ///
    /// - Throws: ``PostgresError`` of kind ``PostgresError/Kind/decoding`` naming the column,
    ///   its index, the PostgreSQL type and the Swift type, when the value does not fit.
    public func decode<Value: PostgresDecodable>(_ type: Value.Type = Value.self, at column: Int) throws(PostgresError) -> Value {
        guard column >= 0, column < result.columns.count else {
            throw PostgresError(.decoding, message: "there is no column \(column): the row has \(result.columns.count)")
        }
        let info = result.columns[column]
        if PQgetisnull(result.handle, Int32(index), Int32(column)) == 1 {
            guard let value = Value.postgresNull else {
                throw PostgresError(
                    .decoding,
                    message: "column \"\(info.name)\" (index \(column)) is NULL; decode it as \(Value.self)? to accept NULL")
            }
            return value
        }
        let length = Int(PQgetlength(result.handle, Int32(index), Int32(column)))
        let pointer = UnsafeRawPointer(PQgetvalue(result.handle, Int32(index), Int32(column))!)
        let cell = Cell(bytes: UnsafeRawBufferPointer(start: pointer, count: length), type: info.type)
        do {
            return try Value(postgresCell: cell)
        } catch {
            let sample = String(decoding: cell.bytes.prefix(40), as: UTF8.self)
            throw PostgresError(
                .decoding,
                message:
                    "column \"\(info.name)\" (index \(column)) of type \(info.type) cannot be read as \(Value.self): \(error.reason) (value starts \"\(sample)\")"
            )
        }
    }

    /// Decodes the cell of the column with this name.
    public func decode<Value: PostgresDecodable>(_ type: Value.Type = Value.self, _ column: String) throws(PostgresError) -> Value {
        guard let position = result.columnIndex(named: column) else {
            throw PostgresError(
                .decoding,
                message: "there is no column \"\(column)\"; the row has \(result.columns.map { "\"\($0.name)\"" }.joined(separator: ", "))")
        }
        return try decode(Value.self, at: position)
    }

    /// Decodes a `json` or `jsonb` cell (or any text holding JSON) with `JSONDecoder`.
    public func decodeJSON<Value: Decodable>(_ type: Value.Type, _ column: String, decoder: JSONDecoder = JSONDecoder())
        throws(PostgresError) -> Value
    {
        let bytes = try decode(RawText.self, column)
        do {
            return try decoder.decode(Value.self, from: Data(bytes.bytes))
        } catch {
            throw PostgresError(.decoding, message: "column \"\(column)\" does not hold JSON for \(Value.self): \(error)")
        }
    }

    /// Whether the cell at this column index is SQL NULL.
    public func isNull(at column: Int) -> Bool {
        PQgetisnull(result.handle, Int32(index), Int32(column)) == 1
    }
}

/// A cell's bytes in PostgreSQL's text format, valid for the duration of a decode call.
public struct Cell {
    public let bytes: UnsafeRawBufferPointer
    public let type: PostgresType

    var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// Why a cell could not be decoded, said in a few words.
public struct CellDecodingError: Error {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// A Swift type that a cell can be decoded into.
public protocol PostgresDecodable {
    /// Decodes a non-NULL cell.
    init(postgresCell cell: Cell) throws(CellDecodingError)
    /// The value a NULL decodes to; nil when NULL is an error for this type (the default).
    static var postgresNull: Self? { get }
}

extension PostgresDecodable {
    public static var postgresNull: Self? { nil }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init(postgresCell cell: Cell) throws(CellDecodingError) {
        self = .some(try Wrapped(postgresCell: cell))
    }
    public static var postgresNull: Wrapped?? { .some(nil) }
}

extension String: PostgresDecodable {
    /// Any column reads as its text form.
    public init(postgresCell cell: Cell) throws(CellDecodingError) {
        self = cell.text
    }
}

extension Int64: PostgresDecodable {
    public init(postgresCell cell: Cell) throws(CellDecodingError) {
        guard [.int2, .int4, .int8, .oidType, .numeric, .text, .xid8, .unspecified].contains(cell.type) || cell.type.oid == 28 else {
            throw CellDecodingError("not an integer type")
        }
        // Parsed straight from the bytes: no String on the hot path of reading events.
        var value: Int64 = 0
        var index = 0
        let bytes = cell.bytes
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { index = 1 }
        guard index < bytes.count else { throw CellDecodingError("empty") }
        while index < bytes.count {
            let byte = bytes[index]
            guard byte >= 48, byte <= 57 else { throw CellDecodingError("not an integer") }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) =
                negative ? times.subtractingReportingOverflow(Int64(byte - 48)) : times.addingReportingOverflow(Int64(byte - 48))
            guard !o1, !o2 else { throw CellDecodingError("out of range") }
            value = sum
            index += 1
        }
        self = value
    }
}

extension Int: PostgresDecodable {
    public init(postgresCell cell: Cell) throws(CellDecodingError) {
        self = Int(try Int64(postgresCell: cell))
    }
}

extension Int32: PostgresDecodable {
    public init(postgresCell cell: Cell) throws(CellDecodingError) {
        guard let value = Int32(exactly: try Int64(postgresCell: cell)) else { throw CellDecodingError("out of range") }
        self = value
    }
}

extension Double: PostgresDecodable {
    public init(postgresCell cell: Cell) throws(CellDecodingError) {
        guard [.float4, .float8, .numeric, .int2, .int4, .int8, .text, .unspecified].contains(cell.type) else {
            throw CellDecodingError("not a number type")
        }
        guard let value = Double(cell.text) else { throw CellDecodingError("not a number") }
        self = value
    }
}

extension Bool: PostgresDecodable {
    public init(postgresCell cell: Cell) throws(CellDecodingError) {
        guard cell.bytes.count == 1 else { throw CellDecodingError("not a boolean") }
        switch cell.bytes[0] {
        case UInt8(ascii: "t"): self = true
        case UInt8(ascii: "f"): self = false
        default: throw CellDecodingError("not a boolean")
        }
    }
}

extension UUID: PostgresDecodable {
    public init(postgresCell cell: Cell) throws(CellDecodingError) {
        guard let value = Self.parseCanonical(cell.bytes) ?? UUID(uuidString: cell.text) else {
            throw CellDecodingError("not a UUID")
        }
        self = value
    }
}

extension Date: PostgresDecodable {
    /// Reads `timestamptz`, `timestamp` (as UTC) and `date` (midnight UTC).
    public init(postgresCell cell: Cell) throws(CellDecodingError) {
        guard [.timestamptz, .timestamp, .date, .text, .unspecified].contains(cell.type) else {
            throw CellDecodingError("not a date or timestamp type")
        }
        guard let value = PostgresDate.parse(cell.bytes) else {
            throw CellDecodingError("not an ISO date or timestamp within the Gregorian era")
        }
        self = value
    }
}

extension Array: PostgresDecodable where Element == UInt8 {
    /// A `bytea` cell's bytes (decoded from its hex form); any other cell's text bytes, such
    /// as a `jsonb` document exactly as the server wrote it.
    public init(postgresCell cell: Cell) throws(CellDecodingError) {
        if cell.type == .bytea {
            self = try decodeHexBytea(cell.bytes)
        } else {
            self = Array(cell.bytes)
        }
    }
}

extension Data: PostgresDecodable {
    public init(postgresCell cell: Cell) throws(CellDecodingError) {
        self = Data(try [UInt8](postgresCell: cell))
    }
}

/// The text bytes of any cell, undecoded: the way to take a `jsonb` body as raw JSON.
public struct RawText: PostgresDecodable, Sendable, Hashable {
    public var bytes: [UInt8]
    public init(postgresCell cell: Cell) throws(CellDecodingError) {
        bytes = Array(cell.bytes)
    }
}

/// `bytea_output = hex` (the default since PostgreSQL 9.0): `\x` then two hex digits a byte.
private func decodeHexBytea(_ text: UnsafeRawBufferPointer) throws(CellDecodingError) -> [UInt8] {
    guard text.count >= 2, text[0] == UInt8(ascii: "\\"), text[1] == UInt8(ascii: "x"), text.count % 2 == 0 else {
        throw CellDecodingError("bytea is not in hex output format (set bytea_output = hex)")
    }
    func nibble(_ c: UInt8) throws(CellDecodingError) -> UInt8 {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: throw CellDecodingError("bad hex digit in bytea")
        }
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity((text.count - 2) / 2)
    var index = 2
    while index < text.count {
        bytes.append(try nibble(text[index]) << 4 | nibble(text[index + 1]))
        index += 2
    }
    return bytes
}
