import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

@testable import Projections

/// Issue 18, item 2: a member with psql held INSERT, UPDATE and DELETE on every read-model table
/// and on consult.person_details, so `BEGIN; LOCK TABLE consult.organisations IN ACCESS EXCLUSIVE
/// MODE;` stalled every tenant. Members now write only through SECURITY DEFINER functions that
/// act for their own tenant (db/migrations/0027); each test does the attack as a member.
@Suite(
    "a member can lock no shared table and write no other tenant's rows", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct MemberWriteAttackTests {
    let database: TestDatabase.Database
    /// The attacker and the victim.
    let a: (tenant: TenantID, member: String)
    let b: (tenant: TenantID, member: String)
    let victimOrganisation = UUID(uuidString: "9f5c8d90-2e95-4d4c-9e97-4b8e9f4d7d55")!
    let victimPerson = UUID(uuidString: "a06d9ea1-3fa6-4e5d-8fa8-5c9fa05e8e66")!

    /// Every table a member's command touches, or could want to lock: the read models (the
    /// code's own list), the projection's bookkeeping, people's details, and the shared tables.
    static let sharedTables =
        ReadModelTable.all.map(\.name) + [
            "projection_checkpoints", "projection_runs", "projection_previous", "projection_previous_rows", "person_details", "tenants",
            "members", "events", "followers",
        ]

    /// Each of both tenants has an organisation in its log and its read models (a rebuild: so
    /// previous rows and runs exist too), and the victim a person's details.
    init() throws {
        database = try TestDatabase.createMigrated("memberwrites")
        a = try database.createTenant("attacker")
        b = try database.createTenant("victim")
        let owner = try database.connect()
        for (tenant, member, id) in [(a.tenant, a.member, UUID()), (b.tenant, b.member, victimOrganisation)] {
            let stream = "organisation-\(id.uuidString.lowercased())"
            try EventStore(connection: owner, tenant: tenant).append(
                [
                    NewEvent(
                        stream: stream, type: "OrganisationRegistered",
                        data: Data(#"{"organisation":"\#(id.uuidString.lowercased())","handle":"org","name":"Org of \#(member)"}"#.utf8))
                ], to: stream, expecting: .noStream)
            let projector = Projector(connection: try database.connect(user: member), tenant: tenant)
            try projector.catchUp()
            try projector.rebuild()
        }
        try database.connect(user: b.member).execute(
            "SELECT consult.add_person_details(NULL, \(victimPerson), 'zelda', 'Zelda Secretname', 'z@example.org', NULL)")
    }

    func postgresError(_ body: () throws -> Void) -> PostgresError? {
        do { try body() } catch let error as PostgresError { return error } catch { return nil }
        return nil
    }

    /// The victim's rows of every shared table, as the owner reads them: what no attack may change.
    func victimRows() throws -> [String: String] {
        let owner = try database.connect()
        var rows: [String: String] = [:]
        for table in Self.sharedTables where table != "events" {
            rows[table] = try owner.execute(
                "SELECT coalesce(string_agg(t::text, '|' ORDER BY t::text), '') FROM consult.\(identifier: table) t WHERE t.tenant_id = \(b.tenant.rawValue)"
            )[0].decode(String.self, at: 0)
        }
        rows["events"] = String(try database.eventCount())
        return rows
    }

    @Test("LOCK TABLE in every mode above ACCESS SHARE, on every shared table, is refused to a member (42501)")
    func lockRefused() throws {
        let member = try database.connect(user: a.member)
        let modes = [
            "ACCESS EXCLUSIVE", "EXCLUSIVE", "SHARE ROW EXCLUSIVE", "SHARE", "SHARE UPDATE EXCLUSIVE", "ROW EXCLUSIVE", "ROW SHARE",
        ]
        #expect(Self.sharedTables.count == 18)
        for table in Self.sharedTables {
            for mode in modes {
                try member.execute("BEGIN")
                let error = postgresError { try member.execute(Query(unsafeSQL: "LOCK TABLE consult.\(table) IN \(mode) MODE")) }
                #expect(error?.sqlState == .insufficientPrivilege, "\(table) \(mode): \(String(describing: error))")
                try member.execute("ROLLBACK")
            }
            // Row locks need UPDATE too (the column privilege on tenants.lock_marker is gone).
            let error = postgresError { try member.execute(Query(unsafeSQL: "SELECT 1 FROM consult.\(table) FOR UPDATE")) }
            #expect(error?.sqlState == .insufficientPrivilege, "\(table) FOR UPDATE: \(String(describing: error))")
        }
    }

    @Test("the column privilege UPDATE (lock_marker) on consult.tenants, revoked by 0027, never allowed LOCK TABLE; it allowed a row lock")
    func columnPrivilege() throws {
        let member = try database.connect(user: a.member)
        // Put back what 0006 granted, to see what it allowed.
        try database.connect().execute(Query(unsafeSQL: "GRANT UPDATE (lock_marker) ON consult.tenants TO \(a.member)"))
        for mode in ["ACCESS EXCLUSIVE", "ROW EXCLUSIVE", "ROW SHARE"] {
            try member.execute("BEGIN")
            let error = postgresError { try member.execute(Query(unsafeSQL: "LOCK TABLE consult.tenants IN \(mode) MODE")) }
            #expect(error?.sqlState == .insufficientPrivilege, "\(mode): \(String(describing: error))")
            try member.execute("ROLLBACK")
        }
        // The row lock it did allow: the member's own tenant's row (row-level security hides the rest).
        let locked = try member.execute("SELECT tenant_id FROM consult.tenants FOR UPDATE").map { try $0.decode(Int64.self, at: 0) }
        #expect(locked == [a.tenant.rawValue])
    }

    @Test("a member holding what it still may (ACCESS SHARE, reading in an open transaction) holds up no other tenant's writes")
    func accessShareHoldsNobody() throws {
        let attacker = try database.connect(user: a.member)
        try attacker.execute("BEGIN")
        for table in Self.sharedTables {
            try attacker.execute("LOCK TABLE consult.\(identifier: table) IN ACCESS SHARE MODE")
        }
        // The victim meanwhile records, catches up, rebuilds and rolls back.
        let victim = try database.connect(user: b.member)
        try victim.execute("SET lock_timeout = '3s'")
        let started = ContinuousClock.now
        let stream = "organisation-\(UUID().uuidString.lowercased())"
        try EventStore(connection: victim).append(
            [
                NewEvent(
                    stream: stream, type: "OrganisationRegistered",
                    data: Data(#"{"organisation":"\#(stream.dropFirst(13))","handle":"second","name":"Second"}"#.utf8))
            ], to: stream, expecting: .noStream)
        let projector = Projector(connection: victim, tenant: b.tenant)
        #expect(try projector.catchUp() == 1)
        try projector.rebuild()
        #expect(try projector.rollback())
        #expect(ContinuousClock.now - started < .seconds(3))
        try attacker.execute("ROLLBACK")
    }

    @Test(
        "direct INSERT, UPDATE, DELETE and TRUNCATE on the read models, the projection's tables and people's details are refused",
        arguments: ["INSERT", "UPDATE", "DELETE", "TRUNCATE"])
    func directWrites(_ verb: String) throws {
        let member = try database.connect(user: a.member)
        let before = try victimRows()
        for table in Self.sharedTables {
            // consult.tenants's tenant_id is an identity column, which the parser refuses to set.
            let column = table == "tenants" ? "name" : "tenant_id"
            let sql =
                switch verb {
                case "INSERT": "INSERT INTO consult.\(table) (\(column)) VALUES (\(a.tenant.rawValue))"
                case "UPDATE": "UPDATE consult.\(table) SET \(column) = \(column)"
                case "DELETE": "DELETE FROM consult.\(table)"
                default: "TRUNCATE consult.\(table)"
                }
            let error = postgresError { try member.execute(Query(unsafeSQL: sql)) }
            #expect(error?.sqlState == .insufficientPrivilege, "\(sql): \(String(describing: error))")
        }
        #expect(try victimRows() == before)
    }

    @Test("the write functions, called with the victim's tenant, ids or rows, write nothing of the victim's")
    func craftedCalls() throws {
        let member = try database.connect(user: a.member)
        let before = try victimRows()
        let victim = b.tenant.rawValue
        let organisation = victimOrganisation.uuidString.lowercased()
        let row = #"{"\#(organisation)",taken,Taken,NULL,2026-01-01T00:00:00Z}"#
        // Naming the victim's tenant: refused, whichever function.
        for sql in [
            "SELECT consult.projection_write(\(victim), 'organisations', '{organisation_id,handle,name,sector,registered_at}', ARRAY['\(row)'])",
            "SELECT consult.projection_clear(\(victim))", "SELECT consult.projection_keep_previous(\(victim), 'backoffice', 0)",
            "SELECT consult.projection_rollback(\(victim), 'backoffice')", "SELECT consult.projection_lock(\(victim), 'backoffice')",
            "SELECT consult.projection_move(\(victim), 'backoffice', 1, 0)",
            "SELECT consult.projection_record_run(\(victim), 'backoffice', 'verify', now(), 0, 0, true, '{}')",
            "SELECT consult.add_person_details(\(victim), gen_random_uuid(), 'x', 'X', NULL, NULL)",
            "SELECT consult.erase_person_details(\(victim), '\(victimPerson)')",
            "SELECT consult.update_person_details(\(victim), '\(victimPerson)', 'Renamed', NULL, NULL)",
            "SELECT consult.import_person_details(\(victim), gen_random_uuid(), 'x', 'X', NULL, NULL)",
            "SELECT consult.acting_tenant(\(victim))",
        ] {
            let error = postgresError { try member.execute(Query(unsafeSQL: sql)) }
            #expect(error?.sqlState == .insufficientPrivilege, "\(sql): \(String(describing: error))")
        }
        // Other tables, or tenant_id among the columns: refused.
        for sql in [
            "SELECT consult.projection_write(NULL, 'events', '{position}', ARRAY['{1}'])",
            "SELECT consult.projection_write(NULL, 'members', '{role_name}', ARRAY['{x}'])",
            "SELECT consult.projection_write(NULL, 'person_details', '{person_id}', ARRAY['{\(organisation)}'])",
        ] {
            let error = postgresError { try member.execute(Query(unsafeSQL: sql)) }
            #expect(error?.sqlState == .insufficientPrivilege, "\(sql): \(String(describing: error))")
        }
        let withTenant = postgresError {
            try member.execute(
                Query(
                    unsafeSQL:
                        "SELECT consult.projection_write(NULL, 'organisations', '{tenant_id,organisation_id,handle,name,sector,registered_at}', ARRAY['{\(victim),\(row.dropFirst())'])"
                ))
        }
        #expect(withTenant?.sqlState == SQLState("22023"), "\(String(describing: withTenant))")
        // The victim's ids in the attacker's own calls touch the attacker's rows only.
        #expect(
            try member.execute("SELECT consult.erase_person_details(NULL, \(victimPerson))")[0].decode(Bool.self, at: 0) == false)
        #expect(
            try member.execute("SELECT consult.update_person_details(NULL, \(victimPerson), 'Renamed', 'x@example.org', NULL)")[0]
                .decode(Bool.self, at: 0) == false)
        try member.execute(
            Query(
                unsafeSQL:
                    "SELECT consult.projection_write(NULL, 'organisations', '{organisation_id,handle,name,sector,registered_at}', ARRAY['\(row)'])"
            ))
        // A previous version saved before 0027, when members could write it, holding a row that
        // names the victim's tenant: a rollback puts it back as the attacker's.
        try database.connect().execute(
            """
            INSERT INTO consult.projection_previous_rows (tenant_id, table_name, row)
            VALUES (\(a.tenant.rawValue), 'organisations',
                    jsonb_build_object('tenant_id', \(victim), 'organisation_id', \(victimOrganisation), 'handle', 'planted',
                                       'name', 'Planted', 'registered_at', now()))
            """)
        #expect(try member.execute("SELECT consult.projection_rollback(NULL, 'backoffice')")[0].decode(Int64?.self, at: 0) != nil)
        #expect(try victimRows() == before)
        let planted = try database.connect().execute(
            "SELECT tenant_id FROM consult.organisations WHERE handle = 'planted'"
        ).map { try $0.decode(Int64.self, at: 0) }
        #expect(planted == [a.tenant.rawValue])
    }

    @Test("the database's list of read-model tables is the code's (ReadModelTable.all)")
    func sameTables() throws {
        let listed = try database.connect().execute("SELECT unnest(consult.projection_tables())").map { try $0.decode(String.self, at: 0) }
        #expect(listed == ReadModelTable.all.map(\.name))
        // And members hold SELECT alone on each.
        let privileges = try database.connect().execute(
            """
            SELECT t, p FROM unnest(consult.projection_tables()) t,
                   unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p
             WHERE has_table_privilege('consult_member', 'consult.' || t, p) ORDER BY 1, 2
            """
        ).map { try $0.decode(String.self, at: 1) }
        #expect(Set(privileges) == ["SELECT"])
    }
}
