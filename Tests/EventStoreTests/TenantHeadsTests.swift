import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

/// consult.tenant_heads (db/migrations/0045): the row each append locks and whose counter gives
/// the positions. Whatever else writes the log must keep it in step.
@Suite("the tenant's head follows the log", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct TenantHeadsTests {
    let database: TestDatabase.Database

    init() throws {
        database = try TestDatabase.createMigrated("heads")
        try database.registerTestEventTypes()
    }

    func head(_ tenant: TenantID) throws -> Int64? {
        try database.connect().execute("SELECT last_position FROM consult.tenant_heads WHERE tenant_id = \(tenant.rawValue)")
            .first?.decode(Int64.self, at: 0)
    }

    func lines(_ tenant: String, _ positions: ClosedRange<Int>, stream: String) -> [(number: Int, bytes: [UInt8])] {
        positions.map { (number: $0, bytes: Array(ImportFuzzTests.line(tenant: tenant, position: $0, stream: stream).utf8)) }
    }

    @Test("an import into a tenant that never appended creates its head; the next append continues after the imported events")
    func importIntoNewTenant() throws {
        let (tenant, member) = try database.createTenant("imported")
        #expect(try head(tenant) == nil)  // created after the migration, no append yet
        let result = try Transfer(connection: try database.connect()).importLines(
            lines("imported", 1...5, stream: "engagement-1"), requireTrailer: false)
        #expect(result.imported == 5)
        #expect(try head(tenant) == 5)
        let store = EventStore(connection: try database.connect(user: member))
        // 5 imported events: the next position is 5 + 1 = 6.
        #expect(try store.append([event("after")], to: "after", expecting: .noStream).positions == [6])
        #expect(try head(tenant) == 6)
    }

    @Test("an import after appends moves the head on: the next append does not collide with the imported positions")
    func importAfterAppends() throws {
        let (tenant, member) = try database.createTenant("mixed")
        let store = EventStore(connection: try database.connect(user: member))
        try store.append([event("a"), event("a")], to: "a", expecting: .noStream)
        #expect(try head(tenant) == 2)
        // Positions 3, 4, 5 continue the log (2 events before them).
        let result = try Transfer(connection: try database.connect()).importLines(
            lines("mixed", 3...5, stream: "engagement-9"), requireTrailer: false)
        #expect(result.imported == 3)
        #expect(try head(tenant) == 5)
        #expect(try store.append([event("b")], to: "b", expecting: .noStream).positions == [6])
    }

    @Test("a tenant whose head is missing gets it back from its log's last position")
    func missingHead() throws {
        let (tenant, member) = try database.createTenant("headless")
        let store = EventStore(connection: try database.connect(user: member))
        try store.append([event("s"), event("s"), event("s")], to: "s", expecting: .noStream)
        try database.connect().execute("DELETE FROM consult.tenant_heads WHERE tenant_id = \(tenant.rawValue)")
        // The log ends at 3, so the next position is 4.
        #expect(try store.append([event("s")], to: "s", expecting: .exactly(3)).positions == [4])
        #expect(try head(tenant) == 4)
    }

    @Test("a member reads its own head and writes none")
    func memberCannotWrite() throws {
        let (tenant, member) = try database.createTenant("reader")
        let (other, _) = try database.createTenant("other")
        let store = EventStore(connection: try database.connect(user: member))
        try store.append([event("s")], to: "s", expecting: .noStream)
        try EventStore(connection: try database.connect(), tenant: other).append([event("s")], to: "s", expecting: .noStream)
        let connection = try database.connect(user: member)
        // Row-level security: only its own tenant's row is visible.
        #expect(
            try connection.execute("SELECT tenant_id FROM consult.tenant_heads").map { try $0.decode(Int64.self, at: 0) } == [
                tenant.rawValue
            ])
        for sql in [
            "UPDATE consult.tenant_heads SET last_position = 0", "INSERT INTO consult.tenant_heads VALUES (\(other.rawValue), 0)",
            "DELETE FROM consult.tenant_heads", "SELECT 1 FROM consult.tenant_heads FOR UPDATE",
        ] {
            var state: String? = nil
            do { _ = try connection.execute(Query(unsafeSQL: sql)) } catch { state = (error as? PostgresError)?.sqlState?.rawValue }
            #expect(state == "42501", "\(sql)")  // insufficient_privilege
        }
        #expect(try head(tenant) == 1)
        #expect(try head(other) == 1)
    }
}
