import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

/// What a member of tenant A can do with psql and their own password: raw SQL, any SQL.
@Suite("tenants are isolated by PostgreSQL", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct IsolationTests {
    let database: TestDatabase.Database
    let a: (tenant: TenantID, member: String)
    let b: (tenant: TenantID, member: String)
    let memberA: Connection
    let eventsBefore: Int

    /// Two tenants, each with a consultant's whole month recorded (events, people's details,
    /// every read model), a rebuild and a verification (runs, previous rows) and a follower:
    /// every tenant table holds rows of both. Built once for the suite; no test changes it.
    struct Shared: Sendable {
        let database: TestDatabase.Database
        let a: (tenant: TenantID, member: String)
        let b: (tenant: TenantID, member: String)
    }

    static let shared: Result<Shared, any Error> = Result {
        let database = try TestDatabase.createMigrated("isolation")
        let a = try database.createTenant("alpha")
        let b = try database.createTenant("beta")
        let script = TestDatabase.migrationsDirectory.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/month")
        let conninfo = try database.conninfo.replacingOccurrences(of: " user='postgres'", with: "")
        for (tenant, member) in [a, b] {
            let month = try ConsultProcess.run(
                executable: script, [],
                environment: [
                    "CONSULT": ConsultProcess.executable.path, "CONSULT_ANN": member, "CONSULT_BOB": member, "DATABASE_URL": conninfo,
                ])
            guard month.status == 0 else { throw PostgresError(.usage, message: "scripts/month failed: \(month.stderr)") }
            // A row changed by hand, so that the rebuild replaces the rows and keeps the replaced
            // ones as previous rows (a rebuild whose rows equal the live ones copies none: 0065).
            try database.connect().execute(
                "UPDATE consult.organisations SET name = name || ' (by hand)' WHERE tenant_id = \(tenant.rawValue)")
            for arguments in [["projections", "rebuild"], ["projections", "rebuild", "--verify"]] {
                _ = try ConsultProcess.run(arguments, environment: ["DATABASE_URL": conninfo, "PGUSER": member])
            }
            let store = EventStore(connection: try database.connect(user: member))
            _ = try store.follow(from: 0, name: "f-\(tenant)", until: .now) { _ in .stop }
            // An entry of the quarantine (0028), as the projector writes one for an event it
            // cannot decode: the month has none.
            try database.connect().execute(
                """
                INSERT INTO consult.projection_quarantine (tenant_id, position, stream, type, schema_version, error)
                VALUES (\(tenant.rawValue), 999999, 'organisation-x', 'Unknown', 1, 'unknown event type')
                """)
            // A month snapshot (0055), written as an as-of report writes one: by the member, through
            // the SECURITY DEFINER function.
            try database.connect(user: member).execute(
                "SELECT consult.projection_snapshot_write(\(tenant.rawValue), 'backoffice', 'test', '2026-11-01T00:00:00Z', 1, '{}'::jsonb)"
            )
        }
        return Shared(database: database, a: a, b: b)
    }

    init() throws {
        let shared = try Self.shared.get()
        database = shared.database
        a = shared.a
        b = shared.b
        memberA = try database.connect(user: a.member)
        eventsBefore = try database.eventCount()
    }

    /// Every table and view of the consult schema that has a tenant column; the partitions of
    /// the log (events_h00 …) only when asked for.
    func tenantTables(views: Bool = true, partitions: Bool = false) throws -> [String] {
        try database.connect().execute(
            """
            SELECT c.table_name FROM information_schema.columns c
              JOIN information_schema.tables t USING (table_schema, table_name)
             WHERE c.table_schema = 'consult' AND c.column_name = 'tenant_id'
               AND (t.table_type = 'BASE TABLE' OR \(views))
               AND (\(partitions) OR NOT (SELECT relispartition FROM pg_class WHERE oid = format('consult.%I', c.table_name)::regclass))
             ORDER BY c.table_name
            """
        ).map { try $0.decode(String.self, at: 0) }
    }

    func postgresError(_ body: () throws -> Void) -> PostgresError? {
        do { try body() } catch let error as PostgresError { return error } catch { return nil }
        return nil
    }

    @Test("every table with a tenant column shows the member no row of another tenant")
    func reads() throws {
        let tables = try tenantTables()
        // 20 tables (the view engagement_health was dropped: health is judged in Swift alone;
        // projection_quarantine came with 0028; 18 + tenant_heads of 0045 + projection_snapshots of 0055 = 20).
        #expect(tables.count == 20, "\(tables)")
        let admin = try database.connect()
        for table in tables {
            // Both tenants have rows here, so an empty answer could not pass for isolation.
            let all = try admin.execute("SELECT DISTINCT tenant_id FROM consult.\(identifier: table) ORDER BY 1").map {
                try $0.decode(Int64.self, at: 0)
            }
            #expect(all == [a.tenant.rawValue, b.tenant.rawValue], "\(table)")
            let rows = try memberA.execute("SELECT tenant_id, count(*) FROM consult.\(identifier: table) GROUP BY tenant_id")
            let tenants = try rows.map { try $0.decode(Int64.self, at: 0) }
            #expect(tenants == [a.tenant.rawValue], "\(table) shows tenants \(tenants)")
        }
        // The log's partitions are reached only through consult.events and its policies.
        let partitions = Set(try tenantTables(views: false, partitions: true)).subtracting(tables).sorted()
        #expect(partitions.count == 8, "\(partitions)")
        for partition in partitions {
            let error = postgresError { try memberA.execute("SELECT count(*) FROM consult.\(identifier: partition)") }
            #expect(error?.sqlState == .insufficientPrivilege, "\(partition): \(String(describing: error))")
        }
    }

    @Test("row-level security is enabled and forced on every tenant table, and members are plain roles")
    func rlsForced() throws {
        let admin = try database.connect()
        for table in try tenantTables(views: false, partitions: true) {
            let row = try admin.execute(
                "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = \("consult.\(table)")::regclass")[0]
            #expect(try row.decode(Bool.self, at: 0) && row.decode(Bool.self, at: 1), "\(table)")
        }
        let role = try admin.execute("SELECT rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = \(a.member)")[0]
        #expect(try [row(role, 0), row(role, 1), row(role, 2)] == [false, false, false])
        let owned = try admin.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = \(a.member)")[0]
        #expect(try owned.decode(Int.self, at: 0) == 0)
    }

    private func row(_ row: Row, _ index: Int) throws -> Bool { try row.decode(Bool.self, at: index) }

    @Test("inserting an event for another tenant, or for one's own, directly is refused")
    func directInsert() throws {
        for tenant in [b.tenant, a.tenant] {
            let error = postgresError {
                try memberA.execute(
                    """
                    INSERT INTO consult.events (tenant_id, position, stream, stream_version, event_id, type, schema_version,
                                                data, metadata, occurred_at)
                    VALUES (\(tenant.rawValue), 99, 'lead-1', 99, gen_random_uuid(), 'Forged', 1, '{}', '{}', now())
                    """)
            }
            #expect(error?.sqlState == .insufficientPrivilege)
        }
    }

    @Test("a member may execute exactly the functions a consultant needs; the owner's functions are refused")
    func memberFunctions() throws {
        let admin = try database.connect()
        let executable = try admin.execute(
            """
            SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = 'consult' AND has_function_privilege(\(a.member), p.oid, 'EXECUTE')
             ORDER BY p.proname
            """
        ).map { try $0.decode(String.self, at: 0) }
        // Besides appending (one command, or a batch: 0046): writing their own tenant's read
        // models and people's details (0027).
        #expect(
            executable == [
                "add_person_details", "append", "append_batch", "current_tenant_id", "erase_person_details", "events_channel",
                "follower_heartbeat",
                "is_admin", "projection_clear", "projection_keep_previous", "projection_lock", "projection_move", "projection_record_run",
                "projection_rollback", "projection_snapshot_write", "projection_write", "update_person_details",
            ])
        for sql in [
            "SELECT consult.create_tenant('intruder')", "SELECT consult.add_member(1, 'intruder', 'SCRAM-SHA-256$4096:x')",
        ] {
            let error = postgresError { try memberA.execute(Query(unsafeSQL: sql)) }
            #expect(error?.sqlState == .insufficientPrivilege, "\(sql): \(String(describing: error))")
        }
        #expect(try admin.execute("SELECT count(*) FROM pg_roles WHERE rolname = 'intruder'")[0].decode(Int.self, at: 0) == 0)
    }

    @Test("appending for another tenant through consult.append is refused")
    func appendForOther() throws {
        let store = EventStore(connection: memberA, tenant: b.tenant)
        let error = storeError { try store.append([event()], to: "s", expecting: .any) }
        #expect(error?.code == .tenantUnknown)
        #expect(try database.eventCount() == eventsBefore)
    }

    @Test(
        "UPDATE, DELETE and TRUNCATE on the log are refused for members",
        arguments: [
            "UPDATE consult.events SET type = 'Changed'", "DELETE FROM consult.events", "TRUNCATE consult.events",
            "UPDATE consult.tenants SET name = 'taken'", "DELETE FROM consult.members",
        ])
    func memberChanges(_ sql: String) throws {
        let error = postgresError { try memberA.execute(Query(unsafeSQL: sql)) }
        #expect(error?.sqlState == .insufficientPrivilege, "\(sql): \(String(describing: error))")
        #expect(try database.eventCount() == eventsBefore)
    }

    @Test(
        "UPDATE, DELETE and TRUNCATE on the log are refused for the owner too",
        arguments: [
            "UPDATE consult.events SET type = 'Changed'", "DELETE FROM consult.events", "TRUNCATE consult.events",
        ])
    func ownerChanges(_ sql: String) throws {
        let owner = try database.connect()
        let error = postgresError { try owner.execute(Query(unsafeSQL: sql)) }
        #expect(error?.sqlState == SQLState("CN009"), "\(sql): \(String(describing: error))")
        #expect(try database.eventCount() == eventsBefore)
    }

    @Test(
        "SET, set_config and SET ROLE widen nothing",
        arguments: [
            "SET app.tenant_id = '2'", "SELECT set_config('app.tenant_id', '2', false)", "SET consult.tenant = 'beta'",
            "SET ROLE consult_member", "SET row_security = off",
        ])
    func settingsWidenNothing(_ sql: String) throws {
        // row_security = off makes a query that RLS would filter fail rather than widen.
        _ = try? memberA.execute(Query(unsafeSQL: sql))
        let tenants = (try? memberA.execute("SELECT DISTINCT tenant_id FROM consult.events").map { try $0.decode(Int64.self, at: 0) }) ?? []
        #expect(!tenants.contains(b.tenant.rawValue))
        let error = storeError { try EventStore(connection: memberA, tenant: b.tenant).append([event()], to: "s", expecting: .any) }
        #expect(error != nil)
        #expect(try database.eventCount() == eventsBefore)
    }
}
