import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

@testable import Projections

/// Issue 19, target 4: a rebuild whose fresh rows equal the live ones writes no row, and keeps
/// them as the previous version by marking them (db/migrations/0065); the first write after it
/// copies them, so a rollback still puts back exactly the rows the rebuild found.
@Suite(
    "a rebuild that changes nothing writes nothing; rollback stays exact", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct UnchangedRebuildTests {
    let fixture: MonthFixture
    let owner: Connection
    var tenant: Int64 { fixture.tenant.rawValue }

    init() throws {
        fixture = try MonthFixture()
        owner = try fixture.database.connect()
    }

    /// Every row of the tenant's read models with its physical identity (ctid, xmin): a row
    /// rewritten, even with the same values, gets another.
    func tuples() throws -> [String] {
        try Projector.tables.map { table in
            try owner.execute(
                "SELECT coalesce(string_agg(ctid::text || ':' || xmin::text, ',' ORDER BY ctid), '') FROM consult.\(identifier: table) WHERE tenant_id = \(tenant)"
            )[0].decode(String.self, at: 0)
        }
    }

    func checkpoint() throws -> Int64 {
        try owner.execute("SELECT position FROM consult.projection_checkpoints WHERE tenant_id = \(tenant)")[0].decode(Int64.self, at: 0)
    }

    /// The previous version: its position, whether it is marked as the live rows, and how many
    /// rows are copied.
    struct Previous: Equatable {
        let position: Int64
        let live: Bool
        let copied: Int
    }

    func previous() throws -> Previous {
        let row = try owner.execute(
            """
            SELECT p.position, p.rows_live, (SELECT count(*) FROM consult.projection_previous_rows r WHERE r.tenant_id = p.tenant_id)
              FROM consult.projection_previous p WHERE p.tenant_id = \(tenant)
            """)[0]
        return Previous(
            position: try row.decode(Int64.self, at: 0), live: try row.decode(Bool.self, at: 1), copied: try row.decode(Int.self, at: 2))
    }

    @Test("a rebuild of caught-up rows rewrites none, copies none, and a rollback after later writes puts back the rows it found")
    func unchangedThenRollback() throws {
        let projector = Projector(connection: owner, tenant: fixture.tenant)
        let found = try projector.readModel()
        let position = try checkpoint()
        let identities = try tuples()

        let report = try projector.rebuild()
        #expect(report.written == 0)
        #expect(report.position == position)
        // Every row the tenant has, none written: the sum of the tables' rows.
        let rows =
            found.pipeline.count + found.stages.count + found.engagements.count + found.objectives.count + found.referrals.count
            + found.handovers.count + found.people.count + found.organisations.count + found.quarantine.count
        #expect(report.rows == rows)
        #expect(rows > 10)
        #expect(try tuples() == identities, "a row was rewritten")
        #expect(try previous() == Previous(position: position, live: true, copied: 0))
        #expect(try !projector.verify().drift)

        // A later write (a command, which catches up): the rows the rebuild found are copied
        // first, one previous row each, and the mark is gone.
        let added = try fixture.consult(["org", "add", "Later Libraries", "--sector", "libraries"])
        #expect(added.status == 0, "\(added.stderr)")
        let end = try EventStore(connection: owner, tenant: fixture.tenant).lastPosition()
        #expect(end > position)
        #expect(try checkpoint() == end)
        #expect(try previous() == Previous(position: position, live: false, copied: rows))
        let later = try projector.readModel()
        #expect(later.organisations.count == found.organisations.count + 1)

        // Rollback: the rows the rebuild found, at its checkpoint; catch-up applies the command's events again.
        #expect(try projector.rollback())
        #expect(try projector.readModel().sameRows(as: found))
        #expect(try checkpoint() == position)
        #expect(try projector.catchUp() == Int(end - position))
        #expect(try projector.readModel().sameRows(as: later))
    }

    @Test("a rollback right after an unchanged rebuild leaves the same rows at the same checkpoint")
    func rollbackRightAfter() throws {
        let projector = Projector(connection: owner, tenant: fixture.tenant)
        let found = try projector.readModel()
        let position = try checkpoint()
        #expect(try projector.rebuild().written == 0)
        #expect(try projector.rollback())
        #expect(try projector.readModel().sameRows(as: found))
        #expect(try checkpoint() == position)
        #expect(try !projector.verify().drift)
    }

    @Test("a rebuild of rows changed by hand replaces them all, and a rollback puts the changed rows back")
    func changedThenRollback() throws {
        let projector = Projector(connection: owner, tenant: fixture.tenant)
        let fresh = try projector.readModel()
        let position = try checkpoint()
        try owner.execute("UPDATE consult.organisations SET name = name || ' (by hand)' WHERE tenant_id = \(tenant)")
        let changed = try projector.readModel()
        #expect(!changed.sameRows(as: fresh))

        let report = try projector.rebuild()
        #expect(report.written == report.rows)
        #expect(try projector.readModel().sameRows(as: fresh))
        // The rows the rebuild replaced, copied at the clear: as many as it found.
        #expect(try previous() == Previous(position: position, live: false, copied: report.rows))

        #expect(try projector.rollback())
        #expect(try projector.readModel().sameRows(as: changed))
        #expect(try checkpoint() == position)
    }

    @Test("as a member: an unchanged rebuild writes nothing, a refused write copies nothing, and rollback works")
    func member() throws {
        let member = try fixture.database.connect(user: fixture.ann)
        let projector = Projector(connection: member, tenant: fixture.tenant)
        let found = try projector.readModel()
        let identities = try tuples()
        #expect(try projector.rebuild().written == 0)
        #expect(try tuples() == identities)
        let position = try checkpoint()
        #expect(try previous() == Previous(position: position, live: true, copied: 0))
        // A write the function refuses (a column that is not the table's) copies nothing.
        #expect(throws: PostgresError.self) {
            try member.execute("SELECT consult.projection_write(NULL, 'organisations', '{organisation_id,no_such}', ARRAY['{x,y}'])")
        }
        #expect(try previous() == Previous(position: position, live: true, copied: 0))
        #expect(try projector.rollback())
        #expect(try projector.readModel().sameRows(as: found))
    }
}
