import Foundation
import TestSupport
import Testing

/// Bad input for every command: each exits non-zero, says which field or rule, and records
/// nothing (the number of events before and after is equal).
@Suite("bad input on the command line", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct BadInputCLITests {
    struct Case: Sendable, CustomStringConvertible {
        let arguments: [String]
        let status: Int32
        /// The start of the first line of stderr.
        let says: String
        var description: String { arguments.joined(separator: " ") }
    }

    static var weekAhead: String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let date = calendar.date(byAdding: .day, value: 7, to: Date())!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    static let longName = String(repeating: "x", count: 10_000)

    static var cases: [Case] {
        let eng = "libraries-on-twitter"
        return [
            // Missing required options and arguments: ArgumentParser names them, exit 64.
            Case(arguments: ["org", "add"], status: 64, says: "Error: Missing expected argument '<name>'"),
            Case(
                arguments: ["lead", "capture", "camden-arts-trust"], status: 64,
                says: "Error: Missing expected argument '--source <source>'"),
            Case(
                arguments: ["lead", "advance", "northbridge-libraries"], status: 64, says: "Error: Missing expected argument '--to <to>'"),
            Case(
                arguments: ["engagement", "start", "camden-arts-trust"], status: 64,
                says: "Error: Missing expected argument '--title <title>'"),
            Case(
                arguments: [
                    "objective", "set", eng, "--area", "a", "--statement", "s", "--metric", "m", "--baseline", "1", "--due", "2027-01-01",
                ],
                status: 64, says: "Error: Missing expected argument '--target <target>'"),
            Case(
                arguments: ["handover", "complete", eng], status: 64,
                says: "Error: Missing expected argument '--signed-off-by <signed-off-by>'"),
            Case(arguments: ["engagement", "close", eng], status: 64, says: "Error: Missing expected argument '--outcome <outcome>'"),
            Case(
                arguments: ["lead", "capture", "camden-arts-trust", "--source", "telepathy"], status: 64,
                says: "Error: The value 'telepathy' is invalid for '--source <source>'"),
            // Unknown handles.
            Case(
                arguments: ["lead", "capture", "no-such-org", "--source", "talk"], status: 1,
                says: "consult: organisation: there is no organisation with the handle \"no-such-org\""),
            Case(
                arguments: ["person", "add", "Sam", "--org", "nowhere"], status: 1,
                says: "consult: --org: there is no organisation with the handle \"nowhere\""),
            Case(
                arguments: ["person", "move", "nobody", "--to", "camden-arts-trust"], status: 1,
                says: "consult: person: there is no person with the handle \"nobody\""),
            Case(
                arguments: ["person", "leave", "nobody"], status: 1, says: "consult: person: there is no person with the handle \"nobody\""),
            Case(
                arguments: ["objective", "measure", "no-such-objective", "5"], status: 1,
                says: "consult: objective: there is no objective with the handle \"no-such-objective\""),
            Case(
                arguments: ["engagement", "sponsor", "no-such-engagement", "helen-carter"], status: 1,
                says: "consult: engagement: there is no engagement with the handle \"no-such-engagement\""),
            Case(
                arguments: ["referral", "receive", "camden-arts-trust", "--from", "a-stranger"], status: 1,
                says: "consult: --from: there is no person with the handle \"a-stranger\""),
            Case(
                arguments: ["handover", "item", "done", eng, "no-such-item"], status: 1,
                says: "consult: item: there is no checklist item \"no-such-item\" on this handover"),
            // Money.
            Case(
                arguments: ["lead", "capture", "camden-arts-trust", "--source", "talk", "--value=-5 GBP"], status: 1,
                says: "consult: --value: money cannot be negative (rule 7)"),
            Case(
                arguments: ["lead", "capture", "camden-arts-trust", "--source", "talk", "--value", "5000"], status: 1,
                says:
                    "consult: --value: \"5000\" is not an amount with a currency, such as \"4000 GBP\" (or let the owner set the consultancy's currency: consult tenant edit NAME --currency GBP) (rule 7)"
            ),
            Case(
                arguments: ["engagement", "start", "camden-arts-trust", "--title", "Audit", "--fee", "12.345 EUR"], status: 1,
                says: "consult: --fee: \"12.345\" is not an amount of EUR (at most 2 decimals) (rule 7)"),
            // Dates.
            Case(
                arguments: ["org", "add", "Dateless", "--at", "2026-02-30"], status: 1,
                says: "consult: --at: 2026-02-30 is not a day of the calendar"),
            Case(
                arguments: ["org", "add", "Dateless", "--at", "yesterday"], status: 1,
                says: "consult: --at: \"yesterday\" is not a date: write YYYY-MM-DD or YYYY-MM-DDTHH:MM"),
            // A report's --as-of is named as typed, not as a write's --at.
            Case(
                arguments: ["pipeline", "--as-of", "2026-02-30"], status: 1,
                says: "consult: --as-of: 2026-02-30 is not a day of the calendar"),
            Case(
                arguments: ["status", "--as-of", "yesterday"], status: 1,
                says: "consult: --as-of: \"yesterday\" is not a date: write YYYY-MM-DD or YYYY-MM-DDTHH:MM"),
            Case(
                arguments: ["lead", "capture", "camden-arts-trust", "--source", "talk", "--expected-close", "soon"], status: 1,
                says: "consult: --expected-close: \"soon\" is not a date: write it as YYYY-MM-DD"),
            Case(
                arguments: ["org", "add", "Future Ltd", "--at", weekAhead], status: 1,
                says: "consult: --at: \(weekAhead) is more than a day in the future: record things that happened (rule 7)"),
            // Names.
            Case(arguments: ["org", "add", longName], status: 1, says: "consult: name: is 10000 characters long; the limit is 200"),
            Case(arguments: ["org", "add", "Two\nLines"], status: 1, says: "consult: name: contains a line break"),
            Case(arguments: ["person", "add", "Tab\u{7}Bell"], status: 1, says: "consult: name: contains a control character (U+7)"),
            Case(
                arguments: ["org", "add", "northbridge LIBRARIES"], status: 1,
                says: "consult: name: an organisation named \"northbridge LIBRARIES\" exists already in this consultancy (rule 7)"),
            Case(
                arguments: ["org", "add", "!!!"], status: 1, says: "consult: name: needs at least one letter or digit to make a handle from"
            ),
            // Rules.
            Case(
                arguments: ["objective", "measure", "dropped-metric", "5"], status: 1,
                says: "consult: objective: is dropped: measurements and revisions need an open objective (rule 2)"),
            Case(
                arguments: ["handover", "plan", "second-engagement", "--on", "2026-12-01", "--sponsor", "helen-carter"], status: 1,
                says: "consult: --to: a handover names at least one receiving owner (rule 3)"),
            Case(
                arguments: [
                    "handover", "plan", "second-engagement", "--on", "2026-12-01", "--to", "priya-shah", "--sponsor", "helen-carter",
                ], status: 1,
                says: "consult: --to: must be a person of the client organisation (rule 3)"),
            Case(
                arguments: ["lead", "win", "camden-arts-trust", "--title", "Too late"], status: 1,
                says: "consult: lead: is lost: only an open lead can be won (reopen it first) (rule 5)"),
            Case(
                arguments: ["lead", "advance", "northbridge-libraries", "--to", "contacted"], status: 1,
                says: "consult: lead: is won: a closed lead cannot be changed (advance) (rule 5)"),
            Case(
                arguments: ["engagement", "close", "second-engagement", "--outcome", "handed-over"], status: 1,
                says: "consult: --outcome: an engagement closes as handed-over only after a completed handover (rule 4)"),
            Case(
                arguments: ["engagement", "close", "second-engagement", "--outcome", "terminated"], status: 1,
                says: "consult: --reason: closing as terminated needs a reason (rule 4)"),
            Case(
                arguments: [
                    "objective", "set", "second-engagement", "--area", "sales", "--statement", "s", "--metric", "leads", "--baseline", "5",
                    "--target", "5", "--due", "2027-01-01",
                ], status: 1,
                says: "consult: --target: the target must differ from the baseline, or there is nothing to achieve (rule 1)"),
            Case(
                arguments: ["objective", "measure", "followers", "12"], status: 1,
                says: "consult: engagement: is closed (handed-over): nothing more can be recorded on it (rule 2)"),
            Case(
                arguments: ["engagement", "work", eng, "30", "a very long day"], status: 1,
                says: "consult: engagement: is closed (handed-over): nothing more can be recorded on it (rule 2)"),
            Case(
                arguments: ["engagement", "work", "second-engagement", "30", "a very long day"], status: 1,
                says: "consult: --hours: must be more than 0 and at most 24"),
            Case(
                arguments: ["introduction", "answer", "tom-reid", "--outcome", "promised"], status: 1,
                says: "consult: introduction: was not asked for: ask first with `consult introduction ask`"),
            // Helen Carter was asked (10-27) and answered (10-29) in the month.
            Case(
                arguments: ["introduction", "answer", "helen-carter", "--outcome", "declined"], status: 1,
                says: "consult: introduction: was answered already; ask again first with `consult introduction ask`"),
            Case(
                arguments: ["referrer", "thank", "camden-arts-trust"], status: 1,
                says: "consult: lead: came with no referral, so there is no referrer to thank (rule 6)"),
            Case(
                arguments: ["lead", "qualify", "camden-arts-trust"], status: 1,
                says: "consult: lead: is lost: a closed lead cannot be changed (qualify); reopen it first (rule 5)"),
            Case(
                arguments: [
                    "objective", "correct", "second-metric", "--measurement", "00000000-0000-0000-0000-000000000000", "3", "--reason",
                    "typo",
                ],
                status: 1,
                says:
                    "consult: --measurement: a correction names a measurement of this objective, and 00000000-0000-0000-0000-000000000000 is not one (rule 2)"
            ),
            Case(
                arguments: ["objective", "revise", "second-metric", "--to", "9", "--reason", " "], status: 1,
                says: "consult: --reason: is empty"),
            Case(
                arguments: ["engagement", "champion", "second-engagement", "priya-shah", "--level", "manager"], status: 1,
                says: "consult: champion: must be a person of the client organisation (rule 3)"),
            Case(
                arguments: ["engagement", "channel", "retire", "second-engagement", "facebook", "--reason", "quiet"], status: 1,
                says: "consult: channel: facebook is not in use"),
            Case(arguments: ["engagement", "resume", "second-engagement"], status: 1, says: "consult: engagement: is active, not paused"),
            Case(
                arguments: ["handover", "follow-up", "second-engagement", "--days", "30", "--active"], status: 1,
                says: "consult: handover: a follow-up check comes after a completed handover (rule 4)"),
            // Nothing about a record is dated before it began (rule 9): second-engagement started today.
            Case(
                arguments: ["engagement", "purpose", "second-engagement", "Earlier", "--at", "2026-09-01"], status: 1,
                says: "consult: --at: 2026-09-01 is before the engagement began ("),
            // An amount's currency is an ISO 4217 code; a transposed one is named.
            Case(
                arguments: ["lead", "capture", "camden-arts-trust", "--source", "talk", "--value", "4000 GPB"], status: 1,
                says: "consult: --value: \"GPB\" is not an ISO 4217 currency code such as GBP, EUR or USD (did you mean GBP?) (rule 7)"),
            Case(
                arguments: ["lead", "capture", "camden-arts-trust", "--source", "talk", "--value", "4000 XYZ"], status: 1,
                says: "consult: --value: \"XYZ\" is not an ISO 4217 currency code such as GBP, EUR or USD (rule 7)"),
            // One engagement as of a day before it started: said, not printed as empty blocks.
            Case(
                arguments: ["status", "libraries-on-twitter", "--as-of", "2026-09-01"], status: 1,
                says: "consult: engagement: libraries-on-twitter had not started by 2026-09-01"),
            // `org show` names its argument, as the other nouns' show do.
            Case(
                arguments: ["org", "show", "northbridge"], status: 1,
                says: "consult: organisation: there is no organisation with the handle \"northbridge\""),
            // A --handle asked for and taken is refused, not turned into second-metric-2.
            Case(
                arguments: [
                    "objective", "set", "second-engagement", "--handle", "second-metric", "--area", "sales", "--statement", "s",
                    "--metric", "m", "--baseline", "1", "--target", "9", "--due", "2027-01-01",
                ], status: 1,
                says:
                    "consult: --handle: second-metric is an objective of this engagement already: give another --handle (second-metric-2 is free), or measure that one"
            ),
            // Follow-up checks are at 30, 90 and 180 days, each once (the month checked 30 days).
            Case(
                arguments: ["handover", "follow-up", "libraries-on-twitter", "--days", "45", "--active"], status: 1,
                says: "consult: --days: a follow-up check is at 30, 90 or 180 days after the handover (rule 4)"),
            Case(
                arguments: ["handover", "follow-up", "libraries-on-twitter", "--days", "30", "--no-active"], status: 1,
                says:
                    "consult: --days: the 30-day check is recorded already: put it right with `consult handover follow-up correct` (rule 4)"
            ),
            // A revision keeps the direction the objective was set with (rule 8): 1 → 9 goes up.
            Case(
                arguments: ["objective", "revise", "second-metric", "--to", "0.5", "--reason", "lower"], status: 1,
                says: "consult: --to: a metric that should go up needs a target above its baseline (1) (rule 8)"),
            Case(
                arguments: ["objective", "revise", "second-metric", "--to", "9", "--reason", "again"], status: 1,
                says: "consult: --to: is the target already (9); nothing to revise"),
            // Coaching is of the client's own staff (rule 3): Priya Shah is at Camden Arts Trust.
            Case(
                arguments: ["engagement", "session", "second-engagement", "--attendee", "priya-shah", "--topic", "t", "--minutes", "30"],
                status: 1, says: "consult: --attendee: must be a person of the client organisation (rule 3)"),
            Case(
                arguments: ["engagement", "session", "second-engagement", "--topic", "t", "--minutes", "30"], status: 1,
                says: "consult: --attendee: name at least one attendee (rule 3)"),
            // A section the report does not have: refused, not the first section instead.
            Case(
                arguments: ["pipeline", "--format", "csv", "--section", "open-lead"], status: 64,
                says: "consult: --section: the pipeline report has no section \"open-lead\""),
            Case(
                arguments: ["lead", "propose", "camden-arts-trust", "--value", "100 GBP"], status: 1,
                says: "consult: lead: is lost: a closed lead cannot be changed (send a proposal for); reopen it first (rule 5)"),
        ]
    }

    @Test("every bad input exits non-zero, names the field or rule, and records nothing")
    func badInput() throws {
        let fixture = try MonthFixture()
        // A second engagement with one open and one dropped objective, and a lost lead.
        for step in [
            ["engagement", "start", "northbridge-libraries", "--title", "Second engagement"],
            [
                "objective", "set", "second-engagement", "--handle", "dropped-metric", "--area", "sales", "--statement", "s", "--metric",
                "visits",
                "--baseline", "1", "--target", "9", "--due", "2027-01-01",
            ],
            ["objective", "drop", "dropped-metric", "--reason", "no data"],
            [
                "objective", "set", "second-engagement", "--handle", "second-metric", "--area", "sales", "--statement", "s", "--metric",
                "loans",
                "--baseline", "1", "--target", "9", "--due", "2027-01-01",
            ],
            ["lead", "capture", "camden-arts-trust", "--source", "repeat"],
            ["lead", "lose", "camden-arts-trust", "--reason", "no budget this year"],
        ] {
            let output = try fixture.consult(step)
            #expect(output.status == 0, "\(step): \(output.stderr)")
        }
        let before = try fixture.eventCount()
        for badCase in Self.cases {
            let output = try fixture.consult(badCase.arguments)
            #expect(output.status == badCase.status, "\(badCase): exit \(output.status), \(output.stderr)")
            let firstLine = output.stderr.split(separator: "\n").first.map(String.init) ?? ""
            #expect(firstLine.hasPrefix(badCase.says), "\(badCase)")
            #expect(output.stdout.isEmpty, "\(badCase)")
        }
        #expect(try fixture.eventCount() == before)
    }

    @Test("a command id given again to another command is refused, and nothing is recorded; the same command again is a replay")
    func reusedCommandID() throws {
        let fixture = try MonthFixture(recordMonth: false)
        let id = UUID().uuidString.lowercased()
        let first = try fixture.consult(["org", "add", "Harbour Bakery", "--command-id", id])
        #expect(first.status == 0, "\(first.stderr)")
        let before = try fixture.eventCount()
        // `org add` again, with other words, is the same command by name: the envelope keeps only
        // the command's name (its words may name people), so it is taken as the replay.
        let other = try fixture.consult(["org", "add", "Seaside Cafe", "--command-id", id])
        #expect(other.status == 0, "\(other.stderr)")
        // Another command with the same id: refused, exit 1, nothing on stdout, nothing recorded.
        let otherVerb = try fixture.consult(["person", "add", "Sam Lee", "--org", "harbour-bakery", "--command-id", id])
        #expect(otherVerb.status == 1)
        #expect(
            otherVerb.stderr.hasPrefix(
                "consult: --command-id: \(id) is the id of an earlier `consult org add`, not of this `consult person add`; nothing was recorded"
            ),
            "\(otherVerb.stderr)")
        #expect(otherVerb.stdout.isEmpty)
        #expect(try fixture.eventCount() == before)
        // The first command again: a replay, as before.
        let again = try fixture.consult(["org", "add", "Harbour Bakery", "--command-id", id])
        #expect(again.status == 0)
        #expect(again.stdout == "Already recorded by command \(id): nothing new.\n")
        #expect(try fixture.eventCount() == before)
    }

    @Test("--section takes a section's key, with a hyphen for its underscore")
    func sectionKey() throws {
        let fixture = try MonthFixture()
        for name in ["open_leads", "open-leads"] {
            let output = try fixture.consult(["pipeline", "--format", "csv", "--section", name])
            #expect(output.status == 0, "\(output.stderr)")
            #expect(output.stdout.hasPrefix("lead,organisation,stage,value,"), "\(name): \(output.stdout.prefix(80))")
        }
    }

    @Test("--at takes the forms its help gives: YYYY-MM-DDTHH:MM with or without seconds, with or without the Z")
    func atForms() throws {
        let fixture = try MonthFixture(recordMonth: false)
        for (index, at) in ["2026-11-02T06:00", "2026-11-02T06:00Z", "2026-11-02T06:00:00", "2026-11-02T06:00:00Z"].enumerated() {
            let output = try fixture.consult(["org", "add", "Early \(index)", "--at", at, "--format", "json"])
            #expect(output.status == 0, "\(at): \(output.stderr)")
        }
        // All four at 06:00 UTC on 2026-11-02.
        let log = try fixture.consult(["log", "--format", "json"])
        let events = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]])
        #expect(events.count == 4)
        #expect(
            events.allSatisfy { ($0["occurred_at"] as? String)?.hasPrefix("2026-11-02T06:00:00") == true },
            "\(events.map { $0["occurred_at"] ?? "" })")
    }

    @Test("quotes and emoji in names are stored verbatim")
    func verbatim() throws {
        let fixture = try MonthFixture(recordMonth: false)
        let name = "O'Brien & \"Sons\" 🚀 Ltd; DROP TABLE x"
        let output = try fixture.consult(["org", "add", name])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.hasPrefix("Registered organisation o-brien-sons-ltd-drop-table-x (id "))
        let log = try fixture.consult(["log", "--format", "json"])
        let events = try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]]
        #expect((events?.first?["data"] as? [String: Any])?["name"] as? String == name)
    }
}
