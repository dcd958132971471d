import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

@testable import BackOffice
@testable import Projections

/// Issue 19, target 5: as-of reports start from the month's snapshot (db/migrations/0055) and
/// must give exactly the rows a fold from the first event gives, on the same log, including after
/// a correction dated before the snapshot.
@Suite("as-of from month snapshots", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct SnapshotTests {
    let database: TestDatabase.Database
    let a: (tenant: TenantID, member: String)
    let b: (tenant: TenantID, member: String)
    let acme = UUID(uuidString: "5b1e4f5c-8a51-4f0e-9a53-0d4a5b0f3f11")!
    let lead = UUID(uuidString: "6c2f5a6d-9b62-4a1f-8b64-1e5b6c1a4a22")!

    /// `hour` o'clock UTC on the day.
    static func day(_ text: String, _ hour: Int = 12) -> Date {
        let parts = text.split(separator: "-").map { Int($0)! }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: hour))!
    }

    var acmeStream: String { "organisation-\(acme.uuidString.lowercased())" }
    var leadStream: String { "lead-\(lead.uuidString.lowercased())" }

    /// Tenant A's log, in position order, with when each happened:
    /// 1 Acme registered (Jan 5), 2 lead captured (Jan 10), 3 lead new → contacted (Feb 5),
    /// 4 Acme renamed "Acme Two" (Feb 20), 5 lead contacted → qualified (Mar 12),
    /// 6 Acme renamed "Acme Three" (Apr 2). So the prefix before March is positions 1–4 (5 is
    /// the first event of March or later), before April 1–5, before February 1–2.
    init() throws {
        database = try TestDatabase.createMigrated("snapshots")
        a = try database.createTenant("alpha")
        b = try database.createTenant("beta")
        let store = EventStore(connection: try database.connect(), tenant: a.tenant)
        try store.append(
            [
                NewEvent(
                    stream: acmeStream, type: "OrganisationRegistered",
                    body: OrganisationRegistered(organisation: acme, handle: "acme", name: "Acme"), occurredAt: Self.day("2026-01-05"))
            ], to: acmeStream, expecting: .noStream)
        try store.append(
            [
                NewEvent(
                    stream: leadStream, type: "LeadCaptured",
                    body: LeadCaptured(lead: lead, handle: "acme-lead", organisation: acme, source: .inbound),
                    occurredAt: Self.day("2026-01-10"))
            ], to: leadStream, expecting: .noStream)
        try stage(.new, .contacted, on: "2026-02-05")
        try rename("Acme Two", on: "2026-02-20")
        try stage(.contacted, .qualified, on: "2026-03-12")
        try rename("Acme Three", on: "2026-04-02")
    }

    func stage(_ from: Stage, _ to: Stage, on day: String) throws {
        try EventStore(connection: try database.connect(), tenant: a.tenant).append(
            [NewEvent(stream: leadStream, type: "LeadStageChanged", body: LeadStageChanged(from: from, to: to), occurredAt: Self.day(day))],
            to: leadStream, expecting: .any)
    }

    func rename(_ name: String, on day: String) throws {
        try EventStore(connection: try database.connect(), tenant: a.tenant).append(
            [
                NewEvent(
                    stream: acmeStream, type: "OrganisationRenamed", body: OrganisationRenamed(name: name, handle: "acme"),
                    occurredAt: Self.day(day))
            ], to: acmeStream, expecting: .any)
    }

    func member(_ who: (tenant: TenantID, member: String)) throws -> Projector {
        Projector(connection: try database.connect(user: who.member), tenant: who.tenant)
    }

    @Test("the first as-of of a month writes its snapshot, the next starts from it; both equal the fold from the first event")
    func sameRows() throws {
        let projector = try member(a)
        let instant = Self.day("2026-03-20")
        let reference = try projector.asOf(instant, snapshots: false)
        #expect(reference.source == .log(saved: false))
        // By March 20: the lead is qualified (event 5), Acme is "Acme Two" (event 4; 6 is April's).
        #expect(reference.model.pipeline[lead]?.stage == .qualified)
        #expect(reference.model.organisations[acme]?.name == "Acme Two")

        let first = try projector.asOf(instant, snapshots: true)
        #expect(first.source == .log(saved: true))
        #expect(first.model == reference.model)
        let second = try projector.asOf(instant, snapshots: true)
        // The prefix of everything before March 1: positions 1–4.
        #expect(second.source == .snapshot(before: Self.day("2026-03-01", 0), position: 4))
        #expect(second.model == reference.model)
        #expect(try projector.asOf(instant) == reference.model)

        // Every other month, and instants on a month's first moment and before anything happened.
        for day in ["2026-01-01", "2026-01-07", "2026-02-01", "2026-02-28", "2026-03-01", "2026-04-30", "2026-07-01"] {
            for hour in [0, 23] {
                let at = Self.day(day, hour)
                let full = try projector.asOf(at, snapshots: false).model
                #expect(try projector.asOf(at, snapshots: true).model == full, "as of \(day) \(hour)h, writing")
                #expect(try projector.asOf(at, snapshots: true).model == full, "as of \(day) \(hour)h, from the snapshot")
            }
        }
        // January's prefix is empty (the first event is of January 5): no snapshot for it.
        // February's: positions 1–2; April's: 1–5; July's: all 6.
        let owner = try database.connect()
        let saved = try owner.execute(
            "SELECT to_char(before AT TIME ZONE 'UTC', 'YYYY-MM'), position FROM consult.projection_snapshots WHERE tenant_id = \(a.tenant.rawValue) ORDER BY before"
        ).map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(Int64.self, at: 1))" }
        #expect(saved == ["2026-02 2", "2026-03 4", "2026-04 5", "2026-07 6"])
    }

    @Test("a correction dated before the snapshot, appended after it: the snapshot still gives the fold's rows")
    func correctionDatedBefore() throws {
        let projector = try member(a)
        let instant = Self.day("2026-03-20")
        _ = try projector.asOf(instant, snapshots: true)
        #expect(try projector.asOf(instant, snapshots: true).source == .snapshot(before: Self.day("2026-03-01", 0), position: 4))

        // Position 7: Acme renamed "Acme Corrected" on Feb 25, recorded now; position 8: the lead
        // moved back to contacted on Feb 27.
        try rename("Acme Corrected", on: "2026-02-25")
        try stage(.qualified, .contacted, on: "2026-02-27")
        let reference = try projector.asOf(instant, snapshots: false).model
        let fromSnapshot = try projector.asOf(instant, snapshots: true)
        #expect(fromSnapshot.source == .snapshot(before: Self.day("2026-03-01", 0), position: 4))
        #expect(fromSnapshot.model == reference)
        // In log order by March 20: renames "Acme Two" (4) then "Acme Corrected" (7); stages
        // contacted (3), qualified (5), contacted (8): the corrections are the last applied.
        #expect(reference.organisations[acme]?.name == "Acme Corrected")
        #expect(reference.pipeline[lead]?.stage == .contacted)
        // As of February 26: events 1–4 and 7 (5 is of March 12, 6 of April 2, 8 of February 27):
        // the lead contacted (3), Acme "Acme Corrected" (7, applied after 4).
        let february = Self.day("2026-02-26")
        let full = try projector.asOf(february, snapshots: false).model
        #expect(try projector.asOf(february, snapshots: true).model == full)
        #expect(try projector.asOf(february, snapshots: true).source == .snapshot(before: Self.day("2026-02-01", 0), position: 2))
        #expect(full.organisations[acme]?.name == "Acme Corrected")
        #expect(full.pipeline[lead]?.stage == .contacted)
    }

    @Test("a snapshot of another fold version is ignored and written again")
    func otherVersion() throws {
        let projector = try member(a)
        let instant = Self.day("2026-03-20")
        let reference = try projector.asOf(instant, snapshots: false).model
        _ = try projector.asOf(instant, snapshots: true)
        let owner = try database.connect()
        // A snapshot claiming another version, with a state that is not the fold's (empty).
        try owner.execute(
            "UPDATE consult.projection_snapshots SET version = 'backoffice/0/old', state = '{\"pipeline\":[],\"stages\":[],\"engagements\":[],\"objectives\":[],\"referrals\":[],\"handovers\":[],\"people\":[],\"organisations\":[],\"quarantine\":[]}' WHERE tenant_id = \(a.tenant.rawValue)"
        )
        let again = try projector.asOf(instant, snapshots: true)
        #expect(again.source == .log(saved: true))
        #expect(again.model == reference)
        #expect(try projector.asOf(instant, snapshots: true).source == .snapshot(before: Self.day("2026-03-01", 0), position: 4))
    }

    @Test("members read only their own snapshots and write them only through the function, for their own tenant")
    func security() throws {
        _ = try member(a).asOf(Self.day("2026-03-20"), snapshots: true)
        let alpha = try database.connect(user: a.member)
        let beta = try database.connect(user: b.member)
        #expect(try alpha.execute("SELECT count(*) FROM consult.projection_snapshots")[0].decode(Int.self, at: 0) == 1)
        #expect(try beta.execute("SELECT count(*) FROM consult.projection_snapshots")[0].decode(Int.self, at: 0) == 0)
        #expect(throws: (any Error).self) {
            try alpha.execute(
                "INSERT INTO consult.projection_snapshots (tenant_id, projection, before, position, version, state) VALUES (\(a.tenant.rawValue), 'backoffice', now(), 1, 'x', '{}')"
            )
        }
        #expect(throws: (any Error).self) {
            try alpha.execute("DELETE FROM consult.projection_snapshots")
        }
        // Beta writing for alpha's tenant is refused; nothing of alpha's changes.
        #expect(throws: (any Error).self) {
            try beta.execute(
                "SELECT consult.projection_snapshot_write(\(a.tenant.rawValue), 'backoffice', 'x', now(), 1, '{}'::jsonb)")
        }
        let owner = try database.connect()
        #expect(try owner.execute("SELECT count(*) FROM consult.projection_snapshots")[0].decode(Int.self, at: 0) == 1)
        #expect(try owner.execute("SELECT position FROM consult.projection_snapshots")[0].decode(Int64.self, at: 0) == 4)
    }
}
