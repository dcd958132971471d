import EventStore
import Foundation
import Postgres
import Projections
import TestSupport
import Testing

/// One tenant at a time: every statement the application runs filters by its tenant, and a
/// tenant can be removed without touching any other.
@Suite("one tenant at a time", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct TenantScaleTests {
    /// Every table with a tenant column, partitions left out (their parent stands for them).
    static func tenantTables(_ connection: Connection) throws -> [String] {
        try connection.execute(
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'consult' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
               AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
             ORDER BY 1
            """
        ).map { try $0.decode(String.self, at: 0) }
    }

    /// Per table: the count and a digest of every row that does not belong to `tenant`.
    static func rows(_ connection: Connection, except tenant: Int64) throws -> [String: String] {
        var result: [String: String] = [:]
        for table in try tenantTables(connection) {
            result[table] = try connection.execute(
                """
                SELECT count(*)::text || ' ' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '')
                  FROM consult.\(identifier: table) x WHERE x.tenant_id <> \(tenant)
                """
            )[0].decode(String.self, at: 0)
        }
        return result
    }

    /// A second tenant holding the fixture's month, imported under its own name, with a member.
    static func addSouthwind(_ fixture: MonthFixture) throws -> (id: Int64, member: String, events: Int) {
        let admin = try fixture.database.connect()
        let id = try admin.execute("SELECT consult.create_tenant('southwind')")[0].decode(Int64.self, at: 0)
        let member = "\(fixture.ann)_south"
        try admin.execute("SELECT consult.add_member(\(id), \(member), \(try admin.encryptPassword("unused-here", role: member)))")
        let exported = try fixture.consult(["export"]).stdout
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("consult-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        try exported.replacingOccurrences(of: #"{"tenant" : "northwind","#, with: #"{"tenant" : "southwind","#)
            .write(to: file, atomically: true, encoding: .utf8)
        let imported = try ConsultProcess.run(["import", file.path, "--database", try fixture.database.conninfo])
        #expect(imported.status == 0, "\(imported.stderr)")
        // The export's last line is its trailer (count and checksum), not an event.
        // Event lines: neither the trailer nor the people's details that follow the events.
        return (
            id, member,
            exported.split(separator: "\n").filter { !$0.hasPrefix(#"{"consult_export_trailer""#) && !$0.contains(#""attachment" : "#) }
                .count
        )
    }

    @Test(
        "consult tenant drop removes the tenant's events, rows and roles, and leaves every other tenant's rows, projections and verify result unchanged"
    )
    func drop() throws {
        let fixture = try MonthFixture()
        let admin = try fixture.database.connect()
        let south = try Self.addSouthwind(fixture)
        let owner = ["--database", try fixture.database.conninfo]
        let exportBefore = try fixture.consult(["export"]).stdout
        let projector = Projector(connection: admin, tenant: fixture.tenant)
        let readModelBefore = try projector.readModel()
        let everything = try Self.rows(admin, except: -1)
        let others = try Self.rows(admin, except: south.id)
        #expect(
            try admin.execute("SELECT count(*) FROM consult.events WHERE tenant_id = \(south.id)")[0].decode(Int.self, at: 0)
                == south.events)

        // Refusals first: each leaves every row where it was.
        let unconfirmed = try ConsultProcess.run(["tenant", "drop", "southwind"] + owner)
        #expect(unconfirmed.status == 64)
        #expect(unconfirmed.stderr.hasPrefix("consult: removing tenant southwind needs a confirmation; nothing was removed\n"))
        let mistyped = try ConsultProcess.run(["tenant", "drop", "southwind", "--confirm", "northwind"] + owner)
        #expect(mistyped.status == 64)
        #expect(mistyped.stderr.contains("is not southwind; nothing was removed"))
        let unknown = try ConsultProcess.run(["tenant", "drop", "eastwind", "--confirm", "eastwind"] + owner)
        #expect(unknown.status == 1)
        #expect(unknown.stderr == "consult: there is no tenant named eastwind; nothing was removed\n")
        let member = try fixture.consult(["tenant", "drop", "northwind", "--confirm", "northwind"])
        #expect(member.status == 1)
        #expect(member.stderr.hasPrefix("consult: only the owner may remove a tenant"), "\(member.stderr)")
        let unseen = try fixture.consult(["tenant", "drop", "southwind", "--confirm", "southwind"])
        #expect(unseen.stderr == "consult: there is no tenant named southwind; nothing was removed\n")
        #expect(try Self.rows(admin, except: -1) == everything)

        let dropped = try ConsultProcess.run(["tenant", "drop", "southwind", "--confirm", "southwind"] + owner)
        #expect(dropped.status == 0, "\(dropped.stderr)")
        #expect(dropped.stdout.hasPrefix("Removed tenant southwind (id \(south.id)): \(south.events) events, "), "\(dropped.stdout)")
        #expect(dropped.stdout.hasSuffix("members \(south.member) (their login roles dropped).\n"), "\(dropped.stdout)")

        for table in try Self.tenantTables(admin) {
            let left = try admin.execute("SELECT count(*) FROM consult.\(identifier: table) WHERE tenant_id = \(south.id)")[0]
                .decode(Int.self, at: 0)
            #expect(left == 0, "\(table) still holds \(left) rows of the removed tenant")
        }
        #expect(try admin.execute("SELECT count(*) FROM pg_roles WHERE rolname = \(south.member)")[0].decode(Int.self, at: 0) == 0)
        #expect(try Self.rows(admin, except: south.id) == others)
        #expect(try fixture.consult(["export"]).stdout == exportBefore)
        #expect(try projector.readModel().sameRows(as: readModelBefore))
        #expect(try !projector.verify().drift)
        #expect(try fixture.consult(["pipeline"]).status == 0)
        // The log is still append-only for everyone else.
        #expect(throws: PostgresError.self) { try admin.execute("DELETE FROM consult.events WHERE tenant_id = \(fixture.tenant.rawValue)") }
        let kept = others.values.reduce(0) { $0 + (Int($1.split(separator: " ")[0]) ?? 0) }
        print(
            "tenant drop: southwind removed (\(south.events) events and its rows, 1 role); "
                + "\(kept) rows of the other tenant in \(others.count) tables unchanged, export identical, no drift")
    }

    @Test(
        "every statement the application runs filters by tenant: no sequential scan of a tenant table, with scans costed as on a large database"
    )
    func tenantFilter() throws {
        let fixture = try MonthFixture(recordMonth: false)
        let admin = try fixture.database.connect()
        // On a populated database a statement without a tenant filter has no choice but a
        // sequential scan; on a small one the planner may choose one anyway. Pricing
        // sequential scans out makes every statement take a tenant-leading index when it has
        // a tenant filter, so any sequential scan left is a statement without one.
        try admin.execute("ALTER DATABASE \(identifier: fixture.database.name) SET enable_seqscan = off")
        try admin.execute("SELECT pg_stat_reset()")
        let ownerURL = try fixture.database.conninfo
        let owner = ["--database", ownerURL]

        try fixture.month()  // every kind of command of a consultant's month, as the members
        _ = try Self.addSouthwind(fixture)  // export, import with catch-up, as the owner
        let page = FileManager.default.temporaryDirectory.appendingPathComponent("consult-\(UUID().uuidString).html")
        defer { try? FileManager.default.removeItem(at: page) }
        let asMember: [[String]] = [
            ["pipeline"], ["pipeline", "--format", "json"], ["pipeline", "--as-of", "2026-09-20"], ["pipeline", "--stage", "won"],
            ["status", "libraries-on-twitter"], ["status", "--as-of", "2026-10-01"], ["referrals"], ["handovers"],
            ["case-study", "libraries-on-twitter"], ["changes", "--since", "2026-09-10", "--until", "2026-09-20"],
            ["log"], ["log", "--engagement", "libraries-on-twitter"], ["export"], ["export", "--since", "10"],
            ["report", "--html", page.path], ["forget", "tom-reid", "--asked-by", "person"],
        ]
        let asOwner: [[String]] = [
            ["projections", "catch-up", "--tenant", "northwind"], ["projections", "rebuild", "--tenant", "northwind"],
            ["projections", "status", "--tenant", "northwind"], ["projections", "rollback", "--tenant", "northwind"],
            ["export", "--tenant", "northwind"], ["pipeline", "--tenant", "northwind"],
            ["tenant", "drop", "southwind", "--confirm", "southwind"],
        ]
        for arguments in asMember {
            let output = try fixture.consult(arguments)
            #expect(output.status == 0, "\(arguments): \(output.stderr)")
        }
        for arguments in asOwner {
            let output = try ConsultProcess.run(arguments + owner)
            #expect(output.status == 0, "\(arguments): \(output.stderr)")
        }
        try admin.execute("SELECT pg_stat_clear_snapshot()")
        let scans = try admin.execute(
            """
            SELECT coalesce(i.inhparent::regclass::text, s.relid::regclass::text), sum(s.seq_scan), sum(coalesce(s.idx_scan, 0))
              FROM pg_stat_user_tables s
              LEFT JOIN pg_inherits i ON i.inhrelid = s.relid
             WHERE s.schemaname = 'consult'
               AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = s.relid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
             GROUP BY 1 ORDER BY 1
            """
        ).map { (table: try $0.decode(String.self, at: 0), seq: try $0.decode(Int64.self, at: 1), index: try $0.decode(Int64.self, at: 2)) }
        // tenants and members are the shared reference tables: a login role is looked up by
        // name (members_role_key), a tenant by name, and the owner lists all tenants.
        let shared: Set<String> = ["consult.tenants", "consult.members"]
        let tenantScans = scans.filter { !shared.contains($0.table) }
        #expect(tenantScans.count >= 15)
        for scan in tenantScans {
            #expect(scan.seq == 0, "\(scan.table) was read by \(scan.seq) sequential scans")
        }
        let indexScans = tenantScans.reduce(0) { $0 + $1.index }
        #expect(indexScans > 500)  // 977–1,031 in the runs so far: the commands did read, by index
        for table in ["consult.events", "consult.pipeline", "consult.engagement_status", "consult.person_details"] {
            #expect(tenantScans.first { $0.table == table }.map { $0.index > 0 } == true, "\(table) was never read")
        }
        print(
            "tenant filter: the month, an import and \(asMember.count + asOwner.count) more commands; "
                + "\(indexScans) index scans of \(tenantScans.count) tenant tables, "
                + "\(tenantScans.reduce(0) { $0 + $1.seq }) sequential scans")
    }
}
