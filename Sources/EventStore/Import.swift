import Foundation
import Postgres

// `consult import` at the speed of COPY (issue 19, target 3): Swift frames the lines (and keeps
// the trailer's count and checksum, the attachments, UTF-8) and copies each one as it is, as
// text, into a temporary table; PostgreSQL parses, checks and inserts them set-based.
//
// Two paths, one outcome:
// * the fast path, for a file that only adds to its tenants' logs (a bulk load): one statement
//   that parses each line once, tests it (``ImportChecks/fastLineIsGood``, with the body
//   through consult.body_problem_inline, every type's check inlined) and casts its fields, on
//   every core (PostgreSQL's parallel workers); one INSERT … SELECT of the typed rows, refused
//   if a line failed; then each tenant's new highest position, compared
//   with the rows written, proves that the positions continue the logs with no hole (see
//   ``Transfer/importLines``).
// * the careful path, for everything else (events already present, a line the fast path
//   refused, a file whose tenants Swift could not read from the lines' first bytes): every line
//   parsed and checked into a table, the first bad line found by a query (the lowest line
//   number with a problem, and the problem), in the order the checks always ran: the line
//   itself, its tenant, a position twice in the file, an event contradicting the log, a hole,
//   the body. Then the insert, from the checked rows.
// Both run in the import's one transaction; the fast path inside a savepoint, so that a refusal
// there leaves the staged lines and the tenants' locks in place for the careful path.

extension Transfer {
    /// Imports JSON Lines atomically: every line is checked (JSON, fields and their types, a
    /// known tenant, positions that continue the tenant's log with no hole, a body valid for
    /// its type), then all are written in one transaction, or none. Events already present are
    /// skipped, so importing the same file twice changes nothing. Lines are streamed into a
    /// temporary table: the client's memory stays bounded.
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
    ///
    /// - Throws: ``ImportError`` naming the first bad line and why (line 0: the file contradicts
    ///   the log in a way no single line shows).
    public func importLines(
        _ lines: some Sequence<(number: Int, bytes: [UInt8])>, requireTrailer: Bool = true,
        attach: ((Connection, [Attachment]) throws -> Void)? = nil, progress: (Int) -> Void = { _ in }
    ) throws -> ImportResult {
        try connection.withTransaction { tx in
            // No JIT: it compiled the fast path's one expression (every type's body check,
            // inlined) for seconds on each file, longer than evaluating it (300,000 lines:
            // 26.5 s with JIT, 15.3 s without; the checks of the careful path alike).
            try tx.execute("SET LOCAL jit = off")
            let table = try stagingTable(tx)
            let staged = try stage(
                lines, requireTrailer: requireTrailer, into: tx, table: table, attachments: attach != nil, progress: progress)
            if let failure = staged.failure {
                // A line Swift refused (or a trailer); a line before it may be bad too, and the
                // first bad line is the one to name.
                try Careful(tx: tx, lines: table).refuseFirstBadLine()
                throw failure
            }
            var known: [(name: String, id: TenantID)] = []
            var fast: (imported: Int, heads: [(TenantID, Int64)])?
            if let names = staged.tenantNames {
                known = try lockTenants(Array(names), tx)
                if known.count == names.count, try !tx.execute("SELECT EXISTS (SELECT 1 FROM import_existing)")[0].decode(Bool.self, at: 0)
                {
                    fast = try fastInsert(known, from: table, tx)
                }
            }
            let result: (imported: Int, heads: [(TenantID, Int64)])
            if let fast {
                result = fast
            } else {
                let careful = Careful(tx: tx, lines: table)
                try careful.refuseFirstBadLine()
                // The tenants as the parsed lines name them (the first bytes only hinted).
                let names = try tx.execute("SELECT DISTINCT tenant FROM import_events").map { try $0.decode(String.self, at: 0) }
                known += try lockTenants(names.filter { name in !known.contains { $0.name == name } }, tx)
                result = try careful.insert()
            }
            for (tenant, last) in result.heads {
                try tx.execute("UPDATE consult.tenant_heads h SET last_position = \(last) WHERE h.tenant_id = \(tenant.rawValue)")
            }
            if let attach, !staged.attachments.isEmpty {
                try attach(tx, try resolve(staged.attachments, tx))
            }
            if table != "import_lines" { try tx.execute(Query(unsafeSQL: "DROP TABLE \(table)")) }
            return ImportResult(
                imported: result.imported, skipped: staged.events - result.imported,
                tenants: known.map(\.id).sorted { $0.rawValue < $1.rawValue })
        }
    }

