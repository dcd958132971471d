import EventStore
import Foundation
import TestSupport
import Testing

@Suite("consult migrate, tenant create and member add", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct MigrateAndTenantTests {
    let database: TestDatabase.Database
    let conninfo: String

    init() throws {
        database = try TestDatabase.create("cli")
        conninfo = try database.conninfo
    }

    func consult(_ arguments: [String], environment: [String: String] = [:]) throws -> ConsultProcess.Output {
        try ConsultProcess.run(arguments + ["--database", conninfo], environment: environment)
    }

    var migrationNames: [String] {
        get throws {
            try FileManager.default.contentsOfDirectory(atPath: TestDatabase.migrationsDirectory.path)
                .filter { $0.hasSuffix(".sql") }.sorted().map { String($0.dropLast(4)) }
        }
    }

    @Test("migrate applies every file once, then has nothing to do; --status lists them")
    func migrate() throws {
        let names = try migrationNames
        let first = try consult(["migrate"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == names.map { "applying \($0)\n" }.joined() + "Applied \(names.count) migrations.\n")
        #expect(first.stderr.isEmpty)

        let second = try consult(["migrate"])
        #expect(second.stdout == "Up to date: nothing to apply.\n")

        let status = try consult(["migrate", "--status"])
        let lines = status.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == names.count + 1)
        #expect(zip(lines, names).allSatisfy { $0.hasPrefix($1) && $0.contains("  applied  ") })
        #expect(lines.last == "Up to date.")

        let doctor = try consult(["doctor"])
        #expect(
            doctor.stdout.contains(
                "\nschema      current (\(names.count) of \(names.count) migrations applied, the newest \(names.last!))\n"),
            "\(doctor.stdout)")
        #expect(doctor.stdout.contains("\ntenant      none: this role is the owner (0 tenants)\n"))
        #expect(doctor.stdout.hasSuffix("\nNo problems found.\n"))
    }

    @Test("migrate --citus on a server that does not load Citus refuses and applies nothing; --status --citus lists db/citus")
    func citusRefused() throws {
        let refused = try consult(["migrate", "--citus"])
        #expect(refused.status == 1)
        // The test cluster never preloads Citus, whether or not its package is installed
        // (scripts/citus installs it): the refusal must come before any migration.
        #expect(
            refused.stderr.hasPrefix(
                "consult: --citus: this server does not run Citus (its library is not in shared_preload_libraries); nothing was applied\n"))
        let admin = try database.connect()
        #expect(try admin.execute("SELECT to_regclass('consult.migrations') IS NULL")[0].decode(Bool.self, at: 0))
        #expect(try consult(["migrate"]).status == 0)
        let status = try consult(["migrate", "--status", "--citus"])
        let names = try migrationNames
        let citus = status.stdout.split(separator: "\n").filter { $0.hasPrefix("citus/") }
        let files = try FileManager.default.contentsOfDirectory(
            atPath: TestDatabase.migrationsDirectory.deletingLastPathComponent().appendingPathComponent("citus").path
        ).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files.count >= 2 && files[0] == "0001_distribute.sql")
        #expect(
            citus.count == files.count && citus[0].hasPrefix("citus/0001_distribute ") && citus.allSatisfy { $0.hasSuffix("  pending") },
            "\(status.stdout)")
        #expect(status.stdout.hasSuffix("\n\(files.count) pending: run `consult migrate --citus`.\n"), "\(status.stdout)")
        #expect(status.stdout.split(separator: "\n").count == names.count + files.count + 1)
    }

    @Test("a copy of the binary outside the checkout migrates from the schema it carries: the same names and checksums as db/migrations")
    func embedded() throws {
        let elsewhere = FileManager.default.temporaryDirectory.appendingPathComponent("installed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        let binary = elsewhere.appendingPathComponent("consult")
        try FileManager.default.copyItem(at: ConsultProcess.executable, to: binary)
        let output = try ConsultProcess.run(executable: binary, ["migrate", "--database", conninfo], directory: "/")
        #expect(output.status == 0, "\(output.stderr)")
        // The truth is the files on disk: each was applied under its name with its file's checksum.
        let files = try Migrator(directory: TestDatabase.migrationsDirectory).migrations
        let applied = try database.connect().execute("SELECT name, checksum FROM consult.migrations ORDER BY name").map {
            [try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1)]
        }
        #expect(applied == files.map { [$0.name, $0.checksum] })
    }

    @Test("doctor says behind (run migrate) or ahead (upgrade consult); migrate refuses a database ahead of it")
    func behindAndAhead() throws {
        let names = try migrationNames
        // Behind: only the first files applied, from a folder without the last two.
        let older = FileManager.default.temporaryDirectory.appendingPathComponent("older-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: TestDatabase.migrationsDirectory, to: older)
        defer { try? FileManager.default.removeItem(at: older) }
        for name in names.suffix(2) { try FileManager.default.removeItem(at: older.appendingPathComponent(name + ".sql")) }
        #expect(try consult(["migrate", "--migrations", older.path]).status == 0)
        let behind = try consult(["doctor"])
        #expect(behind.stdout.contains("\nschema      behind this consult (\(names.count - 2) of \(names.count) migrations applied)\n"))
        #expect(
            behind.stdout.contains(
                "warning: 2 migrations are pending (\(names.suffix(2).joined(separator: ", "))): run `consult migrate`"))

        // Ahead: a migration this binary does not carry is recorded as applied.
        #expect(try consult(["migrate"]).status == 0)
        try database.connect().execute(
            "INSERT INTO consult.migrations (name, checksum) VALUES ('9999_from_the_future', 'x')")
        let ahead = try consult(["doctor"])
        #expect(ahead.stdout.contains("\nschema      ahead of this consult (1 migration it does not carry)\n"), "\(ahead.stdout)")
        #expect(ahead.stdout.contains("warning: the database is ahead of this consult: it has 9999_from_the_future"))
        let refused = try consult(["migrate"])
        #expect(refused.status == 1)
        #expect(refused.stderr.hasPrefix("consult: the database is ahead of this consult: it has 9999_from_the_future, which consult "))
        #expect(refused.stderr.contains("nothing was applied\n  Upgrade consult"))
    }

    @Test("an edited migration stops migrate with the file's name and exit 1")
    func edited() throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: TestDatabase.migrationsDirectory, to: copy)
        defer { try? FileManager.default.removeItem(at: copy) }
        #expect(try consult(["migrate", "--migrations", copy.path]).status == 0)
        let file = copy.appendingPathComponent("0003_events.sql")
        try (try String(contentsOf: file, encoding: .utf8) + "\n-- edited\n").write(to: file, atomically: true, encoding: .utf8)
        let output = try consult(["migrate", "--migrations", copy.path])
        #expect(output.status == 1)
        #expect(output.stderr.hasPrefix("consult: migration 0003_events was edited after it was applied"))
    }

    @Test("tenant create and member add take the password from the environment, never from arguments")
    func tenants() throws {
        #expect(try consult(["migrate"]).status == 0)
        let suffix = UUID().uuidString.prefix(6).lowercased()
        let ann = "ann_\(suffix)"
        let bob = "bob_\(suffix)"
        let password = ["CONSULT_MEMBER_PASSWORD": "correct horse battery"]

        let created = try consult(["tenant", "create", "hill-and-co", "--member", ann], environment: password)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout == "Created tenant hill-and-co (id 1) with member \(ann).\n")

        let added = try consult(["member", "add", bob, "--tenant", "hill-and-co"], environment: password)
        #expect(added.stdout == "Added member \(bob) to tenant hill-and-co.\n")

        let again = try consult(["tenant", "create", "Hill-And-Co", "--member", "x_\(suffix)"], environment: password)
        #expect(again.status == 1)
        #expect(again.stderr.hasPrefix("consult: "))

        let duplicate = try consult(["member", "add", bob, "--tenant", "hill-and-co"], environment: password)
        #expect(duplicate.stderr == "consult: a role named \(bob) exists already; choose another member name; nothing was created\n")

        let noPassword = try consult(["member", "add", "carol_\(suffix)", "--tenant", "hill-and-co"])
        #expect(noPassword.status == 1)
        #expect(
            noPassword.stderr
                == "consult: no password for carol_\(suffix)\n  Set CONSULT_MEMBER_PASSWORD, or run on a terminal to be asked for it.\n")

        // The member logs in as their own role and sees their tenant.
        let member = try ConsultProcess.run(
            ["doctor", "--database", conninfo.replacingOccurrences(of: "user='postgres'", with: "user='\(ann)'")])
        #expect(member.stdout.contains("\ntenant      hill-and-co (this role is a member)\n"), "\(member.stdout)\(member.stderr)")
        // The password was stored hashed.
        let stored = try database.connect().execute("SELECT rolpassword FROM pg_authid WHERE rolname = \(ann)")[0]
            .decode(String.self, at: 0)
        #expect(stored.hasPrefix("SCRAM-SHA-256$"))
    }
}
