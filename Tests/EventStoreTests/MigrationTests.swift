import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("migrations", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct MigrationTests {
    let migrator: Migrator

    init() throws {
        migrator = try Migrator(directory: TestDatabase.migrationsDirectory)
    }

    func applied(_ connection: Connection) throws -> [String] {
        try connection.execute("SELECT name FROM consult.migrations ORDER BY name").map { try $0.decode(String.self, at: 0) }
    }

    @Test("the first run applies every file in order; a second run is a no-op")
    func rerun() throws {
        let connection = try TestDatabase.create("migrate").connect()
        let first = try migrator.migrate(connection)
        #expect(first == migrator.migrations.map(\.name))
        #expect(first.first == "0001_roles")
        #expect(try migrator.migrate(connection) == [])
        #expect(try applied(connection) == first)
        #expect(try migrator.status(connection).allSatisfy(\.isApplied))
    }

    @Test("two migrators at once apply each file once")
    func concurrent() throws {
        let database = try TestDatabase.create("migrate2")
        let migrator = migrator
        let results = onThreads(2) { _ in try migrator.migrate(try database.connect()) }
        let runs = try results.map { try $0.get() }
        #expect(runs.flatMap { $0 }.sorted() == migrator.migrations.map(\.name))
        #expect(try applied(try database.connect()) == migrator.migrations.map(\.name))
    }

    @Test("rows projected before 0015 and 0016 keep their values as numeric, with the precision of the values they hold")
    func exactNumbers() throws {
        let connection = try TestDatabase.create("migrate5").connect()
        try Migrator(migrations: migrator.migrations.filter { $0.name < "0015" }).migrate(connection)
        let tenant = try connection.execute("INSERT INTO consult.tenants (name) VALUES ('numbers') RETURNING tenant_id")[0].decode(
            Int64.self, at: 0)
        // As a float8 column held them: 1.8 is 1.8000000000000000444…, and PostgreSQL prints it 1.8.
        try connection.execute(
            """
            INSERT INTO consult.objective_progress (tenant_id, objective_id, engagement_id, handle, business_area, metric, direction,
                   baseline, target, due, latest, previous, progress, set_at, status)
            VALUES (\(tenant), gen_random_uuid(), gen_random_uuid(), 'answers', 'complaints', 'answers a day', 'up',
                    1.8::float8, 3.5::float8, '2027-03-31', 2.45::float8, 2.4::float8, 38.23529411764706::float8, now(), 'open')
            """)
        try connection.execute(
            """
            INSERT INTO consult.engagement_status (tenant_id, engagement_id, handle, organisation_id, title, kind, phase,
                   budget_hours, hours_per_month, hours_by_month, started_at)
            VALUES (\(tenant), gen_random_uuid(), 'answers-online', gen_random_uuid(), 'Answers online', 'retainer', 'active',
                    40.5::float8, 6.25::float8, '{"2026-10": 5.25}', now())
            """)
        try migrator.migrate(connection)
        let objective = try connection.execute(
            """
            SELECT pg_typeof(baseline)::text, baseline::text, target::text, latest::text, previous::text, decimals
              FROM consult.objective_progress
            """)[0]
        #expect(try (0..<5).map { try objective.decode(String.self, at: $0) } == ["numeric", "1.8", "3.5", "2.45", "2.4"])
        // The most decimals among 1.8, 3.5, 2.45 and 2.4: two.
        #expect(try objective.decode(Int.self, at: 5) == 2)
        let engagement = try connection.execute(
            "SELECT pg_typeof(budget_hours)::text, budget_hours::text, hours_per_month::text FROM consult.engagement_status")[0]
        #expect(try (0..<3).map { try engagement.decode(String.self, at: $0) } == ["numeric", "40.5", "6.25"])
    }

    @Test("people merged before 0068 are marked merged into the person kept; a merge undone is not")
    func mergedIntoBackfilled() throws {
        let connection = try TestDatabase.create("migrate68").connect()
        try Migrator(migrations: migrator.migrations.filter { $0.name < "0068" }).migrate(connection)
        let tenant = try connection.execute("SELECT consult.create_tenant('merges')")[0].decode(Int64.self, at: 0)
        let (kept, duplicate, undone) = (UUID(), UUID(), UUID())
        for person in [kept, duplicate, undone] {
            try connection.execute("INSERT INTO consult.people (tenant_id, person_id) VALUES (\(tenant), \(person))")
        }
        // As the log holds them: the duplicate merged into the person kept; the other merged, then undone.
        func append(_ person: UUID, _ type: String, _ body: String) throws {
            try connection.execute(
                """
                SELECT * FROM consult.append(\(tenant), gen_random_uuid(), ARRAY['person-' || \(person.uuidString.lowercased())],
                                             ARRAY[\(type)], '{1}', ARRAY[\(body)], ARRAY[gen_random_uuid()], ARRAY[now()], '{}', '{}', '{}')
                """)
        }
        try append(duplicate, "PersonMerged", #"{"into": "\#(kept.uuidString.lowercased())", "reason": "added twice"}"#)
        try append(undone, "PersonMerged", #"{"into": "\#(kept.uuidString.lowercased())", "reason": "added twice"}"#)
        try append(undone, "PersonUnmerged", #"{"from": "\#(kept.uuidString.lowercased())", "reason": "not the same"}"#)
        try migrator.migrate(connection)
        var mergedInto: [UUID: UUID?] = [:]
        for row in try connection.execute("SELECT person_id, merged_into FROM consult.people") {
            mergedInto.updateValue(try row.decode(UUID?.self, at: 1), forKey: try row.decode(UUID.self, at: 0))
        }
        #expect(mergedInto == [kept: nil, duplicate: kept, undone: nil])
    }

    @Test("a previous version saved before 0068 is rolled back to with its merges as they stood at its checkpoint")
    func previousMergedInto() throws {
        let connection = try TestDatabase.create("migrate69").connect()
        try Migrator(migrations: migrator.migrations.filter { $0.name < "0068" }).migrate(connection)
        let tenant = try connection.execute("SELECT consult.create_tenant('kept')")[0].decode(Int64.self, at: 0)
        let (kept, duplicate, undone, later) = (UUID(), UUID(), UUID(), UUID())
        for person in [kept, duplicate, undone, later] {
            try connection.execute("INSERT INTO consult.people (tenant_id, person_id) VALUES (\(tenant), \(person))")
        }
        func append(_ person: UUID, _ type: String, _ body: String) throws -> Int64 {
            try connection.execute(
                """
                SELECT event_position FROM consult.append(\(tenant), gen_random_uuid(), ARRAY['person-' || \(person.uuidString.lowercased())],
                                             ARRAY[\(type)], '{1}', ARRAY[\(body)], ARRAY[gen_random_uuid()], ARRAY[now()], '{}', '{}', '{}')
                """)[0].decode(Int64.self, at: 0)
        }
        let into = #"{"into": "\#(kept.uuidString.lowercased())", "reason": "added twice"}"#
        _ = try append(duplicate, "PersonMerged", into)
        _ = try append(undone, "PersonMerged", into)
        let checkpoint = try append(undone, "PersonUnmerged", #"{"from": "\#(kept.uuidString.lowercased())", "reason": "not the same"}"#)
        // The previous version stands at position 3 (the three events above); `later` is merged after it.
        #expect(checkpoint == 3)
        try connection.execute("SELECT consult.projection_keep_previous(\(tenant), 'backoffice', \(checkpoint))")
        try connection.execute("SELECT consult.projection_clear(\(tenant))")  // copies the rows as JSON, before 0068
        _ = try append(later, "PersonMerged", into)
        try migrator.migrate(connection)
        try connection.execute("SELECT consult.projection_rollback(\(tenant), 'backoffice')")
        var mergedInto: [UUID: UUID?] = [:]
        for row in try connection.execute("SELECT person_id, merged_into FROM consult.people") {
            mergedInto.updateValue(try row.decode(UUID?.self, at: 1), forKey: try row.decode(UUID.self, at: 0))
        }
        // At position 3: the duplicate merged (1), `undone` merged (2) then unmerged (3); `later` not yet (4).
        #expect(mergedInto == [kept: nil, duplicate: kept, undone: nil, later: nil])
    }

    @Test("an applied file that was edited is reported by name, and nothing more is applied")
    func edited() throws {
        let connection = try TestDatabase.create("migrate3").connect()
        let partial = Migrator(migrations: Array(migrator.migrations.prefix(3)))
        try partial.migrate(connection)
        var edited = migrator.migrations
        edited[1] = Migrator.Migration(name: edited[1].name, sql: edited[1].sql + "\n-- an innocent comment\n")
        let error = #expect(throws: Migrator.Failure.self) { try Migrator(migrations: edited).migrate(connection) }
        #expect(error?.message.hasPrefix("migration 0002_tenants was edited after it was applied") == true)
        #expect(try applied(connection).count == 3)
        #expect(throws: Migrator.Failure.self) { try Migrator(migrations: edited).status(connection) }
    }

    @Test("a failing migration leaves nothing of itself behind")
    func failing() throws {
        let connection = try TestDatabase.create("migrate4").connect()
        let broken = Migrator(
            migrations: migrator.migrations + [
                Migrator.Migration(name: "9999_broken", sql: "CREATE TABLE consult.half (id int); SELECT * FROM no_such_table;")
            ])
        #expect(throws: Migrator.Failure.self) { try broken.migrate(connection) }
        #expect(try applied(connection) == migrator.migrations.map(\.name))
        #expect(try connection.execute("SELECT to_regclass('consult.half') IS NULL")[0].decode(Bool.self, at: 0))
    }
}
