import BackOffice
import Foundation
import Reports
import TestSupport
import Testing

/// Time against budget through the built binary: work logged in the forms people type, either
/// side of the October/November boundary, on two engagements with budget hours and fees; status
/// and the timesheet checked against hours worked out by hand.
///
/// The work (UTC):
///
/// | day        | bakery-on-instagram (36 h, 7200 GBP) | gym-on-tiktok (3 h, 3000 GBP) |
/// |------------|---------------------------------------|-------------------------------|
/// | 2026-10-30 | 1:30 billable                          | 1h30m billable                |
/// | 2026-10-31 | 45m non-billable (23:30)               |                               |
/// | 2026-11-01 | 2h billable (00:15)                    | 90m billable                  |
/// | 2026-11-02 |                                       | 0:45 billable                 |
/// | 2026-11-15 | 1.25 billable                          | 1h non-billable               |
@Suite("time against budget", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct TimeTests {
    static let fixture = Result { () throws -> MonthFixture in
        let fixture = try MonthFixture(recordMonth: false)
        let steps: [[String]] = [
            ["org", "add", "Harbour Bakery", "--at", "2026-10-01"],
            [
                "engagement", "start", "harbour-bakery", "--title", "Bakery on Instagram", "--fee", "7200 GBP", "--budget-hours", "36",
                "--at", "2026-10-01",
            ],
            ["org", "add", "Riverside Gym", "--at", "2026-10-01"],
            [
                "engagement", "start", "riverside-gym", "--title", "Gym on TikTok", "--fee", "3000 GBP", "--budget-hours", "3h", "--at",
                "2026-10-01",
            ],
            ["engagement", "work", "bakery-on-instagram", "1:30", "content plan", "--at", "2026-10-30T10:00"],
            ["engagement", "work", "bakery-on-instagram", "45m", "invoicing", "--non-billable", "--at", "2026-10-31T23:30"],
            ["engagement", "work", "bakery-on-instagram", "2h", "shoot", "--at", "2026-11-01T00:15"],
            ["engagement", "work", "bakery-on-instagram", "1.25", "captions", "--at", "2026-11-15T09:00"],
            ["engagement", "work", "gym-on-tiktok", "1h30m", "audit", "--at", "2026-10-30T14:00"],
            ["engagement", "work", "gym-on-tiktok", "90m", "first videos", "--at", "2026-11-01T11:00"],
            ["engagement", "work", "gym-on-tiktok", "0:45", "edits", "--at", "2026-11-02T11:00"],
            ["engagement", "work", "gym-on-tiktok", "1h", "travel", "--non-billable", "--at", "2026-11-15T08:00"],
        ]
        for step in steps {
            let output = try fixture.consult(step)
            guard output.status == 0 else { throw Failure("\(step.joined(separator: " ")): \(output.stderr)") }
        }
        return fixture
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// A report's JSON sections.
    func sections(_ arguments: [String]) throws -> [String: [[String: Any]]] {
        let output = try Self.fixture.get().consult(arguments + ["--format", "json"])
        #expect(output.status == 0, "\(arguments): \(output.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        return try #require(object?["sections"] as? [String: [[String: Any]]])
    }

    /// Rows as `key=value`, numbers by their exact decimal text.
    func rows(_ rows: [[String: Any]]?, _ keys: [String]) -> [String] {
        (rows ?? []).map { row in
            keys.map { key -> String in
                switch row[key] {
                case let number as NSNumber where !(row[key] is Bool): "\(key)=\(number.decimalValue)"
                case let text as String: "\(key)=\(text)"
                case is NSNull, nil: "\(key)=-"
                case let value?: "\(key)=\(value)"
                }
            }.joined(separator: " ")
        }
    }

    static let budgetKeys = [
        "engagement", "month", "billable", "non_billable", "hours", "previous_month", "billable_to_date", "hours_to_date", "budget_hours",
        "left", "budget_state", "fee", "fee_used", "fee_left",
    ]

    @Test("status --month 2026-10: October's hours, and the budget used to October's end")
    func october() throws {
        let hours = try sections(["status", "--month", "2026-10"])["hours"]
        #expect(
            rows(hours, Self.budgetKeys) == [
                // Bakery, October: billable 1.5 (1:30), non-billable 0.75 (45m, 23:30 on the 31st
                // is still October in UTC), 2.25 in all; September nothing. To October's end
                // billable 1.5, all 2.25. Left 36 − 1.5 = 34.5. Fee used 7200 × 1.5 / 36 = 300,
                // left 7200 − 300 = 6900.
                "engagement=bakery-on-instagram month=2026-10 billable=1.5 non_billable=0.75 hours=2.25 previous_month=0 "
                    + "billable_to_date=1.5 hours_to_date=2.25 budget_hours=36 left=34.5 budget_state=34.5 h left fee=7200 "
                    + "fee_used=300 fee_left=6900",
                // Gym, October: 1.5 billable (1h30m). Left 3 − 1.5 = 1.5. Fee used
                // 3000 × 1.5 / 3 = 1500, left 1500.
                "engagement=gym-on-tiktok month=2026-10 billable=1.5 non_billable=0 hours=1.5 previous_month=0 billable_to_date=1.5 "
                    + "hours_to_date=1.5 budget_hours=3 left=1.5 budget_state=1.5 h left fee=3000 fee_used=1500 fee_left=1500",
            ])
        // The engagements section's hours are the month's too: 2.25 and 1.5.
        #expect(
            rows(try sections(["status", "--month", "2026-10"])["engagements"], ["engagement", "hours_this_month"]) == [
                "engagement=bakery-on-instagram hours_this_month=2.25", "engagement=gym-on-tiktok hours_this_month=1.5",
            ])
    }

    @Test("status --month 2026-11: November's hours, October's beside them, and the budget to November's end")
    func november() throws {
        let hours = try sections(["status", "--month", "2026-11"])["hours"]
        #expect(
            rows(hours, Self.budgetKeys) == [
                // Bakery, November: billable 2 + 1.25 = 3.25, non-billable 0, 3.25 in all;
                // October 1.5 + 0.75 = 2.25. To date billable 1.5 + 2 + 1.25 = 4.75, all
                // 4.75 + 0.75 = 5.5. Left 36 − 4.75 = 31.25. Fee used 7200 × 4.75 / 36 = 950,
                // left 7200 − 950 = 6250.
                "engagement=bakery-on-instagram month=2026-11 billable=3.25 non_billable=0 hours=3.25 previous_month=2.25 "
                    + "billable_to_date=4.75 hours_to_date=5.5 budget_hours=36 left=31.25 budget_state=31.25 h left fee=7200 "
                    + "fee_used=950 fee_left=6250",
                // Gym, November: billable 1.5 + 0.75 = 2.25, non-billable 1, 3.25 in all;
                // October 1.5. To date billable 1.5 + 2.25 = 3.75, all 4.75. Left
                // 3 − 3.75 = −0.75: over by 0.75 h. Fee used 3000 × 3.75 / 3 = 3750, left
                // 3000 − 3750 = −750.
                "engagement=gym-on-tiktok month=2026-11 billable=2.25 non_billable=1 hours=3.25 previous_month=1.5 "
                    + "billable_to_date=3.75 hours_to_date=4.75 budget_hours=3 left=-0.75 budget_state=over by 0.75 h fee=3000 "
                    + "fee_used=3750 fee_left=-750",
            ])
        // 4.75 / 36 = 13.19…%; 3.75 / 3 = 125%.
        let used = (hours ?? []).map { ($0["used_percent"] as? NSNumber)?.doubleValue ?? -1 }
        #expect(abs(used[0] - 475.0 / 36) < 1e-9 && used[1] == 125)
        // The CSV carries the same figures, exactly.
        let csv = try Self.fixture.get().consult(["status", "--month", "2026-11", "--format", "csv", "--section", "hours"])
        let lines = csv.stdout.split(separator: "\r\n").map(String.init)
        #expect(lines.first?.hasPrefix("engagement,month,hours,billable,non_billable,previous_month,billable_to_date,") == true)
        #expect(lines.dropFirst().first?.hasPrefix("bakery-on-instagram,2026-11,3.25,3.25,0,2.25,4.75,5.5,36,") == true)
        #expect(lines.dropFirst().first?.contains(",31.25,31.25 h left,7200.00,GBP,950.00,6250.00") == true, "\(csv.stdout)")
        #expect(lines.dropFirst(2).first?.contains(",-0.75,over by 0.75 h,3000.00,GBP,3750.00,-750.00") == true, "\(csv.stdout)")
    }

    /// The hours table of `status` at 80 columns, as of `day`.
    func narrowHours(asOf day: String) throws -> [String] {
        let fixture = try Self.fixture.get()
        let output = try ConsultProcess.run(
            ["status", "--as-of", day], environment: ["DATABASE_URL": fixture.conninfo, "PGUSER": fixture.ann, "COLUMNS": "80"])
        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n").map(String.init)
        #expect(lines.allSatisfy { $0.count <= 80 }, "\(output.stdout)")
        let start = try #require(lines.firstIndex { $0.hasPrefix("Hours in ") })
        return Array(lines[start...])
    }

    @Test("at 80 columns: billable and non-billable apart and the budget in words; last month's hours on the first days")
    func narrow() throws {
        // Mid-month: the month's hours, billable and not, and where the budget stands; the
        // previous month gives way. Gym to 11-20: billable 1.5 + 1.5 + 0.75 = 3.75 of 3.
        let mid = try narrowHours(asOf: "2026-11-20")
        let header = try #require(mid.dropFirst().first)
        for title in ["Hours", "Billable", "Non-billable", "Budget", "Against budget"] {
            #expect(header.contains(title), "\(title): \(mid)")
        }
        #expect(!header.contains("Hours 2026-10"))
        #expect(mid.contains { $0.hasPrefix("  gym-on-tiktok") && $0.hasSuffix("over by 0.75 h") })
        // On the 3rd: October's hours are the ones to invoice, so they stay: bakery
        // 1.5 + 0.75 = 2.25, gym 1.5. November so far: bakery 2 (11-01), gym 1.5 + 0.75 = 2.25.
        let early = try narrowHours(asOf: "2026-11-03")
        #expect(early.dropFirst().first?.contains("Hours 2026-10") == true, "\(early)")
        let bakery = try #require(early.first { $0.hasPrefix("  bakery-on-instagram") })
        #expect(bakery.split(separator: " ").contains("2.25") && bakery.hasSuffix("32.5 h left"), "36 − 1.5 − 2 = 32.5: \(bakery)")
    }

    @Test("the timesheet of November: per engagement and day, per engagement, and the month")
    func timesheetNovember() throws {
        let sheet = try sections(["timesheet", "--month", "2026-11"])
        #expect(
            rows(sheet["days"], ["engagement", "client", "day", "billable", "non_billable", "hours"]) == [
                "engagement=bakery-on-instagram client=Harbour Bakery day=2026-11-01 billable=2 non_billable=0 hours=2",
                "engagement=bakery-on-instagram client=Harbour Bakery day=2026-11-15 billable=1.25 non_billable=0 hours=1.25",
                "engagement=gym-on-tiktok client=Riverside Gym day=2026-11-01 billable=1.5 non_billable=0 hours=1.5",
                "engagement=gym-on-tiktok client=Riverside Gym day=2026-11-02 billable=0.75 non_billable=0 hours=0.75",
                "engagement=gym-on-tiktok client=Riverside Gym day=2026-11-15 billable=0 non_billable=1 hours=1",
            ])
        #expect(
            rows(sheet["engagements"], ["engagement", "days", "billable", "non_billable", "hours"]) == [
                // 2 + 1.25 = 3.25 on 2 days; 1.5 + 0.75 = 2.25 billable and 1 not on 3 days.
                "engagement=bakery-on-instagram days=2 billable=3.25 non_billable=0 hours=3.25",
                "engagement=gym-on-tiktok days=3 billable=2.25 non_billable=1 hours=3.25",
            ])
        #expect(
            rows(sheet["month"], ["month", "engagements", "days", "billable", "non_billable", "hours"]) == [
                // 3.25 + 2.25 = 5.5 billable, 1 not, 6.5 in all, on 11-01, 11-02 and 11-15.
                "month=2026-11 engagements=2 days=3 billable=5.5 non_billable=1 hours=6.5"
            ])
        // One engagement: the gym's days only.
        let gym = try sections(["timesheet", "--month", "2026-11", "--engagement", "gym-on-tiktok"])
        #expect(rows(gym["month"], ["billable", "non_billable", "hours"]) == ["billable=2.25 non_billable=1 hours=3.25"])
        #expect(rows(gym["days"], ["engagement"]).allSatisfy { $0 == "engagement=gym-on-tiktok" })
    }

    @Test("the timesheet of October in CSV and as a table: 45 minutes at 23:30 on the 31st is October's")
    func timesheetOctober() throws {
        let fixture = try Self.fixture.get()
        let csv = try fixture.consult(["timesheet", "--month", "2026-10", "--format", "csv"])
        #expect(
            csv.stdout == "engagement,client,day,billable,non_billable,hours,activities\r\n"
                + "bakery-on-instagram,Harbour Bakery,2026-10-30,1.5,0,1.5,content plan\r\n"
                + "bakery-on-instagram,Harbour Bakery,2026-10-31,0,0.75,0.75,invoicing\r\n"
                + "gym-on-tiktok,Riverside Gym,2026-10-30,1.5,0,1.5,audit\r\n")
        // The month: 1.5 + 1.5 = 3 billable, 0.75 not, 3.75 in all, on 2 days.
        let month = try fixture.consult(["timesheet", "--month", "2026-10", "--format", "csv", "--section", "month"])
        #expect(month.stdout == "month,engagements,days,billable,non_billable,hours\r\n2026-10,2,2,3,0.75,3.75\r\n")
        let table = try ConsultProcess.run(
            ["timesheet", "--month", "2026-10"], environment: ["DATABASE_URL": fixture.conninfo, "PGUSER": fixture.ann, "COLUMNS": "80"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.hasPrefix("Hours per engagement and day\n"))
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.allSatisfy { $0.count <= 80 })
        #expect(lines.contains { $0.hasPrefix("  bakery-on-instagram") && $0.contains("2026-10-31") && $0.contains("0.75") })
        #expect(lines.contains { $0.hasPrefix("  2026-10") && $0.hasSuffix("3.75") }, "\(table.stdout)")
    }

    @Test("status ENGAGEMENT: one record in labelled blocks, the budget said plainly")
    func oneRecord() throws {
        let fixture = try Self.fixture.get()
        let output = try ConsultProcess.run(
            ["status", "gym-on-tiktok", "--month", "2026-11"],
            environment: ["DATABASE_URL": fixture.conninfo, "PGUSER": fixture.ann, "COLUMNS": "80"])
        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for title in ["Engagement", "Objectives", "People", "Channels and the objectives they serve", "Handover"] {
            #expect(lines.contains(title), "a block titled \(title): \(output.stdout)")
        }
        #expect(lines.contains("Hours in 2026-11 and to its end, against the budget"))
        // Field by field, not a wide row.
        #expect(lines.contains { $0.hasPrefix("  Title") && $0.hasSuffix("Gym on TikTok") })
        #expect(lines.contains { $0.hasPrefix("  Against budget") && $0.hasSuffix("over by 0.75 h") })
        #expect(lines.contains { $0.hasPrefix("  Left") && $0.hasSuffix("-0.75") })
        #expect(lines.contains { $0.hasPrefix("  Hours 2026-10") && $0.hasSuffix("1.5") })
        #expect(!output.stdout.contains("--wide"), "blocks drop nothing")
        #expect(lines.allSatisfy { $0.count <= 80 })
    }

    @Test(
        "bad hours and bad months: a clear message, exit 1, nothing recorded",
        arguments: [
            (["engagement", "work", "gym-on-tiktok", "1:20", "call"], "consult: --hours: \"1:20\" is 1 h 20 min"),
            (["engagement", "work", "gym-on-tiktok", "1:75", "call"], "an hour has 60, so write 2:15"),
            // A leading hyphen reads as an option unless after `--` or an `=`.
            (["engagement", "work", "gym-on-tiktok", "--", "-1h", "call"], "consult: --hours: \"-1h\" is negative"),
            (["engagement", "start", "riverside-gym", "--title", "Second", "--budget-hours=-1h"], "--budget-hours: \"-1h\" is negative"),
            (["engagement", "work", "gym-on-tiktok", "1h30", "call"], "write 1h30m (minutes) or use a colon"),
            (["engagement", "work", "gym-on-tiktok", "abc", "call"], "write it as 1.5, 1:30, 1h30m, 1h or 90m"),
            (["engagement", "work", "gym-on-tiktok", "25h", "call"], "must be more than 0 and at most 24"),
            (["engagement", "start", "riverside-gym", "--title", "Second", "--budget-hours", "10:20"], "--budget-hours: \"10:20\""),
            (["status", "--month", "2026-13"], "consult: --month: 2026-13 is not a month of the calendar"),
            (["timesheet", "--month", "2026-13"], "consult: --month: 2026-13 is not a month of the calendar"),
            (["timesheet", "--month", "November"], "consult: --month: \"November\" is not a month: write it as YYYY-MM"),
            (["timesheet", "--engagement", "gym-on-tikto"], "gym-on-tiktok"),
        ])
    func badInput(_ arguments: [String], _ says: String) throws {
        let fixture = try Self.fixture.get()
        let before = try fixture.eventCount()
        let output = try fixture.consult(arguments)
        #expect(output.status == 1, "\(arguments): \(output.stdout)")
        #expect(output.stderr.contains(says), "\(arguments): \(output.stderr)")
        #expect(output.stdout.isEmpty)
        #expect(try fixture.eventCount() == before)
    }
}

