import Foundation
import Postgres
import TestSupport
import Testing

@testable import EventStore

/// The two paths of an import (Sources/EventStore/Import.swift): a bulk load into empty logs
/// goes through one INSERT … SELECT whose checks are cheap and whose casts and keys refuse the
/// rest; anything it refuses goes through the careful path, which names the line. Whatever the
/// path, the outcome is today's: all of the file or none of it, the first bad line named.
@Suite("import: the fast path and the careful path", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct ImportPathsTests {
    let database: TestDatabase.Database

    init() throws {
        database = try TestDatabase.createMigrated("importpaths")
    }

    func head(_ tenant: TenantID) throws -> Int64? {
        try database.connect().execute("SELECT last_position FROM consult.tenant_heads WHERE tenant_id = \(tenant.rawValue)")
            .first?.decode(Int64.self, at: 0)
    }

    func lines(_ tenant: String, _ count: Int) -> [(number: Int, bytes: [UInt8])] {
        (1...count).map { (number: $0, bytes: Array(ImportFuzzTests.line(tenant: tenant, position: $0).utf8)) }
    }

    @Test("a bulk load writes every line and moves the head; importing it again writes nothing and skips every line")
    func bulkLoadThenAgain() throws {
        let (tenant, _) = try database.createTenant("bulk")
        let transfer = Transfer(connection: try database.connect())
        let first = try transfer.importLines(lines("bulk", 50), requireTrailer: false)
        // 50 lines, positions 1…50, into an empty log: 50 written, the head at 50.
        #expect(first == Transfer.ImportResult(imported: 50, skipped: 0, tenants: [tenant]))
        #expect(try head(tenant) == 50)
        let again = try transfer.importLines(lines("bulk", 50), requireTrailer: false)
        #expect(again == Transfer.ImportResult(imported: 0, skipped: 50, tenants: [tenant]))
        #expect(try database.eventCount() == 50)
        #expect(try head(tenant) == 50)
    }

    /// Where the lines are staged in an unlogged table, PostgreSQL may parse and check them in
    /// parallel workers, which is most of a bulk load's time (db/migrations/0067): only if every
    /// function of the statement is PARALLEL SAFE. Registering a type writes the check
    /// functions again, which would make them PARALLEL UNSAFE but for 0067's compiler.
    @Test("the fast path's parse and checks are planned on parallel workers, after a type is registered too")
    func parallelChecks() throws {
        try database.registerTestEventTypes(["ParallelChecked"])
        let connection = try database.connect()
        let unsafe = try connection.execute(
            """
            SELECT count(*) FROM pg_proc
             WHERE pronamespace = 'consult'::regnamespace AND proparallel <> 's'
               AND (proname LIKE 'event\\_body\\_problem\\_%' OR proname = 'body_problem_inline')
            """)[0].decode(Int64.self, at: 0)
        #expect(unsafe == 0)
        let plan = try connection.withTransaction { tx in
            try tx.execute("CREATE UNLOGGED TABLE consult.import_lines_parallel (line_no bigint, line text)")
            // Parallel workers cost nothing here, so that a plan without them says that one may not.
            try tx.execute("SET LOCAL parallel_setup_cost = 0")
            try tx.execute("SET LOCAL parallel_tuple_cost = 0")
            try tx.execute("SET LOCAL min_parallel_table_scan_size = 0")
            let statement = Transfer.typedRows(from: "consult.import_lines_parallel", into: "consult.import_rows_parallel")
            let plan = try tx.execute(Query(unsafeSQL: "EXPLAIN (COSTS OFF) " + statement.sql)).map { try $0.decode(String.self, at: 0) }
            try tx.execute("DROP TABLE consult.import_lines_parallel")
            return plan
        }
        #expect(plan.contains { $0.contains("Parallel Seq Scan on import_lines_parallel") }, "\(plan.joined(separator: "\n"))")
    }

    /// Where the owner may not create the staging table in schema consult, the lines are staged
    /// in a temporary table, and the typed rows go to one too: the same statement, in one backend.
    @Test("the typed rows from a temporary staging table: each line cast, and flagged good or not")
    func typedRowsFromTemporaryTable() throws {
        let good = ImportFuzzTests.line(tenant: "t", position: 1)
        // A date and time after a space: the cast to timestamptz reads it, the strict form does not.
        let spaced = ImportFuzzTests.line(tenant: "t", position: 2).replacingOccurrences(
            of: #""occurred_at":"2026"#, with: #""occurred_at":" 2026"#)
        // The position as a JSON string: the cast to bigint would take "3", the check does not.
        let quoted = ImportFuzzTests.line(tenant: "t", position: 3).replacingOccurrences(of: #""position":3"#, with: #""position":"3""#)
        let connection = try database.connect()
        let rows = try connection.withTransaction { tx in
            try tx.execute("CREATE TEMP TABLE import_lines (line_no bigint, line text) ON COMMIT DROP")
            try tx.execute(
                "INSERT INTO import_lines SELECT * FROM unnest(ARRAY[1, 2, 3]::bigint[], \(PostgresValue.array([good, spaced, quoted]))::text[])"
            )
            try tx.execute(Transfer.typedRows(from: "import_lines", into: "import_rows"))
            return try tx.execute("SELECT line_no, good, position, stream_version, event_id::text FROM import_rows ORDER BY line_no").map {
                (
                    try $0.decode(Int64.self, at: 0), try $0.decode(Bool.self, at: 1), try $0.decode(Int64.self, at: 2),
                    try $0.decode(Int64.self, at: 3), try $0.decode(String.self, at: 4)
                )
            }
        }
        #expect(rows.map(\.0) == [1, 2, 3])
        #expect(rows.map(\.1) == [true, false, false])
        // Positions and versions as the lines wrote them; the event id of line 1, 00…01.
        #expect(rows.map(\.2) == [1, 2, 3])
        #expect(rows.map(\.3) == [1, 2, 3])
        #expect(rows[0].4 == "00000000-0000-4000-8000-000000000001")
    }

    /// A line the fast path's casts would take but an export never writes, or a fault only the
    /// whole file shows: each refused with the line and the reason, nothing written.
    @Test(
        "a bad line in a bulk load is named with its reason and nothing is written",
        arguments: [
            // Positions 1, 2, 3, 4, 6: four events before the fifth line, so the next position is 4 + 1 = 5.
            (5, #""position":5,"#, #""position":6,"#, "position 6 would leave a hole: the next position is 5"),
            // Positions 1, 2, 2, 4, 5: the second 2 is on line 3.
            (3, #""position":3,"#, #""position":2,"#, "position 2 appears twice in the file"),
            (
                2, #""occurred_at":"2026-09-01T10:00:00+00:00""#, #""occurred_at":"now""#,
                #"the field "occurred_at" is not a date and time such as 2026-09-01T10:00:00+00:00"#
            ),
            // 2026 is not a leap year: 29 February does not exist.
            (
                2, #""occurred_at":"2026-09-01"#, #""occurred_at":"2026-02-29"#,
                #"the field "occurred_at" is not a date and time such as 2026-09-01T10:00:00+00:00"#
            ),
            // The same 32 hex digits without dashes: uuid reads it, an export never writes it.
            (
                2, #""event_id":"00000000-0000-4000-8000-000000000002""#, #""event_id":"00000000000040008000000000000002""#,
                #"the field "event_id" is not valid"#
            ),
            (2, #""position":2,"#, #""position":"2","#, #"the field "position" has the wrong type"#),
            (2, #""stream":"engagement-1""#, #""stream":5"#, #"the field "stream" has the wrong type"#),
            (2, #""type":"WorkLogged""#, #""type":"NoSuchEventType""#, "NoSuchEventType version 1 is not a registered event type"),
            (2, #""hours":2"#, #""hours":"two""#, #"the key "hours" of WorkLogged must be number, not "two""#),
        ])
    func refused(_ line: Int, _ from: String, _ to: String, _ reason: String) throws {
        let name = "refused-\(UUID().uuidString.prefix(8).lowercased())"
        let (tenant, _) = try database.createTenant(name)
        var file = lines(name, 5)
        let edited = String(decoding: file[line - 1].bytes, as: UTF8.self).replacingOccurrences(of: from, with: to)
        #expect(edited != String(decoding: file[line - 1].bytes, as: UTF8.self), "the edit must change the line")
        file[line - 1].bytes = Array(edited.utf8)
        let before = try database.eventCount()
        #expect {
            try Transfer(connection: try database.connect()).importLines(file, requireTrailer: false)
        } throws: { error in
            guard let error = error as? Transfer.ImportError else { return false }
            return error.line == line && error.reason == reason
        }
        #expect(try database.eventCount() == before)
        #expect(try head(tenant) ?? 0 == 0)
    }

    @Test("lines that do not start with their tenant (keys in another order) import through the careful path, the same events")
    func otherKeyOrder() throws {
        let (tenant, _) = try database.createTenant("reordered")
        let file = lines("reordered", 3).map { line in
            // {"tenant":"reordered","position":…} → {"position":…,"tenant":"reordered"}
            let text = String(decoding: line.bytes, as: UTF8.self).replacingOccurrences(of: #"{"tenant":"reordered","#, with: "{")
            return (number: line.number, bytes: Array((String(text.dropLast()) + #","tenant":"reordered"}"#).utf8))
        }
        let result = try Transfer(connection: try database.connect()).importLines(file, requireTrailer: false)
        #expect(result == Transfer.ImportResult(imported: 3, skipped: 0, tenants: [tenant]))
        #expect(try head(tenant) == 3)
        let ids = try database.connect().execute(
            "SELECT event_id::text FROM consult.events WHERE tenant_id = \(tenant.rawValue) ORDER BY position"
        ).map { try $0.decode(String.self, at: 0) }
        #expect(ids == (1...3).map { String(format: "00000000-0000-4000-8000-%012d", $0) })
    }

    @Test("a tenant that does not exist is named at its first line, after the lines of one that does")
    func unknownTenant() throws {
        let (tenant, _) = try database.createTenant("known")
        let file = lines("known", 2) + [(number: 3, bytes: Array(ImportFuzzTests.line(tenant: "nobody", position: 1).utf8))]
        let before = try database.eventCount()
        #expect {
            try Transfer(connection: try database.connect()).importLines(file, requireTrailer: false)
        } throws: { error in
            (error as? Transfer.ImportError)?.description
                == #"line 3: tenant "nobody" does not exist here: create it first (consult tenant create)"#
        }
        #expect(try database.eventCount() == before)
        #expect(try head(tenant) ?? 0 == 0)
    }
}
