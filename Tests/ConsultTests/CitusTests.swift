import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

/// consult on a real Citus cluster (issue 20): a coordinator and two workers that scripts/citus
/// starts, migrated with `consult migrate --citus`, named by CONSULT_TEST_CITUS_URL (the
/// coordinator's migrated database) and CONSULT_TEST_CITUS_WORKER_URLS (the same database on
/// each worker, space-separated). The same work on a single PostgreSQL runs in a fresh database
/// of CONSULT_TEST_DATABASE_URL (scripts/citus points it at the coordinator's cluster, in a
/// database where Citus was never created).
enum Citus {
    static let url = ProcessInfo.processInfo.environment["CONSULT_TEST_CITUS_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let workerURLs = (ProcessInfo.processInfo.environment["CONSULT_TEST_CITUS_WORKER_URLS"] ?? "")
        .split(separator: " ").map(String.init)
    static var isConfigured: Bool { url != nil && workerURLs.count == 2 && TestDatabase.adminURL != nil }
    static let skipReason: Comment =
        "CONSULT_TEST_CITUS_URL is not set: scripts/citus starts a Citus coordinator and two workers and runs this suite"

    static func connect(_ url: String = url!, user: String? = nil) throws -> Connection {
        try Connection.connect(url, overrides: user.map { ["user": $0] } ?? [:], applicationName: "consult-citus-tests")
    }

    /// libpq keywords of the coordinator's database, without a user (PGUSER picks the member).
    static var conninfo: String {
        get throws {
            let connection = try connect()
            defer { connection.close() }
            return
                "host='\(connection.host)' port=\(connection.port) dbname='\(try connection.execute("SELECT current_database()")[0].decode(String.self, at: 0))'"
        }
    }
}

/// One tenant, two members, on a database: the Citus coordinator's or a single PostgreSQL's.
struct CitusTenant {
    let name: String
    let tenant: TenantID
    let ann: String
    let bob: String
    /// libpq keywords without a user.
    let conninfo: String
    let admin: @Sendable () throws -> Connection

    init(_ prefix: String, conninfo: String, admin: @escaping @Sendable () throws -> Connection) throws {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        name = "\(prefix)-\(suffix)"
        self.conninfo = conninfo
        self.admin = admin
        let connection = try admin()
        defer { connection.close() }
        let tenancy = Tenancy(connection: connection)
        tenant = try tenancy.createTenant(name).id
        ann = "c_ann_\(suffix)"
        bob = "c_bob_\(suffix)"
        try tenancy.addMember(ann, to: tenant, password: "not-used-here")
        try tenancy.addMember(bob, to: tenant, password: "not-used-here")
    }

