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

        /// The attachment a line holds; nil for any other line (an event's).
        static func parse(_ bytes: [UInt8], line: Int) -> Attachment? {
            // Cheap first: an event line has no top-level "attachment" key.
            guard bytes.starts(with: ExportTrailer.tenantPrefix), bytes.count < 1 << 20,
                String(decoding: bytes.prefix(400), as: UTF8.self).contains(#""attachment" : ""#),
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

    /// Imports JSON Lines atomically: every line is checked (JSON, fields and their types, a
    /// known tenant, positions that continue the tenant's log with no hole), then all are
    /// written in one transaction, or none. Events already present are skipped, so importing
    /// the same file twice changes nothing. Lines are streamed: memory stays bounded.
    ///
    /// Needs the owner: it writes positions and metadata as they were, past consult.append.
    ///
    /// The file must end with an ``ExportTrailer`` whose count and checksum match the lines
    /// before it (each trailer covers the lines since the previous one); `requireTrailer: false`
    /// accepts a file without any, as exports before trailers were (a trailer present is still
    /// checked).
    ///
    /// Attachment lines go to `attach`, in the same transaction, after the events are written
    /// (their tenants must exist too); a file with attachments and no `attach` is refused.
    public func importLines(
        _ lines: some Sequence<(number: Int, bytes: [UInt8])>, requireTrailer: Bool = true,
        attach: ((Connection, [Attachment]) throws -> Void)? = nil, progress: (Int) -> Void = { _ in }
    ) throws -> ImportResult {
        try connection.withTransaction { tx in
            try tx.execute(
                "CREATE TEMP TABLE import_lines (line_no bigint, tenant text, position bigint, event_id uuid, line text) ON COMMIT DROP")
            // First every line is parsed and copied in as it is (no other statement may run
            // during a COPY); then the checks that need the database run in SQL.
            var count = 0
            var attachments: [Attachment] = []
            var failure: ImportError?
            try tx.copyIn("COPY import_lines (line_no, tenant, position, event_id, line) FROM STDIN") { writer in
                var digest = ExportTrailer.Digest()
                var endsWithTrailer = false
                var lastLine = 0
                for (number, bytes) in lines {
                    lastLine = number
                    do {
                        if ExportTrailer.isTrailer(bytes) {
                            let trailer = try ExportTrailer.parse(bytes, line: number)
                            guard trailer == digest.trailer else {
                                throw ImportError(
                                    line: number,
                                    reason: digest.trailer.events == trailer.events
                                        ? "the \(trailer.events) lines before the trailer do not match its checksum: the file was changed or damaged"
                                        : "the trailer counts \(trailer.events) events, the file has \(digest.trailer.events) before it: the file was cut or changed"
                                )
                            }
                            digest = ExportTrailer.Digest()
                            endsWithTrailer = true
                            continue
                        }
                        endsWithTrailer = false
                        digest.add(bytes)
                        if let attachment = Attachment.parse(bytes, line: number) {
                            guard attach != nil else {
                                throw ImportError(line: number, reason: "this import cannot take a line of \(attachment.kind)")
                            }
                            attachments.append(attachment)
                            continue
                        }
                        let event = try ExportLine.parse(bytes, line: number)
                        try writer.writeRow([
                            String(number), event.tenant, String(event.position), event.eventID.uuidString.lowercased(),
                            String(decoding: bytes, as: UTF8.self),
                        ])
                        count += 1
                        if count % 10_000 == 0 { progress(count) }
                    } catch let error as ImportError {
                        failure = error
                        break
                    }
                }
                if failure == nil, requireTrailer, !endsWithTrailer {
                    failure = ImportError(
                        line: lastLine + 1,
                        reason: lastLine == 0
                            ? "the file is empty: an export, even of no event, ends with a trailer line"
                            : "the file ends without the trailer line of an export (its count and checksum): it was cut off, or was written by a consult older than the trailer (if it is whole, import it with --without-trailer)"
                    )
                }
                if let failure { throw failure }
            }
            func refuse(_ sql: Query, _ reason: (Row) throws -> String) throws {
                if let row = try tx.execute(sql).first {
                    throw ImportError(line: try row.decode(Int.self, at: 0), reason: try reason(row))
                }
            }
            try refuse(
                """
                SELECT i.line_no, i.tenant FROM import_lines i
                 WHERE NOT EXISTS (SELECT 1 FROM consult.tenants t WHERE t.name = i.tenant) ORDER BY i.line_no LIMIT 1
                """
            ) { "tenant \"\(try $0.decode(String.self, at: 1))\" does not exist here: create it first (consult tenant create)" }
            // The tenants' locks, as consult.append takes them (their rows of consult.tenant_heads,
            // db/migrations/0045): no append interleaves. Each query touches one kind of table:
            // Citus refuses FOR UPDATE on a query that joins a distributed table with another, and
            // routes a lock on one tenant's row to its worker (issue 20, item 8).
            let names = try tx.execute("SELECT DISTINCT tenant FROM import_lines").map { try $0.decode(String.self, at: 0) }
            let tenants = try tx.execute(
                "SELECT t.tenant_id FROM consult.tenants t WHERE t.name = ANY(\(PostgresValue.array(names))) ORDER BY t.tenant_id"
            ).map { TenantID(try $0.decode(Int64.self, at: 0)) }
            for tenant in tenants {
                try tx.execute("SELECT consult.ensure_tenant_head(\(tenant.rawValue))")
                try tx.execute("SELECT 1 FROM consult.tenant_heads h WHERE h.tenant_id = \(tenant.rawValue) FOR NO KEY UPDATE")
            }
            // The positions and ids these tenants' logs hold, read once: the checks below compare
            // the file with this copy rather than joining the log with a temporary table.
            try tx.execute("CREATE TEMP TABLE import_existing (tenant_id bigint, event_id uuid, position bigint) ON COMMIT DROP")
            try tx.execute(
                """
                INSERT INTO import_existing SELECT e.tenant_id, e.event_id, e.position FROM consult.events e
                 WHERE e.tenant_id = ANY(\(PostgresValue.array(tenants.map(\.rawValue))))
                """)
            try refuse(
                """
                SELECT max(line_no), position FROM import_lines GROUP BY tenant, position HAVING count(*) > 1 ORDER BY 1 LIMIT 1
                """
            ) { "position \(try $0.decode(Int64.self, at: 1)) appears twice in the file" }
            try tx.execute("ALTER TABLE import_lines ADD COLUMN tenant_id bigint")
            try tx.execute("UPDATE import_lines i SET tenant_id = t.tenant_id FROM consult.tenants t WHERE t.name = i.tenant")
            try refuse(
                """
                SELECT i.line_no FROM import_lines i JOIN import_existing e ON e.tenant_id = i.tenant_id
                 WHERE (e.event_id = i.event_id AND e.position <> i.position) OR (e.position = i.position AND e.event_id <> i.event_id)
                 ORDER BY i.line_no LIMIT 1
                """
            ) { _ in "this event id or position is already in the log with another event" }
            // New events must continue each tenant's log with no hole.
            try refuse(
                """
                SELECT line_no, position, expected FROM (
                  SELECT i.line_no, i.position,
                         coalesce((SELECT max(e.position) FROM import_existing e WHERE e.tenant_id = i.tenant_id), 0)
                           + row_number() OVER (PARTITION BY i.tenant_id ORDER BY i.position) AS expected
                    FROM import_lines i
                   WHERE NOT EXISTS (SELECT 1 FROM import_existing e WHERE e.tenant_id = i.tenant_id AND e.event_id = i.event_id)
                ) n WHERE position <> expected ORDER BY line_no LIMIT 1
                """
            ) {
                "position \(try $0.decode(Int64.self, at: 1)) would leave a hole: the next position is \(try $0.decode(Int64.self, at: 2))"
            }
            // Each body must be a valid event of its type, as consult.append requires
            // (db/migrations/0026_event_types.sql).
            try refuse(
                """
                SELECT i.line_no, p.problem FROM import_lines i
                 CROSS JOIN LATERAL (SELECT i.line::jsonb AS j) parsed
                 CROSS JOIN LATERAL (SELECT consult.event_body_problem(j->>'type', (j->>'schema_version')::integer, j->'data') AS problem) p
                 WHERE p.problem IS NOT NULL
                 ORDER BY i.line_no LIMIT 1
                """
            ) { try $0.decode(String.self, at: 1) }
            let inserted: ResultSet
            do {
                inserted = try tx.execute(
                    """
                    INSERT INTO consult.events (tenant_id, position, stream, stream_version, event_id, type, schema_version, data, metadata,
                                                command_id, occurred_at, recorded_at)
                    SELECT i.tenant_id, i.position, j->>'stream', (j->>'stream_version')::bigint, i.event_id, j->>'type',
                           (j->>'schema_version')::integer, j->'data', j->'metadata', (j->>'command_id')::uuid,
                           (j->>'occurred_at')::timestamptz, (j->>'recorded_at')::timestamptz
                      FROM import_lines i CROSS JOIN LATERAL (SELECT i.line::jsonb AS j) parsed
                     WHERE NOT EXISTS (SELECT 1 FROM import_existing e WHERE e.tenant_id = i.tenant_id AND e.event_id = i.event_id)
                     ORDER BY i.tenant_id, i.position
                    """)
            } catch let error as PostgresError where error.sqlState == .uniqueViolation {
                throw ImportError(line: 0, reason: "the file contradicts the log (\(error.constraint ?? "a unique key")): \(error.message)")
            }
            // The heads follow the log: the next append continues after the imported events (the
            // highest position of each tenant, from the file and the copy of its log read above).
            for row in try tx.execute(
                """
                SELECT tenant_id, max(position) FROM (
                  SELECT tenant_id, position FROM import_lines UNION ALL SELECT tenant_id, position FROM import_existing
                ) p GROUP BY tenant_id
                """)
            {
                let (tenant, last) = (try row.decode(Int64.self, at: 0), try row.decode(Int64.self, at: 1))
                try tx.execute("UPDATE consult.tenant_heads h SET last_position = \(last) WHERE h.tenant_id = \(tenant)")
            }
            if let attach, !attachments.isEmpty {
                var ids: [String: TenantID] = [:]
                for row in try tx.execute(
                    "SELECT name, tenant_id FROM consult.tenants WHERE name = ANY(\(PostgresValue.array(Array(Set(attachments.map(\.tenant))))))"
                ) {
                    ids[try row.decode(String.self, at: 0)] = TenantID(try row.decode(Int64.self, at: 1))
                }
                for index in attachments.indices {
                    guard let id = ids[attachments[index].tenant] else {
                        throw ImportError(
                            line: attachments[index].line,
                            reason: "tenant \"\(attachments[index].tenant)\" does not exist here: create it first (consult tenant create)")
                    }
                    attachments[index].tenantID = id
                }
                try attach(tx, attachments)
            }
            return ImportResult(imported: inserted.affectedRows, skipped: count - inserted.affectedRows, tenants: tenants)
        }
    }
}