    /// What the framing of the file found.
    struct Staged {
        var events = 0
        var attachments: [Attachment] = []
        /// The tenants the lines name, read from their first bytes (`{"tenant" : "name"`, as
        /// every export writes them); nil when a line does not start so (the database reads
        /// the lines to find them).
        var tenantNames: Set<String>?
        var failure: ImportError?
    }

    /// The table the lines are copied into: an unlogged table of the import's own, created in
    /// its transaction (so no other session ever sees it; dropped before the commit, and gone
    /// with a rollback), where the owner may create one in the schema consult; otherwise a
    /// temporary table. Measured on 300,000 lines (190 MB), PostgreSQL 15: COPY into a
    /// temporary table 15.9 s (11.1 s with temp_buffers at 256 MB), into an unlogged table 2.0 s.
    func stagingTable(_ tx: Connection) throws -> String {
        let name = "consult.import_lines_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
        do {
            try tx.withTransaction { tx in
                try tx.execute(Query(unsafeSQL: "CREATE UNLOGGED TABLE \(name) (line_no bigint, line text)"))
            }
            return name
        } catch let error as PostgresError where error.sqlState == .insufficientPrivilege {
            try tx.execute("CREATE TEMP TABLE import_lines (line_no bigint, line text) ON COMMIT DROP")
            return "import_lines"
        }
    }

    /// Frames the lines and copies each event line, as it is, into the staging `table` (COPY's binary
    /// format: the line's bytes behind their length, nothing to escape). Checks here only what
    /// needs the bytes or the order of the file: UTF-8, NUL, size, the trailers, attachments.
    /// A failure stops the copy where it is: the lines before it stay staged.
    func stage(
        _ lines: some Sequence<(number: Int, bytes: [UInt8])>, requireTrailer: Bool, into tx: Connection, table: String,
        attachments allowed: Bool, progress: (Int) -> Void
    ) throws -> Staged {
        var staged = Staged(tenantNames: [])
        try tx.copyIn(Query(unsafeSQL: "COPY \(table) (line_no, line) FROM STDIN (FORMAT binary)")) { writer in
            // The signature `PGCOPY\n\xFF\r\n\0`, no flags, no header extension.
            var out: [UInt8] = [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]
            out.reserveCapacity(1 << 20)
            let digest = BackgroundDigest()
            var endsWithTrailer = false
            var lastLine = 0
            var lastTenant: ArraySlice<UInt8> = []
            func append<T: FixedWidthInteger>(_ value: T) {
                withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
            }
            for (number, bytes) in lines {
                lastLine = number
                do {
                    if ExportTrailer.isTrailer(bytes) {
                        let trailer = try ExportTrailer.parse(bytes, line: number)
                        let section = digest.endSection()
                        guard trailer == section else {
                            throw ImportError(
                                line: number,
                                reason: section.events == trailer.events
                                    ? "the \(trailer.events) lines before the trailer do not match its checksum: the file was changed or damaged"
                                    : "the trailer counts \(trailer.events) events, the file has \(section.events) before it: the file was cut or changed"
                            )
                        }
                        endsWithTrailer = true
                        continue
                    }
                    endsWithTrailer = false
                    digest.add(bytes)
                    if let attachment = Attachment.parse(bytes, line: number) {
                        guard allowed else {
                            throw ImportError(line: number, reason: "this import cannot take a line of \(attachment.kind)")
                        }
                        staged.attachments.append(attachment)
                        continue
                    }
                    guard String(validating: bytes, as: UTF8.self) != nil else {
                        throw ImportError(line: number, reason: "not valid UTF-8")
                    }
                    guard !bytes.contains(0) else { throw ImportError(line: number, reason: "contains a NUL byte") }
                    guard bytes.count <= 4 * 1_048_576 else { throw ImportError(line: number, reason: "the line is over 4 MiB") }
                    if staged.tenantNames != nil {
                        if let name = Self.tenantName(bytes) {
                            if name != lastTenant {
                                lastTenant = name
                                staged.tenantNames!.insert(String(decoding: name, as: UTF8.self))
                            }
                        } else {
                            staged.tenantNames = nil
                        }
                    }
                    // A tuple: 2 fields; line_no as int8; the line as text.
                    append(Int16(2))
                    append(Int32(8))
                    append(Int64(number))
                    append(Int32(bytes.count))
                    out.append(contentsOf: bytes)
                    if out.count >= 1 << 20 {
                        try writer.write(out)
                        out.removeAll(keepingCapacity: true)
                    }
                    staged.events += 1
                    if staged.events % 10_000 == 0 { progress(staged.events) }
                } catch let error as ImportError {
                    staged.failure = error
                    break
                }
            }
            if staged.failure == nil, requireTrailer, !endsWithTrailer {
                staged.failure = ImportError(
                    line: lastLine + 1,
                    reason: lastLine == 0
                        ? "the file is empty: an export, even of no event, ends with a trailer line"
                        : "the file ends without the trailer line of an export (its count and checksum): it was cut off, or was written by a consult older than the trailer (if it is whole, import it with --without-trailer)"
                )
            }
            append(Int16(-1))
            try writer.write(out)
        }
        return staged
    }

