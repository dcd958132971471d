import Foundation
import TestSupport
import Testing

/// Health's rules (DOMAIN.md "Health of an engagement") in their corners, worked out by hand.
@Suite("health of an engagement", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct HealthTests {
    /// The `reasons` of the first engagement in `consult status --format json --as-of day`.
    static func reasons(_ fixture: MonthFixture, _ day: String) throws -> (health: String, reasons: String) {
        let output = try fixture.consult(["status", "--format", "json", "--as-of", day])
        #expect(output.status == 0, "\(output.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let row = try #require(((object["sections"] as? [String: Any])?["engagements"] as? [[String: Any]])?.first)
        return (try #require(row["health"] as? String), try #require(row["reasons"] as? String))
    }

    @Test("an objective due before its engagement started is behind plan once its due date has passed, not skipped")
    func dueBeforeStart() throws {
        let fixture = try MonthFixture(recordMonth: false)
        for step in [
            ["org", "add", "Seaside Cafe", "--at", "2026-11-10"],
            ["engagement", "start", "seaside-cafe", "--title", "Cafe online", "--at", "2026-11-10"],
            // Due 2026-11-01, nine days before the start: work already under way when recorded.
            [
                "objective", "set", "cafe-online", "--handle", "orders", "--area", "sales", "--statement", "More online orders",
                "--metric", "orders a week", "--baseline", "10", "--target", "50", "--due", "2026-11-01", "--at", "2026-11-10",
            ],
        ] {
            let output = try fixture.consult(step)
            #expect(output.status == 0, "\(step): \(output.stderr)")
        }
        // As of 2026-11-20: the due date has passed, so the whole way (100) is expected; no
        // measurement, progress 0: 100 − 0 = 100 points behind. Set 10 days ago: not stalled (30).
        let status = try Self.reasons(fixture, "2026-11-20")
        #expect(status.health == "at risk")
        #expect(status.reasons == "orders is 100 points behind plan")
    }
}
