import Foundation
import Postgres

/// Creating tenants and their members: the owner's work (consult_admin), done through the
/// admin functions of db/migrations/0007_tenant_admin.sql.
public struct Tenancy {
    public let connection: Connection

    public init(connection: Connection) {
        self.connection = connection
    }

    /// A tenant as the database knows it.
    public struct Tenant: Sendable, Equatable {
        public let id: TenantID
        /// The slug commands use (`speak-for-yourself`).
        public let name: String
        /// How reports title the consultancy ("Speak For Yourself"), when the owner gave one.
        public var displayName: String? = nil
        /// The ISO 4217 code of an amount typed without one, when the owner set it.
        public var currency: String? = nil
        /// The display name, else the slug.
        public var title: String { displayName ?? name }
    }

    /// The columns ``tenant(from:)`` reads, in its order.
    static let columns = "tenant_id, name, display_name, currency"

    static func tenant(from row: Row) throws -> Tenant {
        Tenant(
            id: TenantID(try row.decode(Int64.self, at: 0)), name: try row.decode(String.self, at: 1),
            displayName: try row.decode(String?.self, at: 2), currency: try row.decode(String?.self, at: 3))
    }

    /// Creates a tenant. Names are lowercase slugs (`acme`, `hill-and-co`), unique whatever
    /// their case; the display name and currency are optional.
    public func createTenant(_ name: String, displayName: String? = nil, currency: String? = nil) throws -> Tenant {
        let id = try connection.execute("SELECT consult.create_tenant(\(name), \(displayName), \(currency))")[0]
            .decode(Int64.self, at: 0)
        return Tenant(id: TenantID(id), name: name, displayName: displayName, currency: currency)
    }

    /// Sets a tenant's display name and currency (nil leaves one as it is).
    public func setProfile(of tenant: TenantID, displayName: String?, currency: String?) throws {
        try connection.withTransaction { tx in
            try tx.execute("SELECT consult.set_tenant_profile(\(tenant.rawValue), \(displayName), \(currency))")
        }
    }

    /// The login roles of a tenant's members, by name.
    public func members(of tenant: TenantID) throws -> [String] {
        try connection.execute("SELECT role_name FROM consult.members WHERE tenant_id = \(tenant.rawValue) ORDER BY role_name")
            .map { try $0.decode(String.self, at: 0) }
    }

    /// Creates a login role for a member of `tenant`. The password is hashed here, on the
    /// client (SCRAM-SHA-256), so the clear text never reaches the server or its logs.
    public func addMember(_ role: String, to tenant: TenantID, password: String) throws {
        let verifier = try connection.encryptPassword(password, role: role)
        try connection.withTransaction { tx in
            try tx.execute("SELECT consult.add_member(\(tenant.rawValue), \(role), \(verifier))")
        }
    }

    /// What `dropTenant` removed.
    public struct Removal: Sendable, Equatable {
        public let tenant: TenantID
        public let events: Int64
        /// Rows of every other table with a tenant column: read models, checkpoints, people's details.
        public let otherRows: Int64
        /// The members' login roles, dropped.
        public let roles: [String]
    }

    /// Removes a tenant completely, in one transaction: its events, every row of every table
    /// with a tenant column, its members' login roles and the tenant itself (the owner's
    /// function consult.drop_tenant of db/migrations/0012_events_by_tenant.sql).
    public func dropTenant(_ name: String) throws -> Removal {
        let row = try connection.withTransaction { tx in
            try tx.execute("SELECT tenant_id, events, other_rows, array_to_string(roles, ' ') FROM consult.drop_tenant(\(name))")[0]
        }
        return Removal(
            tenant: TenantID(try row.decode(Int64.self, at: 0)), events: try row.decode(Int64.self, at: 1),
            otherRows: try row.decode(Int64.self, at: 2),
            roles: try row.decode(String.self, at: 3).split(separator: " ").map(String.init))
    }

    /// The tenant with this name (any case), if it exists and the caller may see it.
    public func tenant(named name: String) throws -> Tenant? {
        let rows = try connection.execute(
            "SELECT \(unsafeSQL: Self.columns) FROM consult.tenants WHERE lower(name) = lower(\(name))")
        return try rows.first.map(Self.tenant(from:))
    }

    /// The tenant with this id, if the caller may see it.
    public func tenant(id: TenantID) throws -> Tenant? {
        try connection.execute("SELECT \(unsafeSQL: Self.columns) FROM consult.tenants WHERE tenant_id = \(id.rawValue)").first
            .map(Self.tenant(from:))
    }

    /// Every tenant, in the order they were created (the owner sees them all).
    public func allTenants() throws -> [Tenant] {
        try connection.execute("SELECT \(unsafeSQL: Self.columns) FROM consult.tenants ORDER BY tenant_id").map(Self.tenant(from:))
    }

    /// The tenant of the connected role, for a member; nil for an admin.
    public func currentTenant() throws -> Tenant? {
        let rows = try connection.execute(
            "SELECT \(unsafeSQL: Self.columns) FROM consult.tenants WHERE tenant_id = (SELECT consult.current_tenant_id())")
        return try rows.first.map(Self.tenant(from:))
    }
}