    /// ``ExportTrailer/Digest``, hashed on a thread of its own while the lines are framed and
    /// copied: the hash is the client's largest cost (SHA-256 at ~220 MB/s), and the staging COPY
    /// waits on the client. Lines go to the hasher in order, a megabyte at a time, at most four
    /// megabytes ahead of it (the client's memory stays bounded); ``endSection()`` waits for it.
    final class BackgroundDigest: @unchecked Sendable {
        /// Touched only on `queue`.
        private var digest = ExportTrailer.Digest()
        private let queue = DispatchQueue(label: "consult.import.digest")
        private let room = DispatchSemaphore(value: 4)
        /// Touched only by the caller's thread.
        private var batch: [[UInt8]] = []
        private var batchBytes = 0

        /// Adds the next line of the section.
        func add(_ line: [UInt8]) {
            batch.append(line)
            batchBytes += line.count
            if batchBytes >= 1 << 20 { flush() }
        }

        private func flush() {
            guard !batch.isEmpty else { return }
            let lines = batch
            batch = []
            batchBytes = 0
            room.wait()
            queue.async {
                for line in lines { self.digest.add(line) }
                self.room.signal()
            }
        }

        /// The trailer of the lines added since the last section ended; a new section starts.
        func endSection() -> ExportTrailer {
            flush()
            return queue.sync {
                defer { digest = ExportTrailer.Digest() }
                return digest.trailer
            }
        }
    }

