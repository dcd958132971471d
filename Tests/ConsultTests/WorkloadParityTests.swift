import BackOffice
import EventStore
import Foundation
import Postgres
import TestSupport
import Testing
import Workload

/// The bench must measure the log a user has: its generator runs the application layer's own
/// plans, so it writes the streams and event types the CLI writes, and nothing the CLI never
/// writes (it once claimed `handle-person-…` streams, which only the bench had).
@Suite("the bench's Workload writes the log the CLI writes", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct WorkloadParityTests {
    /// A stream's kind, with what names it: `lead`, `handle-engagement`, …
    static func category(_ stream: String) -> String? {
        switch StreamName(parsing: stream)?.category {
        case .entity(let kind, _): kind.rawValue
        case .handle(let kind, _): "handle-" + kind.rawValue
        case nil: nil
        }
    }

    @Test("every (stream kind, event type) the Workload generates is one the CLI writes, and they agree on every type both write")
    func sameStreamsAndTypes() throws {
        // The CLI: the consultant's month, and the facts the month has none of (a disqualified
        // lead, a lost one whose close moved, a corrected measurement, a pause, an achievement).
        let fixture = try MonthFixture()
        func run(_ arguments: [String]) throws -> String {
            let output = try fixture.consult(arguments + ["--at", "2026-11-02"])
            #expect(output.status == 0, "consult \(arguments.joined(separator: " ")): \(output.stderr)")
            return output.stdout
        }
        _ = try run(["org", "add", "Riverside Dental"])
        _ = try run(["lead", "capture", "riverside-dental", "--source", "outbound"])
        _ = try run(["lead", "disqualify", "riverside-dental", "--reason", "no-business-objective"])
        _ = try run(["lead", "capture", "camden-arts-trust", "--source", "talk", "--expected-close", "2026-12-01"])
        _ = try run(["lead", "move-close", "camden-arts-trust", "--to", "2027-01-15"])
        _ = try run(["lead", "lose", "camden-arts-trust", "--reason", "timing"])
        _ = try run(["engagement", "start", "camden-arts-trust", "--title", "Arts online", "--kind", "coaching"])
        _ = try run([
            "objective", "set", "arts-online", "--area", "sales", "--statement", "Bookings from social", "--metric", "bookings",
            "--baseline", "10", "--target", "40", "--due", "2027-03-31",
        ])
        let measured = try run(["objective", "measure", "bookings", "18", "--format", "json"])
        let body = try #require(
            (try JSONSerialization.jsonObject(with: Data(measured.utf8)) as? [[String: Any]])?.first?["data"] as? [String: Any])
        let measurement = try #require(body["measurement"] as? String)
        _ = try run(["objective", "correct", "bookings", "--measurement", measurement, "19", "--reason", "typo"])
        _ = try run(["engagement", "pause", "arts-online", "--reason", "busy season"])
        _ = try run(["engagement", "resume", "arts-online"])
        _ = try run(["objective", "achieve", "bookings"])

        let owner = try fixture.database.connect()
        defer { owner.close() }
        var cli = Set<String>()
        for row in try owner.execute("SELECT stream, type FROM consult.events WHERE tenant_id = \(fixture.tenant.rawValue)") {
            let stream = try row.decode(String.self, at: 0)
            let category = try #require(Self.category(stream), "the CLI wrote a stream StreamName does not know: \(stream)")
            cli.insert(category + " " + (try row.decode(String.self, at: 1)))
        }

        // The bench's generator, over enough stories to reach every fate (won, lost,
        // disqualified, paused, corrected, handed over).
        var bench = Set<String>()
        var events = 0
        Workload(seed: 7).tenant(0, events: 6_000) { command in
            for event in command.events {
                events += 1
                bench.insert((Self.category(event.stream) ?? "unparsed " + event.stream) + " " + event.type)
            }
        }
        #expect(events >= 6_000)
        // Nothing the CLI never writes.
        #expect(bench.subtracting(cli).sorted() == [])
        // And every kind of fact the generator makes, the CLI story made too: the comparison
        // covers the whole of the bench's log (an empty or one-sided set would prove nothing).
        let types = { (pairs: Set<String>) in Set(pairs.map { String($0.split(separator: " ")[1]) }) }
        #expect(types(bench).subtracting(types(cli)).sorted() == [])
        #expect(types(bench).count >= 30)
        // Where both write a type, they write it to the same kinds of stream.
        let shared = types(bench).intersection(types(cli))
        #expect(
            bench.filter { shared.contains(String($0.split(separator: " ")[1])) }
                == cli.filter {
                    shared.contains(String($0.split(separator: " ")[1]))
                })
    }
}
