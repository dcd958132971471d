import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

/// Issue 18: what a hostile member of one tenant, with psql and their own password, could do to
/// another tenant or to the server. Each test does the attack, as that member, with raw SQL.
@Suite("a hostile member with psql", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct AttackTests {
    let database: TestDatabase.Database
    /// The victim and the attacker.
    let a: (tenant: TenantID, member: String)
    let b: (tenant: TenantID, member: String)

    init() throws {
        database = try TestDatabase.createMigrated("attack")
        try database.registerTestEventTypes()
        a = try database.createTenant("victim")
        b = try database.createTenant("attacker")
    }

    func postgresError(_ body: () throws -> Void) -> PostgresError? {
        do { try body() } catch let error as PostgresError { return error } catch { return nil }
        return nil
    }

    // MARK: - Item 1: planner statistics

    /// The planner's estimate of rows for a statement, as EXPLAIN shows it to `connection`.
    func estimate(_ connection: Connection, _ sql: String) throws -> Int {
        let json = try connection.execute(Query(unsafeSQL: "EXPLAIN (FORMAT JSON) " + sql))[0].decode(String.self, at: 0)
        let plans = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        let plan = plans?.first?["Plan"] as? [String: Any]
        return try #require(plan?["Plan Rows"] as? Int, "\(json)")
    }

    /// Probes an attacker runs, in families: within a family the statements differ only in a
    /// value, so different estimates would tell the attacker something about the victim's rows.
    func probes() throws -> [[String]] {
        let victim = a.tenant.rawValue
        // A tenant id of no tenant in the victim's partition of the log: a partition's size is
        // public (pg_class), and which partition a tenant id falls in is arithmetic.
        let neighbour = try database.connect().execute(
            """
            SELECT g FROM generate_series(100000, 101000) g
             WHERE (SELECT bool_and(satisfies_hash_partition('consult.events'::regclass, 8, r, g::bigint)
                                    = satisfies_hash_partition('consult.events'::regclass, 8, r, \(victim)::bigint))
                      FROM generate_series(0, 7) r)
             LIMIT 1
            """)[0].decode(Int64.self, at: 0)
        return [
            ["SELECT * FROM consult.events WHERE tenant_id = \(victim)", "SELECT * FROM consult.events WHERE tenant_id = \(neighbour)"],
            [
                "SELECT * FROM consult.events WHERE type = 'SecretHappened'",
                "SELECT * FROM consult.events WHERE type = 'NothingOfTheKind'",
            ],
            ["SELECT * FROM consult.events WHERE stream < 'secret-m'", "SELECT * FROM consult.events WHERE stream < 'aaa'"],
            [
                "SELECT * FROM consult.person_details WHERE tenant_id = \(victim)",
                "SELECT * FROM consult.person_details WHERE tenant_id = 987654",
            ],
            [
                "SELECT * FROM consult.person_details WHERE name < 'Zelda S'",
                "SELECT * FROM consult.person_details WHERE name < 'Zelda T'",
                "SELECT * FROM consult.person_details WHERE name < 'Aaron'",
                "SELECT * FROM consult.person_details WHERE name > 'Zelda Secretname 0500'",
            ],
            [
                "SELECT * FROM consult.person_details WHERE name = 'Zelda Secretname 0001'",
                "SELECT * FROM consult.person_details WHERE name = 'Nobody At All'",
            ],
            [
                "SELECT * FROM consult.organisations WHERE name < 'Secret Corp 0300'",
                "SELECT * FROM consult.organisations WHERE name < 'Aardvark'",
            ],
            [
                "SELECT * FROM consult.organisations WHERE tenant_id = \(victim)",
                "SELECT * FROM consult.organisations WHERE tenant_id = 987654",
            ],
            ["SELECT * FROM consult.tenants WHERE name < 'victim'", "SELECT * FROM consult.tenants WHERE name < 'aaa'"],
            ["SELECT * FROM consult.tenants WHERE lower(name) = 'victim'", "SELECT * FROM consult.tenants WHERE lower(name) = 'zzz'"],
        ]
    }

    /// The victim writes people, organisations and events (in a few names, to give histograms
    /// something to show) and the owner runs ANALYZE, as autovacuum would.
    func victimWrites(rows: Int, namePrefix: String) throws {
        let owner = try database.connect()
        let victim = a.tenant.rawValue
        try owner.execute(
            """
            INSERT INTO consult.person_details (tenant_id, person_id, handle, name)
            SELECT \(victim), gen_random_uuid(), \(namePrefix) || i, \(namePrefix) || lpad(i::text, 4, '0')
              FROM generate_series(1, \(rows)) i
            """)
        try owner.execute(
            """
            INSERT INTO consult.organisations (tenant_id, organisation_id, handle, name, registered_at)
            SELECT \(victim), gen_random_uuid(), 'o' || \(namePrefix) || i, 'Secret Corp ' || lpad(i::text, 4, '0'), now()
              FROM generate_series(1, \(rows)) i
            """)
        let store = EventStore(connection: try database.connect(user: a.member))
        for batch in 0..<(rows / 100) {
            let events = (0..<100).map { i in event("secret-\(namePrefix.count)-\(batch)", type: "SecretHappened", ["i": "\(i)"]) }
            try store.append(events, expecting: [:])
        }
        try owner.execute("ANALYZE")
    }

    @Test("item 1: EXPLAIN's estimates tell a member nothing of another tenant's values")
    func plannerStatistics() throws {
        // The attacker's own rows, so that the tables are not the victim's alone.
        let attacker = try database.connect(user: b.member)
        try attacker.execute(
            """
            SELECT consult.add_person_details(NULL, gen_random_uuid(), 'mine' || i, 'Mine ' || i, NULL, NULL) FROM generate_series(1, 50) i
            """)
        try victimWrites(rows: 600, namePrefix: "Zelda Secretname ")
        let owner = try database.connect()
        let gathered = try owner.execute(
            """
            SELECT count(*) FROM pg_statistic s
             WHERE s.starelid IN (SELECT t FROM consult.tenant_tables() t
                                  UNION SELECT p.relid FROM consult.tenant_tables() t, pg_partition_tree(t) p
                                  UNION SELECT i.indexrelid FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
                                         WHERE c.relnamespace = 'consult'::regnamespace AND c.relname <> 'migrations')
            """)[0].decode(Int.self, at: 0)
        #expect(gathered == 0, "ANALYZE gathered \(gathered) columns' statistics on the consult schema")

        // Within a family, every value gives the same estimate: the victim's data moves none.
        var before: [[Int]] = []
        for family in try probes() {
            let estimates = try family.map { try estimate(attacker, $0) }
            #expect(Set(estimates).count == 1, "\(zip(family, estimates).map { "\($0.0) → \($0.1)" })")
            before.append(estimates)
        }
        // The victim renames everyone (the same number of rows) and ANALYZE runs again: not one
        // estimate changes.
        try owner.execute("UPDATE consult.person_details SET name = 'Aaron ' || handle WHERE tenant_id = \(a.tenant.rawValue)")
        try owner.execute("UPDATE consult.organisations SET name = 'Aaa ' || handle WHERE tenant_id = \(a.tenant.rawValue)")
        try owner.execute("VACUUM ANALYZE consult.person_details")
        try owner.execute("VACUUM ANALYZE consult.organisations")
        let after = try probes().map { family in try family.map { try estimate(attacker, $0) } }
        let tables = ["person_details", "organisations"]
        for (index, family) in try probes().enumerated() where tables.contains(where: { family[0].contains($0) }) {
            #expect(before[index] == after[index], "\(family[0]): \(before[index]) before, \(after[index]) after")
        }
        // Many more rows of the victim: still one estimate a family (only the size moved).
        try victimWrites(rows: 900, namePrefix: "Zed ")
        for family in try probes() {
            let estimates = try family.map { try estimate(attacker, $0) }
            #expect(Set(estimates).count == 1, "\(zip(family, estimates).map { "\($0.0) → \($0.1)" })")
        }
        // The attacker's own plans still take the tenant's indexes.
        let plan = try attacker.execute("EXPLAIN SELECT * FROM consult.person_details WHERE name < 'M'").map {
            try $0.decode(String.self, at: 0)
        }.joined(separator: "\n")
        #expect(!plan.contains("Seq Scan"), "\(plan)")
    }

    @Test("item 1: a tenant table added by a later migration gets no statistics either")
    func laterTable() throws {
        let owner = try database.connect()
        let extra = Migrator.Migration(
            name: "9999_extra",
            sql: "CREATE TABLE consult.extra (tenant_id bigint NOT NULL, secret text NOT NULL, PRIMARY KEY (tenant_id, secret))")
        let migrations = try Migrator(directory: TestDatabase.migrationsDirectory).migrations + [extra]
        try Migrator(migrations: migrations).migrate(owner)
        let targets = try owner.execute(
            "SELECT attstattarget FROM pg_attribute WHERE attrelid = 'consult.extra'::regclass AND attnum > 0"
        ).map { try $0.decode(Int.self, at: 0) }
        #expect(targets == [0, 0])
    }

    // MARK: - Item 5: TRUNCATE and the tenant-removal exception

    /// Every table with a tenant column and every partition under it.
    func tenantRelations(_ connection: Connection) throws -> [String] {
        try connection.execute(
            """
            SELECT t::text FROM consult.tenant_tables() t
            UNION SELECT p.relid::text FROM consult.tenant_tables() t, pg_partition_tree(t) p ORDER BY 1
            """
        ).map { try $0.decode(String.self, at: 0) }
    }

    @Test("item 5: TRUNCATE of a partition of the log, or of any tenant table, is refused for the owner too")
    func truncate() throws {
        let store = EventStore(connection: try database.connect(user: a.member))
        try store.append([event("s"), event("s")], to: "s", expecting: .noStream)
        let before = try database.eventCount()
        let owner = try database.connect()
        let relations = try tenantRelations(owner)
        // 26 until 0045; + consult.tenant_heads (0045) + projection_snapshots (0055) = 28.
        #expect(relations.count == 28, "\(relations)")
        // consult.tenants alone is refused by its foreign keys already; CASCADE would reach every table.
        for relation in relations.filter({ $0 != "consult.tenants" }) + ["consult.tenants CASCADE"] {
            let error = postgresError { try owner.execute(Query(unsafeSQL: "TRUNCATE \(relation)")) }
            #expect(error?.sqlState == SQLState("CN009"), "TRUNCATE \(relation): \(String(describing: error))")
        }
        #expect(try database.eventCount() == before)
        // A member holds no TRUNCATE privilege at all.
        let member = try database.connect(user: b.member)
        let error = postgresError { try member.execute("TRUNCATE consult.events_h05") }
        #expect(error?.sqlState == .insufficientPrivilege)
    }

    @Test("item 5: the tenant-removal setting lets the owner delete no event; consult.drop_tenant still removes a whole tenant")
    func droppingTenantSetting() throws {
        let store = EventStore(connection: try database.connect(user: a.member))
        try store.append([event("s"), event("s"), event("s")], to: "s", expecting: .noStream)
        try EventStore(connection: try database.connect(user: b.member)).append([event("t")], to: "t", expecting: .noStream)
        let owner = try database.connect()
        try owner.execute("SET consult.dropping_tenant = '\(unsafeSQL: String(a.tenant.rawValue))'")
        for sql in [
            "DELETE FROM consult.events WHERE tenant_id = \(a.tenant.rawValue) AND position = 2",
            "DELETE FROM consult.events WHERE tenant_id = \(a.tenant.rawValue)",
            "DO $$ BEGIN DELETE FROM consult.events WHERE tenant_id = \(a.tenant.rawValue); END $$",
        ] {
            let error = postgresError { try owner.execute(Query(unsafeSQL: sql)) }
            #expect(error?.sqlState == SQLState("CN009"), "\(sql): \(String(describing: error))")
        }
        #expect(try database.eventCount() == 4)
        try owner.execute("RESET consult.dropping_tenant")
        let removal = try Tenancy(connection: owner).dropTenant("victim")
        #expect(removal.events == 3)
        #expect(try database.eventCount() == 1)
    }

    // MARK: - Item 2: the migrator's lock, connections, idle transactions

    @Test("item 2: a member holding what was the migrator's advisory lock no longer blocks consult migrate")
    func migratorLock() throws {
        let member = try database.connect(user: b.member)
        // The old lock: a session advisory lock, which any role may take and keep.
        try member.execute("SELECT pg_advisory_lock(\(Int64(0x636f_6e73_756c_742e)))")
        // The new one: members hold no privilege on consult.migrations, and a refused statement
        // keeps no lock.
        for sql in [
            "LOCK TABLE consult.migrations IN SHARE UPDATE EXCLUSIVE MODE", "SELECT * FROM consult.migrations",
            "INSERT INTO consult.migrations (name, checksum) VALUES ('x', 'y')",
        ] {
            try member.execute("BEGIN")
            let error = postgresError { try member.execute(Query(unsafeSQL: sql)) }
            #expect(error?.sqlState == .insufficientPrivilege, "\(sql): \(String(describing: error))")
            try member.execute("ROLLBACK")
        }
        // A refused statement left in an open, aborted transaction while the owner migrates.
        try member.execute("BEGIN")
        _ = try? member.execute("INSERT INTO consult.migrations (name, checksum) VALUES ('x', 'y')")
        let owner = try database.connect()
        try owner.execute("SET statement_timeout = '5s'")
        let extra = Migrator.Migration(name: "9999_after_attack", sql: "CREATE TABLE consult.after_attack (id int)")
        let migrator = Migrator(migrations: try Migrator(directory: TestDatabase.migrationsDirectory).migrations + [extra])
        let started = ContinuousClock.now
        #expect(try migrator.migrate(owner) == ["9999_after_attack"])
        #expect(ContinuousClock.now - started < .seconds(4))
        try member.execute("ROLLBACK")
    }

    @Test("item 2: a member opens at most 16 connections; the role's defaults limit idle transactions, locks and statements")
    func memberLimits() throws {
        var connections: [Connection] = []
        defer { for connection in connections { connection.close() } }
        for _ in 0..<16 { connections.append(try database.connect(user: b.member)) }
        do {
            connections.append(try database.connect(user: b.member))
            Issue.record("a 17th connection of one member was accepted")
        } catch {
            #expect("\(error)".contains("too many connections for role"), "\(error)")
        }
        let settings = try connections[0].execute(
            "SELECT current_setting('idle_in_transaction_session_timeout'), current_setting('lock_timeout'), current_setting('statement_timeout')"
        )[0]
        #expect(try [0, 1, 2].map { try settings.decode(String.self, at: $0) } == ["1min", "10s", "2min"])
        // The other tenant's member is not counted against this one.
        _ = try database.connect(user: a.member)
    }

    @Test("item 2: a member's transaction left idle is cut off, even with the timeout SET off")
    func idleTransaction() throws {
        let member = try database.connect(user: b.member)
        try member.execute("SET idle_in_transaction_session_timeout = 0")
        try member.execute("BEGIN")
        try member.execute("SELECT count(*) FROM consult.events")
        Thread.sleep(forTimeInterval: 1.5)
        let owner = try database.connect()
        let ended = try owner.execute("SELECT role_name FROM consult.enforce_member_limits('1 second')").map {
            try $0.decode(String.self, at: 0)
        }
        #expect(ended == [b.member])
        Thread.sleep(forTimeInterval: 0.2)
        #expect(throws: (any Error).self) { try member.execute("SELECT 1") }
    }

    // MARK: - Item 9: LISTEN channels

    @Test("item 9: a member cannot learn another tenant's channel, and the old guessable one hears nothing")
    func listenChannels() throws {
        let victimStore = EventStore(connection: try database.connect(user: a.member))
        // A follower of the victim registers (appends notify only while one is listening).
        _ = try victimStore.follow(from: 0, name: "victim-follower", until: .now) { _ in .stop }
        let victimListener = try database.connect(user: a.member)
        let channel = try #require(
            try victimListener.execute("SELECT consult.follower_heartbeat(NULL, 'listener')")[0].decode(String?.self, at: 0))
        #expect(channel.count == "consult_events_".count + 32 && channel != "consult_events_\(a.tenant.rawValue)")
        try victimListener.listen(channel)

        let attacker = try database.connect(user: b.member)
        #expect(try attacker.execute("SELECT consult.events_channel(\(a.tenant.rawValue))")[0].decode(String?.self, at: 0) == nil)
        let others = try attacker.execute("SELECT count(*) FROM consult.tenants WHERE tenant_id <> \(b.tenant.rawValue)")
        #expect(try others[0].decode(Int.self, at: 0) == 0)
        let error = postgresError { try attacker.execute("SELECT consult.follower_heartbeat(\(a.tenant.rawValue), 'spy')") }
        #expect(error?.sqlState == SQLState("CN002"))
        // The names an attacker would guess: the old one, and the old one of every small id.
        for id in 1...20 { try attacker.listen("consult_events_\(id)") }

        try victimStore.append([event("secret")], to: "secret", expecting: .noStream)
        let heard = try attacker.waitForNotification(timeout: .seconds(1))
        #expect(heard == nil, "\(String(describing: heard))")
        // The victim's own listener is still woken.
        let woken = try victimListener.waitForNotification(timeout: .seconds(5))
        #expect(woken?.channel == channel && woken?.payload == "1")
    }

    // MARK: - Item 10: tenant drop whatever the members own; a cap per append

    @Test("item 10: a tenant is dropped even when its member owns a large object and has set default privileges")
    func dropWithOwnedObjects() throws {
        let member = try database.connect(user: a.member)
        try member.execute("SELECT lo_from_bytea(0, 'kept by the member'::bytea)")
        try member.execute("ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC")
        member.close()
        let owner = try database.connect()
        let removal = try Tenancy(connection: owner).dropTenant("victim")
        #expect(removal.roles == [a.member])
        #expect(try owner.execute("SELECT count(*) FROM pg_roles WHERE rolname = \(a.member)")[0].decode(Int.self, at: 0) == 0)
        #expect(try owner.execute("SELECT count(*) FROM pg_largeobject_metadata")[0].decode(Int.self, at: 0) == 0)
        #expect(try owner.execute("SELECT count(*) FROM pg_default_acl")[0].decode(Int.self, at: 0) == 0)
        // The other tenant is untouched.
        #expect(try Tenancy(connection: owner).tenant(named: "attacker") != nil)
    }

    /// A raw consult.append of `count` events of the given body, as `connection`'s role.
    func rawAppend(_ connection: Connection, count: Int, body: String, type: String = "Happened") throws {
        try connection.execute(
            """
            SELECT count(*) FROM consult.append(NULL, NULL,
                ARRAY(SELECT 'bulk-' || i FROM generate_series(1, \(count)) i), array_fill(\(type)::text, ARRAY[\(count)::int]),
                array_fill(1, ARRAY[\(count)::int]), array_fill(\(body)::text, ARRAY[\(count)::int]),
                ARRAY(SELECT gen_random_uuid() FROM generate_series(1, \(count))), array_fill(now(), ARRAY[\(count)::int]), '{}', '{}')
            """)
    }

    @Test("item 10: one append call is capped at 1,000 events and 8 MiB of bodies (CN021), in SQL and in EventStore")
    func appendCap() throws {
        let member = try database.connect(user: b.member)
        let small = #"{"k":"v"}"#
        #expect(postgresError { try rawAppend(member, count: 1001, body: small) }?.sqlState == SQLState("CN021"))
        // 9 bodies just under the 1 MiB limit each: 9.4 MB in one call.
        let big = #"{"k":""# + String(repeating: "x", count: 1_048_000) + #""}"#
        #expect(postgresError { try rawAppend(member, count: 9, body: big) }?.sqlState == SQLState("CN021"))
        #expect(try database.eventCount() == 0)
        try rawAppend(member, count: 1000, body: small)
        try rawAppend(member, count: 8, body: big)
        #expect(try database.eventCount() == 1008)
        let store = EventStore(connection: member)
        let error = storeError { try store.append((0...1000).map { _ in event("many") }, to: "many", expecting: .any) }
        #expect(error?.code == .tooLarge)
    }

    // MARK: - Item 3: poison events

    /// A raw consult.append of one event, as the member would type it in psql.
    func rawAppendOne(_ connection: Connection, type: String, body: String) throws {
        try connection.execute(
            """
            SELECT * FROM consult.append(NULL, NULL, ARRAY['organisation-1'], ARRAY[\(type)::text], ARRAY[1], ARRAY[\(body)::text],
                                         ARRAY[gen_random_uuid()], ARRAY[now()], '{}', '{}')
            """)
    }

    @Test("item 3: a raw append of a body that is not a valid event of its type, or of an unknown type, is refused (CN022)")
    func poisonAppend() throws {
        let member = try database.connect(user: b.member)
        let organisation = "5b1e4f5c-8a51-4f0e-9a53-0d4a5b0f3f11"
        let refused: [(type: String, body: String, says: String)] = [
            ("OrganisationRegistered", #"{"name": 42}"#, "OrganisationRegistered"),
            (
                "OrganisationRegistered", #"{"name": 42, "handle": "acme", "organisation": "\#(organisation)"}"#,
                #"the key "name" of OrganisationRegistered must be string"#
            ),
            (
                "OrganisationRegistered", #"{"name": "Acme", "handle": "acme"}"#,
                #"OrganisationRegistered needs the key "organisation" (uuid)"#
            ),
            ("OrganisationRegistered", #"{"name": "Acme", "handle": "acme", "organisation": "not-a-uuid"}"#, #""organisation""#),
            (
                "OrganisationRegistered", #"{"name": "Acme", "handle": "acme", "organisation": "\#(organisation)", "sector": 7}"#,
                #""sector""#
            ),
            ("LeadStageChanged", #"{"from": "new", "to": "sold"}"#, #"the key "to" of LeadStageChanged must be one of"#),
            ("ProposalSent", #"{"value": {"minorUnits": "a lot", "currency": "GBP"}}"#, #""value""#),
            ("NoSuchEventType", "{}", "NoSuchEventType version 1 is not a registered event type"),
        ]
        for (type, body, says) in refused {
            let error = postgresError { try rawAppendOne(member, type: type, body: body) }
            #expect(error?.sqlState == SQLState("CN022"), "\(type) \(body): \(String(describing: error))")
            #expect(error?.message.contains(says) == true, "\(String(describing: error?.message))")
        }
        #expect(try database.eventCount() == 0)
        try rawAppendOne(
            member, type: "OrganisationRegistered",
            body: #"{"name": "Acme", "handle": "acme", "organisation": "\#(organisation)", "sector": null}"#)
        #expect(try database.eventCount() == 1)
        // Through EventStore: the same refusal, typed.
        let store = EventStore(connection: member)
        let error = storeError {
            try store.append(
                [NewEvent(stream: "o", type: "OrganisationRegistered", data: Data(#"{"name": 42}"#.utf8))], to: "o", expecting: .any)
        }
        #expect(error?.code == .invalidBody)
    }

    @Test("item 3: an import line whose body is not a valid event of its type is refused, naming the line and the key")
    func poisonImport() throws {
        let line = { (position: Int, data: String) in
            Array(
                #"{"tenant":"victim","position":\#(position),"stream":"organisation-1","stream_version":\#(position),"event_id":"00000000-0000-4000-8000-00000000000\#(position)","type":"OrganisationRegistered","schema_version":1,"data":\#(data),"metadata":{},"command_id":null,"occurred_at":"2026-09-01T10:00:00+00:00","recorded_at":"2026-09-01T10:00:00+00:00"}"#
                    .utf8)
        }
        let good = #"{"name":"Acme","handle":"acme","organisation":"5b1e4f5c-8a51-4f0e-9a53-0d4a5b0f3f11"}"#
        let lines = [(1, line(1, good)), (2, line(2, #"{"name":42}"#))]
        do {
            _ = try Transfer(connection: try database.connect()).importLines(lines, requireTrailer: false)
            Issue.record("the poison line was imported")
        } catch let error as Transfer.ImportError {
            #expect(error.line == 2)
            #expect(error.reason.contains("OrganisationRegistered"), "\(error)")
        }
        #expect(try database.eventCount() == 0)
    }

    // MARK: - Item 4 (the statistics part): a forgotten name in no catalog

    @Test("item 4: after a person is forgotten and ANALYZE runs, no statistic anywhere holds the name or e-mail")
    func forgottenNameInNoStatistic() throws {
        let owner = try database.connect()
        try owner.execute(
            """
            INSERT INTO consult.person_details (tenant_id, person_id, handle, name, email)
            SELECT \(a.tenant.rawValue), gen_random_uuid(), 'zelda-' || i, 'Zelda Forgotten', 'zelda@secret.example'
              FROM generate_series(1, 300) i
            """)
        try owner.execute("ANALYZE")
        try owner.execute("DELETE FROM consult.person_details WHERE name = 'Zelda Forgotten'")  // what forget does
        try owner.execute("ANALYZE")
        let holding = try owner.execute(
            """
            SELECT starelid::regclass::text FROM pg_statistic
             WHERE concat(stavalues1::text, stavalues2::text, stavalues3::text, stavalues4::text, stavalues5::text)
                   ~* 'zelda|secret\\.example'
            """
        ).map { try $0.decode(String.self, at: 0) }
        #expect(holding.isEmpty, "\(holding)")
    }
}
