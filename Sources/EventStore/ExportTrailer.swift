import Foundation

/// The last line of an export: how many lines come before it (events, and the attachments that
/// follow a tenant's events: its people's details) and their SHA-256, so that an
/// import can tell a whole file from a cut or damaged one (issue 18, item 7: a file cut after 40
/// of its 44 lines imported 40 events and said nothing).
///
/// `{"consult_export_trailer" : {"version" : 1, "events" : 44, "sha256" : "…64 hex digits…"}}`
///
/// The checksum covers each event line as written, followed by a line feed, **from the comma
/// after its tenant field on**: the tenant travels by name, and importing a file under another
/// tenant's name (replacing `{"tenant" : "northwind",`) is a supported edit. Everything that is
/// the event (position, stream, ids, type, body, metadata, dates) is covered. Files may be
/// concatenated: each trailer covers the lines since the previous one, and the file must end with
/// one. It detects truncation and damage, not forgery: anyone who can edit the file can write a
/// matching trailer.
public struct ExportTrailer: Sendable, Equatable {
    public var events: Int
    public var sha256: String

    static let prefix = Array(#"{"consult_export_trailer""#.utf8)
    static let tenantPrefix = Array(#"{"tenant" : ""#.utf8)

    /// The line as an export writes it (without its line feed).
    public var line: String {
        #"{"consult_export_trailer" : {"version" : 1, "events" : \#(events), "sha256" : "\#(sha256)"}}"#
    }

    public static func isTrailer(_ bytes: [UInt8]) -> Bool { bytes.starts(with: prefix) }

    private struct Line: Decodable {
        struct Body: Decodable {
            let version: Int
            let events: Int
            let sha256: String
        }
        let consult_export_trailer: Body
    }

    /// Reads a trailer line.
    public static func parse(_ bytes: [UInt8], line: Int) throws(ImportLineError) -> ExportTrailer {
        guard let body = try? JSONDecoder().decode(Line.self, from: Data(bytes)).consult_export_trailer, body.version == 1,
            body.events >= 0, body.sha256.count == 64
        else {
            throw ImportLineError(line: line, reason: "the export trailer is not one this version of consult can read")
        }
        return ExportTrailer(events: body.events, sha256: body.sha256)
    }

    /// Accumulates the event lines of one section of an export.
    public struct Digest: Sendable {
        private var hasher = SHA256()
        public private(set) var events = 0

        public init() {}

        public mutating func add(_ line: some Collection<UInt8>) {
            events += 1
            var covered = line[...]
            if line.starts(with: ExportTrailer.tenantPrefix),
                let end = line.dropFirst(ExportTrailer.tenantPrefix.count).firstIndex(of: UInt8(ascii: "\""))
            {
                covered = line[line.index(after: end)...]
            }
            hasher.update(covered)
            hasher.update(CollectionOfOne(0x0A))
        }

        public var trailer: ExportTrailer { ExportTrailer(events: events, sha256: hasher.hexDigest()) }
    }
}
