import BackOffice
import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

/// Issue 16 items 7 and 10 and two leftovers, through the built binary: objective handles scoped
/// to their engagement (`engagement/objective`, the bare handle when unambiguous, `--engagement`,
/// old tenant-wide handles still resolving); channels by any name, normalised, several of a kind;
/// a checklist item's wording corrected and undone; the case study counting corrected sessions.
@Suite("objectives by engagement, channels, checklist corrections", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct ObjectiveChannelTests {
    typealias Bakery = CorrectionTests.Bakery

    /// The bakery's retainer, and a second client, Quay Cafe, with an engagement of its own.
    static func twoClients() throws -> Bakery {
        let bakery = try Bakery()
        for step in [
            ["org", "add", "Quay Cafe", "--at", "2026-11-01"],
            ["person", "add", "Mo Quay", "--org", "quay-cafe", "--title", "Owner", "--level", "manager", "--at", "2026-11-01"],
            ["engagement", "start", "quay-cafe", "--title", "Cafe on TikTok", "--at", "2026-11-01"],
        ] {
            try bakery.ok(step)
        }
        return bakery
    }

    static func setFollowers(_ engagement: String, baseline: String = "100", target: String = "1000") -> [String] {
        [
            "objective", "set", engagement, "--area", "awareness", "--statement", "More people follow us", "--metric", "followers",
            "--baseline", baseline, "--target", target, "--due", "2027-03-31", "--at", "2026-11-02",
        ]
    }

    @Test("two clients both have followers: engagement/objective, --engagement, ambiguity named, did-you-mean, --serves")
    func objectivesByEngagement() throws {
        let bakery = try Self.twoClients()
        // Each engagement takes the handle `followers` for its own: no `followers-2` across clients.
        let first = try #require(try bakery.json(Self.setFollowers("bakery-on-instagram")) as? [[String: Any]])
        let second = try #require(try bakery.json(Self.setFollowers("cafe-on-tiktok", baseline: "10", target: "500")) as? [[String: Any]])
        for set in [first, second] {
            #expect(set.map { $0["type"] as? String } == ["ObjectiveSet"])
            #expect((set.first?["data"] as? [String: Any])?["handle"] as? String == "followers")
        }
        // A second `followers` within one engagement still takes the next free one.
        #expect(
            try bakery.ok(Self.setFollowers("cafe-on-tiktok", baseline: "5", target: "50")) == "Set objective cafe-on-tiktok/followers-2.\n"
        )

        // The bare handle names two objectives: refused, naming both, nothing written.
        try bakery.refused(
            ["objective", "measure", "followers", "320", "--at", "2026-11-05"],
            saying: "2 engagements have an objective \"followers\": bakery-on-instagram/followers, cafe-on-tiktok/followers")
        try bakery.refused(["objective", "show", "followers"], saying: "give --engagement")
        // Mistyped: the closest, as engagement/objective.
        try bakery.refused(
            ["objective", "measure", "bakery-on-instagram/folowers", "1"],
            saying: "there is no objective with the handle \"bakery-on-instagram/folowers\" in the engagement bakery-on-instagram")
        try bakery.refused(
            ["objective", "measure", "bakery-on-instagram/folowers", "1"], saying: "did you mean \"bakery-on-instagram/followers\"?")
        // A bare mistype of a handle two engagements have: both, qualified.
        try bakery.refused(
            ["objective", "measure", "folowers", "1"],
            // followers-2 is 3 edits away from folowers, more than the 2 allowed: not offered.
            saying: "did you mean \"bakery-on-instagram/followers\" or \"cafe-on-tiktok/followers\"?")
        try bakery.refused(
            ["objective", "measure", "nowhere/followers", "1"], saying: "there is no engagement with the handle \"nowhere\"")
        try bakery.refused(
            ["objective", "measure", "bakery-on-instagram/followers", "1", "--engagement", "cafe-on-tiktok"], status: 64,
            saying: "names an objective of another engagement than --engagement")
        try bakery.refused(["objective", "measure", "followers", "1", "--engagement", "nowhere"], saying: "no engagement")

        // Named either way, each measurement lands on its own objective.
        try bakery.ok(["objective", "measure", "bakery-on-instagram/followers", "320", "--at", "2026-11-05"])
        let measured = try #require(
            try bakery.json(["objective", "measure", "followers", "60", "--engagement", "cafe-on-tiktok", "--at", "2026-11-05"])
                as? [[String: Any]])
        #expect(measured.map { $0["type"] as? String } == ["MeasurementRecorded"])
        // followers-2 is the only objective of that handle: the bare handle is enough.
        try bakery.ok(["objective", "measure", "followers-2", "20", "--at", "2026-11-05"])

        // The changes report names each measurement's engagement beside its objective's handle,
        // the same handle whether or not another engagement has it. 3 measured on the 5th.
        let changes = try bakery.rows(["changes", "--since", "2026-11-05", "--until", "2026-11-05"], "measurements")
        #expect(
            changes.map { "\($0["engagement"] ?? "")/\($0["objective"] ?? "")" }.sorted() == [
                "bakery-on-instagram/followers", "cafe-on-tiktok/followers", "cafe-on-tiktok/followers-2",
            ])

        func latest(_ engagement: String) throws -> [String: Double] {
            let rows = try bakery.rows(["objective", "list", "--engagement", engagement], "objectives")
            return Dictionary(uniqueKeysWithValues: rows.map { ("\($0["handle"] ?? "")", ($0["latest"] as? NSNumber)?.doubleValue ?? -1) })
        }
        // Bakery: 320 of 100 → 1000; cafe: 60 of 10 → 500 and 20 of 5 → 50.
        #expect(try latest("bakery-on-instagram") == ["followers": 320])
        #expect(try latest("cafe-on-tiktok") == ["followers": 60, "followers-2": 20])
        // Progress in show: (60 − 10) / (500 − 10) = 50 / 490 = 10.2 %.
        let shown = try #require(try bakery.json(["objective", "show", "cafe-on-tiktok/followers"]) as? [String: Any])
        let record = try #require((shown["sections"] as? [String: Any])?["record"] as? [[String: Any]])
        let fields = Dictionary(uniqueKeysWithValues: record.compactMap { row in (row["field"] as? String).map { ($0, row["value"]) } })
        #expect((fields["latest"] as? NSNumber)?.doubleValue == 60)
        #expect(fields["engagement"] as? String == "cafe-on-tiktok")
        let scoped = try #require(
            try bakery.json(["objective", "show", "followers", "--engagement", "bakery-on-instagram"]) as? [String: Any])
        let scopedRecord = try #require((scoped["sections"] as? [String: Any])?["record"] as? [[String: Any]])
        #expect(scopedRecord.contains { $0["field"] as? String == "latest" && ($0["value"] as? NSNumber)?.doubleValue == 320 })

        // Search names objectives as engagement/objective (the engagement is not the context there).
        let hits = try bakery.rows(["search", "followers"], "hits").filter { $0["kind"] as? String == "objective" }
        #expect(
            Set(hits.compactMap { $0["handle"] as? String })
                == ["bakery-on-instagram/followers", "cafe-on-tiktok/followers", "cafe-on-tiktok/followers-2"])

        // --serves takes a bare handle within the engagement adopting the channel.
        let adopted = try #require(
            try bakery.json(["engagement", "channel", "adopt", "cafe-on-tiktok", "TikTok", "--serves", "followers", "--at", "2026-11-06"])
                as? [[String: Any]])
        let body = try #require(adopted.first?["data"] as? [String: Any])
        let admin = try bakery.fixture.database.connect()
        defer { admin.close() }
        let cafeFollowers = try #require(
            try admin.execute(
                "SELECT b.objective_id FROM consult.objective_progress b JOIN consult.engagement_status e USING (tenant_id, engagement_id) WHERE e.handle = 'cafe-on-tiktok' AND b.handle = 'followers'"
            ).first?.decode(UUID.self, at: 0))
        #expect(body["servesObjectives"] as? [String] == [cafeFollowers.uuidString.lowercased()])
        #expect(body["channel"] as? String == "tiktok")
        try bakery.refused(
            ["engagement", "channel", "adopt", "cafe-on-tiktok", "instagram", "--serves", "bakery-on-instagram/followers"],
            status: 64, saying: "names an objective of another engagement")

        // Completion offers engagement/objective, and the bare handle only where it is enough.
        let completion = try bakery.fixture.consult([
            "---completion", "objective", "measure", "--", "positional@0", "3", "0", "consult", "objective", "measure", "",
        ])
        #expect(
            completion.stdout
                == "bakery-on-instagram/followers\ncafe-on-tiktok/followers\ncafe-on-tiktok/followers-2\nfollowers-2\n",
            "\(completion.stderr)")
        let scopedCompletion = try bakery.fixture.consult([
            "---completion", "objective", "measure", "--", "positional@0", "5", "1", "consult", "objective", "measure", "--engagement",
            "cafe-on-tiktok", "f",
        ])
        #expect(scopedCompletion.stdout == "followers\nfollowers-2\n", "\(scopedCompletion.stderr)")
    }

    @Test("an objective set before issue 16 keeps its tenant-wide handle (followers-2): bare, qualified and in the log")
    func oldHandlesResolve() throws {
        let bakery = try Self.twoClients()
        try bakery.ok(Self.setFollowers("bakery-on-instagram"))
        // What the log of an earlier version holds for the cafe's objective: the tenant-wide claim
        // `handle-objective-followers-2` and the objective under that handle.
        let connection = try bakery.fixture.database.connect(user: bakery.fixture.ann)
        defer { connection.close() }
        let engagement = try #require(
            try connection.execute("SELECT engagement_id FROM consult.engagement_status WHERE handle = 'cafe-on-tiktok'").first?.decode(
                UUID.self, at: 0))
        let objective = UUID()
        func body(_ object: [String: Any]) throws -> Data { try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) }
        let at = try #require(ISO8601DateFormatter().date(from: "2026-11-02T09:00:00Z"))
        try EventStore(connection: connection, tenant: bakery.fixture.tenant).append(
            [
                NewEvent(
                    stream: "handle-objective-followers-2", type: "HandleClaimed",
                    data: try body(["kind": "objective", "id": objective.uuidString, "parent": engagement.uuidString]), occurredAt: at),
                NewEvent(
                    stream: "engagement-\(engagement.uuidString.lowercased())", type: "ObjectiveSet",
                    data: try body([
                        "objective": objective.uuidString, "handle": "followers-2", "businessArea": "awareness",
                        "statement": "Regulars follow",
                        "metric": "followers", "direction": "up", "baseline": 10, "target": 500, "due": "2027-03-31",
                    ]), occurredAt: at),
            ], expecting: [:])
        // The old handle, bare and qualified; a new objective of the cafe may be `followers`.
        try bakery.ok(["objective", "measure", "followers-2", "40", "--at", "2026-11-05"])
        try bakery.ok(["objective", "measure", "cafe-on-tiktok/followers-2", "55", "--at", "2026-11-06"])
        #expect(
            try bakery.ok(Self.setFollowers("cafe-on-tiktok", baseline: "1", target: "9")) == "Set objective cafe-on-tiktok/followers.\n")
        let rows = try bakery.rows(["objective", "list", "--engagement", "cafe-on-tiktok"], "objectives")
        // The old objective measured 40 then 55: latest 55; the new one has none yet.
        #expect(
            rows.map { "\($0["handle"] ?? "")=\(($0["latest"] as? NSNumber)?.doubleValue ?? -1)" } == [
                "followers=-1.0", "followers-2=55.0",
            ])
    }

    @Test("channels by any name: normalised, unknown kept with a hint, two Instagram accounts, which one must be said")
    func channels() throws {
        let bakery = try Bakery()
        let e = "bakery-on-instagram"
        for step in [
            Self.setFollowers(e),
            ["engagement", "channel", "adopt", e, "IG", "--handle", "@harbour_bakery", "--at", "2026-11-02"],
            ["engagement", "channel", "adopt", e, "Google Business Profile", "--at", "2026-11-02"],
            ["engagement", "channel", "adopt", e, "X", "--handle", "@HarbourBakes", "--at", "2026-11-02"],
        ] {
            try bakery.ok(step)
        }
        // A second Instagram account, as JSON: the kind normalised, the account kept.
        let second = try #require(
            try bakery.json(["engagement", "channel", "adopt", e, "Insta", "--handle", "@harbour_cakes", "--at", "2026-11-03"])
                as? [[String: Any]])
        let body = try #require(second.first?["data"] as? [String: Any])
        #expect(body["channel"] as? String == "instagram" && body["handle"] as? String == "@harbour_cakes")
        // Unknown names are kept as a slug; one close to a well-known name is refused off a
        // terminal, nothing written, unless --yes.
        let before = try bakery.fixture.eventCount()
        let close = try bakery.fixture.consult(["engagement", "channel", "adopt", e, "Instagran", "--handle", "typo", "--at", "2026-11-03"])
        #expect(close.status == 1, "\(close.stderr)")
        #expect(
            close.stderr
                == "consult: channel \"instagran\" is close to the well-known channel instagram; nothing was recorded\n"
                + "  Type instagram if that is the channel; to adopt \"instagran\" as typed, run the command again with --yes.\n",
            "\(close.stderr)")
        #expect(try bakery.fixture.eventCount() == before)
        let kept = try bakery.fixture.consult(
            ["engagement", "channel", "adopt", e, "Instagran", "--handle", "typo", "--yes", "--at", "2026-11-03"])
        #expect(kept.status == 0 && kept.stderr.isEmpty, "\(kept.stderr)")
        #expect(try bakery.fixture.eventCount() == before + 1)
        let local = try bakery.fixture.consult(["engagement", "channel", "adopt", e, "Harbour Radio", "--at", "2026-11-03"])
        #expect(local.status == 0 && local.stderr.isEmpty, "\(local.stderr)")

        // Bad input: nothing written.
        try bakery.refused(
            ["engagement", "channel", "adopt", e, "ig", "--handle", "harbour_bakery"],
            saying: "instagram (@harbour_bakery) is adopted already")
        try bakery.refused(["engagement", "channel", "adopt", e, "!!!"], status: 64, saying: "needs at least one letter or digit")
        try bakery.refused(
            ["engagement", "channel", "retire", e, "instagram", "--reason", "x"],
            saying: "2 instagram accounts are in use (instagram (@harbour_bakery), instagram (@harbour_cakes)): say which with --handle")
        try bakery.refused(
            ["engagement", "channel", "retire", e, "tiktok", "--reason", "x"], saying: "tiktok is not in use")

        try bakery.ok([
            "engagement", "channel", "retire", e, "instagram", "--handle", "@harbour_cakes", "--reason", "merged", "--at", "2026-11-05",
        ])
        func channels(asOf day: String?) throws -> [String] {
            try bakery.rows(["status", e] + (day.map { ["--as-of", $0] } ?? []), "channels").map {
                "\($0["channel"] ?? "")" + (($0["handle"] as? String).map { " \($0)" } ?? "")
            }
        }
        // Adopted 6 (instagram ×2, google-business-profile, twitter, instagran, harbour-radio), one retired: 5.
        #expect(
            try channels(asOf: nil) == [
                "instagram @harbour_bakery", "google-business-profile", "twitter @HarbourBakes", "instagran typo", "harbour-radio",
            ])
        // As of the day before the retirement: all 6.
        #expect(try channels(asOf: "2026-11-04").count == 6)

        // Control of the account handed over: with one Instagram left, the kind is enough; the
        // status's channel list keeps one entry per account (instagram once, 5 in all).
        for step in [
            ["handover", "plan", e, "--on", "2026-11-30", "--to", "ada-lane", "--sponsor", "sam-reed", "--at", "2026-11-06"],
            ["engagement", "channel", "adopt", e, "instagram", "--handle", "@harbour_cakes", "--at", "2026-11-06"],
        ] {
            try bakery.ok(step)
        }
        try bakery.refused(["handover", "transfer", e, "instagram", "--to", "ada-lane"], saying: "say which with --handle")
        let transferred = try #require(
            try bakery.json(["handover", "transfer", e, "IG", "--handle", "@harbour_cakes", "--to", "ada-lane", "--at", "2026-11-07"])
                as? [[String: Any]])
        #expect(transferred.map { $0["type"] as? String } == ["AccountControlTransferred"])
        #expect((transferred.first?["data"] as? [String: Any])?["handle"] as? String == "@harbour_cakes")
        let row = try #require(try bakery.rows(["status"], "engagements").first)
        // 5 accounts before + @harbour_cakes again = 6 entries, instagram twice.
        #expect((row["channels"] as? String)?.components(separatedBy: ", ").count == 6, "\(row)")
    }

    @Test("a checklist item's text and category corrected, then undone: due, case study, log, as-of before")
    func checklistCorrection() throws {
        let bakery = try Bakery()
        let e = "bakery-on-instagram"
        for step in [
            Self.setFollowers(e),
            ["handover", "plan", e, "--on", "2026-11-30", "--to", "ada-lane", "--sponsor", "sam-reed", "--at", "2026-11-02"],
            ["handover", "item", "add", e, "Passwords in the vault", "--handle", "passwords", "--at", "2026-11-02"],
            ["handover", "item", "add", e, "Posting guide", "--handle", "guide", "--category", "content", "--at", "2026-11-02"],
        ] {
            try bakery.ok(step)
        }
        func openItems(asOf day: String?) throws -> [String] {
            try bakery.rows(["due", "--within", "60"] + (day.map { ["--as-of", $0] } ?? []), "due")
                .filter { $0["kind"] as? String == "checklist_item" }.compactMap {
                    ($0["why"] as? String)?.components(separatedBy: " (handover").first
                }
                .sorted()
        }
        func timeline(asOf day: String?) throws -> [String] {
            try bakery.rows(["case-study", e] + (day.map { ["--as-of", $0] } ?? []), "timeline").compactMap { $0["what"] as? String }
                .filter { $0.hasPrefix("added to the handover checklist") }
        }
        let before = ["checklist item open: Passwords in the vault", "checklist item open: Posting guide"]
        #expect(try openItems(asOf: nil) == before)

        let corrected = try #require(
            try bakery.json([
                "handover", "item", "correct", e, "passwords", "--text", "Passwords moved to the council's vault", "--category", "access",
                "--reason", "the council has its own vault", "--at", "2026-11-05",
            ]) as? [[String: Any]])
        #expect(corrected.map { $0["type"] as? String } == ["HandoverItemCorrected"])
        let body = try #require(corrected.first?["data"] as? [String: Any])
        #expect(
            body["text"] as? String == "Passwords moved to the council's vault"
                && body["previousText"] as? String == "Passwords in the vault")
        #expect(body["category"] as? String == "access" && body["previousCategory"] as? String == "general")

        // Now the corrected wording; as of the day before, the original.
        let after = ["checklist item open: Passwords moved to the council's vault", "checklist item open: Posting guide"]
        #expect(try openItems(asOf: nil) == after)
        #expect(try openItems(asOf: "2026-11-04") == before)
        #expect(
            try timeline(asOf: nil) == [
                "added to the handover checklist: Passwords moved to the council's vault", "added to the handover checklist: Posting guide",
            ])
        #expect(
            try timeline(asOf: "2026-11-04") == [
                "added to the handover checklist: Passwords in the vault", "added to the handover checklist: Posting guide",
            ])
        // A correction adds no item: 2 added, 0 done, still 0 of 2.
        let status = try #require(try bakery.rows(["status"], "engagements").first)
        #expect("\(status["checklist_done"] ?? "-") of \(status["checklist_total"] ?? "-")" == "0 of 2")
        let log = try bakery.ok(["log", "--engagement", e, "--wide", "--no-pager"])
        #expect(log.contains("added checklist item passwords") || log.contains("Passwords in the vault"), "\(log)")
        #expect(
            log.contains(
                "corrected checklist item passwords to category \"access\", text \"Passwords moved to the council's vault\": the council has its own vault"
            ),
            "\(log)")

        // Bad input, nothing written.
        try bakery.refused(
            ["handover", "item", "correct", e, "passwords", "--reason", "x"], status: 64, saying: "--text, --category or both")
        try bakery.refused(["handover", "item", "correct", e, "nothing", "--text", "y", "--reason", "x"], saying: "no checklist item")
        try bakery.refused(
            ["handover", "item", "correct", e, "passwords", "--category", "access", "--reason", "x"], saying: "says so already")
        try bakery.refused(["handover", "item", "correct", e, "guide", "--text", " ", "--reason", "x"], saying: "text")

        // Undo puts the first wording back, and says what it reverted.
        let undo = try bakery.ok(["undo", "--at", "2026-11-06"])
        #expect(undo.contains("corrected checklist item passwords"), "\(undo)")
        #expect(try openItems(asOf: nil) == before)
        let last = try #require(try bakery.log().last)
        #expect(last["type"] as? String == "HandoverItemCorrected")
        #expect((last["data"] as? [String: Any])?["text"] as? String == "Passwords in the vault")
        // As of the day of the correction (before the undo on the 6th): the corrected wording.
        #expect(try openItems(asOf: "2026-11-05") == after)
        // Undoing the undo brings the correction back.
        try bakery.ok(["undo", "--at", "2026-11-07"])
        #expect(try openItems(asOf: nil) == after)
    }

    @Test("the case study counts coaching sessions and hours as corrected: a voided session is gone, a corrected one says its minutes")
    func caseStudySessions() throws {
        let bakery = try Bakery()
        let e = "bakery-on-instagram"
        for step in [
            ["engagement", "session", e, "--attendee", "sam-reed", "--topic", "reels", "--minutes", "60", "--at", "2026-11-03"],
            ["engagement", "session", e, "--attendee", "sam-reed", "--topic", "stories", "--minutes", "90", "--at", "2026-11-04"],
            ["engagement", "work", e, "3", "content calendar", "--at", "2026-11-03"],
            ["engagement", "work", e, "2", "photo edits", "--at", "2026-11-04"],
        ] {
            try bakery.ok(step)
        }
        let sixty = try bakery.position("CoachingSessionHeld", "minutes", "60")
        let ninety = try bakery.position("CoachingSessionHeld", "minutes", "90")
        let two = try bakery.position("WorkLogged", "hours", "2")
        for step in [
            ["engagement", "session", "void", sixty, "--reason", "cancelled on the day", "--at", "2026-11-06"],
            ["engagement", "session", "correct", ninety, "--minutes", "45", "--reason", "we stopped at half time", "--at", "2026-11-06"],
            ["engagement", "work", "correct", two, "--hours", "0.5", "--reason", "typed 2 for 0.5", "--at", "2026-11-06"],
        ] {
            try bakery.ok(step)
        }
        func study(asOf day: String?) throws -> (text: [String], sessions: [String]) {
            let object = try #require(
                try bakery.json(["case-study", e, "--internal"] + (day.map { ["--as-of", $0] } ?? [])) as? [String: Any])
            let rows = try #require((object["sections"] as? [String: Any])?["timeline"] as? [[String: Any]])
            return (
                object["text"] as? [String] ?? [],
                rows.compactMap { $0["what"] as? String }.filter { $0.hasPrefix("held a ") }
            )
        }
        let now = try study(asOf: nil)
        // The 60-minute session was voided (gone); the 90-minute one is 45 minutes.
        #expect(now.sessions == ["held a 45-minute coaching session with Sam Reed (Owner): stories"])
        // Hours: 3 + 2 corrected to 0.5 = 3.5 h.
        #expect(now.text.contains("Internal: fee none recorded; 3.5 h logged."), "\(now.text)")
        // As of the 5th, before the corrections: both sessions as held, 3 + 2 = 5 h.
        let then = try study(asOf: "2026-11-05")
        #expect(
            then.sessions == [
                "held a 60-minute coaching session with Sam Reed (Owner): reels",
                "held a 90-minute coaching session with Sam Reed (Owner): stories",
            ])
        #expect(then.text.contains("Internal: fee none recorded; 5 h logged."), "\(then.text)")
        // The public case study (no --internal) shows the 45-minute session only.
        let public_ = try #require(try bakery.json(["case-study", e]) as? [String: Any])
        let publicRows = try #require((public_["sections"] as? [String: Any])?["timeline"] as? [[String: Any]])
        #expect(
            publicRows.compactMap { $0["what"] as? String }.filter { $0.contains("coaching session") } == [
                "held a 45-minute coaching session with Sam Reed (Owner): stories"
            ])
    }

    @Test("a stored body of before (no account handle) still decodes; a new one without a handle encodes as before")
    func oldChannelBodies() throws {
        let retired = try EventTypes.decode(type: "ChannelRetired", data: Data(#"{"channel": "facebook", "reason": "no audience"}"#.utf8))
        #expect((retired as? ChannelRetired)?.handle == nil && (retired as? ChannelRetired)?.channel == .facebook)
        #expect(String(decoding: try EventTypes.encode(retired), as: UTF8.self).contains("handle") == false)
        let transferred = try EventTypes.decode(
            type: "AccountControlTransferred", data: Data(#"{"channel": "other", "to": "1c7a2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c22"}"#.utf8))
        #expect((transferred as? AccountControlTransferred)?.channel.rawValue == "other")
        #expect(Channel.normalise("Google Business Profile")?.channel.rawValue == "google-business-profile")
        #expect(Channel.normalise("X")?.channel == .twitter)
        #expect(Channel.normalise("TikTok")?.channel.rawValue == "tiktok")
        #expect(Channel.normalise("Instagran")?.hint == "instagram")
    }
}
