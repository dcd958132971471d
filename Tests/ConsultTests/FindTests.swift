import Foundation
import TestSupport
import Testing

/// Records that can be found: handles from names in any script, a handle of one's choosing, and
/// "did you mean" for a mistyped handle (issue 16).
@Suite("handles in any script, --handle, and did you mean", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct FindTests {
    @Test("names in Greek, Cyrillic and Chinese get Latin handles that resolve; --handle chooses one")
    func anyScript() throws {
        let fixture = try MonthFixture()
        // ICU's Any-Latin then Latin-ASCII: Ελληνικό Καφέ → Ellēnikó Kaphé → elleniko-kaphe;
        // Пекарня Москва → Pekarnâ Moskva → pekarna-moskva; 北京茶馆 → běi jīng chá guǎn.
        for (name, handle) in [
            ("Ελληνικό Καφέ", "elleniko-kaphe"), ("Пекарня Москва", "pekarna-moskva"), ("北京茶馆", "bei-jing-cha-guan"),
        ] {
            let output = try fixture.consult(["org", "add", name])
            #expect(output.status == 0, "\(output.stderr)")
            #expect(output.stdout.hasPrefix("Registered organisation \(handle) (id "), "\(output.stdout)")
            // The name resolves through its handle, typed as the name or the handle.
            let lead = try fixture.consult(["lead", "capture", name, "--source", "inbound"])
            #expect(lead.status == 0, "\(lead.stderr)")
        }
        let person = try fixture.consult(["person", "add", "王小明", "--org", "bei-jing-cha-guan"])
        #expect(person.stdout.hasPrefix("Added wang-xiao-ming (id "), "\(person.stdout) \(person.stderr)")
        let chosen = try fixture.consult(["org", "add", "Harbour Bakery & Café Ltd", "--handle", "harbour"])
        #expect(chosen.stdout.hasPrefix("Registered organisation harbour (id "), "\(chosen.stdout) \(chosen.stderr)")
        let chosenPerson = try fixture.consult(["person", "add", "Sam O'Neill", "--org", "harbour", "--handle", "sam"])
        #expect(chosenPerson.stdout.hasPrefix("Added sam (id "), "\(chosenPerson.stdout) \(chosenPerson.stderr)")
    }

    @Test("a mistyped handle is refused with the closest ones, exit 1, and nothing recorded")
    func didYouMean() throws {
        let fixture = try MonthFixture()
        let before = try fixture.eventCount()
        let cases: [([String], String)] = [
            // One letter off.
            (
                ["lead", "capture", "northbridge-librarys", "--source", "talk"],
                "organisation: there is no organisation with the handle \"northbridge-librarys\"\n  did you mean \"northbridge-libraries\"?\n"
            ),
            // A prefix of the real handle.
            (
                ["person", "add", "Ann Smith", "--org", "camden-arts"],
                "--org: there is no organisation with the handle \"camden-arts\"\n  did you mean \"camden-arts-trust\"?\n"
            ),
            (
                ["objective", "measure", "folowers", "10"],
                "objective: there is no objective with the handle \"folowers\"\n  did you mean \"followers\"?\n"
            ),
            (
                ["engagement", "sponsor", "libraries-on-twitter", "helen-carte"],
                "person: there is no person with the handle \"helen-carte\"\n  did you mean \"helen-carter\"?\n"
            ),
            // Nothing close: no suggestion.
            (["lead", "capture", "zzzzzz", "--source", "talk"], "organisation: there is no organisation with the handle \"zzzzzz\"\n"),
        ]
        for (arguments, message) in cases {
            let output = try fixture.consult(arguments)
            #expect(output.status == 1, "\(arguments)")
            #expect(output.stderr == "consult: " + message)
        }
        #expect(try fixture.eventCount() == before)
    }
}

/// `list`, `show` and `search` over the consultant's month, checked against what the month
/// recorded (scripts/month), not against the program's own output.
@Suite("list, show and search", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct ListShowSearchTests {
    func json(_ output: ConsultProcess.Output, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        try reportJSON(output, sourceLocation: sourceLocation)
    }

    func rows(_ document: [String: Any], _ section: String) -> [[String: Any]] { reportRows(document, section) }

    @Test("every list answers from the month: handles, names, stages and figures as recorded")
    func lists() throws {
        let fixture = try MonthFixture()
        let orgs = rows(try json(try fixture.consult(["org", "list", "--format", "json"])), "organisations")
        // Two organisations were added (Camden Arts Trust, Northbridge Libraries); one engagement, at Northbridge.
        #expect(orgs.map { $0["handle"] as? String } == ["camden-arts-trust", "northbridge-libraries"])
        #expect(orgs.map { $0["engagements"] as? Int } == [0, 1])
        let people = rows(
            try json(try fixture.consult(["person", "list", "--org", "northbridge-libraries", "--format", "json"])), "people")
        #expect(people.map { $0["handle"] as? String } == ["grace-obi", "helen-carter", "tom-reid"])
        #expect(people.map { $0["name"] as? String } == ["Grace Obi", "Helen Carter", "Tom Reid"])
        let leads = rows(try json(try fixture.consult(["lead", "list", "--format", "json"])), "leads")
        // The referral was received at 6,000 GBP, then proposed at 6,500 and won.
        #expect(leads.count == 1)
        #expect(leads.first?["stage"] as? String == "won")
        #expect(leads.first?["value"] as? Double == 6500)
        #expect(rows(try json(try fixture.consult(["lead", "list", "--open", "--format", "json"])), "leads").isEmpty)
        let objectives = rows(try json(try fixture.consult(["objective", "list", "--format", "json"])), "objectives")
        // followers: 150 → 320, 540, 810 (last measured 09-26); response-time: 48 → 30, 12, 6.
        #expect(objectives.map { $0["handle"] as? String } == ["followers", "response-time"])
        #expect(objectives.map { $0["latest"] as? Double } == [810, 6])
        let referrers = rows(try json(try fixture.consult(["referrer", "list", "--format", "json"])), "referrers")
        #expect(referrers.map { $0["handle"] as? String } == ["priya-shah"])
        #expect(referrers.first?["won"] as? Int == 1)
        #expect(referrers.first?["not_thanked"] as? Int == 0)
        let csv = try fixture.consult(["engagement", "list", "--format", "csv"])
        #expect(csv.stdout.split(whereSeparator: \.isNewline).count == 2, "\(csv.stdout)")
    }

    @Test("show gives one record and its history, by name")
    func show() throws {
        let fixture = try MonthFixture()
        let shown = try json(try fixture.consult(["objective", "show", "followers", "--format", "json"]))
        let fields = Dictionary(
            uniqueKeysWithValues: rows(shown, "record").compactMap { row in (row["field"] as? String).map { ($0, row["value"] ?? NSNull()) }
            })
        #expect(fields["metric"] as? String == "followers")
        #expect(fields["latest"] as? Double == 810)
        // Set on 09-06, adopted by the channel on 09-08, measured 320, 540, 810.
        let history = rows(shown, "history").compactMap { $0["what"] as? String }
        #expect(history.count == 5, "\(history)")
        #expect(history.last == "measured followers: 810 (Twitter analytics)")
        let lead = try json(try fixture.consult(["lead", "show", "northbridge-libraries", "--format", "json"]))
        let leadHistory = rows(lead, "history").compactMap { $0["what"] as? String }
        #expect(leadHistory.contains("received a referral from priya-shah"), "\(leadHistory)")
        let person = try json(try fixture.consult(["person", "show", "helen-carter", "--format", "json"]))
        // Added; named in the qualification, as sponsor, in the handover plan and sign-off; asked and answered.
        #expect(rows(person, "history").count == 7)
        // A referrer's record is their referrals: Priya Shah referred Northbridge (09-01), won
        // 09-05, and was thanked in the month.
        let referrer = try json(try fixture.consult(["referrer", "show", "priya-shah", "--format", "json"]))
        let record = Dictionary(
            uniqueKeysWithValues: rows(referrer, "record").compactMap { row in
                (row["field"] as? String).map { ($0, "\(row["value"] ?? "")") }
            })
        #expect(record["referrals"] == "1" && record["won"] == "1" && record["not_thanked"] == "0", "\(record)")
        let none = try fixture.consult(["referrer", "show", "tom-reid"])
        #expect(none.status == 1 && none.stderr.hasPrefix("consult: referrer: tom-reid has made no referral"), "\(none.stderr)")
    }

    @Test("search finds names, titles, metrics and words in statements and needs, with their kind")
    func search() throws {
        let fixture = try MonthFixture()
        let found = rows(try json(try fixture.consult(["search", "LIBRAR", "--format", "json"])), "hits")
        let hits = Set(found.map { "\($0["kind"] as? String ?? "") \($0["handle"] as? String ?? "") \($0["where"] as? String ?? "")" })
        #expect(hits.contains("org northbridge-libraries name"))
        #expect(hits.contains("person tom-reid title"))  // "Librarian"
        #expect(hits.contains("engagement libraries-on-twitter title"))
        #expect(hits.contains("engagement libraries-on-twitter statement"))  // "Residents hear about library events"
        #expect(hits.contains("lead northbridge-libraries need"))
        // A channel's account, once though adopted and then handed over; an objective's
        // business area named as such (followers: "service awareness").
        let handle = rows(try json(try fixture.consult(["search", "@northbridge", "--format", "json"])), "hits")
        #expect(
            handle.map { "\($0["kind"] ?? "") \($0["handle"] ?? "") \($0["where"] ?? "") \($0["text"] ?? "")" } == [
                "engagement libraries-on-twitter channel twitter @NorthbridgeLibs"
            ])
        let area = rows(try json(try fixture.consult(["search", "awareness", "--format", "json"])), "hits")
        #expect(
            area.map { "\($0["kind"] ?? "") \($0["handle"] ?? "") \($0["where"] ?? "") \($0["text"] ?? "")" } == [
                "objective libraries-on-twitter/followers business area service awareness"
            ])
        #expect(rows(try json(try fixture.consult(["search", "zebra", "--format", "json"])), "hits").isEmpty)
        // LIKE's wildcards are text here, not patterns.
        #expect(rows(try json(try fixture.consult(["search", "%", "--format", "json"])), "hits").isEmpty)
    }

    @Test("bad input: a filter the noun lacks, an unknown handle, empty text; nothing written")
    func badInput() throws {
        let fixture = try MonthFixture()
        let before = try fixture.eventCount()
        for (arguments, status, message) in [
            (["org", "list", "--stage", "won"], Int32(64), "consult: --stage: `org list` has no such filter\n"),
            (
                ["engagement", "show", "libraries-on-twittr"], 1,
                "consult: engagement: there is no engagement with the handle \"libraries-on-twittr\"\n  did you mean \"libraries-on-twitter\"?\n"
            ),
            (["lead", "list", "--org", "nowhere"], 1, "consult: --org: there is no organisation with the handle \"nowhere\"\n"),
        ] {
            let output = try fixture.consult(arguments)
            #expect(output.status == status, "\(arguments)")
            #expect(output.stderr == message)
        }
        let empty = try fixture.consult(["search", " "])
        #expect(empty.status == 64)
        #expect(try fixture.eventCount() == before)
    }
}
