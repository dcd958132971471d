import Foundation
import Postgres
import TestSupport
import Testing

/// Issue 15, items 2 and 7, through the built binary: metric values and hours keep the decimals
/// given in every format, and event bodies carry their ids as every column shows them.
@Suite("exact numbers and lower-case ids", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct ExactNumbersTests {
    /// A retainer at Harbour Bakery, recorded in October 2026:
    /// - `answers` (answers a day): baseline 1.8, target 3.5, measured 2.4 on 10-10;
    /// - `rating` (average rating): an integer baseline 4 and target 5, measured 4.25 on 10-10;
    /// - 5.25 hours of work on 10-12, against 6.5 hours a month.
    static func harbour() throws -> MonthFixture {
        let fixture = try MonthFixture(recordMonth: false)
        let steps: [[String]] = [
            ["org", "add", "Harbour Bakery", "--at", "2026-10-01"],
            ["lead", "capture", "harbour-bakery", "--source", "inbound", "--at", "2026-10-01"],
            [
                "engagement", "start", "harbour-bakery", "--title", "Answers online", "--kind", "retainer", "--hours-per-month", "6.5",
                "--at", "2026-10-02",
            ],
            [
                "objective", "set", "answers-online", "--handle", "answers", "--area", "complaint handling", "--statement",
                "Questions are answered the same day", "--metric", "answers a day", "--baseline", "1.8", "--target", "3.5", "--due",
                "2027-03-31", "--at", "2026-10-02",
            ],
            [
                "objective", "set", "answers-online", "--handle", "rating", "--area", "service awareness", "--statement",
                "Customers rate the answers", "--metric", "average rating", "--baseline", "4", "--target", "5", "--due", "2027-03-31",
                "--at", "2026-10-02",
            ],
            ["objective", "measure", "answers", "2.4", "--at", "2026-10-10"],
            ["objective", "measure", "rating", "4.25", "--at", "2026-10-10"],
            ["engagement", "work", "answers-online", "5.25", "answering questions", "--at", "2026-10-12"],
        ]
        for step in steps {
            let output = try fixture.consult(step)
            #expect(output.status == 0, "\(step): \(output.stderr)")
        }
        return fixture
    }

    /// A table's data rows, each split into its cells (columns are two or more spaces apart;
    /// empty cells drop out).
    static func rows(_ table: String, section: String) -> [[String]] {
        let lines = table.components(separatedBy: "\n")
        guard let start = lines.firstIndex(of: section) else { return [] }
        return lines[(start + 2)...].prefix { $0.hasPrefix("  ") }.map { line in
            line.split(separator: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
    }

    /// A CSV (no quoted fields) as one dictionary per row, by the header's keys.
    static func records(_ csv: String) -> [[String: String]] {
        let lines = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let keys = lines[0].components(separatedBy: ",")
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(keys, $0.components(separatedBy: ","))) }
    }

    // Progress by hand (rule 8), exact decimals:
    //   answers: 100 × (2.4 − 1.8) / (3.5 − 1.8) = 100 × 0.6 / 1.7 = 600 / 17 = 35.2941176470588235…;
    //            the Double nearest it prints as 35.294117647058826; one decimal: 35.3 %.
    //   rating:  100 × (4.25 − 4) / (5 − 4) = 100 × 0.25 / 1 = 25; one decimal: 25.0 %.
    // Precision of each metric: answers 1.8, 3.5, 2.4 → one decimal; rating 4, 5, 4.25 → two,
    // so its baseline and target show as 4.00 and 5.00 in a table, 4 and 5 in JSON and CSV.
    // Hours in October: 5.25, the same in every format; the budget 6.5 a month.

    @Test("a metric's values keep their decimals in the table, the CSV and the JSON; progress is the exact ratio")
    func statusFormats() throws {
        let fixture = try Self.harbour()
        let asOf = ["--as-of", "2026-10-20"]

        let table = try fixture.consult(["status", "--format", "table"] + asOf)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(
            Self.rows(table.stdout, section: "Objectives") == [
                ["answers-online", "answers", "answers a day", "1.8", "2.4", "3.5", "35.3%", "2027-03-31", "2026-10-10", "open"],
                ["answers-online", "rating", "average rating", "4.00", "4.25", "5.00", "25.0%", "2027-03-31", "2026-10-10", "open"],
            ], "\(table.stdout)")
        // Hours this month and hours a month: the last two columns of the engagement's row.
        #expect(Self.rows(table.stdout, section: "Engagements").first?.suffix(2) == ["5.25", "6.5"], "\(table.stdout)")

        let csv = try fixture.consult(["status", "--format", "csv", "--section", "objectives"] + asOf)
        #expect(
            csv.stdout
                == "engagement,objective,metric,baseline,latest,target,progress,trend,due,last_measured,status\r\n"
                + "answers-online,answers,answers a day,1.8,2.4,3.5,35.294117647058826,,2027-03-31,2026-10-10,open\r\n"
                + "answers-online,rating,average rating,4,4.25,5,25,,2027-03-31,2026-10-10,open\r\n", "\(csv.stdout)")
        let hours = Self.records(try fixture.consult(["status", "--format", "csv", "--section", "engagements"] + asOf).stdout)
        #expect(hours.map { [$0["hours_this_month"], $0["hours_per_month"]] } == [["5.25", "6.5"]])

        let json = try fixture.consult(["status", "--format", "json"] + asOf).stdout
        let answers = """
                  {
                    "baseline" : 1.8,
                    "due" : "2027-03-31",
                    "engagement" : "answers-online",
                    "last_measured" : "2026-10-10",
                    "latest" : 2.4,
                    "metric" : "answers a day",
                    "objective" : "answers",
                    "progress" : 35.294117647058826,
                    "status" : "open",
                    "target" : 3.5,
                    "trend" : null
                  }
            """
        let rating = """
                  {
                    "baseline" : 4,
                    "due" : "2027-03-31",
                    "engagement" : "answers-online",
                    "last_measured" : "2026-10-10",
                    "latest" : 4.25,
                    "metric" : "average rating",
                    "objective" : "rating",
                    "progress" : 25,
                    "status" : "open",
                    "target" : 5,
                    "trend" : null
                  }
            """
        #expect(json.contains(answers) && json.contains(rating), "\(json)")
        #expect(json.contains("\"hours_this_month\" : 5.25,") && json.contains("\"hours_per_month\" : 6.5,"), "\(json)")

        // The timeline says what was typed.
        let log = try fixture.consult(["log", "--engagement", "answers-online"]).stdout
        #expect(log.contains("logged 5.25 h: answering questions") && log.contains("measured answers: 2.4"), "\(log)")
    }

    @Test("the read model holds the exact values: live, as of a date and after a rebuild say the same")
    func liveAsOfRebuild() throws {
        let fixture = try Self.harbour()
        let admin = try fixture.database.connect()
        let stored = try admin.execute(
            "SELECT baseline::text, latest::text, target::text, decimals FROM consult.objective_progress ORDER BY handle")
        #expect(
            try stored.map { [try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1), try $0.decode(String.self, at: 2)] }
                == [["1.8", "2.4", "3.5"], ["4", "4.25", "5"]])
        #expect(try stored.map { try $0.decode(Int.self, at: 3) } == [1, 2])

        func objectives(_ arguments: [String]) throws -> String {
            let output = try fixture.consult(["status", "--format", "csv", "--section", "objectives"] + arguments)
            #expect(output.status == 0, "\(output.stderr)")
            return output.stdout
        }
        let live = try objectives([])
        #expect(live.contains(",1.8,2.4,3.5,35.294117647058826,") && live.contains(",4,4.25,5,25,"), "\(live)")
        #expect(try objectives(["--as-of", "2026-10-20"]) == live)
        let rebuild = try ConsultProcess.run([
            "projections", "rebuild", "--verify", "--tenant", "northwind", "--database", try fixture.database.conninfo,
        ])
        #expect(rebuild.status == 0, "\(rebuild.stdout) \(rebuild.stderr)")
        #expect(try objectives([]) == live)
    }

    @Test("new event bodies carry lower-case ids: data->>'organisation' = organisation_id::text matches")
    func lowerCaseIds() throws {
        let fixture = try Self.harbour()
        let admin = try fixture.database.connect()
        let matches = try admin.execute(
            """
            SELECT (SELECT count(*) FROM consult.events e JOIN consult.organisations o
                       ON o.tenant_id = e.tenant_id AND e.data->>'organisation' = o.organisation_id::text
                     WHERE e.type = 'LeadCaptured')::int,
                   (SELECT count(*) FROM consult.events e JOIN consult.pipeline p
                       ON p.tenant_id = e.tenant_id AND e.data->>'lead' = p.lead_id::text
                     WHERE e.type = 'LeadCaptured')::int,
                   (SELECT count(*) FROM consult.events,
                           regexp_matches(data::text, '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}', 'g') AS id
                     WHERE id[1] <> lower(id[1]))::int
            """)[0]
        #expect(try matches.decode(Int.self, at: 0) == 1)
        #expect(try matches.decode(Int.self, at: 1) == 1)
        // No id in any body is upper case.
        #expect(try matches.decode(Int.self, at: 2) == 0)
    }
}