/// Months as typed: YYYY-MM only, a real month, its neighbours across a year's end.
@Suite("months as typed")
struct MonthParsingTests {
    @Test("YYYY-MM reads; its days run from the 1st to the last, across the year's end")
    func reads() throws {
        let december = try Month.parse("2026-12")
        #expect(december.description == "2026-12" && december.next.description == "2027-01")
        #expect(try Month.parse("2027-01").previous == december)
        #expect(december.contains(Day(year: 2026, month: 12, day: 31)) && !december.contains(Day(year: 2027, month: 1, day: 1)))
        #expect(december.next.first == Day(year: 2027, month: 1, day: 1))
    }

    @Test(
        "anything else says how to write a month",
        arguments: [
            ("2026-13", "2026-13 is not a month of the calendar"), ("2026-00", "is not a month of the calendar"),
            ("2026-1", "write it as YYYY-MM"), ("2026-+1", "write it as YYYY-MM"), ("November", "write it as YYYY-MM"),
            ("2026-11-01", "write it as YYYY-MM"), ("", "write it as YYYY-MM"), ("٢٠٢٦-١١", "write it as YYYY-MM"),
        ])
    func refuses(_ text: String, _ says: String) {
        #expect {
            try Month.parse(text)
        } throws: { error in
            (error as? RuleViolation)?.field == "month" && (error as? RuleViolation)?.message.contains(says) == true
        }
    }
}
