import Foundation
import Postgres
import TestSupport
import Testing

/// Duplicates (issue 16 item 6) and a renamed person's second handle (item 4), through the
/// built binary: a close name asked about or refused, `--yes` and `--handle`; `person merge`
/// folding a duplicate into the person kept in every report, undone and redone, with an as-of
/// date before the merge; bad input refused with nothing written.
@Suite("duplicates and merges", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct DuplicateTests {
    /// A fresh tenant (no month) with Harbour Bakery and its owner, Sam O'Neill.
    struct Bakery {
        let fixture: MonthFixture

        init() throws {
            fixture = try MonthFixture(recordMonth: false)
            try ok(["org", "add", "Harbour Bakery", "--at", "2026-11-01"])
            try ok(["person", "add", "Sam O'Neill", "--org", "harbour-bakery", "--title", "Owner", "--at", "2026-11-01"])
        }

        @discardableResult
        func ok(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
            let output = try fixture.consult(arguments)
            #expect(output.status == 0, "\(arguments): \(output.stderr)", sourceLocation: sourceLocation)
            return output.stdout
        }

        /// What a reader of consult.people sees in psql or a spreadsheet: for each person, the
        /// handle of the person they were merged into ("" when none).
        func mergedInto() throws -> [String: String] {
            let connection = try fixture.database.connect(user: fixture.ann)
            defer { connection.close() }
            var result: [String: String] = [:]
            for row in try connection.execute(
                """
                SELECT d.handle, coalesce(k.handle, '') FROM consult.people p
                  JOIN consult.person_details d ON d.tenant_id = p.tenant_id AND d.person_id = p.person_id
                  LEFT JOIN consult.person_details k ON k.tenant_id = p.tenant_id AND k.person_id = p.merged_into
                """)
            {
                result[try row.decode(String.self, at: 0)] = try row.decode(String.self, at: 1)
            }
            return result
        }

        func json(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
            let text = try ok(arguments + ["--format", "json"], sourceLocation: sourceLocation)
            return try JSONSerialization.jsonObject(with: Data(text.utf8))
        }

        /// A report's section rows, as JSON.
        func rows(_ arguments: [String], _ section: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
            let object = try #require(try json(arguments, sourceLocation: sourceLocation) as? [String: Any], sourceLocation: sourceLocation)
            let sections = try #require(object["sections"] as? [String: Any], sourceLocation: sourceLocation)
            return sections[section] as? [[String: Any]] ?? []
        }

        /// Runs a command that must be refused: its exit status, its message, nothing written.
        func refused(
            _ arguments: [String], status: Int32 = 1, saying: String, sourceLocation: SourceLocation = #_sourceLocation
        ) throws {
            let before = try fixture.eventCount()
            let output = try fixture.consult(arguments)
            #expect(output.status == status, "\(arguments): \(output.stdout) \(output.stderr)", sourceLocation: sourceLocation)
            #expect(output.stderr.contains(saying), "\(arguments): \(output.stderr)", sourceLocation: sourceLocation)
            #expect(try fixture.eventCount() == before, "\(arguments) wrote events", sourceLocation: sourceLocation)
        }

        /// The per-referrer rows of `consult referrals`: referrer → (leads, open value).
        func byReferrer(_ extra: [String] = []) throws -> [String: [Double]] {
            var found: [String: [Double]] = [:]
            for row in try rows(["referrals"] + extra, "by_referrer") {
                found[row["referrer"] as? String ?? "?"] = [
                    (row["leads"] as? NSNumber)?.doubleValue ?? -1, (row["open_value"] as? NSNumber)?.doubleValue ?? -1,
                ]
            }
            return found
        }

        /// The sponsor's name in `consult status`, as JSON.
        func sponsor(_ extra: [String] = []) throws -> String? {
            try rows(["status"] + extra, "engagements").first?["sponsor"] as? String
        }
    }

    @Test("a close name is refused off a terminal, naming the record; --yes adds it (sam-o-neill-2); --handle on org add")
    func closeNames() throws {
        let bakery = try Bakery()
        // Case and punctuation aside, the same name at the same organisation.
        try bakery.refused(
            ["person", "add", "sam o'neill", "--org", "harbour-bakery"], saying: "is close to the person Sam O'Neill (sam-o-neill)")
        try bakery.refused(["person", "add", "O'Neill, Sam", "--org", "harbour-bakery"], saying: "Sam O'Neill (sam-o-neill)")
        try bakery.refused(["person", "add", "Sam ONeil", "--org", "harbour-bakery"], saying: "Sam O'Neill (sam-o-neill)")
        // A prefix, word for word: "Harbour Bakery" and "Harbour Bakery Co".
        try bakery.refused(["org", "add", "Harbour Bakery Co"], saying: "is close to the organisation Harbour Bakery (harbour-bakery)")
        try bakery.refused(["org", "add", "Bakery, Harbour"], saying: "Harbour Bakery (harbour-bakery)")
        // The same handle is rule 7's refusal, as before: no question, since --yes would not help.
        try bakery.refused(["org", "add", "harbour  BAKERY!", "--yes"], saying: "exists already in this consultancy (rule 7)")
        try bakery.refused(["org", "add", "harbour  BAKERY!"], saying: "exists already in this consultancy (rule 7)")
        // Not close: someone else at the same organisation, the same name at another, another number.
        try bakery.ok(["person", "add", "Ada Lane", "--org", "harbour-bakery"])
        try bakery.ok(["org", "add", "Quay Florist"])
        try bakery.ok(["person", "add", "Sam O'Neill", "--org", "quay-florist"])
        try bakery.ok(["org", "add", "Branch 1"])
        try bakery.ok(["org", "add", "Branch 2"])

        // --yes: the handle scheme of a name taken, now only when asked for.
        let added = try #require(
            try bakery.json(["person", "add", "sam o'neill", "--org", "harbour-bakery", "--yes"]) as? [[String: Any]])
        #expect(added.map { $0["type"] as? String } == ["PersonAdded"])
        #expect(try bakery.ok(["person", "add", "Sam O'Neill", "--org", "harbour-bakery", "--yes"]).hasPrefix("Added sam-o-neill-4 "))
        // sam-o-neill (Harbour Bakery), -2 (Quay Florist), -3 (sam o'neill above), -4.
        let registered = try bakery.ok(["org", "add", "Harbour Bakery Co", "--handle", "hb-co", "--yes"])
        #expect(registered.hasPrefix("Registered organisation hb-co "), "\(registered)")
        #expect(try bakery.ok(["org", "show", "hb-co"]).contains("Harbour Bakery Co"))
        let json = try #require(try bakery.json(["org", "add", "Quay Florists", "--handle", "quay-2", "--yes"]) as? [[String: Any]])
        #expect(json.map { $0["type"] as? String } == ["OrganisationRegistered", "HandleClaimed"])
        // --handle and --yes together on person add.
        #expect(
            try bakery.ok(["person", "add", "Sam O'Neill", "--org", "harbour-bakery", "--handle", "sam-senior", "--yes"]).hasPrefix(
                "Added sam-senior "))
    }

    @Test("on a terminal the close name is asked about: n records nothing, y adds it")
    func asksOnATerminal() throws {
        let bakery = try Bakery()
        let script = URL(fileURLWithPath: "/usr/bin/script")
        guard FileManager.default.isExecutableFile(atPath: script.path) else { return }
        func typed(_ answer: String) throws -> ConsultProcess.Output {
            // script(1) gives consult a terminal for stdin and stderr; the answer is typed into it.
            let command = "\(ConsultProcess.executable.path) person add 'sam o neill' --org harbour-bakery"
            return try ConsultProcess.run(
                executable: URL(fileURLWithPath: "/bin/sh"),
                ["-c", "printf '\(answer)\\n' | script -qec \"\(command)\" /dev/null"],
                environment: ["DATABASE_URL": bakery.fixture.conninfo, "PGUSER": bakery.fixture.ann])
        }
        let before = try bakery.fixture.eventCount()
        let no = try typed("n")
        #expect(no.stdout.contains("Add anyway? [y/N]"), "\(no.stdout) \(no.stderr)")
        #expect(no.stdout.contains("nothing was recorded"), "\(no.stdout)")
        #expect(try bakery.fixture.eventCount() == before)
        let yes = try typed("y")
        #expect(yes.stdout.contains("Added sam-o-neill-2 "), "\(yes.stdout) \(yes.stderr)")
        // One PersonAdded.
        #expect(try bakery.fixture.eventCount() == before + 1)
    }

    @Test("person merge: the duplicate's referrals and sponsorship count for the person kept; as-of before it, apart; undo and redo")
    func merge() throws {
        let bakery = try Bakery()
        for step in [
            ["person", "add", "sam o'neill", "--org", "harbour-bakery", "--yes", "--at", "2026-11-01"],
            ["org", "add", "Quay Florist", "--at", "2026-11-01"], ["org", "add", "Mill Cafe", "--at", "2026-11-01"],
            ["referral", "receive", "quay-florist", "--from", "sam-o-neill", "--value", "4000 GBP", "--at", "2026-11-02"],
            ["referral", "receive", "mill-cafe", "--from", "sam-o-neill-2", "--value", "6000 GBP", "--at", "2026-11-03"],
            ["engagement", "start", "harbour-bakery", "--title", "Bakery on Instagram", "--at", "2026-11-01"],
            ["engagement", "sponsor", "bakery-on-instagram", "sam-o-neill-2", "--at", "2026-11-04"],
            [
                "engagement", "session", "bakery-on-instagram", "--attendee", "sam-o-neill-2", "--topic", "tone of voice", "--minutes",
                "60", "--at", "2026-11-04",
            ],
        ] {
            try bakery.ok(step)
        }
        // Before the merge, two referrers: 1 lead of 4,000 and 1 lead of 6,000; the sponsor is the duplicate.
        #expect(try bakery.byReferrer() == ["Sam O'Neill": [1, 4000], "sam o'neill": [1, 6000]])
        #expect(try bakery.sponsor() == "sam o'neill")
        #expect(try bakery.mergedInto() == ["sam-o-neill": "", "sam-o-neill-2": ""])

        let merged = try #require(
            try bakery.json(["person", "merge", "sam-o-neill", "sam-o-neill-2", "--reason", "added twice", "--at", "2026-11-10"])
                as? [[String: Any]])
        #expect(merged.map { $0["type"] as? String } == ["PersonMerged"])
        let body = try #require(merged.first?["data"] as? [String: Any])
        #expect(body["reason"] as? String == "added twice")
        let shown = try #require(try bakery.json(["person", "show", "sam-o-neill"]) as? [String: Any])
        #expect("\(shown)".contains("Owner"))

        // The read model says whom the duplicate was merged into, for anyone counting people.
        #expect(try bakery.mergedInto() == ["sam-o-neill": "", "sam-o-neill-2": "sam-o-neill"])
        // After: one referrer, 1 + 1 = 2 leads, 4,000 + 6,000 = 10,000 open; the sponsor is the person kept.
        #expect(try bakery.byReferrer() == ["Sam O'Neill": [2, 10000]])
        #expect(try bakery.sponsor() == "Sam O'Neill")
        // The sponsor's title in the engagement's people is the person kept's (Owner); the duplicate had none.
        let people = try bakery.rows(["status", "bakery-on-instagram"], "people")
        #expect(people.map { $0["name"] as? String } == ["Sam O'Neill"] && people.first?["title"] as? String == "Owner")
        // The case study names the sponsor and the session's attendee as the person kept, with their title.
        let study = try bakery.ok(["case-study", "bakery-on-instagram", "--internal"])
        #expect(study.contains("Sponsor: Sam O'Neill (Owner)"), "\(study)")
        #expect(study.contains("coaching session with Sam O'Neill (Owner)"), "\(study)")
        #expect(!study.contains("sam o'neill"), "\(study)")
        // So does the client's page, built from the engagement's own streams.
        let page = try bakery.ok(["report", "--engagement", "bakery-on-instagram", "--html", "-"])
        #expect(page.contains("Sam O&#39;Neill") || page.contains("Sam O&#x27;Neill") || page.contains("Sam O'Neill"), "\(page)")
        #expect(!page.contains("sam o&#39;neill") && !page.contains("sam o'neill") && !page.contains("sam o&#x27;neill"))
        // As of 2026-11-05, before the merge: apart, as they were.
        let before = try bakery.ok(["case-study", "bakery-on-instagram", "--internal", "--as-of", "2026-11-05"])
        #expect(before.contains("coaching session with sam o'neill"), "\(before)")
        #expect(try bakery.byReferrer(["--as-of", "2026-11-05"]) == ["Sam O'Neill": [1, 4000], "sam o'neill": [1, 6000]])
        #expect(try bakery.sponsor(["--as-of", "2026-11-05"]) == "sam o'neill")
        // The lists: one person at Harbour Bakery, one referrer with 2 referrals; the duplicate's handle names the person kept.
        let listed = try bakery.rows(["person", "list", "--org", "harbour-bakery"], "people")
        #expect(listed.map { $0["handle"] as? String } == ["sam-o-neill"])
        let referrers = try bakery.rows(["referrer", "list"], "referrers")
        #expect(referrers.map { $0["handle"] as? String } == ["sam-o-neill"] && (referrers.first?["referrals"] as? NSNumber) == 2)
        #expect(try bakery.ok(["person", "show", "sam-o-neill-2"]).contains("Owner"))
        let hits = try bakery.rows(["search", "o'neill"], "hits").compactMap { $0["handle"] as? String }
        #expect(Set(hits) == ["sam-o-neill"], "\(hits)")
        // Undo the merge: PersonUnmerged, and the two apart again.
        let undone = try bakery.ok(["undo"])
        #expect(undone.contains("merged into sam-o-neill: added twice"), "\(undone)")
        let log = try #require(try bakery.json(["log"]) as? [[String: Any]])
        #expect(log.compactMap { $0["type"] as? String }.suffix(2) == ["PersonMerged", "PersonUnmerged"])
        #expect(try bakery.byReferrer() == ["Sam O'Neill": [1, 4000], "sam o'neill": [1, 6000]])
        #expect(try bakery.sponsor() == "sam o'neill")
        #expect(try bakery.rows(["person", "list", "--org", "harbour-bakery"], "people").count == 2)
        #expect(try bakery.mergedInto() == ["sam-o-neill": "", "sam-o-neill-2": ""])
        // Undo the undo: merged again.
        try bakery.ok(["undo"])
        #expect(try bakery.mergedInto() == ["sam-o-neill": "", "sam-o-neill-2": "sam-o-neill"])
        #expect(try bakery.byReferrer() == ["Sam O'Neill": [2, 10000]])
        // And as of 2026-11-05 still apart.
        #expect(try bakery.byReferrer(["--as-of", "2026-11-05"]) == ["Sam O'Neill": [1, 4000], "sam o'neill": [1, 6000]])
        // New facts naming the duplicate's handle are recorded for the person kept.
        try bakery.ok(["engagement", "champion", "bakery-on-instagram", "sam-o-neill-2", "--level", "manager"])
        let champion = try bakery.rows(["status"], "engagements").first?["champions"] as? String
        #expect(champion == "Sam O'Neill")
    }

    @Test("person merge refuses, writing nothing: themself, merged already, forgotten, another organisation without --yes, bad usage")
    func refusals() throws {
        let bakery = try Bakery()
        try bakery.ok(["person", "add", "sam o'neill", "--org", "harbour-bakery", "--yes"])
        try bakery.ok(["org", "add", "Quay Florist"])
        try bakery.ok(["person", "add", "Sam Reed", "--org", "quay-florist"])
        try bakery.ok(["person", "add", "Ada Lane", "--org", "harbour-bakery"])
        try bakery.refused(["person", "merge", "sam-o-neill", "sam-o-neill"], saying: "cannot be merged into themself")
        try bakery.refused(["person", "merge", "sam-o-neill", "sam-oneil"], saying: "there is no person with the handle \"sam-oneil\"")
        try bakery.refused(["person", "merge", "sam-o-neill"], status: 64, saying: "Missing expected argument")
        try bakery.refused(["person", "merge", "sam-o-neill", "sam-reed"], saying: "another organisation")
        try bakery.refused(["person", "merge", "sam-o-neill", "sam-o-neill-2", "--reason", ""], saying: "reason")
        try bakery.ok(["person", "merge", "sam-o-neill", "sam-o-neill-2"])
        try bakery.refused(["person", "merge", "ada-lane", "sam-o-neill-2"], saying: "was merged already")
        try bakery.refused(["person", "merge", "sam-o-neill-2", "ada-lane"], saying: "merged into someone else")
        try bakery.ok(["forget", "ada-lane", "--asked-by", "person"])
        let connection = try bakery.fixture.database.connect()
        defer { connection.close() }
        let ada = try connection.execute(
            "SELECT stream FROM consult.events WHERE type = 'PersonForgotten'")[0].decode(String.self, at: 0).dropFirst("person-".count)
        try bakery.refused(["person", "merge", "sam-o-neill", String(ada)], saying: "was forgotten")
        try bakery.refused(["person", "merge", String(ada), "sam-o-neill"], saying: "was forgotten")
        // Across organisations with --yes.
        try bakery.ok(["person", "merge", "sam-o-neill", "sam-reed", "--yes"])
    }

    @Test("forgetting the person kept forgets the duplicates merged into them: no details left, one PersonForgotten each")
    func forgetMerged() throws {
        let bakery = try Bakery()
        try bakery.ok(["person", "add", "sam o'neill", "--org", "harbour-bakery", "--yes", "--email", "sam@bakery.example"])
        try bakery.ok(["person", "merge", "sam-o-neill", "sam-o-neill-2"])
        let before = try bakery.fixture.eventCount()
        // The duplicate's handle names the person kept, so this forgets both.
        try bakery.ok(["forget", "sam-o-neill-2", "--asked-by", "person"])
        // Two events: one PersonForgotten on each stream.
        #expect(try bakery.fixture.eventCount() == before + 2)
        let connection = try bakery.fixture.database.connect()
        defer { connection.close() }
        #expect(try connection.execute("SELECT count(*) FROM consult.person_details")[0].decode(Int.self, at: 0) == 0)
        try bakery.refused(["person", "show", "sam-o-neill-2"], saying: "there is no person with the handle")
        try bakery.refused(["person", "show", "sam-o-neill"], saying: "there is no person with the handle")
    }

    @Test("a renamed person answers to the old handle and to the new name's; forgetting them ends both")
    func renamedHandles() throws {
        let bakery = try Bakery()
        let edited = try bakery.ok(["person", "edit", "sam-o-neill", "--name", "Samantha Reed"])
        #expect(edited.contains("it answers to samantha-reed too"), "\(edited)")
        #expect(try bakery.ok(["person", "show", "samantha-reed"]).contains("Samantha Reed"))
        #expect(try bakery.ok(["person", "show", "sam-o-neill"]).contains("Samantha Reed"))
        try bakery.ok(["engagement", "start", "harbour-bakery", "--title", "Bakery on Instagram"])
        try bakery.ok(["engagement", "sponsor", "bakery-on-instagram", "samantha-reed"])
        #expect(try bakery.sponsor() == "Samantha Reed")
        // An organisation renamed keeps both too (already so): the old handle and the new one.
        try bakery.ok(["org", "edit", "harbour-bakery", "--name", "Harbour Bakehouse"])
        #expect(try bakery.ok(["org", "show", "harbour-bakehouse"]).contains("Harbour Bakehouse"))
        #expect(try bakery.ok(["org", "show", "harbour-bakery"]).contains("Harbour Bakehouse"))
        try bakery.ok(["forget", "samantha-reed", "--asked-by", "person"])
        try bakery.refused(["person", "show", "samantha-reed"], saying: "there is no person with the handle")
        try bakery.refused(["person", "show", "sam-o-neill"], saying: "there is no person with the handle")
    }
}
