import EventStore
import Foundation
import Postgres
import Synchronization

extension TestDatabase {
    /// The repository's db/migrations folder, found from this source file.
    public static let migrationsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("db/migrations")

    /// A fresh database with every migration applied.
    public static func createMigrated(_ prefix: String = "log") throws -> Database {
        let database = try create(prefix)
        let connection = try database.connect()
        defer { connection.close() }
        try Migrator(directory: migrationsDirectory).migrate(connection)
        return database
    }
}

extension TestDatabase.Database {
    /// Creates a tenant with one member role (cluster-unique name) and returns both.
    /// The test cluster trusts its socket, so members connect without their password.
    public func createTenant(_ name: String) throws -> (tenant: TenantID, member: String) {
        let connection = try connect()
        defer { connection.close() }
        let tenancy = Tenancy(connection: connection)
        let tenant = try tenancy.createTenant(name)
        let member = "m_\(name.replacingOccurrences(of: "-", with: "_"))_\(UUID().uuidString.prefix(8).lowercased())"
        try tenancy.addMember(member, to: tenant.id, password: "not-used-here")
        return (tenant.id, member)
    }

    /// Counts the rows of consult.events, as the superuser (all tenants).
    public func eventCount() throws -> Int {
        let connection = try connect()
        defer { connection.close() }
        return try connection.execute("SELECT count(*) FROM consult.events")[0].decode(Int.self, at: 0)
    }
}

/// Runs `body` on `count` real threads at once (not the 2-thread cooperative pool, which would
/// serialise blocking libpq calls) and returns each thread's result, in thread order.
public func onThreads<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) -> [Result<T, any Error>] {
    let results = Mutex<[Int: Result<T, any Error>]>([:])
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            let result = Result { try body(index) }
            results.withLock { $0[index] = result }
            group.leave()
        }
        thread.stackSize = 4 << 20
        thread.start()
    }
    group.wait()
    return results.withLock { all in (0..<count).map { all[$0]! } }
}
