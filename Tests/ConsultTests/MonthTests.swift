import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("a consultant's month, end to end", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct MonthTests {
    static let expected: [(String, String, String)] = [
        ("2026-08-03", "ann", "OrganisationRegistered"),
        ("2026-08-03", "ann", "PersonAdded"),
        ("2026-08-31", "ann", "OrganisationRegistered"),
        ("2026-08-31", "ann", "PersonAdded"),
        ("2026-08-31", "ann", "PersonAdded"),
        ("2026-08-31", "ann", "PersonAdded"),
        ("2026-09-01", "ann", "LeadCaptured"),
        ("2026-09-01", "ann", "ReferralReceived"),
        ("2026-09-02", "ann", "LeadStageChanged"),
        ("2026-09-03", "ann", "LeadQualified"),
        ("2026-09-03", "ann", "LeadStageChanged"),
        ("2026-09-04", "ann", "ProposalSent"),
        ("2026-09-04", "ann", "LeadStageChanged"),
        ("2026-09-05", "ann", "LeadWon"),
        ("2026-09-05", "ann", "LeadStageChanged"),
        ("2026-09-05", "ann", "EngagementStarted"),
        ("2026-09-05", "ann", "PurposeStated"),
        ("2026-09-06", "ann", "ReferrerThanked"),
        ("2026-09-06", "ann", "ObjectiveSet"),
        ("2026-09-06", "ann", "ObjectiveSet"),
        ("2026-09-07", "ann", "SponsorAppointed"),
        ("2026-09-07", "ann", "ChampionNominated"),
        ("2026-09-07", "ann", "ChampionNominated"),
        ("2026-09-08", "ann", "ChannelAdopted"),
        ("2026-09-09", "bob", "CoachingSessionHeld"),
        ("2026-09-09", "bob", "WorkLogged"),
        ("2026-09-12", "ann", "MeasurementRecorded"),
        ("2026-09-12", "ann", "MeasurementRecorded"),
        ("2026-09-15", "ann", "HandoverPlanned"),
        ("2026-09-15", "ann", "HandoverItemAdded"),
        ("2026-09-15", "ann", "HandoverItemAdded"),
        ("2026-09-15", "ann", "HandoverItemAdded"),
        ("2026-09-16", "bob", "CoachingSessionHeld"),
        ("2026-09-19", "bob", "MeasurementRecorded"),
        ("2026-09-19", "bob", "MeasurementRecorded"),
        ("2026-09-22", "ann", "HandoverItemCompleted"),
        ("2026-09-23", "ann", "HandoverItemCompleted"),
        ("2026-09-23", "ann", "HandoverItemWaived"),
        ("2026-09-24", "ann", "AccountControlTransferred"),
        ("2026-09-25", "ann", "HandoverCompleted"),
        ("2026-09-26", "ann", "MeasurementRecorded"),
        ("2026-09-26", "ann", "MeasurementRecorded"),
        ("2026-09-28", "ann", "EngagementClosed"),
        ("2026-10-26", "ann", "FollowUpChecked"),
        ("2026-10-27", "ann", "IntroductionRequested"),
        ("2026-10-29", "ann", "IntroductionAnswered"),
    ]

    @Test("consult log --format json returns exactly the month's events, in order, with their actors and dates")
    func logMatchesTheMonth() throws {
        let fixture = try MonthFixture()
        let output = try fixture.consult(["log", "--format", "json"])
        #expect(output.status == 0, "\(output.stderr)")
        let events = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]])
        let actual = events.map { event in
            (
                String((event["occurred_at"] as? String ?? "").prefix(10)),
                event["actor"] as? String == fixture.ann ? "ann" : event["actor"] as? String == fixture.bob ? "bob" : "?",
                event["type"] as? String ?? ""
            )
        }
        #expect(actual.count == Self.expected.count)
        for (index, (got, want)) in zip(actual, Self.expected).enumerated() {
            #expect(got == want, "event \(index + 1)")
        }
        // The table form tells the same story, each line after the entry's number (`#`).
        let table = try fixture.consult(["log", "--engagement", "libraries-on-twitter"])
        let closing = table.stdout.split(separator: "\n").first { $0.contains(" 2026-09-28 00:00 ") }
        #expect(closing?.hasSuffix("engagement libraries-on-twitter  closed the engagement: handed-over") == true)
    }

    @Test("recording the month again records nothing twice")
    func idempotent() throws {
        let fixture = try MonthFixture()
        let before = try fixture.eventCount()
        let again = try fixture.month()
        #expect(try fixture.eventCount() == before)
        #expect(again.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("Already recorded by command ") })
    }

    @Test("two consultants record 200 measurements each on the same engagement at once: all succeed, none lost")
    func concurrentMeasurements() throws {
        let fixture = try MonthFixture(recordMonth: false)
        try fixture.oneEngagement()
        let before = try fixture.eventCount()
        let roles = [fixture.ann, fixture.bob]
        let results = onThreads(2) { index in
            var failures: [String] = []
            for n in 0..<200 {
                let output = try fixture.consult(["objective", "measure", "followers", String(index * 1000 + n)], as: roles[index])
                if output.status != 0 { failures.append(output.stderr) }
            }
            return failures
        }
        let failures = try results.flatMap { try $0.get() }
        #expect(failures == [])
        #expect(try fixture.eventCount() == before + 400)
        let values = try fixture.database.connect().execute(
            "SELECT (data->>'value')::float8::int AS v, metadata->>'actor' AS actor FROM consult.events WHERE type = 'MeasurementRecorded'")
        #expect(Set(try values.map { try $0.decode(Int.self, at: 0) }) == Set((0..<200).map { $0 } + (0..<200).map { 1000 + $0 }))
        #expect(Set(try values.map { try $0.decode(String.self, at: 1) }) == Set(roles))
    }
}
