import Foundation
import TestSupport
import Testing

/// `consult due` on a hand-built tenant: the consultant's month, then a second engagement with a
/// planned handover and open checklist items, a lead at proposal whose expected close passed, an
/// unthanked referral and an objective left unmeasured. Every expected item, its date and its
/// words are worked out by hand from the commands below.
@Suite("consult due", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct DueTests {
    static let fixture = Result { () throws -> MonthFixture in
        let fixture = try MonthFixture()
        // Dated steps, after the month (whose last step is 2026-10-29).
        let steps: [(at: String, arguments: [String])] = [
            // A second client engagement at Camden Arts Trust, sponsored by Priya Shah.
            ("2026-10-19", ["person", "add", "Sam Lee", "--org", "camden-arts-trust", "--title", "Marketing Officer"]),
            ("2026-10-19", ["engagement", "start", "camden-arts-trust", "--title", "Arts online", "--kind", "coaching"]),
            ("2026-10-19", ["engagement", "sponsor", "arts-online", "priya-shah"]),
            // Left unmeasured: set 2026-10-20, due far away (2027-02-26).
            (
                "2026-10-20",
                [
                    "objective", "set", "arts-online", "--handle", "signups", "--area", "marketing", "--statement",
                    "More newsletter sign-ups", "--metric", "sign-ups", "--baseline", "100", "--target", "300", "--due", "2027-02-26",
                ]
            ),
            // Due Friday 2026-12-04; measured once, 2026-11-10, at 18.
            (
                "2026-11-03",
                [
                    "objective", "set", "arts-online", "--handle", "bookings", "--area", "sales", "--statement", "Bookings from social",
                    "--metric", "bookings", "--baseline", "10", "--target", "40", "--due", "2026-12-04",
                ]
            ),
            ("2026-11-10", ["objective", "measure", "bookings", "18"]),
            // The handover on Wednesday 2026-12-02, three items, one done.
            ("2026-11-16", ["handover", "plan", "arts-online", "--on", "2026-12-02", "--to", "sam-lee", "--sponsor", "priya-shah"]),
            (
                "2026-11-16",
                ["handover", "item", "add", "arts-online", "Passwords in the trust's vault", "--category", "access", "--handle", "vault"]
            ),
            ("2026-11-16", ["handover", "item", "add", "arts-online", "Posting rota agreed", "--category", "policy", "--handle", "rota"]),
            ("2026-11-16", ["handover", "item", "add", "arts-online", "Brand guide shared", "--category", "content", "--handle", "brand"]),
            ("2026-11-20", ["handover", "item", "done", "arts-online", "vault"]),
            // A lead at proposal since 2026-11-12 whose expected close (2026-11-20) passed.
            ("2026-11-02", ["org", "add", "Riverside Dental"]),
            (
                "2026-11-02",
                ["lead", "capture", "riverside-dental", "--source", "outbound", "--value", "2400 GBP", "--expected-close", "2026-11-20"]
            ),
            ("2026-11-05", ["lead", "advance", "riverside-dental", "--to", "contacted"]),
            ("2026-11-09", ["lead", "qualify", "riverside-dental", "--objective", "More bookings from Instagram"]),
            ("2026-11-12", ["lead", "propose", "riverside-dental", "--value", "2800 GBP"]),
            // A referral from Helen Carter on 2026-11-24, not thanked, expected to close 2026-12-18.
            ("2026-11-23", ["org", "add", "Harbour Museum"]),
            ("2026-11-24", ["referral", "receive", "harbour-museum", "--from", "helen-carter", "--expected-close", "2026-12-18"]),
        ]
        for step in steps {
            let output = try fixture.consult(step.arguments + ["--at", step.at])
            guard output.status == 0 else {
                throw CommandFailed(description: "consult \(step.arguments.joined(separator: " ")): \(output.stderr)")
            }
        }
        return fixture
    }

    struct CommandFailed: Error, CustomStringConvertible { let description: String }

    /// One expected row of the JSON, every field.
    static func row(
        _ group: String, _ due: String, _ days: Int, _ kind: String, organisation: String, _ organisationHandle: String,
        engagement: String? = nil, lead: String? = nil, objective: String? = nil, item: String? = nil, person: String? = nil,
        _ personHandle: String? = nil, why: String, command: String
    ) -> [String: String] {
        [
            "group": group, "due": due, "days": String(days), "kind": kind, "organisation": organisation,
            "organisation_handle": organisationHandle, "engagement": engagement ?? "null", "lead": lead ?? "null",
            "objective": objective ?? "null", "item": item ?? "null", "person": person ?? "null", "person_handle": personHandle ?? "null",
            "why": why, "command": command,
        ]
    }

    static let camden = "Camden Arts Trust"
    static let priya = "Priya Shah"
    static let helen = "Helen Carter"

    /// As of Monday 2026-11-30 (today), within 30 days (up to 2026-12-30). "This week" is
    /// Tuesday 2026-12-01 to Sunday 2026-12-06.
    static let expected: [[String: String]] = [
        // signups: set 2026-10-20, never measured: stale 30 days later, 2026-11-19, 11 days ago.
        row(
            "overdue", "2026-11-19", -11, "measurement", organisation: camden, "camden-arts-trust", engagement: "arts-online",
            objective: "signups", person: priya, "priya-shah",
            why: "measurement of signups 11 days overdue (none since it was set on 2026-10-20)",
            command: "consult objective measure signups VALUE"),
        // Riverside's proposal (2,800 GBP) was expected to close 2026-11-20: 10 days ago. No referrer.
        row(
            "overdue", "2026-11-20", -10, "expected_close", organisation: "Riverside Dental", "riverside-dental", lead: "riverside-dental",
            why: "proposal of 2,800 GBP slipped: 10 days past its expected close of 2026-11-20",
            command: "consult lead move-close riverside-dental --to DATE"),
        // Helen Carter referred Harbour Museum 2026-11-24 (6 days ago); nobody thanked her.
        row(
            "overdue", "2026-11-24", -6, "thank", organisation: "Harbour Museum", "harbour-museum", lead: "harbour-museum", person: helen,
            "helen-carter", why: "referred Harbour Museum 6 days ago, not thanked yet", command: "consult referrer thank harbour-museum"),
        // The handover on Wednesday 2026-12-02: vault done, rota and brand open (in the order added).
        row(
            "this_week", "2026-12-02", 2, "handover", organisation: camden, "camden-arts-trust", engagement: "arts-online", person: priya,
            "priya-shah", why: "handover Wednesday, 2 checklist items open",
            command: "consult handover complete arts-online --signed-off-by priya-shah"),
        row(
            "this_week", "2026-12-02", 2, "checklist_item", organisation: camden, "camden-arts-trust", engagement: "arts-online",
            item: "rota", person: priya, "priya-shah", why: "checklist item open: Posting rota agreed (handover Wednesday)",
            command: "consult handover item done arts-online rota"),
        row(
            "this_week", "2026-12-02", 2, "checklist_item", organisation: camden, "camden-arts-trust", engagement: "arts-online",
            item: "brand", person: priya, "priya-shah", why: "checklist item open: Brand guide shared (handover Wednesday)",
            command: "consult handover item done arts-online brand"),
        // Harbour Museum at new since 2026-11-24 (6 whole days by the end of 11-30). Only two
        // stays at new ever ended (Northbridge 1 day, Riverside 3), fewer than three, so the
        // usual time is the rule of thumb, 7 days: stuck from day 8, 2026-12-02, same day as
        // the handover but after it.
        row(
            "this_week", "2026-12-02", 2, "stuck", organisation: "Harbour Museum", "harbour-museum", lead: "harbour-museum", person: helen,
            "helen-carter", why: "at new for 6 days, stuck Wednesday (usually 7)",
            command: "consult lead advance harbour-museum --to contacted"),
        // bookings due Friday 2026-12-04, at 18 of 10 → 40: (18 − 10) / 30 = 26.7 %, shown 27 %.
        row(
            "this_week", "2026-12-04", 4, "objective", organisation: camden, "camden-arts-trust", engagement: "arts-online",
            objective: "bookings", person: priya, "priya-shah", why: "objective bookings due Friday: at 18, target 40 (27% of the way)",
            command: "consult objective revise bookings --to TARGET --due DATE --reason TEXT"),
        // bookings last measured 2026-11-10: stale 30 days later, 2026-12-10.
        row(
            "later", "2026-12-10", 10, "measurement", organisation: camden, "camden-arts-trust", engagement: "arts-online",
            objective: "bookings", person: priya, "priya-shah", why: "measurement of bookings due on 2026-12-10 (last measured 2026-11-10)",
            command: "consult objective measure bookings VALUE"),
        // Riverside at proposal since 2026-11-12 (18 whole days); the only ended proposal stay
        // (Northbridge, 1 day) is fewer than three, so 30 days: stuck from day 31, 2026-12-13.
        row(
            "later", "2026-12-13", 13, "stuck", organisation: "Riverside Dental", "riverside-dental", lead: "riverside-dental",
            why: "at proposal for 18 days, stuck on 2026-12-13 (usually 30)", command: "consult lead win riverside-dental --title TITLE"),
        // Harbour Museum's expected close.
        row(
            "later", "2026-12-18", 18, "expected_close", organisation: "Harbour Museum", "harbour-museum", lead: "harbour-museum",
            person: helen, "helen-carter", why: "lead at new expected to close on 2026-12-18",
            command: "consult lead move-close harbour-museum --to DATE"),
        // The month's handover completed 2026-09-25 and was checked at 30 days: the 90-day check
        // falls 2026-12-24 (the 180-day one, 2027-03-24, is past the window). Its sponsor was
        // asked for an introduction on 2026-10-27, after the handover: nobody to ask. Its
        // engagement is closed, so its objectives are not due; the month's lead was won and its
        // referrer thanked.
        row(
            "later", "2026-12-24", 24, "follow_up", organisation: "Northbridge Libraries", "northbridge-libraries",
            engagement: "libraries-on-twitter", person: helen, "helen-carter",
            why: "90-day follow-up of the handover of 2026-09-25 due on 2026-12-24",
            command: "consult handover follow-up libraries-on-twitter --days 90 --[no-]active"),
    ]

    static func agenda(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: String]] {
        let output = try fixture.get().consult(["due", "--format", "json"] + arguments)
        #expect(output.status == 0, "\(output.stderr)", sourceLocation: sourceLocation)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        #expect(object["report"] as? String == "due", sourceLocation: sourceLocation)
        let sections = try #require(object["sections"] as? [String: Any])
        // Every value as text, null as "null", so that rows compare whole.
        return try #require(sections["due"] as? [[String: Any]]).map { row in
            row.mapValues { value in value is NSNull ? "null" : (value as? String) ?? "\(value)" }
        }
    }

    @Test("as of a day, the agenda lists exactly the items worked out by hand, in date order, every field exact")
    func exactAgenda() throws {
        let actual = try Self.agenda(["--as-of", "2026-11-30", "--within", "30"])
        #expect(actual.count == Self.expected.count)
        for (index, (got, want)) in zip(actual, Self.expected).enumerated() {
            #expect(got == want, "item \(index)")
        }
    }

    @Test("--within (default 14 days) drops what falls due later, but never what is overdue")
    func within() throws {
        // Up to 2026-12-14: the Harbour Museum close (12-18) and the follow-up (12-24) drop.
        #expect(try Self.agenda(["--as-of", "2026-11-30"]) == Array(Self.expected.prefix(10)))
        // Up to today: the overdue three only.
        #expect(try Self.agenda(["--as-of", "2026-11-30", "--within", "0"]) == Array(Self.expected.prefix(3)))
    }

    @Test("--stale sets how long an active objective may go unmeasured; what falls due today is in its own group")
    func stale() throws {
        // 20 days: signups (set 2026-10-20) from 2026-11-09, 21 days overdue; bookings (last
        // measured 2026-11-10) from 2026-11-30, today. With --within 0 the rest is the overdue two.
        let signups = Self.row(
            "overdue", "2026-11-09", -21, "measurement", organisation: Self.camden, "camden-arts-trust", engagement: "arts-online",
            objective: "signups", person: Self.priya, "priya-shah",
            why: "measurement of signups 21 days overdue (none since it was set on 2026-10-20)",
            command: "consult objective measure signups VALUE")
        let bookings = Self.row(
            "today", "2026-11-30", 0, "measurement", organisation: Self.camden, "camden-arts-trust", engagement: "arts-online",
            objective: "bookings", person: Self.priya, "priya-shah", why: "measurement of bookings due today (last measured 2026-11-10)",
            command: "consult objective measure bookings VALUE")
        #expect(
            try Self.agenda(["--as-of", "2026-11-30", "--within", "0", "--stale", "20"])
                == [signups, Self.expected[1], Self.expected[2], bookings])
    }

    @Test("as of an earlier day, the log folded up to then: the month's sponsor to ask, and its 30-day follow-up")
    func asOfEarlier() throws {
        // Monday 2026-10-12: the handover completed 2026-09-25 (17 days ago), Helen Carter not
        // asked until 2026-10-27; the 30-day check falls 2026-10-25, within 14 days. Nothing of
        // the commands dated from 2026-10-19 on exists yet.
        let expected = [
            Self.row(
                "overdue", "2026-09-25", -17, "ask", organisation: "Northbridge Libraries", "northbridge-libraries",
                engagement: "libraries-on-twitter", person: Self.helen, "helen-carter",
                why: "handed over 17 days ago, not asked for an introduction yet", command: "consult introduction ask helen-carter"),
            Self.row(
                "later", "2026-10-25", 13, "follow_up", organisation: "Northbridge Libraries", "northbridge-libraries",
                engagement: "libraries-on-twitter", person: Self.helen, "helen-carter",
                why: "30-day follow-up of the handover of 2026-09-25 due on 2026-10-25",
                command: "consult handover follow-up libraries-on-twitter --days 30 --[no-]active"),
        ]
        #expect(try Self.agenda(["--as-of", "2026-10-12"]) == expected)
    }

    @Test("the table fits the columns it is given: grouped, lines wrapped at spaces, each command whole", arguments: [80, 50])
    func table(columns: Int) throws {
        let fixture = try Self.fixture.get()
        let output = try ConsultProcess.run(
            ["due", "--as-of", "2026-11-30", "--within", "30"],
            environment: ["DATABASE_URL": fixture.conninfo, "PGUSER": fixture.ann, "COLUMNS": String(columns)])
        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.allSatisfy { $0.count <= columns }, "\(lines.filter { $0.count > columns })")
        #expect(
            lines.filter { !$0.hasPrefix(" ") && !$0.isEmpty }.dropFirst().map(String.init) == [
                "Overdue (3)", "This week (5)", "Later (4)",
            ])
        // Each command can be pasted: joined back across its ` \` continuations it is the JSON's.
        let text = output.stdout.replacingOccurrences(of: " \\\n      ", with: " ")
        for row in Self.expected { #expect(text.contains("\n    \(row["command"]!)\n"), "\(row["command"]!)") }
        if columns == 80 {
            #expect(lines.first == "What is due as of 2026-11-30 (overdue, and what falls due by 2026-12-30)")
        }
    }

    @Test("hours against the budget: warnings at 80% and 100% of the budget and of a retainer's month, billable hours only")
    func budgetWarnings() throws {
        let fixture = try MonthFixture(recordMonth: false)
        // A retainer at Seaside Cafe: 10 budget hours, 5 a month, the handover due by 2026-11-25.
        for step in [
            ["org", "add", "Seaside Cafe", "--at", "2026-11-02"],
            [
                "engagement", "start", "seaside-cafe", "--title", "Cafe retainer", "--kind", "retainer", "--budget-hours", "10",
                "--hours-per-month", "5", "--handover-by", "2026-11-25", "--at", "2026-11-02",
            ],
            ["engagement", "work", "cafe-retainer", "3", "content plan", "--at", "2026-11-03"],
            ["engagement", "work", "cafe-retainer", "2", "own admin", "--non-billable", "--at", "2026-11-04"],
            ["engagement", "work", "cafe-retainer", "1", "review", "--at", "2026-11-06"],
            ["engagement", "work", "cafe-retainer", "4.5", "shoot", "--at", "2026-11-12"],
        ] {
            let output = try fixture.consult(step)
            #expect(output.status == 0, "\(step): \(output.stderr)")
        }
        func agenda(_ day: String) throws -> [[String: String]] {
            let output = try fixture.consult(["due", "--format", "json", "--as-of", day])
            #expect(output.status == 0, "\(output.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
            let sections = try #require(object["sections"] as? [String: Any])
            return try #require(sections["due"] as? [[String: Any]]).map { row in
                row.mapValues { value in value is NSNull ? "null" : (value as? String) ?? "\(value)" }
            }
        }
        let cafe = "Seaside Cafe"
        // As of 2026-11-30. Billable: 3 (11-03) + 1 (11-06) + 4.5 (11-12) = 8.5 h; the 2 h of
        // 11-04 are not billable. Budget: 8.5 / 10 = 85%, past 80% (8 h) on 11-12, not 100%:
        // 1.5 h left. November: 4 h (80% of 5) reached on 11-06, 5 h passed on 11-12: 8.5 over 5,
        // the later warning only. The handover date 11-25 passed 5 days ago with no plan.
        #expect(
            try agenda("2026-11-30") == [
                Self.row(
                    "overdue", "2026-11-12", -18, "budget", organisation: cafe, "seaside-cafe", engagement: "cafe-retainer",
                    why: "budget 85% used: 8.5 of 10 h billable, 1.5 h left", command: "consult status cafe-retainer"),
                Self.row(
                    "overdue", "2026-11-12", -18, "retainer_hours", organisation: cafe, "seaside-cafe", engagement: "cafe-retainer",
                    why: "retainer hours in 2026-11 8.5 over 5 h a month",
                    command: "consult timesheet --month 2026-11 --engagement cafe-retainer"),
                Self.row(
                    "overdue", "2026-11-25", -5, "handover", organisation: cafe, "seaside-cafe", engagement: "cafe-retainer",
                    why: "handover 5 days overdue, not planned yet (no receiving owners, no checklist)",
                    command: "consult handover plan cafe-retainer --on 2026-11-25 --to PERSON --sponsor PERSON"),
            ])
        // As of 2026-11-08: billable 4 h of the budget (40%), no warning; 4 of 5 h this month:
        // 80% on 11-06. The non-billable 2 h would have made it 6, over 5.
        #expect(
            try agenda("2026-11-08") == [
                Self.row(
                    "overdue", "2026-11-06", -2, "retainer_hours", organisation: cafe, "seaside-cafe", engagement: "cafe-retainer",
                    why: "retainer hours in 2026-11 4 of 5 h a month (80%)",
                    command: "consult timesheet --month 2026-11 --engagement cafe-retainer")
            ])
        // Status's health, by the same billable hours: on 11-08 (6 h logged, 4 billable) the
        // retainer is not over its month; on 11-12 (8.5 billable) it is.
        func reasons(_ day: String) throws -> String {
            let output = try fixture.consult(["status", "--format", "json", "--as-of", day])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
            let sections = try #require(object["sections"] as? [String: Any])
            return try #require((sections["engagements"] as? [[String: Any]])?.first?["reasons"] as? String)
        }
        #expect(try reasons("2026-11-08") == "")
        #expect(try reasons("2026-11-12") == "retainer's billable hours this month 8.5 over 5")
    }

    @Test("the HTML page of `consult report` has the agenda")
    func htmlPage() throws {
        let fixture = try Self.fixture.get()
        let page = FileManager.default.temporaryDirectory.appendingPathComponent("consult-due-\(UUID().uuidString).html")
        defer { try? FileManager.default.removeItem(at: page) }
        let output = try fixture.consult(["report", "--html", page.path, "--as-of", "2026-11-30"])
        #expect(output.status == 0, "\(output.stderr)")
        let html = try String(contentsOf: page, encoding: .utf8)
        #expect(html.contains("<section class=\"report\" id=\"due\">"))
        #expect(html.contains("consult handover item done arts-online rota"))
    }
}