    static let tenantPrefixes = [ExportTrailer.tenantPrefix, Array(#"{"tenant":""#.utf8)]

    /// The tenant's name from a line's first bytes, when it starts as an export's (or the
    /// benchmark's) lines do and the name has no escape; nil otherwise. A hint for taking the
    /// locks before the lines are parsed: the insert joins each parsed line with the tenants
    /// locked (a lookup by name per line: a join would be planned as a nested loop, the
    /// temporary tables having no statistics), and a line whose tenant is not among them
    /// refuses the fast path (a NULL tenant_id).
    static func tenantName(_ bytes: [UInt8]) -> ArraySlice<UInt8>? {
        for prefix in tenantPrefixes where bytes.starts(with: prefix) {
            let rest = bytes[prefix.count...]
            guard let end = rest.firstIndex(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }),
                bytes[end] == UInt8(ascii: "\"")
            else { return nil }
            return rest[..<end]
        }
        return nil
    }

    /// Locks the heads of the tenants named (those that exist), one tenant at a time as
    /// consult.append takes them (their rows of consult.tenant_heads, db/migrations/0045): no
    /// append interleaves. Each query touches one kind of table: Citus refuses FOR UPDATE on a
    /// query that joins a distributed table with another, and routes a lock on one tenant's row
    /// to its worker (issue 20, item 8). Leaves `import_tenants` (name, tenant_id) and
    /// `import_existing`, the positions and ids these tenants' logs hold, read once: the checks
    /// compare the file with this copy rather than joining the log with a temporary table.
    func lockTenants(_ names: [String], _ tx: Connection) throws -> [(name: String, id: TenantID)] {
        let known = try tx.execute(
            "SELECT t.name, t.tenant_id FROM consult.tenants t WHERE t.name = ANY(\(PostgresValue.array(names))) ORDER BY t.tenant_id"
        ).map { (name: try $0.decode(String.self, at: 0), id: TenantID(try $0.decode(Int64.self, at: 1))) }
        for tenant in known {
            try tx.execute("SELECT consult.ensure_tenant_head(\(tenant.id.rawValue))")
            try tx.execute("SELECT 1 FROM consult.tenant_heads h WHERE h.tenant_id = \(tenant.id.rawValue) FOR NO KEY UPDATE")
        }
        try tx.execute("CREATE TEMP TABLE IF NOT EXISTS import_tenants (name text PRIMARY KEY, tenant_id bigint NOT NULL) ON COMMIT DROP")
        try tx.execute(
            """
            INSERT INTO import_tenants SELECT * FROM unnest(\(PostgresValue.array(known.map(\.name))), \(PostgresValue.array(known.map(\.id.rawValue))))
            """)
        try tx.execute("CREATE TEMP TABLE IF NOT EXISTS import_existing (tenant_id bigint, event_id uuid, position bigint) ON COMMIT DROP")
        try tx.execute(
            """
            INSERT INTO import_existing SELECT e.tenant_id, e.event_id, e.position FROM consult.events e
             WHERE e.tenant_id = ANY(\(PostgresValue.array(known.map(\.id.rawValue))))
            """)
        return known
    }

    /// The fast path: every staged line parsed, checked and cast into a table in one statement,
    /// then into the log in one INSERT … SELECT; or nil (and nothing written) when a line fails a
    /// check, a cast or a constraint: the careful path then names it. Only for tenants whose
    /// logs are empty (a bulk load): every line is new.
    ///
    /// No hole, without a query per line: the logs were empty and their key refused a position
    /// the file repeats, so the n positions of a tenant are n distinct positive integers, whose
    /// highest is at least n, and equal to n only when they are exactly 1…n. Summed over the
    /// tenants: the highest positions add up to the rows written exactly when no log has a hole.
    func fastInsert(_ tenants: [(name: String, id: TenantID)], from table: String, _ tx: Connection) throws -> (
        imported: Int, heads: [(TenantID, Int64)]
    )? {
        // The lines, parsed, checked and cast into a table of their own: where the staging table
        // is an unlogged one, PostgreSQL reads it with parallel workers (a temporary table only
        // its own backend can read), so that the parse and the checks, most of the work, run on
        // every core; an INSERT … SELECT is never parallel. The insert then only moves typed
        // rows. Measured, `consult import` of 300,000 lines, alternating: 13.8, 13.8 and 14.5 s
        // with one INSERT … SELECT that parsed, checked and cast; 10.6, 11.6 and 10.6 s so
        // (4.5-5.0 s the typed rows, 4.4-5.2 s the insert).
        let rows = table == "import_lines" ? "import_rows" : table.replacingOccurrences(of: "import_lines_", with: "import_rows_")
        do {
            return try tx.withTransaction { tx in
                try tx.execute(Self.typedRows(from: table, into: rows))
                if let line = try tx.execute(Query(unsafeSQL: "SELECT min(line_no) FROM \(rows) WHERE NOT good"))[0].decode(
                    Int64?.self, at: 0)
                {
                    throw PostgresError(.server, message: "line \(line) fails a check of the import", sqlState: .dataException)
                }
                let inserted = try tx.execute(
                    Query(
                        unsafeSQL: """
                            INSERT INTO consult.events (tenant_id, position, stream, stream_version, event_id, type, schema_version, data,
                                                        metadata, command_id, occurred_at, recorded_at)
                            SELECT t.tenant_id, i.position, i.stream, i.stream_version, i.event_id, i.type, i.schema_version, i.data,
                                   i.metadata, i.command_id, i.occurred_at, i.recorded_at
                              FROM \(rows) i LEFT JOIN import_tenants t ON t.name = i.tenant
                            """)
                ).affectedRows
                try tx.execute(Query(unsafeSQL: "DROP TABLE \(rows)"))
                // The logs were empty: the highest position of each is what it holds now.
                let heads = try tenants.map { tenant in
                    (
                        tenant.id,
                        try tx.execute("SELECT coalesce(max(position), 0) FROM consult.events WHERE tenant_id = \(tenant.id.rawValue)")[0]
                            .decode(Int64.self, at: 0)
                    )
                }
                guard heads.map(\.1).reduce(0, +) == Int64(inserted) else {
                    throw PostgresError(.server, message: "the positions leave a hole", sqlState: .dataException)
                }
                return (inserted, heads)
            }
        } catch let error as PostgresError where ["22", "23", "54"].contains(error.sqlState?.errorClass ?? "") {
            return nil
        }
    }

    /// The statement of the fast path that parses, checks (``ImportChecks/fastLineIsGood``, in
    /// the column `good`) and casts every line of the staging `table` into the new table `rows`
    /// (temporary when it is `import_rows`, as the staging table is then). Every function in it
    /// is PARALLEL SAFE (db/migrations/0067): PostgreSQL may read the lines with parallel workers.
    static func typedRows(from table: String, into rows: String) -> Query {
        Query(
            unsafeSQL: """
                CREATE \(rows == "import_rows" ? "TEMP" : "UNLOGGED") TABLE \(rows) AS
                SELECT line_no, coalesce(\(ImportChecks.fastLineIsGood), false) AS good, j ->> 'tenant' AS tenant,
                       (j ->> 'position')::bigint AS position, j ->> 'stream' AS stream,
                       (j ->> 'stream_version')::bigint AS stream_version, (j ->> 'event_id')::uuid AS event_id,
                       j ->> 'type' AS type, (j ->> 'schema_version')::integer AS schema_version, j -> 'data' AS data,
                       j -> 'metadata' AS metadata, (j ->> 'command_id')::uuid AS command_id,
                       (j ->> 'occurred_at')::timestamptz AS occurred_at, (j ->> 'recorded_at')::timestamptz AS recorded_at
                  FROM \(table) CROSS JOIN LATERAL unnest(ARRAY[line::jsonb]) AS parsed(j)
                """)
    }

    /// The tenants of the attachments, which must exist.
    func resolve(_ attachments: [Attachment], _ tx: Connection) throws -> [Attachment] {
        var ids: [String: TenantID] = [:]
        for row in try tx.execute(
            "SELECT name, tenant_id FROM consult.tenants WHERE name = ANY(\(PostgresValue.array(Array(Set(attachments.map(\.tenant))))))")
        {
            ids[try row.decode(String.self, at: 0)] = TenantID(try row.decode(Int64.self, at: 1))
        }
        var resolved = attachments
        for index in resolved.indices {
            guard let id = ids[resolved[index].tenant] else {
                throw ImportError(
                    line: resolved[index].line,
                    reason: "tenant \"\(resolved[index].tenant)\" does not exist here: create it first (consult tenant create)")
            }
            resolved[index].tenantID = id
        }
        return resolved
    }

    /// The careful path: each line parsed on its own (a line that is not JSON is a problem, not
    /// an error that ends the statement) into `import_events`, then each check as one query for
    /// the lowest line that fails it.
    struct Careful {
        let tx: Connection
        /// The staging table.
        let lines: String

        func refuse(_ sql: Query, _ reason: (Row) throws -> String) throws {
            if let row = try tx.execute(sql).first {
                throw ImportError(line: try row.decode(Int.self, at: 0), reason: try reason(row))
            }
        }

        /// Parses and checks every staged line (once: later calls reuse the table) and throws
        /// the first line with a problem of its own.
        func refuseFirstBadLine() throws {
            if try tx.execute("SELECT to_regclass('pg_temp.import_events') IS NULL")[0].decode(Bool.self, at: 0) {
                try tx.execute(
                    """
                    CREATE FUNCTION pg_temp.import_jsonb(p_line text) RETURNS jsonb LANGUAGE plpgsql AS $$
                    BEGIN
                        RETURN p_line::jsonb;
                    EXCEPTION WHEN OTHERS THEN
                        RETURN NULL;
                    END
                    $$
                    """)
                try tx.execute(
                    Query(
                        unsafeSQL: """
                            CREATE TEMP TABLE import_events ON COMMIT DROP AS
                            SELECT line_no, j, problem,
                                   CASE WHEN problem IS NULL THEN j ->> 'tenant' END AS tenant,
                                   CASE WHEN problem IS NULL THEN (j ->> 'position')::bigint END AS position,
                                   CASE WHEN problem IS NULL THEN (j ->> 'event_id')::uuid END AS event_id
                              FROM (SELECT line_no, j, CASE WHEN j IS NULL THEN 'not a JSON object' ELSE \(ImportChecks.lineProblem) END AS problem
                                      FROM (SELECT line_no, pg_temp.import_jsonb(line) AS j FROM \(lines) OFFSET 0) parsed
                                    OFFSET 0) checked
                            """))
            }
            try refuse("SELECT line_no, problem FROM import_events WHERE problem IS NOT NULL ORDER BY line_no LIMIT 1") {
                try $0.decode(String.self, at: 1)
            }
        }

        /// The checks that compare lines with each other and with the log, in the order they
        /// always ran, then the insert of the new events.
        func insert() throws -> (imported: Int, heads: [(TenantID, Int64)]) {
            try refuse(
                """
                SELECT i.line_no, i.tenant FROM import_events i
                 WHERE NOT EXISTS (SELECT 1 FROM import_tenants t WHERE t.name = i.tenant) ORDER BY i.line_no LIMIT 1
                """
            ) { "tenant \"\(try $0.decode(String.self, at: 1))\" does not exist here: create it first (consult tenant create)" }
            try refuse(
                "SELECT max(line_no), position FROM import_events GROUP BY tenant, position HAVING count(*) > 1 ORDER BY 1 LIMIT 1"
            ) { "position \(try $0.decode(Int64.self, at: 1)) appears twice in the file" }
            try tx.execute("ALTER TABLE import_events ADD COLUMN tenant_id bigint")
            try tx.execute("UPDATE import_events i SET tenant_id = t.tenant_id FROM import_tenants t WHERE t.name = i.tenant")
            try refuse(
                """
                SELECT i.line_no FROM import_events i JOIN import_existing e ON e.tenant_id = i.tenant_id
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
                    FROM import_events i
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
                SELECT line_no, problem FROM (
                  SELECT i.line_no, consult.event_body_problem(i.j ->> 'type', (i.j ->> 'schema_version')::integer, i.j -> 'data') AS problem
                    FROM import_events i
                ) p WHERE problem IS NOT NULL ORDER BY line_no LIMIT 1
                """
            ) { try $0.decode(String.self, at: 1) }
            let inserted = try insertChecked()
            // The heads follow the log: the next append continues after the imported events (the
            // highest position of each tenant, from the file and the copy of its log read above).
            let heads = try tx.execute(
                """
                SELECT tenant_id, max(position) FROM (
                  SELECT tenant_id, position FROM import_events UNION ALL SELECT tenant_id, position FROM import_existing
                ) p GROUP BY tenant_id
                """
            ).map { (TenantID(try $0.decode(Int64.self, at: 0)), try $0.decode(Int64.self, at: 1)) }
            return (inserted, heads)
        }

        /// The insert of the checked lines that are new. A key it violates is a contradiction no
        /// single line shows (the same event id twice in the file, a stream version taken twice).
        func insertChecked() throws -> Int {
            do {
                return try tx.execute(
                    """
                    INSERT INTO consult.events (tenant_id, position, stream, stream_version, event_id, type, schema_version, data, metadata,
                                                command_id, occurred_at, recorded_at)
                    SELECT i.tenant_id, i.position, j ->> 'stream', (j ->> 'stream_version')::bigint, i.event_id, j ->> 'type',
                           (j ->> 'schema_version')::integer, j -> 'data', j -> 'metadata', (j ->> 'command_id')::uuid,
                           (j ->> 'occurred_at')::timestamptz, (j ->> 'recorded_at')::timestamptz
                      FROM import_events i
                     WHERE NOT EXISTS (SELECT 1 FROM import_existing e WHERE e.tenant_id = i.tenant_id AND e.event_id = i.event_id)
                     ORDER BY i.tenant_id, i.position
                    """
                ).affectedRows
            } catch {
                guard error.sqlState == .uniqueViolation else { throw error }
                throw ImportError(line: 0, reason: "the file contradicts the log (\(error.constraint ?? "a unique key")): \(error.message)")
            }
        }
    }
}
