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
        // The timesheet reads the corrections too: the 4th holds 1.2 h (12 corrected), the 3rd's
        // 3.5 h is voided and gone; the month is 1.2 h. As of the 5th, before any correction,
        // 3.5 + 12 = 15.5 h over two days.
        let days = try bakery.rows(["timesheet", "--month", "2026-11"], "days")
        #expect(days.map { $0["day"] as? String } == ["2026-11-04"])
        #expect((days.first?["hours"] as? NSNumber)?.doubleValue == 1.2)
        #expect((try bakery.rows(["timesheet", "--month", "2026-11"], "month").first?["hours"] as? NSNumber)?.doubleValue == 1.2)
        let before = try bakery.rows(["timesheet", "--month", "2026-11", "--as-of", "2026-11-05"], "month").first
        #expect((before?["hours"] as? NSNumber)?.doubleValue == 15.5 && (before?["days"] as? NSNumber)?.intValue == 2)

        // `changes` over the corrections' days lists each, by the entry's number: 12 → 1.2 on
        // the 6th; the undo 1.2 → 12 on the 8th, its undo 12 → 1.2 on the 9th; the calendar's
        // 3.5 → 0 (voided) on the 10th.
        let changed = try bakery.rows(["changes", "--since", "2026-11-06", "--until", "2026-11-10"], "work_corrections").map { row in
            ["date", "engagement", "entry", "what", "was", "now", "unit"].map { "\(row[$0] ?? "")" }.joined(separator: " ")
                + " " + ("\(row["reason"] ?? "")".hasPrefix("undo of command ") ? "(undo)" : "\(row["reason"] ?? "")")
        }
        #expect(
            changed == [
                "2026-11-06 bakery-on-instagram \(twelve) work entry of 2026-11-04 12 1.2 h typed 12 for 1.2",
                "2026-11-08 bakery-on-instagram \(twelve) work entry of 2026-11-04 1.2 12 h (undo)",
                "2026-11-09 bakery-on-instagram \(twelve) work entry of 2026-11-04 12 1.2 h (undo)",
                "2026-11-10 bakery-on-instagram \(calendar) work entry of 2026-11-03 3.5 0 h logged on the wrong client",
            ])
        // And as CSV, its own section.
        let csv = try bakery.ok([
            "changes", "--since", "2026-11-06", "--until", "2026-11-10", "--format", "csv", "--section", "work_corrections",
        ])
        #expect(csv.hasPrefix("date,engagement,entry,what,was,now,unit,reason\r\n2026-11-06,bakery-on-instagram,\(twelve),"), "\(csv)")

        // Bad input: refused, with nothing written.
        try bakery.refused(
            ["engagement", "work", "correct", twelve, "--hours=-1", "--reason", "x"], saying: "\"-1\" is negative")
        try bakery.refused(
            ["engagement", "work", "void", calendar, "--reason", "again"], saying: "consult: entry: the entry is voided already")
        try bakery.refused(["engagement", "work", "void", "99999", "--reason", "x"], saying: "there is no work entry #99999")
        try bakery.refused(["engagement", "work", "void", "1", "--reason", "x"], saying: "there is no work entry #1")
        try bakery.refused(["engagement", "work", "void", "twelve", "--reason", "x"], saying: "is not an entry")
        try bakery.refused(["engagement", "work", "void", twelve], status: 64, saying: "--reason")
        try bakery.refused(["engagement", "work", "correct", twelve, "--hours", "1.2.3", "--reason", "x"], saying: "is not a number")

        // Ann corrects the entry to 2 h, then Bob to 2.5 h: Ann's undo would overwrite Bob's
        // correction with her 1.2 h. Refused, naming what stands now; Bob's undo goes through.
        try bakery.ok(["engagement", "work", "correct", twelve, "--hours", "2", "--reason", "ann's fix", "--at", "2026-11-11"])
        try bakery.ok(
            ["engagement", "work", "correct", twelve, "--hours", "2.5", "--reason", "bob's fix", "--at", "2026-11-11"],
            as: bakery.fixture.bob)
        try bakery.refused(["undo"], saying: "that command cannot be undone: the work entry was changed again since (it is 2.5 h now)")
        try bakery.ok(["undo", "--at", "2026-11-12"], as: bakery.fixture.bob)
        #expect(try bakery.hours(asOf: "2026-11-12") == 2)
    }

    @Test("a lead moved back a stage, undone: the pipeline's stage, probability and weighted value, and as-of before")
    func leadBack() throws {
        let bakery = try Bakery()
        for step in [
            ["lead", "capture", "harbour-bakery", "--source", "inbound", "--value", "5000 GBP", "--at", "2026-11-01"],
            ["lead", "advance", "harbour-bakery", "--to", "contacted", "--at", "2026-11-02"],
            [
                "lead", "qualify", "harbour-bakery", "--objective", "More orders from Instagram", "--budget", "new-budget", "--at",
                "2026-11-03",
            ],
            ["lead", "propose", "harbour-bakery", "--value", "6000 GBP", "--at", "2026-11-04"],
        ] {
            try bakery.ok(step)
        }
        func lead(asOf day: String?) throws -> [String] {
            let row = try #require(try bakery.rows(["pipeline"] + (day.map { ["--as-of", $0] } ?? []), "open_leads").first)
            return ["stage", "probability", "weighted"].map { "\(row[$0] ?? "-")" }
        }
        // At proposal the default chance is 60 %: 6000 × 0.60 = 3600.
        #expect(try lead(asOf: "2026-11-05") == ["proposal", "60", "3600"])
        let back = try #require(
            try bakery.json([
                "lead", "back", "harbour-bakery", "--to", "qualified", "--reason", "the owner wants to start smaller", "--at", "2026-11-06",
            ]) as? [[String: Any]])
        #expect(back.map { $0["type"] as? String } == ["LeadMovedBack"])
        // Back at qualified, 40 %: 6000 × 0.40 = 2400; the day before, still 3600.
        #expect(try lead(asOf: "2026-11-07") == ["qualified", "40", "2400"])
        #expect(try lead(asOf: nil) == ["qualified", "40", "2400"])
        #expect(try lead(asOf: "2026-11-05") == ["proposal", "60", "3600"])
        let log = try bakery.ok(["log", "--wide", "--no-pager"])
        #expect(log.contains("moved the lead from qualified to proposal") && log.contains("moved the lead back from proposal to qualified"))

        // Undo moves it forward again (proposal, 3600); undoing the undo, back (2400).
        #expect(try bakery.ok(["undo", "--at", "2026-11-08"]).contains("moved the lead back from proposal to qualified"))
        #expect(try lead(asOf: nil) == ["proposal", "60", "3600"])
        try bakery.ok(["undo", "--at", "2026-11-09"])
        #expect(try lead(asOf: nil) == ["qualified", "40", "2400"])

        try bakery.refused(["lead", "back", "harbour-bakery", "--to", "proposal", "--reason", "x"], saying: "is not before it")
        try bakery.refused(["lead", "back", "harbour-bakery", "--to", "won", "--reason", "x"], saying: "is not before it")
        try bakery.refused(["lead", "back", "harbour-bakery", "--to", "ahead", "--reason", "x"], status: 64, saying: "--to")
        try bakery.refused(["lead", "back", "harbour-bakery", "--to", "new"], status: 64, saying: "--reason")
        try bakery.refused(["lead", "back", "harbour-bakeri", "--to", "new", "--reason", "x"], saying: "did you mean")
        try bakery.ok(["lead", "lose", "harbour-bakery", "--reason", "went with an agency", "--at", "2026-11-10"])
        try bakery.refused(["lead", "back", "harbour-bakery", "--to", "new", "--reason", "x"], saying: "is lost: reopen it")
    }

    @Test("person and organisation edits: details, handles old and new, the log without personal data, undo where it can")
    func edits() throws {
        let bakery = try Bakery()
        let admin = try bakery.fixture.database.connect()
        defer { admin.close() }
        func details() throws -> [String] {
            let row = try admin.execute("SELECT handle, name, email FROM consult.person_details WHERE name LIKE 'Sam%'")[0]
            return [try row.decode(String.self, at: 0), try row.decode(String.self, at: 1), try row.decode(String?.self, at: 2) ?? "-"]
        }
        func person() throws -> [String] {
            _ = try bakery.ok(["projections", "catch-up"])
            let row = try admin.execute(
                "SELECT p.title, p.level FROM consult.people p JOIN consult.person_details d USING (tenant_id, person_id) WHERE d.handle = 'sam-reed'"
            )[0]
            return [try row.decode(String?.self, at: 0) ?? "-", try row.decode(String?.self, at: 1) ?? "-"]
        }
        #expect(try person() == ["Owner", "manager"])

        let edited = try #require(
            try bakery.json([
                "person", "edit", "sam-reed", "--title", "Head Baker", "--level", "executive", "--at", "2026-11-02",
            ]) as? [[String: Any]])
        let body = try #require(edited.first?["data"] as? [String: Any])
        #expect(body["changed"] as? [String] == ["title", "level"] && body["previousTitle"] as? String == "Owner")
        #expect(try person() == ["Head Baker", "executive"])
        // Undo puts title and level back.
        #expect(try bakery.ok(["undo", "--at", "2026-11-03"]).contains("edited the person's details: title, level"))
        #expect(try person() == ["Owner", "manager"])

        // Name and e-mail go to the person details; the event names the fields, not the values.
        try bakery.ok(["person", "edit", "sam-reed", "--name", "Samuel Reed", "--email", "samuel@harbour.example", "--at", "2026-11-04"])
        #expect(try details() == ["sam-reed", "Samuel Reed", "samuel@harbour.example"])
        let entry = try #require(try bakery.log().last)
        #expect((entry["data"] as? [String: Any])?["changed"] as? [String] == ["name", "email"])
        let stored = try admin.execute(
            "SELECT data::text FROM consult.events WHERE type = 'PersonDetailsEdited' ORDER BY position DESC LIMIT 1")[0]
            .decode(String.self, at: 0)
        #expect(!stored.contains("samuel") && !stored.contains("Samuel"), "\(stored)")
        // Their earlier values are kept nowhere: that edit cannot be undone, and says why.
        try bakery.refused(["undo"], saying: "personal data is kept out of the log")

        // The organisation: a new name gives a new handle, and the old one still resolves.
        try bakery.ok(["org", "edit", "harbour-bakery", "--name", "Harbour Bakery & Cafe", "--sector", "food", "--at", "2026-11-05"])
        try bakery.ok(["lead", "capture", "harbour-bakery", "--source", "inbound", "--at", "2026-11-05"])
        try bakery.ok(["lead", "capture", "harbour-bakery-cafe", "--source", "talk", "--at", "2026-11-05"])
        func organisation() throws -> [String] {
            _ = try bakery.ok(["projections", "catch-up"])
            let row = try admin.execute("SELECT handle, name, sector FROM consult.organisations")[0]
            return [try row.decode(String.self, at: 0), try row.decode(String.self, at: 1), try row.decode(String?.self, at: 2) ?? "-"]
        }
        #expect(try organisation() == ["harbour-bakery-cafe", "Harbour Bakery & Cafe", "food"])
        // Undoing the edit (the last command is the lead capture: name it) brings name and sector back.
        let command = try admin.execute(
            "SELECT command_id FROM consult.events WHERE type = 'OrganisationSectorChanged'")[0].decode(UUID.self, at: 0)
        try bakery.ok(["undo", "--command", command.uuidString.lowercased(), "--at", "2026-11-06"])
        #expect(try organisation() == ["harbour-bakery", "Harbour Bakery", "bakery"])
        try bakery.refused(["undo", "--command", command.uuidString.lowercased()], saying: "was undone already")

        try bakery.refused(["person", "edit", "sam-reed"], status: 64, saying: "nothing to edit")
        try bakery.refused(["person", "edit", "sam-reed", "--email", "not an address"], saying: "is not an e-mail address")
        try bakery.refused(["person", "edit", "sam-reid", "--title", "x"], saying: "did you mean")
        try bakery.refused(["person", "edit", "sam-reed", "--level", "boss"], status: 64, saying: "--level")
        try bakery.refused(["org", "edit", "harbour-bakery"], status: 64, saying: "nothing to edit")
        try bakery.refused(["undo", "--command", "not-a-uuid"], status: 64, saying: "is not a command id")
        try bakery.refused(["undo", "--command", UUID().uuidString], saying: "there is no command")
    }

    @Test("a checklist item reopened and a follow-up corrected, each undone: status, handovers report and as-of before")
    func handover() throws {
        let bakery = try Bakery()
        for step in [
            [
                "objective", "set", "bakery-on-instagram", "--handle", "orders", "--area", "sales", "--statement", "More orders",
                "--metric", "orders a week", "--baseline", "10", "--target", "20", "--due", "2027-03-31", "--at", "2026-11-02",
            ],
            [
                "handover", "plan", "bakery-on-instagram", "--on", "2026-11-30", "--to", "ada-lane", "--sponsor", "sam-reed", "--at",
                "2026-11-02",
            ],
            ["handover", "item", "add", "bakery-on-instagram", "Passwords in the vault", "--handle", "passwords", "--at", "2026-11-02"],
            ["handover", "item", "add", "bakery-on-instagram", "Posting guide", "--handle", "guide", "--at", "2026-11-02"],
            ["handover", "item", "done", "bakery-on-instagram", "passwords", "--at", "2026-11-03"],
        ] {
            try bakery.ok(step)
        }
        func checklist(asOf day: String?) throws -> [String] {
            let row = try #require(try bakery.rows(["status"] + (day.map { ["--as-of", $0] } ?? []), "engagements").first)
            return ["checklist_done", "checklist_total"].map { "\(row[$0] ?? "-")" }
        }
        #expect(try checklist(asOf: "2026-11-04") == ["1", "2"])
        try bakery.ok([
            "handover", "item", "reopen", "bakery-on-instagram", "passwords", "--reason", "the vault is not shared", "--at", "2026-11-05",
        ])
        // 1 done − 1 reopened = 0 of 2; as of the day before, still 1.
        #expect(try checklist(asOf: nil) == ["0", "2"])
        #expect(try checklist(asOf: "2026-11-04") == ["1", "2"])
        try bakery.refused(
            ["handover", "item", "reopen", "bakery-on-instagram", "guide", "--reason", "x"], saying: "is open already")
        try bakery.refused(
            ["handover", "item", "reopen", "bakery-on-instagram", "nothing", "--reason", "x"], saying: "no checklist item")
        // Undo: done again (1 of 2).
        #expect(try bakery.ok(["undo", "--at", "2026-11-06"]).contains("reopened checklist item passwords (was completed)"))
        #expect(try checklist(asOf: nil) == ["1", "2"])
        #expect(try bakery.log().last?["type"] as? String == "HandoverItemCompleted")

        for step in [
            ["handover", "item", "done", "bakery-on-instagram", "guide", "--at", "2026-11-07"],
            ["handover", "complete", "bakery-on-instagram", "--signed-off-by", "sam-reed", "--at", "2026-11-08"],
            ["handover", "follow-up", "bakery-on-instagram", "--days", "30", "--active", "--posts-per-week", "9", "--at", "2026-11-09"],
        ] {
            try bakery.ok(step)
        }
        try bakery.refused(
            ["handover", "item", "reopen", "bakery-on-instagram", "guide", "--reason", "x"], saying: "the handover is completed")
        func followUps(asOf day: String?) throws -> String {
            "\(try #require(try bakery.rows(["handovers"] + (day.map { ["--as-of", $0] } ?? []), "handovers").first)["follow_ups"] ?? "-")"
        }
        #expect(try followUps(asOf: nil) == "30 days: active")
        let check = try bakery.position("FollowUpChecked", "daysAfter", "30")
        try bakery.ok([
            "handover", "follow-up", "correct", check, "--no-active", "--posts-per-week", "0", "--reason", "looked at the wrong account",
            "--at", "2026-11-10",
        ])
        #expect(try followUps(asOf: nil) == "30 days: inactive")
        #expect(try followUps(asOf: "2026-11-09") == "30 days: active")
        try bakery.ok(["undo", "--at", "2026-11-11"])
        #expect(try followUps(asOf: nil) == "30 days: active")
        try bakery.refused(
            ["handover", "follow-up", "correct", check, "--active", "--posts-per-week", "9", "--reason", "x"], saying: "says so already")
        try bakery.refused(
            ["handover", "follow-up", "correct", "2", "--active", "--reason", "x"], saying: "there is no follow-up check #2")
    }

    @Test("a referral credited to someone else and a coaching session voided, each undone; what undo refuses")
    func referralSessionAndRefusals() throws {
        let bakery = try Bakery()
        for step in [
            ["org", "add", "Quay Cafe", "--at", "2026-11-01"],
            ["person", "add", "Priya Shah", "--org", "quay-cafe", "--at", "2026-11-01"],
            ["person", "add", "Raj Patel", "--org", "quay-cafe", "--at", "2026-11-01"],
            ["referral", "receive", "harbour-bakery", "--from", "priya-shah", "--value", "4000 GBP", "--at", "2026-11-02"],
        ] {
            try bakery.ok(step)
        }
        func referrer(asOf day: String?) throws -> String {
            "\(try #require(try bakery.rows(["referrals"] + (day.map { ["--as-of", $0] } ?? []), "referrals").first)["referrer"] ?? "-")"
        }
        #expect(try referrer(asOf: nil) == "Priya Shah")
        try bakery.ok([
            "referral", "correct", "harbour-bakery", "--from", "raj-patel", "--reason", "Raj made the introduction", "--at", "2026-11-03",
        ])
        #expect(try referrer(asOf: nil) == "Raj Patel")
        #expect(try referrer(asOf: "2026-11-02") == "Priya Shah")
        try bakery.refused(
            ["referral", "correct", "harbour-bakery", "--from", "raj-patel", "--reason", "x"], saying: "is the referrer already")
        try bakery.refused(["referral", "correct", "harbour-bakery", "--from", "nobody", "--reason", "x"], saying: "no person")
        // Bob undoes Ann's correction, naming it: Priya again.
        let command = try #require(
            try bakery.fixture.database.connect().execute("SELECT command_id FROM consult.events WHERE type = 'ReferrerCorrected'")[0]
                .decode(UUID.self, at: 0))
        try bakery.refused(["undo"], saying: "has recorded no command", as: bakery.fixture.bob)
        try bakery.ok(["undo", "--command", command.uuidString, "--at", "2026-11-04"], as: bakery.fixture.bob)
        #expect(try referrer(asOf: nil) == "Priya Shah")

        // The value it brought, corrected and undone: the referrals report's open value.
        func openValue(asOf day: String?) throws -> String {
            "\(try #require(try bakery.rows(["referrals"] + (day.map { ["--as-of", $0] } ?? []), "referrals").first)["open_value"] ?? "-")"
        }
        #expect(try openValue(asOf: nil) == "4000")
        let value = try #require(
            try bakery.json([
                "referral", "correct", "harbour-bakery", "--value", "3500 GBP", "--reason", "the quote was 3,500", "--at", "2026-11-04",
            ]) as? [[String: Any]])
        #expect(value.map { $0["type"] as? String } == ["LeadValueCorrected"])
        #expect(try openValue(asOf: nil) == "3500")
        #expect(try openValue(asOf: "2026-11-03") == "4000")
        let undone = try #require(try bakery.json(["undo", "--at", "2026-11-04"]) as? [[String: Any]])
        #expect(undone.map { $0["type"] as? String } == ["LeadValueCorrected"])
        #expect(try openValue(asOf: nil) == "4000")
        try bakery.refused(
            ["referral", "correct", "harbour-bakery", "--from", "raj-patel", "--value", "1 GBP", "--reason", "x"], status: 64,
            saying: "give one of --from or --value")
        try bakery.refused(["referral", "correct", "harbour-bakery", "--value=-5 GBP", "--reason", "x"], saying: "--value")

        // A coaching session voided, then undone; the log shows the session and both corrections.
        try bakery.ok([
            "engagement", "session", "bakery-on-instagram", "--attendee", "sam-reed", "--topic", "stories", "--minutes", "90", "--at",
            "2026-11-05",
        ])
        let session = try bakery.position("CoachingSessionHeld", "minutes", "90")
        try bakery.refused(
            ["engagement", "session", "correct", session, "--minutes", "2000", "--reason", "x"],
            saying: "must be 0 (to void the session) to 1440")
        try bakery.ok(["engagement", "session", "void", session, "--reason", "cancelled on the day", "--at", "2026-11-06"])
        try bakery.ok(["undo", "--at", "2026-11-07"])
        let log = try bakery.ok(["log", "--wide", "--no-pager"])
        #expect(log.contains("held a 90-minute coaching session"), "\(log)")
        #expect(log.contains("voided the coaching session of 2026-11-05 (90 minutes): cancelled on the day"), "\(log)")
        #expect(log.contains("corrected the coaching session of 2026-11-05 from 0 to 90 minutes: undo of command"), "\(log)")

        // What undo refuses: a forgotten person, and a command with no compensation.
        try bakery.ok(["forget", "raj-patel", "--asked-by", "person"])
        try bakery.refused(["undo"], saying: "a forgotten person's details were destroyed")
        try bakery.ok(["engagement", "purpose", "bakery-on-instagram", "Orders from Instagram"])
        try bakery.refused(["undo"], saying: "cannot be undone")
        // Its words name what it did, with the names of the log: "(erased)" is only ever a
        // forgotten person's mark, and Sam Reed was never forgotten.
        try bakery.ok(["engagement", "sponsor", "bakery-on-instagram", "sam-reed"])
        try bakery.refused(["undo"], saying: "no event reverts \"appointed sam-reed sponsor\"")
        try bakery.ok([
            "objective", "set", "bakery-on-instagram", "--handle", "orders", "--area", "sales", "--statement", "More orders", "--metric",
            "orders a week", "--baseline", "10", "--target", "40", "--due", "2027-03-31",
        ])
        try bakery.ok(["objective", "measure", "orders", "12"])
        try bakery.refused(["undo"], saying: "no event reverts \"measured orders: 12\"")
        // The measurement corrected by the number the log and `objective show` give it.
        let measured = try bakery.position("MeasurementRecorded", "value", "12")
        try bakery.refused(
            ["objective", "correct", "orders", "--measurement", "#1", "21", "--reason", "x"],
            saying: "--measurement: there is no measurement #1 in this consultancy")
        try bakery.ok(["objective", "correct", "orders", "--measurement", "#\(measured)", "21", "--reason", "typed 12 for 21"])
        let show = try #require(try bakery.json(["objective", "show", "orders"]) as? [String: Any])
        let record = try #require((show["sections"] as? [String: Any])?["record"] as? [[String: Any]])
        // The history's instants in JSON are ISO 8601, as the log's: 2026-11-23T14:05:00.000Z.
        let history = try #require((show["sections"] as? [String: Any])?["history"] as? [[String: Any]])
        #expect(
            history.allSatisfy {
                ($0["when"] as? String).map { $0.count == 24 && $0.dropFirst(10).hasPrefix("T") && $0.hasSuffix("Z") } == true
            },
            "\(history.map { $0["when"] ?? "" })")
        // Latest: 21 (a number in JSON), where 12 was measured.
        #expect((record.first { $0["field"] as? String == "latest" }?["value"]).map { "\($0)" } == "21", "\(record)")
    }
}
