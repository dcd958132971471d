import Foundation
import Postgres
import TestSupport
import Testing

@Suite("consult doctor and the connection rules")
struct DoctorTests {
    @Test("--version prints the version and the newest migration the binary carries")
    func version() throws {
        let output = try ConsultProcess.run(["--version"])
        #expect(output.status == 0)
        // The newest file of db/migrations on disk, which the build compiled in.
        let newest = try #require(
            try FileManager.default.contentsOfDirectory(atPath: TestDatabase.migrationsDirectory.path).filter { $0.hasSuffix(".sql") }
                .sorted().last)
        #expect(output.stdout == "consult 0.5.0 (schema \(newest.dropLast(4)))\n")
    }

    @Test(
        "doctor against a live database prints server, database and role, and exits 0",
        .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
    func doctorConnected() throws {
        let database = try TestDatabase.create("doctor")
        let output = try ConsultProcess.run(["doctor", "--database", try database.conninfo])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let keys = lines.prefix(7).map { $0.split(separator: " ").first.map(String.init) ?? "" }
        #expect(keys == ["connection", "server", "host", "tls", "database", "role", "schema"])
        #expect(lines[1].hasPrefix("server      PostgreSQL 1"))
        #expect(lines[3] == "tls         not needed (unix socket)")
        #expect(lines[4] == "database    \(database.name)")
        #expect(lines[5] == "role        postgres (superuser)")
        #expect(lines[6] == "schema      not installed")
        #expect(lines.contains("warning: the consult schema is not installed in this database: run `consult migrate`"))
        #expect(output.stderr.isEmpty)
    }

    @Test(
        "DATABASE_URL is honoured when no --database is given",
        .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
    func databaseURL() throws {
        let database = try TestDatabase.create("doctorenv")
        let output = try ConsultProcess.run(["doctor"], environment: ["DATABASE_URL": try database.conninfo])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        #expect(output.stdout.contains("\ndatabase    \(database.name)\n"))
        #expect(output.stdout.hasPrefix("connection  the database in DATABASE_URL ("))
    }

    @Test(
        "doctor names a tenant whose head an event written around consult.append left behind, and says how to repair it",
        .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
    func headBehindTheLog() throws {
        let fixture = try MonthFixture(recordMonth: false)
        let conninfo = try fixture.database.conninfo
        let owner = ["DATABASE_URL": conninfo, "CONSULT_TENANT": "northwind"]
        // org add records OrganisationRegistered and HandleClaimed: positions 1 and 2.
        #expect(try ConsultProcess.run(["org", "add", "Acme"], environment: owner).status == 0)
        let healthy = try ConsultProcess.run(["doctor"], environment: ["DATABASE_URL": conninfo])
        #expect(healthy.stdout.hasSuffix("\nNo problems found.\n"), "\(healthy.stdout)")
        // The owner writes position 3 by hand, around consult.append: the head stays at 2.
        let admin = try fixture.database.connect()
        let other = UUID().uuidString.lowercased()
        try admin.execute(
            """
            INSERT INTO consult.events (tenant_id, position, stream, stream_version, event_id, type, schema_version, data, metadata, occurred_at)
            VALUES (\(fixture.tenant.rawValue), 3, \("organisation-\(other)"), 1, gen_random_uuid(), 'OrganisationRegistered', 1,
                    \(#"{"organisation":"\#(other)","handle":"by-hand","name":"By Hand"}"#)::jsonb, '{}', now())
            """)
        // The next append is refused (position 3 is taken) and records nothing.
        let refused = try ConsultProcess.run(["org", "add", "Birch Studio"], environment: owner)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("was written around consult.append"), "\(refused.stderr)")
        #expect(refused.stderr.contains("run `consult doctor`"), "\(refused.stderr)")
        #expect(
            try admin.execute("SELECT count(*) FROM consult.events WHERE tenant_id = \(fixture.tenant.rawValue)")[0].decode(Int.self, at: 0)
                == 3)
        let doctor = try ConsultProcess.run(["doctor"], environment: ["DATABASE_URL": conninfo])
        #expect(doctor.status == 0)
        let repair = "UPDATE consult.tenant_heads SET last_position = 3 WHERE tenant_id = \(fixture.tenant.rawValue)"
        #expect(
            doctor.stdout.contains(
                "warning: tenant northwind: its head is at position 2 but its log at 3 (an event was written around consult.append): its next append will be refused; as the owner: \(repair)\n"
            ), "\(doctor.stdout)")
        // The repair doctor names: the next append continues at 4 and 5.
        try admin.execute(Query(unsafeSQL: repair))
        #expect(try ConsultProcess.run(["org", "add", "Birch Studio"], environment: owner).status == 0)
        #expect(
            try admin.execute("SELECT max(position) FROM consult.events WHERE tenant_id = \(fixture.tenant.rawValue)")[0].decode(
                Int64.self, at: 0) == 5)
        let repaired = try ConsultProcess.run(["doctor"], environment: ["DATABASE_URL": conninfo])
        #expect(repaired.stdout.hasSuffix("\nNo problems found.\n"), "\(repaired.stdout)")
    }

    @Test("with no server, doctor says how to point consult at one and exits 69")
    func doctorUnreachable() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("consult-nowhere-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let output = try ConsultProcess.run(
            ["doctor"], environment: ["PGHOST": empty.path, "PGPASSWORD": "Hidden-Pa55"], directory: empty.path)
        #expect(output.status == 69)
        #expect(output.stdout.isEmpty)
        let lines = output.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(
            lines[0].hasPrefix(
                "consult: cannot connect to the database named by the PG* environment variables: connection to server on socket \"\(empty.path)/.s.PGSQL.5432\" failed: No such file or directory"
            ))
        #expect(
            lines[1]
                == "  Point consult at a database: --database URL, DATABASE_URL, or PGHOST/PGPORT/PGDATABASE/PGUSER (with PGPASSWORD or ~/.pgpass)."
        )
        #expect(lines[2] == "  Or start the embedded one from the project folder: scripts/db start")
    }

    @Test("a password in --database never reaches the output")
    func passwordHidden() throws {
        let output = try ConsultProcess.run(["doctor", "--database", "postgresql://ann:Hidden-Pa55@127.0.0.1:1/consult", "--verbose"])
        #expect(output.status == 69)
        #expect(output.stderr.contains("postgresql://ann:***@127.0.0.1:1/consult"))
        #expect(!output.stderr.contains("Hidden-Pa55"))
    }

    @Test("an unknown option is a usage error")
    func usage() throws {
        let output = try ConsultProcess.run(["doctor", "--no-such-flag"])
        #expect(output.status == 64)
        #expect(output.stderr.contains("Unknown option '--no-such-flag'"))
    }
}
