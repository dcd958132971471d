import EventStore
import Foundation
import Postgres
import Projections

/// The operator's side of the application layer: which tenants a job runs for, what the
/// server and schema are, and how each tenant's projection stands.
public enum Operations {
    /// The tenants a whole-log job (rebuild, verify, export, status) runs for: a member's own;
    /// for the owner, the tenant named (`--tenant`, else CONSULT_TENANT) or every tenant. Lifts
    /// the statement timeout: such jobs run long statements by design.
    public static func tenants(_ connection: Connection, named: String?, all: Bool) throws -> [(TenantID, String)] {
        try Database.liftStatementTimeout(connection)
        let tenancy = Tenancy(connection: connection)
        if let own = try tenancy.currentTenant() {
            guard !all else { throw CommandFailure("--all-tenants: a member works on their own tenant only") }
            if let named, named.lowercased() != own.name.lowercased() {
                throw CommandFailure("--tenant: you are a member of \(own.name), and act for it only")
            }
            return [(own.id, own.name)]
        }
        if all {
            return try tenancy.allTenants().map { ($0.id, $0.name) }
        }
        let name = named ?? ProcessInfo.processInfo.environment["CONSULT_TENANT"]
        guard let name, let tenant = try tenancy.tenant(named: name) else {
            throw CommandFailure(
                name.map { "--tenant: there is no tenant named \($0)" } ?? "name a tenant with --tenant, or use --all-tenants",
                exitCode: name == nil ? 64 : 1)
        }
        return [(tenant.id, tenant.name)]
    }

    /// What `consult doctor` reports of the server, the role and the schema.
    public struct Server: Sendable {
        public let version: String
        public let role: String
        public let database: String
        public let superuser: Bool
        /// Whether the consult schema is installed.
        public let migrated: Bool
    }

    public static func server(_ connection: Connection) throws -> Server {
        let row = try connection.execute(
            """
            SELECT version() AS version, current_user AS role, current_database() AS database,
                   r.rolsuper AS superuser, to_regclass('consult.migrations') IS NOT NULL AS migrated
              FROM pg_roles r WHERE r.rolname = current_user
            """)[0]
        return Server(
            version: try row.decode(String.self, "version"), role: try row.decode(String.self, "role"),
            database: try row.decode(String.self, "database"), superuser: try row.decode(Bool.self, "superuser"),
            migrated: try row.decode(Bool.self, "migrated"))
    }

    /// The names of the migrations applied; nil when this role may not read them.
    public static func appliedMigrations(_ connection: Connection) throws -> Set<String>? {
        let readable = try connection.execute("SELECT has_table_privilege('consult.migrations', 'SELECT')")[0].decode(Bool.self, at: 0)
        guard readable else { return nil }
        return Set(try connection.execute("SELECT name FROM consult.migrations").map { try $0.decode(String.self, at: 0) })
    }

    /// The member's tenant, or the owner's reach.
    public static func tenantState(_ connection: Connection) throws -> String {
        // Only the name: doctor runs against a schema behind this binary's too.
        let own = try connection.execute("SELECT name FROM consult.tenants WHERE tenant_id = (SELECT consult.current_tenant_id())")
        if let name = try own.first?.decode(String.self, at: 0) {
            return "\(name) (this role is a member)"
        }
        let admin = try connection.execute("SELECT consult.is_admin()")[0].decode(Bool?.self, at: 0) ?? false
        let count = try connection.execute("SELECT count(*) FROM consult.tenants")[0].decode(Int.self, at: 0)
        return admin ? "none: this role is the owner (\(count) tenant\(count == 1 ? "" : "s"))" : "none: this role belongs to no tenant"
    }

    /// A tenant whose head (consult.tenant_heads, 0045: the row consult.append locks and whose
    /// counter gives the next position) disagrees with its log: an event written around
    /// consult.append and the import (by hand, as the owner) leaves it behind, and the tenant's
    /// next append is refused on a duplicate position; a head ahead would leave a hole. Each
    /// tenant is read in one statement (one snapshot: an append commits the head and the event
    /// together), routed to the tenant's node on Citus. Empty when the schema has no heads yet.
    public struct HeadMismatch: Sendable, Equatable {
        public let tenant: TenantID
        public let name: String
        public let head: Int64
        public let log: Int64
    }