    func consult(_ arguments: [String], as role: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws
        -> ConsultProcess.Output
    {
        try ConsultProcess.run(arguments, environment: ["DATABASE_URL": conninfo, "PGUSER": role ?? ann])
    }

    /// As the owner (the superuser), through the binary.
    func owner(_ arguments: [String]) throws -> ConsultProcess.Output {
        try ConsultProcess.run(arguments, environment: ["DATABASE_URL": conninfo, "PGUSER": "postgres"])
    }

    /// scripts/month, as ann and bob.
    func month() throws {
        let script = TestDatabase.migrationsDirectory.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/month")
        let output = try ConsultProcess.run(
            executable: script, [],
            environment: ["CONSULT": ConsultProcess.executable.path, "CONSULT_ANN": ann, "CONSULT_BOB": bob, "DATABASE_URL": conninfo])
        #expect(output.status == 0, "scripts/month failed: \(output.stderr)")
        // No command warned that the read models were left behind (each catches up after recording).
        #expect(output.stderr == "", "\(output.stderr)")
    }

    /// Every kind of command after the month, as members and as the owner; returns each
    /// command's failure (none expected), and each warning (a member's command whose read
    /// models were not brought up to date, as happened on Citus before issue 20: none expected).
    func afterTheMonth() throws -> [String] {
        var failures: [String] = []
        func run(_ output: ConsultProcess.Output, _ what: String) {
            if output.status != 0 || !output.stderr.isEmpty { failures.append("\(what): \(output.stderr)") }
        }
        run(
            try consult(["person", "add", "Sam Lee", "--org", "northbridge-libraries", "--title", "Volunteer", "--at", "2026-10-30"]),
            "person add")
        run(try consult(["forget", "sam-lee", "--asked-by", "person", "--at", "2026-10-31"]), "forget")
        run(try consult(["projections", "rebuild"]), "rebuild as a member")
        run(try consult(["projections", "rollback"], as: bob), "rollback as a member")
        run(try consult(["projections", "catch-up"]), "catch-up as a member")
        run(try owner(["projections", "catch-up", "--tenant", name]), "catch-up")
        run(try owner(["projections", "rebuild", "--tenant", name]), "rebuild")
        run(try owner(["projections", "rollback", "--tenant", name]), "rollback")
        run(try owner(["projections", "rebuild", "--tenant", name]), "rebuild again")
        // catch-up --follow: started, an event appended by bob, applied, stopped.
        let follower = try RunningConsult(
            ["projections", "catch-up", "--follow", "--tenant", name], environment: ["DATABASE_URL": conninfo, "PGUSER": "postgres"])
        if !follower.waitFor("following") { failures.append("catch-up --follow did not start: \(follower.printed)") }
        // Bob's event goes through consult.append itself, not a command: a command catches up
        // after recording and would race the follower for the event (either may apply it).
        let asBob = try Connection.connect(conninfo, overrides: ["user": bob], applicationName: "consult-citus-tests")
        defer { asBob.close() }
        let person = UUID().uuidString.lowercased()
        _ = try EventStore(connection: asBob, tenant: tenant).append(
            [
                NewEvent(
                    stream: "person-\(person)", type: "PersonAdded",
                    data: Data(#"{"person":"\#(person)","title":"Curator","level":"frontline"}"#.utf8))
            ],
            to: "person-\(person)", expecting: .noStream)
        if !follower.waitFor("applied 1 event") { failures.append("the follower did not apply bob's event: \(follower.printed)") }
        follower.kill()
        run(try owner(["projections", "rebuild", "--verify", "--tenant", name]), "verify")
        return failures
    }

    /// Every report and listing, as JSON, with what differs between two databases by nature
    /// (role names, random ids, the wall-clock time of recording) replaced by placeholders.
    func reports() throws -> [String: String] {
        var documents: [String: String] = [:]
        let commands: [[String]] = [
            ["pipeline"], ["pipeline", "--as-of", "2026-09-20"], ["status", "--all"], ["due"], ["referrals"], ["handovers"],
            ["timesheet"], ["case-study", "libraries-on-twitter"], ["org", "list"], ["person", "list"], ["lead", "list"],
            ["objective", "list"], ["referrer", "list"], ["log"],
        ]
        for command in commands {
            let output = try consult(command + ["--format", "json"])
            #expect(output.status == 0, "\(command): \(output.stderr)")
            documents[command.joined(separator: " ")] = normalised(output.stdout)
        }
        return documents
    }

    func normalised(_ text: String) -> String {
        var text = text.replacingOccurrences(of: ann, with: "<ann>").replacingOccurrences(of: bob, with: "<bob>")
            .replacingOccurrences(of: name, with: "<tenant>")
        for (pattern, placeholder) in [
            ("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>"),
            // Recorded today (the month's dates are 2026-08 to 2026-11, given with --at).
            (Self.today + "T[0-9:.]+(Z|[+-][0-9:]+)?", "<now>"),
        ] {
            text = text.replacingOccurrences(of: pattern, with: placeholder, options: .regularExpression)
        }
        return text
    }

    static let today: String = {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }()
}

@Suite("consult on Citus: a coordinator and two workers", .serialized, .enabled(if: Citus.isConfigured, Citus.skipReason))
struct CitusTests {
    func onCitus(_ prefix: String) throws -> CitusTenant {
        try CitusTenant(prefix, conninfo: try Citus.conninfo, admin: { try Citus.connect() })
    }

    @Test("migrate --citus distributed every tenant table by tenant_id, co-located with the log; tenants and members are reference tables")
    func distributed() throws {
        let admin = try Citus.connect()
        let kinds = Dictionary(
            uniqueKeysWithValues: try admin.execute(
                "SELECT logicalrelid::regclass::text, partmethod::text, colocationid FROM pg_dist_partition"
            ).map { (try $0.decode(String.self, at: 0), (try $0.decode(String.self, at: 1), try $0.decode(Int64.self, at: 2))) })
        let tables = try admin.execute("SELECT t::text FROM consult.tenant_tables() t").map { try $0.decode(String.self, at: 0) }
        #expect(tables.count >= 10)
        #expect(kinds["consult.tenants"]?.0 == "n" && kinds["consult.members"]?.0 == "n")  // n: a reference table
        let log = try #require(kinds["consult.events"])
        #expect(log.0 == "h")  // h: hash-distributed
        for table in tables where table != "consult.tenants" && table != "consult.members" {
            #expect(kinds[table]?.0 == "h" && kinds[table]?.1 == log.1, "\(table)")
        }
        let again = try ConsultProcess.run(
            ["migrate", "--citus"], environment: ["DATABASE_URL": try Citus.conninfo, "PGUSER": "postgres"])
        #expect(again.status == 0 && again.stdout == "Up to date: nothing to apply.\n", "\(again.stderr)")
    }

    @Test("two tenants record the month and every other kind of command; every report equals the same work on a single PostgreSQL")
    func monthEqualsSinglePostgres() throws {
        let single = try TestDatabase.createMigrated("citus_single")
        let singleInfo = try single.conninfo.replacingOccurrences(of: " user='postgres'", with: "")
        let plain = try CitusTenant("plain", conninfo: singleInfo, admin: { try single.connect() })
        try plain.month()
        let plainFailures = try plain.afterTheMonth()
        #expect(plainFailures == [], "\(plainFailures)")
        let expected = try plain.reports()

        let tenants = try [onCitus("alpha"), onCitus("beta")]
        for tenant in tenants {
            try tenant.month()
            let failures = try tenant.afterTheMonth()
            #expect(failures == [], "\(failures)")
            let reports = try tenant.reports()
            #expect(reports.keys.sorted() == expected.keys.sorted())
            for (command, document) in expected {
                #expect(reports[command] == document, "\(command) differs on Citus (\(tenant.name))")
            }
        }
        // The log: each tenant on Citus holds as many events as the single PostgreSQL's one.
        let counts = try Citus.connect().execute(
            "SELECT count(*) FILTER (WHERE tenant_id = \(tenants[0].tenant.rawValue)), count(*) FILTER (WHERE tenant_id = \(tenants[1].tenant.rawValue)) FROM consult.events"
        )[0]
        let singleCount = try single.eventCount()
        #expect(singleCount > 50)
        #expect(try counts.decode(Int.self, at: 0) == singleCount && counts.decode(Int.self, at: 1) == singleCount)

        // Export, drop and import again: the same log, the same reports.
        let exported = try tenants[0].consult(["export"])
        #expect(exported.status == 0, "\(exported.stderr)")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("citus-\(tenants[0].name).jsonl")
        try Data(exported.stdout.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let dropped = try tenants[0].owner(["tenant", "drop", tenants[0].name, "--confirm", tenants[0].name])
        #expect(dropped.status == 0, "\(dropped.stderr)")
        #expect(
            try Citus.connect().execute("SELECT count(*) FROM consult.events WHERE tenant_id = \(tenants[0].tenant.rawValue)")[0].decode(
                Int.self, at: 0) == 0)
        try Citus.connect().execute("SELECT consult.create_tenant(\(tenants[0].name))")
        let imported = try tenants[0].owner(["import", file.path])
        #expect(imported.status == 0, "\(imported.stderr)")
        let reexported = try tenants[0].owner(["export", "--tenant", tenants[0].name])
        #expect(reexported.status == 0, "\(reexported.stderr)")
        #expect(reexported.stdout == exported.stdout)
        #expect(
            try Citus.connect().execute(
                "SELECT count(*) FROM consult.events e JOIN consult.tenants t USING (tenant_id) WHERE t.name = \(tenants[0].name)")[0]
                .decode(Int.self, at: 0) == singleCount)
    }

    @Test("a member sees only its tenant's rows, on the coordinator and on each worker directly")
    func isolation() throws {
        let a = try onCitus("iso-a")
        let b = try onCitus("iso-b")
        for tenant in [a, b] {
            let output = try tenant.consult(["org", "add", "Org of \(tenant.name)"])
            #expect(output.status == 0, "\(output.stderr)")
        }
        for url in [Citus.url!] + Citus.workerURLs {
            let member = try Citus.connect(url, user: a.ann)
            defer { member.close() }
            let rows = try member.execute(
                "SELECT count(*) FILTER (WHERE tenant_id = \(a.tenant.rawValue)), count(*) FILTER (WHERE tenant_id <> \(a.tenant.rawValue)) FROM consult.events"
            )[0]
            // org add records OrganisationRegistered and HandleClaimed: 2 of its own, none of another tenant's.
            #expect(try rows.decode(Int.self, at: 0) == 2, "\(url)")
            #expect(try rows.decode(Int.self, at: 1) == 0, "\(url)")
            let organisations = try member.execute("SELECT count(*) FROM consult.organisations WHERE tenant_id = \(b.tenant.rawValue)")[0]
            #expect(try organisations.decode(Int.self, at: 0) == 0, "\(url)")
        }
    }

    @Test("each tenant's rows live on exactly one worker, every table's with the log's")
    func oneWorkerPerTenant() throws {
        let tenant = try onCitus("placed")
        try tenant.month()
        let admin = try Citus.connect()
        let tables = try admin.execute(
            "SELECT logicalrelid::regclass::text FROM pg_dist_partition WHERE partmethod = 'h' AND logicalrelid::regclass::text LIKE 'consult.%'"
        ).map { try $0.decode(String.self, at: 0) }
        var nodes = Set<Int>()
        var rowsByWorker = [Int](repeating: 0, count: Citus.workerURLs.count)
        for table in tables {
            let row = try admin.execute(
                """
                SELECT s.shardid, p.nodeport FROM pg_dist_shard s JOIN pg_dist_placement pl USING (shardid)
                  JOIN pg_dist_node p ON p.groupid = pl.groupid
                 WHERE s.shardid = get_shard_id_for_distribution_column(\(table), \(tenant.tenant.rawValue))
                """)
            #expect(row.count == 1, "\(table): one placement")
            let shard = try row[0].decode(Int64.self, at: 0)
            nodes.insert(try row[0].decode(Int.self, at: 1))
            // The shard's rows, read on each worker directly: where it is not, there is no such table.
            let shardTable = "\(table)_\(shard)"
            for (index, url) in Citus.workerURLs.enumerated() {
                let worker = try Citus.connect(url)
                defer { worker.close() }
                let exists = try worker.execute("SELECT to_regclass(\(shardTable)) IS NOT NULL")[0].decode(Bool.self, at: 0)
                if exists {
                    rowsByWorker[index] += try worker.execute(
                        "SELECT count(*) FROM \(unsafeSQL: shardTable) WHERE tenant_id = \(tenant.tenant.rawValue)")[0].decode(
                            Int.self, at: 0)
                }
            }
        }
        #expect(nodes.count == 1, "the tenant's shards are on \(nodes)")
        // The month's 46 events at least are on the one worker; none on the other.
        #expect(rowsByWorker.filter { $0 == 0 }.count == 1 && rowsByWorker.max()! >= 46, "\(rowsByWorker)")
    }

    @Test("an append of tenant B does not wait while tenant A holds an append open; a second append of A does")
    func tenantsNeverWait() throws {
        let a = try onCitus("wait-a")
        let b = try onCitus("wait-b")
        func append(_ tenant: CitusTenant) -> String {
            """
            SELECT count(*) FROM consult.append(\(tenant.tenant.rawValue), NULL, ARRAY['organisation-' || gen_random_uuid()],
                ARRAY['OrganisationRegistered'], ARRAY[1],
                ARRAY[json_build_object('handle', 'o-' || md5(random()::text), 'name', 'An organisation',
                                        'organisation', gen_random_uuid())::text],
                ARRAY[gen_random_uuid()], ARRAY[now()], '{}', '{}')
            """
        }
        let holder = try Citus.connect(user: a.ann)
        try holder.execute("BEGIN")
        try holder.execute(Query(unsafeSQL: append(a)))
        defer { try? holder.execute("ROLLBACK") }

        let other = try Citus.connect(user: b.ann)
        let started = ContinuousClock.now
        try other.execute(Query(unsafeSQL: append(b)))
        let waited = ContinuousClock.now - started
        #expect(waited < .milliseconds(1000), "tenant B's append took \(waited) while A's was open")

        // A's own second append waits for the first (the lock is taken on the worker, where the
        // coordinator's lock_timeout does not reach: statement_timeout, on the coordinator, does).
        let same = try Citus.connect(user: a.bob)
        try same.execute("SET statement_timeout = '1s'")
        let blocked = ContinuousClock.now
        #expect(throws: PostgresError.self) { try same.execute(Query(unsafeSQL: append(a))) }
        #expect(ContinuousClock.now - blocked >= .milliseconds(900))
    }
}
