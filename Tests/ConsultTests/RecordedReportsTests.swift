import Foundation
import TestSupport
import Testing

/// The reports say what was recorded, and only that: a case study says "handed over" only once
/// the handover is completed and keeps internal facts for --internal; changes lists slipped
/// closes and corrections old → new in date order; referrals give open leads' value; a
/// disqualified lead is its own outcome, out of the win rate; status names what each channel
/// serves and where the budget comes from.
///
/// The tenant is the consultant's month (scripts/month) and then October 2026, recorded below
/// through the built binary. Every expected figure is worked out by hand from those commands.
@Suite("reports say what was recorded", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct RecordedReportsTests {
    static let october = Result { try October() }

    /// The month, then October:
    ///
    /// | date  | what |
    /// |-------|------|
    /// | 10-01 | Ben Morris (Marketing Officer) and Dr Aisha Khan (Head of Audiences) join Camden Arts Trust |
    /// | 10-02 | Helen Carter refers Camden Arts Trust: lead camden-arts-trust, 4,000 GBP, expected close 10-20 (never closed) |
    /// | 10-05 | engagement arts-online starts (fee 3,000 GBP, 20 h budgeted), objective bookings 10 → 40 by 2027-01-31 |
    /// | 10-06 | sponsor Dr Aisha Khan, champion Ben Morris, instagram @CamdenArts serving bookings |
    /// | 10-07 | 12 h logged: "call with Aisha (meant 1.2)" |
    /// | 10-08 | outbound lead riverside-dental; 10-09 disqualified: no-business-objective |
    /// | 10-10 | outbound lead kentish-books, 2,000 GBP; 10-12 lost: chose another agency |
    /// | 10-11 | outbound lead holloway-cafe, 1,500 GBP; 10-12 qualified (new-budget); 10-13 won: cafe-afternoons |
    /// | 10-21 | bookings measured 25 (typed first) |
    /// | 10-14 | bookings measured 18 (typed after the 10-21 one), corrected on 10-16 to 21: miscounted |
    /// | 10-20 | handover of arts-online planned for 2027-01-29 to Ben Morris, sponsor Dr Aisha Khan (never completed) |
    struct October: Sendable {
        let fixture: MonthFixture

        init() throws {
            fixture = try MonthFixture()
            let fixture = fixture
            @discardableResult
            func run(_ at: String, _ arguments: [String]) throws -> String {
                let output = try fixture.consult(arguments + ["--at", at])
                #expect(output.status == 0, "consult \(arguments.joined(separator: " ")): \(output.stderr)")
                return output.stdout
            }
            try run(
                "2026-10-01",
                ["person", "add", "Ben Morris", "--org", "camden-arts-trust", "--title", "Marketing Officer", "--level", "frontline"])
            try run(
                "2026-10-01",
                ["person", "add", "Dr Aisha Khan", "--org", "camden-arts-trust", "--title", "Head of Audiences", "--level", "executive"])
            try run(
                "2026-10-02",
                [
                    "referral", "receive", "camden-arts-trust", "--from", "helen-carter", "--value", "4000 GBP", "--expected-close",
                    "2026-10-20",
                ])
            try run(
                "2026-10-05",
                [
                    "engagement", "start", "camden-arts-trust", "--title", "Arts online", "--kind", "coaching", "--fee", "3000 GBP",
                    "--budget-hours", "20",
                ])
            try run(
                "2026-10-05",
                [
                    "objective", "set", "arts-online", "--handle", "bookings", "--area", "sales", "--statement",
                    "More bookings from social media", "--metric", "bookings", "--baseline", "10", "--target", "40", "--due", "2027-01-31",
                ])
            try run("2026-10-06", ["engagement", "sponsor", "arts-online", "dr-aisha-khan"])
            try run("2026-10-06", ["engagement", "champion", "arts-online", "ben-morris", "--level", "frontline"])
            try run(
                "2026-10-06",
                ["engagement", "channel", "adopt", "arts-online", "instagram", "--handle", "@CamdenArts", "--serves", "bookings"])
            try run("2026-10-07", ["engagement", "work", "arts-online", "12", "call with Aisha (meant 1.2)"])
            try run("2026-10-08", ["org", "add", "Riverside Dental"])
            try run("2026-10-08", ["lead", "capture", "riverside-dental", "--source", "outbound"])
            try run(
                "2026-10-09",
                ["lead", "disqualify", "riverside-dental", "--reason", "no-business-objective", "--note", "wants followers, not outcomes"])
            try run("2026-10-10", ["org", "add", "Kentish Books"])
            try run("2026-10-10", ["lead", "capture", "kentish-books", "--source", "outbound", "--value", "2000 GBP"])
            try run("2026-10-12", ["lead", "lose", "kentish-books", "--reason", "chose another agency"])
            try run("2026-10-11", ["org", "add", "Holloway Cafe"])
            try run("2026-10-11", ["lead", "capture", "holloway-cafe", "--source", "outbound", "--value", "1500 GBP"])
            try run(
                "2026-10-12", ["lead", "qualify", "holloway-cafe", "--objective", "Fill the quiet afternoons", "--budget", "new-budget"])
            try run("2026-10-13", ["lead", "win", "holloway-cafe", "--title", "Cafe afternoons", "--kind", "audit"])
            try run("2026-10-21", ["objective", "measure", "bookings", "25"])
            let measured = try run("2026-10-14", ["objective", "measure", "bookings", "18", "--format", "json"])
            let body = try #require(
                (try JSONSerialization.jsonObject(with: Data(measured.utf8)) as? [[String: Any]])?.first?["data"] as? [String: Any])
            let measurement = try #require(body["measurement"] as? String)
            try run("2026-10-16", ["objective", "correct", "bookings", "--measurement", measurement, "21", "--reason", "miscounted"])
            try run(
                "2026-10-20", ["handover", "plan", "arts-online", "--on", "2027-01-29", "--to", "ben-morris", "--sponsor", "dr-aisha-khan"])
        }

        func consult(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
            let output = try fixture.consult(arguments)
            #expect(output.status == 0, "consult \(arguments.joined(separator: " ")): \(output.stderr)", sourceLocation: sourceLocation)
            return output.stdout
        }

        /// The report's JSON sections.
        func sections(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: [[String: Any]]] {
            let object = try JSONSerialization.jsonObject(with: Data(try consult(arguments + ["--format", "json"]).utf8)) as? [String: Any]
            return try #require(object?["sections"] as? [String: [[String: Any]]], sourceLocation: sourceLocation)
        }

        /// The report's JSON prose.
        func text(_ arguments: [String]) throws -> [String] {
            let object = try JSONSerialization.jsonObject(with: Data(try consult(arguments + ["--format", "json"]).utf8)) as? [String: Any]
            return object?["text"] as? [String] ?? []
        }
    }

    /// A section's rows as `key=value` strings in the columns' order given, for whole-row comparisons.
    static func rows(_ rows: [[String: Any]]?, _ keys: [String]) -> [String] {
        (rows ?? []).map { row in
            keys.map { key -> String in
                switch row[key] {
                case let number as NSNumber where !(row[key] is Bool): "\(key)=\(number.doubleValue.formatted(.number.grouping(.never)))"
                case let text as String: "\(key)=\(text)"
                case is NSNull, nil: "\(key)=-"
                case let value?: "\(key)=\(value)"
                }
            }.joined(separator: " ")
        }
    }

    static let formats = ["table", "json", "csv", "markdown", "html"]

    @Test("a handover only planned: no format of the case study says handed over or gives figures at handover")
    func plannedHandover() throws {
        let october = try Self.october.get()
        for format in Self.formats {
            let page = try october.consult(["case-study", "arts-online", "--as-of", "2026-10-31", "--format", format]).lowercased()
            #expect(!page.contains("handed over"), "\(format)")
            #expect(!page.contains("at handover") && !page.contains("at the handover"), "\(format)")
            #expect(!page.contains("took the work over"), "\(format)")
        }
        // The month's own engagement before its handover was completed (planned 09-15, completed 09-25).
        for format in Self.formats {
            let page = try october.consult(["case-study", "libraries-on-twitter", "--as-of", "2026-09-20", "--format", format]).lowercased()
            #expect(!page.contains("handed over") && !page.contains("at handover"), "\(format)")
        }
        let text = try october.text(["case-study", "arts-online", "--as-of", "2026-10-31"])
        #expect(
            text.contains(
                "The handover is planned for 2027-01-29, to Ben Morris (Marketing Officer), with Dr Aisha Khan (Head of Audiences) as sponsor; it is not completed yet."
            ))
        #expect(text.contains("The figures are the latest as of 2026-10-31."))
        // Latest by date: 25 (10-21), not the 21 typed last (10-14, corrected from 18).
        // Progress (25 − 10) / (40 − 10) = 15 / 30 = 50%.
        let sections = try october.sections(["case-study", "arts-online", "--as-of", "2026-10-31"])
        #expect(
            Self.rows(sections["objectives"], ["objective", "area", "metric", "before", "after", "measured", "target", "progress"]) == [
                "objective=More bookings from social media area=sales metric=bookings before=10 after=25 measured=2026-10-21 target=40 progress=50"
            ])
        let table = try october.consult(["case-study", "arts-online", "--as-of", "2026-10-31"])
        #expect(
            table.contains("  Objective                        Business area  Metric    Before  Latest  Measured on  Target  Progress\n"))
    }

    @Test("a completed handover: the case study says handed over, with the figures at that date")
    func completedHandover() throws {
        let october = try Self.october.get()
        let text = try october.text(["case-study", "libraries-on-twitter", "--as-of", "2026-11-01"])
        #expect(
            text.contains(
                "Handed over on 2026-09-25 to Tom Reid (Librarian), Grace Obi (Branch Manager), with Helen Carter (Assistant Director, Libraries) as sponsor; 30 days later the account was active, posting 9 times a week."
            ))
        #expect(text.contains("The figures are those at the handover on 2026-09-25."))
        // At the handover (09-25) the latest by date were 540 followers and 12 hours, both of
        // 09-19; the 810 and 6 of 09-26 came after it and are not "at handover".
        // followers (540 − 150) / (1000 − 150) = 390 / 850 = 45.88…%; hours (12 − 48) / (4 − 48)
        // = −36 / −44 = 81.81…%.
        let sections = try october.sections(["case-study", "libraries-on-twitter", "--as-of", "2026-11-01"])
        #expect(
            Self.rows(sections["objectives"], ["metric", "before", "after", "measured", "target", "progress"]) == [
                // JSON carries the ratio unrounded (the table shows 45.9% and 81.8%).
                "metric=followers before=150 after=540 measured=2026-09-19 target=1000 progress=45.882353",
                "metric=hours to answer a question (hours) before=48 after=12 measured=2026-09-19 target=4 progress=81.818182",
            ])
        let table = try october.consult(["case-study", "libraries-on-twitter", "--as-of", "2026-11-01"])
        #expect(table.contains(" At handover "))
        #expect(!table.contains("| --- |") && !table.hasPrefix("# "), "--format table is a table, not Markdown")
        let markdown = try october.consult(["case-study", "libraries-on-twitter", "--as-of", "2026-11-01", "--format", "markdown"])
        #expect(markdown.hasPrefix("# Libraries on Twitter: Northbridge Libraries\n") && markdown.contains("| --- |"))
        // The page draws a chart per objective (three measurements each by 11-01: 09-12, 09-19, 09-26) and their progress.
        let html = try october.consult(["case-study", "libraries-on-twitter", "--as-of", "2026-11-01", "--format", "html"])
        #expect(html.components(separatedBy: "class=\"objective-chart\"").count - 1 == 2)
        #expect(html.components(separatedBy: "data-points=\"3\"").count - 1 == 2)
        #expect(html.contains("Progress at the handover on 2026-09-25"))
    }

    @Test("the case study's timeline: in date order, people by name and title, nothing internal without --internal")
    func timeline() throws {
        let october = try Self.october.get()
        let sections = try october.sections(["case-study", "arts-online", "--as-of", "2026-10-31"])
        // By the date things happened: the 10-14 measurement (typed after the 10-21 one) comes
        // first; it reads 21, its corrected value. No work logged, no correction, no fee.
        #expect(
            Self.rows(sections["timeline"], ["date", "what"]) == [
                "date=2026-10-05 what=started the engagement \"Arts online\" (coaching)",
                "date=2026-10-05 what=set the objective \"More bookings from social media\" (sales): bookings from 10 to 40 by 2027-01-31",
                "date=2026-10-06 what=appointed Dr Aisha Khan (Head of Audiences) sponsor",
                "date=2026-10-06 what=nominated Ben Morris (Marketing Officer) champion (frontline)",
                "date=2026-10-06 what=adopted instagram (@CamdenArts), serving bookings",
                "date=2026-10-14 what=measured bookings: 21",
                "date=2026-10-20 what=planned the handover for 2027-01-29 to Ben Morris (Marketing Officer), with Dr Aisha Khan (Head of Audiences) as sponsor",
                "date=2026-10-21 what=measured bookings: 25",
            ])
        for format in Self.formats {
            let page = try october.consult(["case-study", "arts-online", "--as-of", "2026-10-31", "--format", format])
            #expect(
                !page.contains("logged") && !page.contains("meant 1.2") && !page.contains("3,000") && !page.contains("12 h"), "\(format)")
            #expect(!page.contains("dr-aisha-khan") && !page.contains("ben-morris"), "\(format): people by name, not handle")
        }
        let forUs = try october.sections(["case-study", "arts-online", "--as-of", "2026-10-31", "--internal"])
        let lines = Self.rows(forUs["timeline"], ["date", "what"])
        #expect(lines.contains("date=2026-10-07 what=logged 12 h: call with Aisha (meant 1.2)"))
        #expect(lines.contains("date=2026-10-16 what=corrected the measurement of bookings of 2026-10-14 to 21: miscounted"))
        #expect(lines.map { $0.prefix(15) } == lines.map { $0.prefix(15) }.sorted(), "in date order")
        #expect(lines.count == 10)
    }

    @Test("changes: a slipped close, corrections old → new, every section in date order")
    func changes() throws {
        let october = try Self.october.get()
        let sections = try october.sections(["changes", "--since", "2026-10-01", "--until", "2026-10-31"])
        // camden-arts-trust was to close 10-20, inside the period, and is still new on 10-31:
        // slipped, 11 whole days before the end of 10-31 (10-20 00:00 → 10-31 23:59:59).
        #expect(
            Self.rows(sections["slipped"], ["expected_close", "lead", "organisation", "stage", "days_past"]) == [
                "expected_close=2026-10-20 lead=camden-arts-trust organisation=Camden Arts Trust stage=new days_past=11"
            ])
        // The 10-14 measurement was typed after the 10-21 one; it is listed first, at 21, the
        // value it was corrected to, and the correction reads 18 → 21.
        #expect(
            Self.rows(sections["measurements"], ["date", "engagement", "objective", "value"]) == [
                "date=2026-10-14 engagement=arts-online objective=bookings value=21",
                "date=2026-10-21 engagement=arts-online objective=bookings value=25",
            ])
        #expect(
            Self.rows(sections["corrections"], ["date", "engagement", "objective", "measured", "was", "now", "reason"]) == [
                "date=2026-10-16 engagement=arts-online objective=bookings measured=2026-10-14 was=18 now=21 reason=miscounted"
            ])
        // The 12 h of 10-07 ("meant 1.2") were never corrected.
        #expect(sections["work_corrections"]?.isEmpty == true)
        #expect(
            Self.rows(sections["new_leads"], ["date", "lead", "source", "value"]) == [
                "date=2026-10-02 lead=camden-arts-trust source=referral value=4000",
                "date=2026-10-08 lead=riverside-dental source=outbound value=-",
                "date=2026-10-10 lead=kentish-books source=outbound value=2000",
                "date=2026-10-11 lead=holloway-cafe source=outbound value=1500",
            ])
        // kentish-books was lost (10-12) before holloway-cafe was captured (10-11) was typed: the
        // moves stand by date, the log's order within a day.
        #expect(
            Self.rows(sections["stage_moves"], ["date", "lead", "from", "to"]) == [
                "date=2026-10-09 lead=riverside-dental from=new to=disqualified", "date=2026-10-12 lead=kentish-books from=new to=lost",
                "date=2026-10-12 lead=holloway-cafe from=new to=qualified", "date=2026-10-13 lead=holloway-cafe from=qualified to=won",
            ])
        // Before the close date, nothing has slipped.
        let early = try october.sections(["changes", "--since", "2026-10-01", "--until", "2026-10-19"])
        #expect(early["slipped"]?.isEmpty == true)
        let table = try october.consult(["changes", "--since", "2026-10-01", "--until", "2026-10-31"])
        #expect(table.contains("  2026-10-16  arts-online  bookings   2026-10-14       18   21  miscounted\n"))
    }

    @Test("a disqualified lead is its own outcome, named with its reason, out of the win rate")
    func disqualified() throws {
        let october = try Self.october.get()
        let sections = try october.sections(["pipeline", "--as-of", "2026-10-31"])
        // outbound: holloway-cafe won, kentish-books lost, riverside-dental disqualified.
        // Win rate = won / (won + lost) = 1 / (1 + 1) = 50% (counted as lost it would be 1 / 3).
        // referral: northbridge-libraries won, camden-arts-trust open: 1 / (1 + 0) = 100%.
        // Cycle: holloway-cafe captured 10-11, won 10-13: 2 days; northbridge 09-01 → 09-05: 4.
        #expect(
            Self.rows(sections["sources"], ["source", "leads", "won", "lost", "disqualified", "win_rate", "cycle_days"]) == [
                "source=referral leads=2 won=1 lost=0 disqualified=0 win_rate=100 cycle_days=4",
                "source=outbound leads=3 won=1 lost=1 disqualified=1 win_rate=50 cycle_days=2",
            ])
        #expect(
            Self.rows(sections["reasons"], ["outcome", "reason", "leads"]) == [
                "outcome=disqualified reason=no-business-objective leads=1", "outcome=lost reason=chose another agency leads=1",
            ])
        #expect(
            Self.rows(sections["closed_leads"], ["closed", "lead", "organisation", "source", "outcome", "reason", "note"]) == [
                "closed=2026-10-09 lead=riverside-dental organisation=Riverside Dental source=outbound outcome=disqualified reason=no-business-objective note=wants followers, not outcomes",
                "closed=2026-10-12 lead=kentish-books organisation=Kentish Books source=outbound outcome=lost reason=chose another agency note=-",
            ])
        // new: camden-arts-trust; won: northbridge-libraries and holloway-cafe; lost:
        // kentish-books; disqualified: riverside-dental, in a row of its own.
        #expect(
            Self.rows(sections["stages"], ["stage", "leads"]) == [
                "stage=new leads=1", "stage=won leads=2", "stage=lost leads=1", "stage=disqualified leads=1",
            ])
        let table = try october.consult(["pipeline", "--as-of", "2026-10-31"])
        #expect(table.contains("(win rate = won / (won + lost); disqualified leads apart)"))
        // The same live as folded.
        #expect(
            try october.sections(["pipeline"])["sources"].map { Self.rows($0, ["source", "win_rate"]) } == [
                "source=referral win_rate=100", "source=outbound win_rate=50",
            ])
    }

    @Test("referrals: an open lead's value per referrer, beside the won value")
    func referrals() throws {
        let october = try Self.october.get()
        let sections = try october.sections(["referrals", "--as-of", "2026-10-31"])
        // Helen Carter's introduction (camden-arts-trust, 4,000 GBP) is open; Priya Shah's was won
        // at the proposal's 6,500 GBP.
        #expect(
            Self.rows(sections["referrals"], ["referrer", "lead", "stage", "open_value", "won_value", "currency"]) == [
                "referrer=Priya Shah lead=northbridge-libraries stage=won open_value=- won_value=6500 currency=GBP",
                "referrer=Helen Carter lead=camden-arts-trust stage=new open_value=4000 won_value=- currency=GBP",
            ])
        #expect(
            Self.rows(sections["by_referrer"], ["referrer", "leads", "open", "open_value", "won", "won_value", "currency"]) == [
                "referrer=Helen Carter leads=1 open=1 open_value=4000 won=0 won_value=0 currency=GBP",
                "referrer=Priya Shah leads=1 open=0 open_value=0 won=1 won_value=6500 currency=GBP",
            ])
    }

    @Test("status: each channel with the objectives it serves, and the qualification's budget source")
    func status() throws {
        let october = try Self.october.get()
        let sections = try october.sections(["status", "--as-of", "2026-10-31"])
        // arts-online started without a lead (no budget source); cafe-afternoons was won from
        // holloway-cafe, qualified with new-budget.
        #expect(
            Self.rows(sections["engagements"], ["engagement", "channels", "budget_source"]) == [
                "engagement=arts-online channels=instagram budget_source=-",
                "engagement=cafe-afternoons channels= budget_source=new-budget",
            ])
        #expect(
            Self.rows(sections["channels"], ["engagement", "channel", "handle", "serves", "adopted"]) == [
                "engagement=arts-online channel=instagram handle=@CamdenArts serves=bookings adopted=2026-10-06"
            ])
        let month = try october.sections(["status", "libraries-on-twitter", "--as-of", "2026-09-20"])
        #expect(Self.rows(month["engagements"], ["budget_source"]) == ["budget_source=existing-spend"])
        #expect(
            Self.rows(month["channels"], ["channel", "handle", "serves"]) == [
                "channel=twitter handle=@NorthbridgeLibs serves=followers, response-time"
            ])
    }
}
