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
