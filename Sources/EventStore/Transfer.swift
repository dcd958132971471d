import Foundation
import Postgres

/// Export and import of the log as JSON Lines: one event a line, every column that means the
/// same in another database, in a stable field order:
///
/// `{"tenant":"hill-and-co","position":1,"stream":"…","stream_version":1,"event_id":"…","type":"…",
///   "schema_version":1,"data":{…},"metadata":{…},"command_id":null,"occurred_at":"…","recorded_at":"…"}`
///
/// The tenant travels by name (ids differ between databases); `xid`, the writing transaction of
/// the source database, does not travel. An import preserves ids, positions, versions and
/// metadata, so exporting again gives the same bytes.
public struct Transfer {
    public let connection: Connection

    public init(connection: Connection) {
        self.connection = connection
    }

    /// Streams a tenant's events after `since`, a line at a time, read in one snapshot through
    /// a cursor (bounded memory, whatever the size of the log).
    public func export(tenant: TenantID, since: Int64 = 0, _ line: (String) throws -> Void) throws -> Int {
        var count = 0
        try connection.withTransaction(.repeatableRead, readOnly: true) { tx in
            // The same text whatever the session's settings: UTC, ISO dates.
            try tx.execute("SET LOCAL TimeZone = 'UTC'")
            try tx.execute(
                """
                DECLARE export_cursor NO SCROLL CURSOR FOR
                SELECT json_build_object(
                         'tenant', t.name, 'position', e.position, 'stream', e.stream, 'stream_version', e.stream_version,
                         'event_id', e.event_id, 'type', e.type, 'schema_version', e.schema_version, 'data', e.data,
                         'metadata', e.metadata, 'command_id', e.command_id, 'occurred_at', e.occurred_at,
                         'recorded_at', e.recorded_at)::text
                  FROM consult.events e JOIN consult.tenants t ON t.tenant_id = e.tenant_id
                 WHERE e.tenant_id = \(tenant.rawValue) AND e.position > \(since)
                 ORDER BY e.position
                """)
            while true {
                let rows = try tx.execute("FETCH 2000 FROM export_cursor")
                for row in rows { try line(try row.decode(String.self, at: 0)) }
                count += rows.count
                if rows.count < 2000 { break }
            }
        }
        return count
    }

    /// A line of an export that is not an event: what an application keeps beside the log for a
    /// tenant (people's details, which must stay forgettable and so never enter the log), carried
    /// in the same file so that a tenant travels whole:
    /// `{"tenant" : "northwind", "attachment" : "person_details", "row" : {…}}`. The log does not
    /// read them: ``importLines(_:requireTrailer:attach:progress:)`` hands them, with their
    /// tenant's id here, to the application in the import's transaction.
    public struct Attachment: Sendable {
        public let line: Int
        public let tenant: String
        public var tenantID = TenantID(0)
        public let kind: String
        /// The row, a JSON object.
        public let row: Data

        /// Writes an attachment line as an export does (the order and spacing of PostgreSQL's
        /// `json_build_object`, so that the trailer's checksum skips its tenant like an event's).
        public static func line(tenant: String, kind: String, row: Data) -> String {
            func quoted(_ text: String) -> String {
                String(
                    decoding: (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data(),
                    as: UTF8.self
                )
                .dropFirst().dropLast().description
            }
            return #"{"tenant" : \#(quoted(tenant)), "attachment" : \#(quoted(kind)), "row" : \#(String(decoding: row, as: UTF8.self))}"#
        }

        static let attachmentKey = Array(#""attachment" : ""#.utf8)

        /// Whether `"attachment" : "` is among the first 400 bytes: a byte search, as every line
        /// of an export starts like an attachment's (`{"tenant" : "`).
        static func mayBeAttachment(_ bytes: [UInt8]) -> Bool {
            let key = attachmentKey
            let end = min(bytes.count, 400) - key.count
            guard end >= 0 else { return false }
            return bytes.withUnsafeBufferPointer { buffer in
                var index = 0
                while index <= end {
                    if buffer[index] == key[0], buffer[index + 1] == key[1] {
                        var matched = 2
                        while matched < key.count, buffer[index + matched] == key[matched] { matched += 1 }
                        if matched == key.count { return true }
                    }
                    index += 1
                }
                return false
            }
        }

        /// The attachment a line holds; nil for any other line (an event's).
        static func parse(_ bytes: [UInt8], line: Int) -> Attachment? {
            // Cheap first: an event line has no top-level "attachment" key.
            guard bytes.starts(with: ExportTrailer.tenantPrefix), bytes.count < 1 << 20, mayBeAttachment(bytes),
                let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
                let tenant = object["tenant"] as? String, let kind = object["attachment"] as? String,
                let row = object["row"] as? [String: Any],
                let data = try? JSONSerialization.data(withJSONObject: row, options: [.sortedKeys])
            else { return nil }
            return Attachment(line: line, tenant: tenant, kind: kind, row: data)
        }
    }

    /// Why an import was refused: the line and the reason. Nothing of the file was imported.
    public typealias ImportError = ImportLineError

    public struct ImportResult: Sendable, Equatable {
        /// Events written.
        public let imported: Int
        /// Events already in the database (the same id at the same position), left as they were.
        public let skipped: Int
        /// The tenants the file wrote to.
        public let tenants: [TenantID]
    }
}