    public static func headMismatches(_ connection: Connection) throws -> [HeadMismatch] {
        guard try connection.execute("SELECT to_regclass('consult.tenant_heads') IS NOT NULL")[0].decode(Bool.self, at: 0) else {
            return []
        }
        let tenants = try connection.execute("SELECT h.tenant_id FROM consult.tenant_heads h ORDER BY h.tenant_id").map {
            TenantID(try $0.decode(Int64.self, at: 0))
        }
        var found: [HeadMismatch] = []
        for tenant in tenants {
            let row = try connection.execute(
                """
                SELECT h.last_position, (SELECT coalesce(max(e.position), 0) FROM consult.events e WHERE e.tenant_id = h.tenant_id)
                  FROM consult.tenant_heads h WHERE h.tenant_id = \(tenant.rawValue)
                """)
            guard let first = row.first else { continue }
            let (head, log) = (try first.decode(Int64.self, at: 0), try first.decode(Int64.self, at: 1))
            if head != log {
                let name =
                    try connection.execute("SELECT name FROM consult.tenants WHERE tenant_id = \(tenant.rawValue)").first?
                    .decode(String.self, at: 0) ?? "\(tenant.rawValue)"
                found.append(HeadMismatch(tenant: tenant, name: name, head: head, log: log))
            }
        }
        return found
    }

    /// Whether the server runs Citus (`consult migrate --citus`): its package installed is not
    /// enough, the server must have loaded its library at start (shared_preload_libraries), or
    /// CREATE EXTENSION citus fails after every base migration was applied (issue 20, item 12).
    /// The loaded library defines the setting citus.version, which any role may read; a server
    /// without it has no such setting.
    public static func hasCitus(_ connection: Connection) throws -> Bool {
        try connection.execute(
            """
            SELECT current_setting('citus.version', true) IS NOT NULL
               AND EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'citus')
            """)[0].decode(Bool.self, at: 0)
    }

    /// Fresh planner statistics on every read-model table, after rewriting every tenant's rows.
    public static func analyzeReadModels(_ connection: Connection) throws {
        let tables = Projector.tables.map { "consult." + $0 }.joined(separator: ", ")
        try connection.execute(Query(unsafeSQL: "ANALYZE \(tables)"))
    }

    /// One tenant's projection: where it stands and its last runs.
    public struct ProjectionState: Sendable {
        public struct Run: Sendable {
            public let finishedAt: Date
            public let seconds: Double
            public let events: Int
            public let drift: Bool
        }
        public let lastPosition: Int64
        public let checkpoint: Int64
        public let lastRebuild: Run?
        public let lastVerify: Run?
        /// Events the projector left out because this version cannot decode them.
        public let quarantined: [QuarantineRow]
    }

    public static func projectionState(_ connection: Connection, tenant: TenantID) throws -> ProjectionState {
        let row = try connection.execute(
            """
            SELECT coalesce((SELECT max(position) FROM consult.events WHERE tenant_id = \(tenant.rawValue)), 0),
                   coalesce((SELECT position FROM consult.projection_checkpoints
                              WHERE tenant_id = \(tenant.rawValue) AND projection = \(Projector.name)), 0)
            """)[0]
        func last(_ kind: String) throws -> ProjectionState.Run? {
            let runs = try connection.execute(
                """
                SELECT finished_at, extract(epoch FROM finished_at - started_at)::float8, events, drift
                  FROM consult.projection_runs WHERE tenant_id = \(tenant.rawValue) AND kind = \(kind)
                 ORDER BY run_id DESC LIMIT 1
                """)
            guard let run = runs.first else { return nil }
            return ProjectionState.Run(
                finishedAt: try run.decode(Date.self, at: 0), seconds: try run.decode(Double.self, at: 1),
                events: try run.decode(Int.self, at: 2),
                drift: try run.decode(Bool.self, at: 3))
        }
        return ProjectionState(
            lastPosition: try row.decode(Int64.self, at: 0), checkpoint: try row.decode(Int64.self, at: 1),
            lastRebuild: try last("rebuild"),
            lastVerify: try last("verify"),
            quarantined: try Projector(connection: connection, tenant: tenant).quarantined())
    }
}
