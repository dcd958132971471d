import Foundation
import Postgres
import TestSupport
import Testing

/// Corrections as events and `consult undo` (issue 16 items 4 and 5), through the built binary:
/// each kind of fact corrected and undone, the reports and an as-of date before the correction
/// checked against figures worked out by hand, bad input refused with nothing written.
@Suite("corrections and undo", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct CorrectionTests {
    /// A fresh tenant (no month) with Harbour Bakery, its owner, and a retainer of 10 h a month.
    struct Bakery {
        let fixture: MonthFixture

        init() throws {
            fixture = try MonthFixture(recordMonth: false)
            for step in [
                ["org", "add", "Harbour Bakery", "--sector", "bakery", "--at", "2026-11-01"],
                [
                    "person", "add", "Sam Reed", "--org", "harbour-bakery", "--title", "Owner", "--level", "manager", "--email",
                    "sam@harbour.example", "--at", "2026-11-01",
                ],
                ["person", "add", "Ada Lane", "--org", "harbour-bakery", "--title", "Baker", "--level", "frontline", "--at", "2026-11-01"],
                [
                    "engagement", "start", "harbour-bakery", "--title", "Bakery on Instagram", "--kind", "retainer", "--hours-per-month",
                    "10",
                    "--at", "2026-11-01",
                ],
            ] {
                try ok(step)
            }
        }

        @discardableResult
        func ok(_ arguments: [String], as role: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
            let output = try fixture.consult(arguments, as: role)
            #expect(output.status == 0, "\(arguments): \(output.stderr)", sourceLocation: sourceLocation)
            return output.stdout
        }

        func json(_ arguments: [String], as role: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
            let text = try ok(arguments + ["--format", "json"], as: role, sourceLocation: sourceLocation)
            return try JSONSerialization.jsonObject(with: Data(text.utf8))
        }

        /// A report's section rows, as JSON.
        func rows(_ arguments: [String], _ section: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
            let object = try #require(try json(arguments, sourceLocation: sourceLocation) as? [String: Any], sourceLocation: sourceLocation)
            let sections = try #require(object["sections"] as? [String: Any], sourceLocation: sourceLocation)
            return sections[section] as? [[String: Any]] ?? []
        }

        /// The log's entries, as JSON.
        func log(_ arguments: [String] = []) throws -> [[String: Any]] {
            try #require(try json(["log"] + arguments) as? [[String: Any]])
        }

        /// The position `consult log` gives the first event of `type` whose body has `key` = `value`.
        func position(_ type: String, _ key: String, _ value: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
            let entry = try #require(
                try log().first {
                    ($0["type"] as? String) == type && "\((($0["data"] as? [String: Any])?[key]).map { "\($0)" } ?? "")" == value
                },
                "no \(type) with \(key) \(value)", sourceLocation: sourceLocation)
            return "\(try #require(entry["position"] as? Int, sourceLocation: sourceLocation))"
        }

        /// Runs a command that must be refused: its exit status, its message, nothing written.
        func refused(
            _ arguments: [String], status: Int32 = 1, saying: String, as role: String? = nil,
            sourceLocation: SourceLocation = #_sourceLocation
        ) throws {
            let before = try fixture.eventCount()
            let output = try fixture.consult(arguments, as: role)
            #expect(output.status == status, "\(arguments): \(output.stdout) \(output.stderr)", sourceLocation: sourceLocation)
            #expect(output.stderr.contains(saying), "\(arguments): \(output.stderr)", sourceLocation: sourceLocation)
            #expect(try fixture.eventCount() == before, "\(arguments) wrote events", sourceLocation: sourceLocation)
        }

        /// The engagement's hours this month in `consult status --as-of DAY`.
        func hours(asOf day: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Double? {
            let row = try rows(["status", "--as-of", day], "engagements", sourceLocation: sourceLocation).first
            return (row?["hours_this_month"] as? NSNumber)?.doubleValue
        }

        /// The read model's hours by month, as the projection holds them now.
        func projectedHours() throws -> String {
            _ = try ok(["projections", "catch-up"])
            let connection = try fixture.database.connect()
            defer { connection.close() }
            return try connection.execute("SELECT hours_by_month::text FROM consult.engagement_status")[0].decode(String.self, at: 0)
        }
    }

    @Test("a work entry of 12 h corrected to 1.2, undone, redone, another voided: status, as-of and the read model follow")
    func work() throws {
        let bakery = try Bakery()
        try bakery.ok(["engagement", "work", "bakery-on-instagram", "3.5", "content calendar", "--at", "2026-11-03"])
        try bakery.ok(["engagement", "work", "bakery-on-instagram", "12", "photo shoot", "--at", "2026-11-04"])
        let twelve = try bakery.position("WorkLogged", "hours", "12")
        let calendar = try bakery.position("WorkLogged", "hours", "3.5")
        // November as logged: 3.5 + 12 = 15.5 h.
        #expect(try bakery.hours(asOf: "2026-11-05") == 15.5)

        // The correction, as JSON: what it corrects, from what, to what, and why.
        let corrected = try #require(
            try bakery.json([
                "engagement", "work", "correct", twelve, "--hours", "1.2", "--reason", "typed 12 for 1.2", "--at", "2026-11-06",
            ]) as? [[String: Any]])
        #expect(corrected.map { $0["type"] as? String } == ["WorkEntryCorrected"])
        let body = try #require(corrected.first?["data"] as? [String: Any])
        #expect((body["from"] as? NSNumber)?.doubleValue == 12 && (body["to"] as? NSNumber)?.doubleValue == 1.2)
        #expect(body["day"] as? String == "2026-11-04" && body["reason"] as? String == "typed 12 for 1.2")

        // After: 3.5 + 1.2 = 4.7 h; as of the day before the correction, still 15.5 h.
        #expect(try bakery.hours(asOf: "2026-11-07") == 4.7)
        #expect(try bakery.hours(asOf: "2026-11-05") == 15.5)
        #expect(try bakery.projectedHours() == #"{"2026-11": 4.7}"#)

        // The log shows both, the entry's number first.
        let table = try bakery.ok(["log", "--engagement", "bakery-on-instagram", "--wide", "--no-pager"])
        #expect(table.contains("logged 12 h: photo shoot"), "\(table)")
        #expect(table.contains("corrected the work entry of 2026-11-04 from 12 h to 1.2 h: typed 12 for 1.2"), "\(table)")
        #expect(table.split(separator: "\n").contains { $0.hasPrefix(Substring(twelve + " ")) }, "\(table)")

        // Undo puts 12 h back (3.5 + 12 = 15.5), undoing the undo 1.2 again (4.7).
        let undo = try bakery.ok(["undo", "--at", "2026-11-08"])
        #expect(undo.contains("Undid command ") && undo.contains("corrected the work entry of 2026-11-04 from 12 h to 1.2 h"), "\(undo)")
        #expect(try bakery.hours(asOf: "2026-11-08") == 15.5)
        try bakery.ok(["undo", "--at", "2026-11-09"])
        #expect(try bakery.hours(asOf: "2026-11-09") == 4.7)
        #expect(try bakery.hours(asOf: "2026-11-07") == 4.7)

        // Voiding the calendar's 3.5 h leaves 1.2 h (4.7 − 3.5).
        #expect(
            try bakery.ok(["engagement", "work", "void", calendar, "--reason", "logged on the wrong client", "--at", "2026-11-10"])
                == "Voided work entry \(calendar).\n")
        #expect(try bakery.hours(asOf: "2026-11-10") == 1.2)
        #expect(try bakery.projectedHours() == #"{"2026-11": 1.2}"#)

        // Bad input: refused, with nothing written.
        try bakery.refused(
            ["engagement", "work", "correct", twelve, "--hours=-1", "--reason", "x"], saying: "hours are never negative")
        try bakery.refused(["engagement", "work", "void", calendar, "--reason", "again"], saying: "the entry is voided already")
        try bakery.refused(["engagement", "work", "void", "99999", "--reason", "x"], saying: "there is no work entry #99999")
        try bakery.refused(["engagement", "work", "void", "1", "--reason", "x"], saying: "there is no work entry #1")
        try bakery.refused(["engagement", "work", "void", "twelve", "--reason", "x"], saying: "is not an entry")
        try bakery.refused(["engagement", "work", "void", twelve], status: 64, saying: "--reason")
        try bakery.refused(["engagement", "work", "correct", twelve, "--hours", "1.2.3", "--reason", "x"], saying: "is not a number")
    }
}
