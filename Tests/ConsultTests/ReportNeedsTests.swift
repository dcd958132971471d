import BackOffice
import Foundation
import Postgres
import Projections
import Recording
import Reports
import TestSupport
import Testing

/// A report reads only the read-model tables it names (issue 19 target 6: the pipeline's three
/// of eight), and a report given only what it names says exactly what it says given everything:
/// were a report to use a table, people's names or the log it does not name, its output from
/// its own read would differ here, or lack what the fixture puts in its way.
///
/// The tenant is the consultant's month (scripts/month), then, through the built binary, what
/// puts names and people's rows in every report's way: a duplicate of Priya Shah refers Kentish
/// Books and is merged into her (the referrals report must name the referrer by the kept
/// person's name), and Tom Reid, a receiving owner of the month's handover, leaves
/// Northbridge Libraries (the handovers report must say "(left)", read from the people table).
@Suite("reports read what they name", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct ReportNeedsTests {
    static let fixture = Result { () throws -> MonthFixture in
        let fixture = try MonthFixture()
        func run(_ at: String, _ arguments: [String]) throws {
            let output = try fixture.consult(arguments + ["--at", at])
            #expect(output.status == 0, "consult \(arguments.joined(separator: " ")): \(output.stderr)")
        }
        try run("2026-10-01", ["person", "add", "Priya Shah", "--org", "camden-arts-trust", "--handle", "priya-shah-2", "--yes"])
        try run("2026-10-02", ["org", "add", "Kentish Books"])
        try run("2026-10-02", ["referral", "receive", "kentish-books", "--from", "priya-shah-2", "--value", "2000 GBP"])
        try run("2026-10-03", ["person", "merge", "priya-shah", "priya-shah-2", "--reason", "added twice"])
        try run("2026-10-04", ["person", "leave", "tom-reid"])
        return fixture
    }

    /// A recorder acting as the fixture's member, in this process.
    static func recorder(_ fixture: MonthFixture) throws -> Recorder {
        try Recorder(connection: try fixture.database.connect(user: fixture.ann), tenant: nil)
    }

    /// The same input at one instant, so two reads render alike unless their data differ.
    static func at(_ instant: Date, _ input: ReportInput) -> ReportInput {
        // The model and names are merged already; merging again changes nothing.
        ReportInput(model: input.model, people: input.people, events: input.events, now: instant, merges: input.merges)
    }

    static let reports: [(name: String, needs: ReportNeeds, render: @Sendable (ReportInput) throws -> Report)] = [
        ("pipeline", Reports.pipelineNeeds, { Reports.pipeline($0) }),
        ("referrals", Reports.referralsNeeds, { Reports.referrals($0) }),
        ("handovers", Reports.handoversNeeds, { Reports.handovers($0) }),
        ("status", Reports.statusNeeds, { try Reports.status($0, includeClosed: true) }),
    ]

    @Test("each report renders the same in every format from its own read as from everything")
    func sameOutput() throws {
        let fixture = try Self.fixture.get()
        let recorder = try Self.recorder(fixture)
        let everything = try recorder.reportInput(asOf: nil)
        let now = everything.now
        for report in Self.reports {
            let own = Self.at(now, try recorder.reportInput(asOf: nil, needs: report.needs))
            let full = Self.at(now, everything)
            for format in [ReportFormat.json, .table, .csv, .markdown, .html] {
                let mine = Render.render(try report.render(own), as: format)
                let theirs = Render.render(try report.render(full), as: format)
                #expect(mine == theirs, "\(report.name) --format \(format)")
            }
            // It did read less: the tables it does not name come back empty.
            for table in ReadModel.Table.allCases where !report.needs.tables.contains(table) {
                #expect(Self.rowCount(own.model, table) == 0, "\(report.name) read \(table.rawValue)")
                #expect(Self.rowCount(full.model, table) > 0, "the month has \(table.rawValue) rows")
            }
            #expect(own.events.isEmpty == !report.needs.events)
            #expect(own.people.isEmpty == !report.needs.names)
        }
    }

    @Test("what the fixture puts in the way shows: the kept person's name for the duplicate, and who left")
    func theFixtureBites() throws {
        let fixture = try Self.fixture.get()
        let recorder = try Self.recorder(fixture)
        let referrals = Reports.referrals(try recorder.reportInput(asOf: nil, needs: Reports.referralsNeeds))
        // Priya Shah referred northbridge-libraries (the month, 09-01) and, as her duplicate,
        // kentish-books (10-02): both rows name her, by the kept person's name.
        let referrers = (referrals.section("referrals")?.rows ?? []).map { "\($0[1].plain): \($0[0].plain)" }.sorted()
        #expect(referrers == ["kentish-books: Priya Shah", "northbridge-libraries: Priya Shah"])
        let handovers = Render.render(
            Reports.handovers(try recorder.reportInput(asOf: nil, needs: Reports.handoversNeeds)), as: .json)
        #expect(handovers.contains("Tom Reid (left)"), "\(handovers)")
        // Without the people table, the same report would not know he left: the test above is not vacuous.
        var lacking = Reports.handoversNeeds
        lacking.tables.remove(.people)
        let without = Render.render(Reports.handovers(try recorder.reportInput(asOf: nil, needs: lacking)), as: .json)
        #expect(!without.contains("Tom Reid (left)"))
    }

    @Test("readModel(tables:) reads each table as readModel() does, and only it")
    func oneTableAtATime() throws {
        let fixture = try Self.fixture.get()
        let projector = Projector(connection: try fixture.database.connect(user: fixture.ann), tenant: fixture.tenant)
        let all = try projector.readModel()
        for table in ReadModel.Table.allCases {
            let one = try projector.readModel(tables: [table])
            #expect(Self.rowCount(one, table) == Self.rowCount(all, table) && Self.rowCount(all, table) > 0, "\(table.rawValue)")
            #expect(Self.same(one, all, table), "\(table.rawValue)")
            let others = ReadModel.Table.allCases.filter { $0 != table }.map { Self.rowCount(one, $0) }
            #expect(others.allSatisfy { $0 == 0 }, "\(table.rawValue): \(others)")
        }
        // Every table, named one by one, is the whole model.
        #expect(try projector.readModel(tables: Set(ReadModel.Table.allCases)).sameRows(as: all))
        // Each name is a read-model table the projector writes, and all of them but the quarantine.
        #expect(Set(ReadModel.Table.allCases.map(\.rawValue) + ["projection_quarantine"]) == Set(Projector.tables))
    }

    static func rowCount(_ model: ReadModel, _ table: ReadModel.Table) -> Int {
        switch table {
        case .pipeline: model.pipeline.count
        case .stages: model.stages.count
        case .engagements: model.engagements.count
        case .objectives: model.objectives.count
        case .referrals: model.referrals.count
        case .handovers: model.handovers.count
        case .people: model.people.count
        case .organisations: model.organisations.count
        }
    }

    static func same(_ a: ReadModel, _ b: ReadModel, _ table: ReadModel.Table) -> Bool {
        switch table {
        case .pipeline: a.pipeline == b.pipeline
        case .stages: a.stages == b.stages
        case .engagements: a.engagements == b.engagements
        case .objectives: a.objectives == b.objectives
        case .referrals: a.referrals == b.referrals
        case .handovers: a.handovers == b.handovers
        case .people: a.people == b.people
        case .organisations: a.organisations == b.organisations
        }
    }
}
