import BackOffice
import EventStore
import Foundation
import Postgres
import Projections
import Reports
import TestSupport
import Testing

/// Rule 8's "latest" of an objective, entered out of date order: the read model (catch-up and
/// rebuild), the status report, its chart and as-of all give the one answer of
/// ``LatestMeasurements``.
@Suite("latest measurement of an objective", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct LatestMeasurementTests {
    /// One engagement with one objective, written as the owner with the dates things happened.
    final class Story {
        let fixture: MonthFixture
        let store: EventStore
        let projector: Projector
        let engagement = UUID()
        let objective = UUID()
        var state = EngagementState()
        var stream: String { StreamName.entity(.engagement, engagement).description }

        init() throws {
            fixture = try MonthFixture(recordMonth: false)
            store = EventStore(connection: try fixture.database.connect(), tenant: fixture.tenant)
            projector = Projector(connection: try fixture.database.connect(), tenant: fixture.tenant)
        }

        /// Decides a command on the engagement and appends its events as having happened on `day`.
        func record(_ command: EngagementState.Command, on day: Day) throws {
            for event in try state.decide(command) {
                let new = NewEvent(
                    stream: stream, type: type(of: event).typeName, data: try EventTypes.encode(event), occurredAt: day.date)
                _ = try store.append([new], to: stream, expecting: .any)
                state = state.evolve(event, occurredAt: day.date)
            }
        }

        func row() throws -> ObjectiveRow? { try projector.readModel().objectives[objective] }

        /// The end of a day, as `--as-of DAY` asks.
        static func endOf(_ day: Day) -> Date { day.date.addingTimeInterval(86_400 - 0.001) }

        func events(upTo instant: Date) throws -> [RecordedEvent] {
            try store.read(after: 0, limit: 10_000).filter { $0.metadata.occurredAt <= instant }
        }
    }

    static let oct1 = Day(year: 2026, month: 10, day: 1)
    static let nov13 = Day(year: 2026, month: 11, day: 13)
    static let nov27 = Day(year: 2026, month: 11, day: 27)
    static let dec1 = Day(year: 2026, month: 12, day: 1)

    @Test("a measurement entered late, dated before the others, is neither latest nor previous, everywhere")
    func lateMeasurement() throws {
        let story = try Story()
        try story.record(
            .start(
                id: story.engagement, handle: "libraries", organisation: UUID(), lead: nil, title: "Libraries on Twitter",
                kind: .launch, fee: nil, budgetHours: nil, hoursPerMonth: nil, plannedHandover: nil),
            on: Day(year: 2026, month: 9, day: 1))
        try story.record(
            .setObjective(
                id: story.objective, handle: "followers", businessArea: "reach", statement: "more people read the library's news",
                metric: "followers", unit: nil, direction: .up, baseline: 2000, target: 3000, due: Day(year: 2027, month: 3, day: 31)),
            on: Day(year: 2026, month: 9, day: 2))
        let m1113 = UUID()
        let m1127 = UUID()
        let m1001 = UUID()
        try story.record(
            .recordMeasurement(objective: story.objective, measurement: m1113, value: 2240, source: nil, note: nil), on: Self.nov13)
        try story.record(
            .recordMeasurement(objective: story.objective, measurement: m1127, value: 2390, source: nil, note: nil), on: Self.nov27)
        // Typed last, but taken on 1 October: the earliest of the three.
        try story.record(
            .recordMeasurement(objective: story.objective, measurement: m1001, value: 2400, source: nil, note: nil), on: Self.oct1)

        // By the dates they were taken: 2400 (1 Oct), 2240 (13 Nov), 2390 (27 Nov). Latest is the
        // 27 Nov one, 2390, last measured 27 Nov; previous is 2240; progress (2390 − 2000) /
        // (3000 − 2000) = 39 %; the trend from 2240 to 2390 on a metric that should go up is
        // improving. (Last typed would have said 2400, 40 %, and previous 2390.)
        func expectLatest(_ row: ObjectiveRow?, _ path: Comment, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(row?.latest == 2390, path, sourceLocation: sourceLocation)
            #expect(row?.latestID == m1127, path, sourceLocation: sourceLocation)
            #expect(row?.lastMeasuredAt == Self.nov27.date, path, sourceLocation: sourceLocation)
            #expect(row?.previous == 2240, path, sourceLocation: sourceLocation)
            #expect(row?.previousID == m1113, path, sourceLocation: sourceLocation)
            #expect(row?.progress == 39, path, sourceLocation: sourceLocation)
            #expect(row?.trend == "improving", path, sourceLocation: sourceLocation)
            #expect(row?.measurements == 3, path, sourceLocation: sourceLocation)
        }

        try story.projector.catchUp()
        expectLatest(try story.row(), "after catch-up")
        // A catch-up one event at a time places the late one against the stored row alone.
        let admin = try story.fixture.database.connect()
        for table in Projector.tables + ["projection_checkpoints"] {
            try admin.execute("DELETE FROM consult.\(identifier: table) WHERE tenant_id = \(story.fixture.tenant.rawValue)")
        }
        try story.projector.catchUp(batchSize: 1)
        expectLatest(try story.row(), "after catch-up in batches of one")
        try story.projector.rebuild()
        expectLatest(try story.row(), "after rebuild")
        #expect(story.state.objectives[story.objective]?.latest == 2390)

        // As of 30 November, the same; as of 20 November, 27 Nov was not yet taken: of 2400
        // (1 Oct) and 2240 (13 Nov) the latest is 2240, previous 2400, last measured 13 Nov.
        expectLatest(try story.projector.asOf(Story.endOf(Day(year: 2026, month: 11, day: 30))).objectives[story.objective], "as of 30 Nov")
        let nov20 = try story.projector.asOf(Story.endOf(Day(year: 2026, month: 11, day: 20))).objectives[story.objective]
        #expect(nov20?.latest == 2240)
        #expect(nov20?.previous == 2400)
        #expect(nov20?.lastMeasuredAt == Self.nov13.date)

        // The status report's row and the objective's chart: points by date, latest last.
        let now = Story.endOf(Self.dec1)
        let status = try Reports.status(
            ReportInput(model: try story.projector.readModel(), people: [:], events: try story.events(upTo: now), now: now))
        let row = try #require(status.section("objectives")?.rows.first)
        #expect(row[4] == .decimal(2390, decimals: 0))
        #expect(row[6] == .percent(39))
        #expect(row[9] == .day(Self.nov27))
        #expect(Self.points(status) == [[Self.oct1.date: 2400], [Self.nov13.date: 2240], [Self.nov27.date: 2390]])

        // A correction of the 1 October measurement changes neither latest nor previous; one of
        // the 27 November measurement (the latest) does: 2395.
        try story.record(.correctMeasurement(objective: story.objective, corrects: m1001, value: 2410, reason: "miscounted"), on: Self.dec1)
        try story.projector.catchUp()
        expectLatest(try story.row(), "after correcting 1 Oct")
        #expect(story.state.objectives[story.objective]?.latest == 2390)
        try story.record(.correctMeasurement(objective: story.objective, corrects: m1127, value: 2395, reason: "miscounted"), on: Self.dec1)
        try story.projector.catchUp()
        let corrected = try story.row()
        #expect(corrected?.latest == 2395)
        #expect(corrected?.previous == 2240)
        #expect(corrected?.lastMeasuredAt == Self.nov27.date)
        #expect(story.state.objectives[story.objective]?.latest == 2395)
        let after = try Reports.status(
            ReportInput(model: try story.projector.readModel(), people: [:], events: try story.events(upTo: now), now: now))
        #expect(Self.points(after) == [[Self.oct1.date: 2410], [Self.nov13.date: 2240], [Self.nov27.date: 2395]])
        #expect(try !story.projector.verify().drift)
    }

    @Test("a report that reads the log stops at an event of a type this version does not know")
    func unknownTypeInReport() throws {
        let story = try Story()
        try story.fixture.database.registerTestEventTypes(["NoSuchEvent"])
        let position = try story.store.append(
            [NewEvent(stream: story.stream, type: "NoSuchEvent", data: Data("{}".utf8))], to: story.stream, expecting: .noStream
        ).lastPosition
        let now = Date()
        let input = ReportInput(model: ReadModel(), people: [:], events: try story.events(upTo: now), now: now)
        for build in [{ _ = try Reports.status(input) }, { _ = try Reports.changes(input, since: .distantPast, until: now) }] {
            let error = #expect(throws: EventDecodingError.self) { try build() }
            #expect(error?.type == "NoSuchEvent")
            #expect(error?.position == position)
        }
    }

    /// The points of the first line chart, one date → value pair each.
    static func points(_ report: Report) -> [[Date: Double]] {
        for chart in report.charts {
            if case .line(let line) = chart { return line.points.map { [$0.date: $0.value] } }
        }
        return []
    }
}
