import Foundation
import Testing

@testable import BackOffice

/// One test (or more) for each rule of DOMAIN.md, with no database: decide and evolve only.
@Suite("the rules of the domain")
struct RuleTests {
    let client = UUID()
    let other = UUID()
    var sponsor: PersonFacts { PersonFacts(id: UUID(), organisation: client) }

    func violation(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> RuleViolation? {
        do {
            try body()
            Issue.record("expected a rule violation", sourceLocation: sourceLocation)
        } catch let error as RuleViolation {
            return error
        } catch {
            Issue.record("expected a rule violation, got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    func started() throws -> EngagementState {
        let state = EngagementState()
        return state.apply(
            try state.decide(
                .start(
                    id: UUID(), handle: "libraries", organisation: client, lead: nil, title: "Libraries on Twitter", kind: .launch,
                    fee: nil,
                    budgetHours: nil, hoursPerMonth: nil, plannedHandover: nil)))
    }

    func withObjective(
        _ state: EngagementState, id: UUID = UUID(), direction: Direction = .up, baseline: Quantity = 0, target: Quantity = 1000
    )
        throws -> EngagementState
    {
        state.apply(
            try state.decide(
                .setObjective(
                    id: id, handle: "followers", businessArea: "service awareness", statement: "More residents know the libraries' events",
                    metric: "followers", unit: nil, direction: direction, baseline: baseline, target: target,
                    due: Day(year: 2027, month: 3, day: 31))))
    }

    // MARK: Rule 1

    @Test("rule 1: an engagement starts in planning and goes active with its first objective")
    func rule1Active() throws {
        let planning = try started()
        #expect(planning.phase == .planning)
        #expect(try withObjective(planning).phase == .active)
    }

    @Test("rule 1: an objective needs a target that differs from its baseline")
    func rule1Target() throws {
        let error = violation { _ = try withObjective(try started(), baseline: 50, target: 50) }
        #expect(error?.rule == 1)
        #expect(error?.field == "target")
    }

    @Test("rule 1: an engagement without an objective cannot plan its handover or pause")
    func rule1Inactive() throws {
        let planning = try started()
        let handover = violation {
            _ = try planning.decide(.planHandover(on: Day(year: 2027, month: 1, day: 1), owners: [sponsor], sponsor: sponsor))
        }
        #expect(handover?.rule == 1)
        #expect(violation { _ = try planning.decide(.pause(reason: "holiday")) }?.rule == 1)
    }

    @Test("rule 1: a lead qualifies on stated business objectives; none is a push-back")
    func rule1Lead() throws {
        let lead = try capturedLead()
        let error = violation { _ = try lead.decide(.qualify(statedObjectives: [], budgetSource: .unknown, sponsor: nil)) }
        #expect(error?.rule == 1)
        let events = try lead.decide(.disqualify(reason: .noBusinessObjective, note: "wants followers for their own sake"))
        #expect((events[0] as? LeadDisqualified)?.reason == .noBusinessObjective)
        #expect(lead.apply(events).stage == .lost)
    }

    // MARK: Rule 2

    @Test("rule 2: a measurement belongs to an open objective of an open engagement")
    func rule2Measurement() throws {
        let objective = UUID()
        let active = try withObjective(try started(), id: objective)
        let recorded = active.apply(
            try active.decide(.recordMeasurement(objective: objective, measurement: UUID(), value: 120, source: nil, note: nil)))
        #expect(recorded.objectives[objective]?.latest == 120)

        let unknown = violation {
            _ = try active.decide(.recordMeasurement(objective: UUID(), measurement: UUID(), value: 1, source: nil, note: nil))
        }
        #expect(unknown?.rule == 2)

        let dropped = active.apply(try active.decide(.dropObjective(objective, reason: "the library service was restructured")))
        let afterDrop = violation {
            _ = try dropped.decide(.recordMeasurement(objective: objective, measurement: UUID(), value: 1, source: nil, note: nil))
        }
        #expect(afterDrop?.rule == 2)

        let closed = active.apply(try active.decide(.close(.terminated, reason: "budget cut")))
        let afterClose = violation {
            _ = try closed.decide(.recordMeasurement(objective: objective, measurement: UUID(), value: 1, source: nil, note: nil))
        }
        #expect(afterClose?.rule == 2)
    }

    @Test("rule 2: a correction names a measurement of the objective")
    func rule2Correction() throws {
        let objective = UUID()
        let measurement = UUID()
        var state = try withObjective(try started(), id: objective)
        state = state.apply(
            try state.decide(.recordMeasurement(objective: objective, measurement: measurement, value: 120, source: nil, note: nil)))
        let corrected = state.apply(
            try state.decide(.correctMeasurement(objective: objective, corrects: measurement, value: 112, reason: "double count")))
        #expect(corrected.objectives[objective]?.latest == 112)
        let error = violation {
            _ = try state.decide(.correctMeasurement(objective: objective, corrects: UUID(), value: 1, reason: "typo"))
        }
        #expect(error?.rule == 2)
    }

    @Test("rule 2: a revised target keeps the old one in its event and needs a reason")
    func rule2Revision() throws {
        let objective = UUID()
        let state = try withObjective(try started(), id: objective, target: 1000)
        let events = try state.decide(
            .reviseTarget(objective: objective, to: 1500, due: nil, reason: "the launch went better than planned"))
        let revised = try #require(events.first as? TargetRevised)
        #expect(revised.from == 1000)
        #expect(revised.to == 1500)
        #expect(state.apply(events).objectives[objective]?.target == 1500)
        #expect(
            violation { _ = try state.decide(.reviseTarget(objective: objective, to: 1500, due: nil, reason: "  ")) }?.field == "reason")
    }

    // MARK: Rule 3

    func planned(_ owners: [PersonFacts]? = nil, item: UUID? = nil) throws -> EngagementState {
        var state = try withObjective(try started())
        state = state.apply(
            try state.decide(.planHandover(on: Day(year: 2027, month: 1, day: 31), owners: owners ?? [sponsor], sponsor: sponsor)))
        if let item {
            state = state.apply(
                try state.decide(.addHandoverItem(id: item, handle: "passwords", category: "access", text: "Passwords in the vault")))
        }
        return state
    }

    @Test("rule 3: a handover names at least one receiving owner and a sponsor of the client organisation")
    func rule3Plan() throws {
        let active = try withObjective(try started())
        let day = Day(year: 2027, month: 1, day: 31)
        #expect(violation { _ = try active.decide(.planHandover(on: day, owners: [], sponsor: sponsor)) }?.rule == 3)
        #expect(violation { _ = try active.decide(.planHandover(on: day, owners: [sponsor], sponsor: nil)) }?.rule == 3)
        let outsider = PersonFacts(id: UUID(), organisation: other)
        #expect(violation { _ = try active.decide(.planHandover(on: day, owners: [outsider], sponsor: sponsor)) }?.rule == 3)
        let leaver = PersonFacts(id: UUID(), organisation: client, hasLeft: true)
        #expect(violation { _ = try active.decide(.planHandover(on: day, owners: [sponsor], sponsor: leaver)) }?.rule == 3)
        #expect(try planned().handover != nil)
    }

    @Test("rule 3: a handover completes only when every checklist item is completed or waived")
    func rule3Complete() throws {
        let item = UUID()
        let state = try planned(item: item)
        let error = violation { _ = try state.decide(.completeHandover(signedOffBy: sponsor)) }
        #expect(error?.rule == 3)
        #expect(error?.field == "checklist")
        let waived = state.apply(try state.decide(.waiveHandoverItem(item, reason: "no vault yet")))
        #expect(waived.apply(try waived.decide(.completeHandover(signedOffBy: sponsor))).handover?.completed == true)
        let done = state.apply(try state.decide(.completeHandoverItem(item)))
        #expect(done.apply(try done.decide(.completeHandover(signedOffBy: sponsor))).handover?.completed == true)
    }

    // MARK: Rule 4

    @Test("rule 4: an engagement closes as handed over only after a completed handover")
    func rule4() throws {
        let state = try planned()
        #expect(violation { _ = try state.decide(.close(.handedOver, reason: nil)) }?.rule == 4)
        let complete = state.apply(try state.decide(.completeHandover(signedOffBy: sponsor)))
        #expect(complete.apply(try complete.decide(.close(.handedOver, reason: nil))).closedAs == .handedOver)
    }

    @Test("rule 4: any other outcome needs a reason")
    func rule4Reason() throws {
        let state = try withObjective(try started())
        #expect(violation { _ = try state.decide(.close(.terminated, reason: nil)) }?.rule == 4)
        #expect(state.apply(try state.decide(.close(.lostInterest, reason: "new director"))).phase == .closed)
    }

    // MARK: Rule 5

    func capturedLead() throws -> LeadState {
        let lead = LeadState()
        return lead.apply(
            try lead.decide(
                .capture(
                    id: UUID(), handle: "haringey", organisation: client, source: .inbound, value: nil, expectedClose: nil, need: nil,
                    referral: nil)))
    }

    @Test("rule 5: a lead moves forward through the stages, never back")
    func rule5Forward() throws {
        var lead = try capturedLead()
        lead = lead.apply(try lead.decide(.advance(to: .contacted, probability: 20)))
        // Past qualified only once qualified (rule 1): the client's objectives are stated.
        lead = lead.apply(try lead.decide(.qualify(statedObjectives: ["Sell more"], budgetSource: .unknown, sponsor: nil)))
        lead = lead.apply(try lead.decide(.advance(to: .proposal, probability: 60)))
        #expect(lead.stage == .proposal)
        #expect(violation { _ = try lead.decide(.advance(to: .contacted, probability: nil)) }?.rule == 5)
        #expect(violation { _ = try lead.decide(.advance(to: .won, probability: nil)) }?.rule == 5)
    }

    @Test("rule 5: a lead may be lost from any open stage, and a lost lead reopened where it was")
    func rule5LoseReopen() throws {
        for stage in Stage.open {
            var lead = try capturedLead()
            if stage >= .qualified {
                lead = lead.apply(try lead.decide(.qualify(statedObjectives: ["Sell more"], budgetSource: .unknown, sponsor: nil)))
            }
            if stage > lead.stage { lead = lead.apply(try lead.decide(.advance(to: stage, probability: nil))) }
            let lost = lead.apply(try lead.decide(.lose(reason: "chose an agency", note: nil)))
            #expect(lost.stage == .lost)
            #expect(lost.apply(try lost.decide(.reopen)).stage == stage)
        }
        #expect(violation { _ = try capturedLead().decide(.reopen) }?.rule == 5)
    }

    @Test("rule 5: winning a lost lead is refused; winning an open one names its engagement")
    func rule5Win() throws {
        let lead = try capturedLead()
        let lost = lead.apply(try lead.decide(.lose(reason: "timing", note: nil)))
        #expect(violation { _ = try lost.decide(.win(engagement: UUID())) }?.rule == 5)
        let engagement = UUID()
        let won = lead.apply(try lead.decide(.win(engagement: engagement)))
        #expect(won.stage == .won)
        #expect(won.engagement == engagement)
        #expect(violation { _ = try won.decide(.lose(reason: "x", note: nil)) }?.rule == 5)
    }

    // MARK: Rule 6

    @Test("rule 6: a referral names a person who exists")
    func rule6() throws {
        let lead = LeadState()
        let missing = violation {
            _ = try lead.decide(
                .capture(
                    id: UUID(), handle: "x", organisation: client, source: .referral, value: nil, expectedClose: nil, need: nil,
                    referral: LeadState.Referral(referrer: nil, via: nil, warmth: nil)))
        }
        #expect(missing?.rule == 6)
        let noReferral = violation {
            _ = try lead.decide(
                .capture(
                    id: UUID(), handle: "x", organisation: client, source: .referral, value: nil, expectedClose: nil, need: nil,
                    referral: nil))
        }
        #expect(noReferral?.rule == 6)
        let referrer = PersonFacts(id: UUID(), organisation: other)
        let events = try lead.decide(
            .capture(
                id: UUID(), handle: "x", organisation: client, source: .inbound, value: nil, expectedClose: nil, need: nil,
                referral: LeadState.Referral(referrer: referrer, via: nil, warmth: "warm")))
        #expect((events[0] as? LeadCaptured)?.source == .referral)
        #expect((events[1] as? ReferralReceived)?.referrer == referrer.id)
    }

    // MARK: Rule 7

    @Test("rule 7: nothing can be dated more than a day ahead")
    func rule7Future() throws {
        let clock = Clock(now: Date(timeIntervalSince1970: 1_800_000_000))
        try clock.check(happenedAt: clock.now.addingTimeInterval(86_000))
        #expect(violation { try clock.check(happenedAt: clock.now.addingTimeInterval(7 * 86_400)) }?.rule == 7)
    }

    @Test("rule 7: organisation names are unique in a tenant whatever their case")
    func rule7Unique() throws {
        let first = UUID()
        let handle = HandleState().apply([HandleClaimed(kind: .organisation, id: first, parent: nil)])
        #expect(Handle.slug("Haringey Libraries") == Handle.slug("HARINGEY libraries"))
        #expect(
            violation { _ = try handle.decide(.claim(kind: .organisation, id: UUID(), parent: nil, display: "HARINGEY libraries")) }?.rule
                == 7)
        #expect(try handle.decide(.claim(kind: .organisation, id: first, parent: nil, display: "Haringey Libraries")).isEmpty)
    }

    @Test(
        "rule 7: money is integer minor units with a currency",
        arguments: [("4000 GBP", 400_000, "GBP"), ("4,000.50 gbp", 400_050, "GBP"), ("EUR 12.5", 1250, "EUR"), ("5000 JPY", 5000, "JPY")])
    func rule7Money(_ text: String, _ minor: Int64, _ currency: String) throws {
        let money = try Money.parse(text)
        #expect(money.minorUnits == minor)
        #expect(money.currency == currency)
    }

    @Test(
        "rule 7: negative, currency-less and over-precise money is refused",
        arguments: ["-5 GBP", "4000", "12.345 GBP", "12 pounds", "1.5 JPY", "abc GBP"])
    func rule7BadMoney(_ text: String) throws {
        #expect(violation { _ = try Money.parse(text) }?.rule == 7)
    }

    // MARK: Rule 8

    @Test(
        "rule 8: progress is (latest − baseline) / (target − baseline), clamped to 0–100 %",
        arguments: [
            (0.0, 500.0, 1000.0, 50.0), (0.0, 1500.0, 1000.0, 100.0), (100.0, 50.0, 1000.0, 0.0),
            // A metric that should go down: complaint response time from 48 h to 4 h.
            (48.0, 26.0, 4.0, 50.0), (48.0, 60.0, 4.0, 0.0), (48.0, 2.0, 4.0, 100.0),
        ])
    func rule8(_ baseline: Double, _ latest: Double, _ target: Double, _ expected: Double) {
        #expect(progress(baseline: Quantity(Int(baseline)), latest: Quantity(Int(latest)), target: Quantity(Int(target))) == expected)
    }

    @Test(
        "rule 8: progress of decimal values is the exact ratio, rounded once",
        arguments: [
            // 100 × (2.4 − 1.8) / (3.5 − 1.8) = 100 × 0.6 / 1.7 = 60 / 1.7 = 600 / 17 = 35.2941176470588235…;
            // the Double nearest it prints as 35.294117647058826.
            ("1.8", "2.4", "3.5", 600.0 / 17),
            // In binary floating point 2.4 − 1.8 is 0.5999999999999999 and 3.5 − 1.8 is 1.7: the
            // quotient comes out a unit in the last place away (35.29411764705882).
            // 0.1 + 0.2 is 0.3 exactly here: 100 × (0.3 − 0.1) / (0.5 − 0.1) = 100 × 0.2 / 0.4 = 50.
            ("0.1", "0.3", "0.5", 50.0),
            // Down: response time from 4.5 h to 1.25 h, now 2.875 h:
            // 100 × (2.875 − 4.5) / (1.25 − 4.5) = 100 × −1.625 / −3.25 = 50.
            ("4.5", "2.875", "1.25", 50.0),
            // An integer baseline, a decimal latest: 100 × (1240.5 − 1240) / (5000 − 1240) = 50 / 3760 = 5 / 376.
            ("1240", "1240.5", "5000", 5.0 / 376),
            // Twenty decimals, past a Double's digits: 100 × 10^−20 / 1 = 10^−18.
            ("0", "0.00000000000000000001", "1", 1e-18),
            // Past 2^53 = 9007199254740992, where a Double no longer holds every whole number:
            // 100 × 9007199254740993 / 18014398509481986 = 100 × 1/2 = 50 (a Double would read the
            // latest as …992 and give 49.99999999999999…, which rounds to 50 only by luck).
            ("0", "9007199254740993", "18014398509481986", 50.0),
            // 100 × (7 − 0) / (3 − 0) = 700 / 3 = 233.3…, clamped to 100; 100 × 1 / 3 = 33.3…
            ("0", "7", "3", 100.0), ("0", "1", "3", 100.0 / 3),
        ])
    func rule8Decimals(_ baseline: String, _ latest: String, _ target: String, _ expected: Double) throws {
        let (b, l, t) = (try #require(Quantity.parse(baseline)), try #require(Quantity.parse(latest)), try #require(Quantity.parse(target)))
        #expect(progress(baseline: b, latest: l, target: t) == expected)
    }

    @Test("rule 8: a metric that should go down needs a target below its baseline")
    func rule8Direction() throws {
        let error = violation { _ = try withObjective(try started(), direction: .down, baseline: 48, target: 60) }
        #expect(error?.rule == 8)
        #expect(try withObjective(try started(), direction: .down, baseline: 48, target: 4).phase == .active)
    }
}

extension Decider {
    /// The state after these events.
    func apply(_ events: [any DomainEvent]) -> Self { events.reduce(self) { $0.evolve($1) } }
}

@Suite("text a consultant types")
struct TextTests {
    @Test(
        "names with NUL, line breaks, control characters, or over the limit are refused; quotes and emoji are kept",
        arguments: [
            ("a\u{0}b", "contains a NUL byte"), ("two\nlines", "contains a line break"),
            ("bell\u{7}", "contains a control character (U+7)"),
            ("   ", "is empty"), (String(repeating: "x", count: 10_000), "is 10000 characters long; the limit is 200"),
        ])
    func refused(_ text: String, _ message: String) {
        #expect(throws: RuleViolation(rule: 0, field: "name", message)) { try Text.check(text, field: "name") }
    }

    @Test("quotes, emoji and accents pass through verbatim")
    func kept() throws {
        let name = "O'Brien & \"Sons\" 🚀 Zoë"
        #expect(try Text.check("  \(name) ", field: "name") == name)
        #expect(Handle.slug(name) == "o-brien-sons-zoe")
    }
}

@Suite("rule violations")
struct RuleViolationTests {
    @Test("a violation names its field by the domain's key; a front end spells the key its own way")
    func fieldSpelling() {
        let violation = RuleViolation(rule: 1, field: "budgetHours", "must be a positive number of hours")
        #expect(violation.description == "budgetHours: must be a positive number of hours (rule 1)")
        #expect(violation.description(spelling: { "--" + $0.name }) == "--budgetHours: must be a positive number of hours (rule 1)")
        #expect(RuleViolation(rule: 0, "is empty").description(spelling: { _ in "unused" }) == "is empty")
    }

    @Test("every field key is a domain word, not a flag spelling")
    func keysAreNotFlags() {
        let keys: [FieldKey?] = [
            violation { _ = try Money.parse("4000") }?.field, violation { _ = try Day.parse("2026-02-30", field: "due") }?.field,
            violation { try Clock(now: Date(timeIntervalSince1970: 0)).check(happenedAt: Date()) }?.field,
        ]
        #expect(keys == ["value", "due", "at"])
    }

    func violation(_ body: () throws -> Void) -> RuleViolation? {
        do {
            try body()
            return nil
        } catch {
            return error as? RuleViolation
        }
    }
}
