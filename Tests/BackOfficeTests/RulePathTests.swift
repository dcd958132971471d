import Foundation
import Testing

@testable import BackOffice

/// DOMAIN.md rule 9's last sentence: "A rule holds on every command that can reach its state,
/// not only the obvious one." Each case is a rule and a command that would reach the state the
/// rule guards by another path than the obvious one; each must be refused naming that rule.
@Suite("every rule on every path")
struct RulePathTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let rule: Int
        let path: String
        let attempt: @Sendable () throws -> Void
        var testDescription: String { "rule \(rule): \(path)" }
    }

    static let client = UUID()
    static let owner = PersonFacts(id: UUID(), organisation: client)

    static func lead(_ commands: [LeadState.Command] = []) throws -> LeadState {
        var state = LeadState()
        for command in [
            .capture(
                id: UUID(), handle: "harbour", organisation: client, source: .talk, value: nil, expectedClose: nil, need: nil, referral: nil
            )
        ] + commands {
            state = try state.decide(command).reduce(state) { $0.evolve($1) }
        }
        return state
    }

    static func engagement(_ commands: [EngagementState.Command] = []) throws -> EngagementState {
        var state = EngagementState()
        for command in [
            .start(
                id: UUID(), handle: "harbour-online", organisation: client, lead: nil, title: "Harbour online", kind: .launch, fee: nil,
                budgetHours: nil, hoursPerMonth: nil, plannedHandover: nil)
        ] + commands {
            state = try state.decide(command).reduce(state) { $0.evolve($1) }
        }
        return state
    }

    static let objective = UUID()
    static let measurement = UUID()
    static let item = UUID()
    static let setObjective = EngagementState.Command.setObjective(
        id: objective, handle: "followers", businessArea: "awareness", statement: "More people hear of it", metric: "followers", unit: nil,
        direction: .up, baseline: 100, target: 400, due: Day(year: 2027, month: 3, day: 31))
    static let planHandover = EngagementState.Command.planHandover(on: Day(year: 2027, month: 3, day: 1), owners: [owner], sponsor: owner)

    static let cases: [Case] = [
        // Rule 1: a lead is qualified only on the client's stated business objectives, whichever
        // command takes it there; an engagement is active only with an objective.
        Case(rule: 1, path: "lead qualify with no objective") {
            _ = try lead().decide(.qualify(statedObjectives: [], budgetSource: .unknown, sponsor: nil))
        },
        Case(rule: 1, path: "lead advance --to qualified, never qualified") {
            _ = try lead().decide(.advance(to: .qualified, probability: nil))
        },
        Case(rule: 1, path: "lead advance --to proposal from contacted, never qualified") {
            _ = try lead([.advance(to: .contacted, probability: nil)]).decide(.advance(to: .proposal, probability: nil))
        },
        Case(rule: 1, path: "lead propose, never qualified") {
            _ = try lead([.advance(to: .contacted, probability: nil)]).decide(
                .propose(value: try Money(minorUnits: 100_000, currency: "GBP"), validUntil: nil))
        },
        Case(rule: 1, path: "handover plan on an engagement in planning") { _ = try engagement().decide(planHandover) },
        Case(rule: 1, path: "engagement pause in planning") { _ = try engagement().decide(.pause(reason: "busy")) },
        // Rule 2: measurements and revisions need an open objective of an open engagement.
        Case(rule: 2, path: "objective measure after it was achieved") {
            _ = try engagement([setObjective, .achieveObjective(objective)]).decide(
                .recordMeasurement(objective: objective, measurement: UUID(), value: 200, source: nil, note: nil))
        },
        Case(rule: 2, path: "objective correct after it was dropped") {
            _ = try engagement([
                setObjective, .recordMeasurement(objective: objective, measurement: measurement, value: 150, source: nil, note: nil),
                .dropObjective(objective, reason: "no longer wanted"),
            ]).decide(.correctMeasurement(objective: objective, corrects: measurement, value: 151, reason: "typo"))
        },
        Case(rule: 2, path: "objective revise after it was achieved") {
            _ = try engagement([setObjective, .achieveObjective(objective)]).decide(
                .reviseTarget(objective: objective, to: 500, due: nil, reason: "more ambition"))
        },
        Case(rule: 2, path: "objective correct naming no measurement of it") {
            _ = try engagement([setObjective]).decide(
                .correctMeasurement(objective: objective, corrects: UUID(), value: 151, reason: "typo"))
        },
        Case(rule: 2, path: "objective measure on a closed engagement") {
            _ = try engagement([setObjective, .close(.terminated, reason: "budget cut")]).decide(
                .recordMeasurement(objective: objective, measurement: UUID(), value: 200, source: nil, note: nil))
        },
        // Rule 3: a handover completes only with every checklist item completed or waived.
        Case(rule: 3, path: "handover complete with an open checklist item") {
            _ = try engagement([
                setObjective, planHandover, .addHandoverItem(id: item, handle: "passwords", category: "access", text: "Passwords moved"),
            ]).decide(.completeHandover(signedOffBy: owner))
        },
        Case(rule: 3, path: "handover plan with no receiving owner") {
            _ = try engagement([setObjective]).decide(.planHandover(on: Day(year: 2027, month: 3, day: 1), owners: [], sponsor: owner))
        },
        // Rule 4: handed over only after a completed handover.
        Case(rule: 4, path: "engagement close --outcome handed-over with the handover only planned") {
            _ = try engagement([setObjective, planHandover]).decide(.close(.handedOver, reason: nil))
        },
        Case(rule: 4, path: "handover follow-up before the handover completed") {
            _ = try engagement([setObjective, planHandover]).decide(
                .checkFollowUp(daysAfter: 30, accountActive: true, postsPerWeek: nil, note: nil))
        },
        // Rule 5: forward only; closed leads change only by reopening.
        Case(rule: 5, path: "lead advance backwards") {
            _ = try lead([.advance(to: .contacted, probability: nil)]).decide(.advance(to: .new, probability: nil))
        },
        Case(rule: 5, path: "lead advance --to won (win it instead)") { _ = try lead().decide(.advance(to: .won, probability: nil)) },
        Case(rule: 5, path: "lead qualify after it was lost") {
            _ = try lead([.lose(reason: "price", note: nil)]).decide(
                .qualify(statedObjectives: ["Sell more"], budgetSource: .unknown, sponsor: nil))
        },
        Case(rule: 5, path: "lead disqualify after it was won") {
            _ = try lead([.qualify(statedObjectives: ["Sell more"], budgetSource: .unknown, sponsor: nil), .win(engagement: UUID())])
                .decide(.disqualify(reason: .timing, note: nil))
        },
        Case(rule: 5, path: "lead win after it was disqualified") {
            _ = try lead([.disqualify(reason: .notAFit, note: nil)]).decide(.win(engagement: UUID()))
        },
        Case(rule: 5, path: "lead reopen of an open lead") { _ = try lead().decide(.reopen) },
        // Rule 6: a referral names a person who exists.
        Case(rule: 6, path: "lead capture as a referral with no referrer") {
            _ = try LeadState().decide(
                .capture(
                    id: UUID(), handle: "harbour", organisation: client, source: .referral, value: nil, expectedClose: nil, need: nil,
                    referral: LeadState.Referral(referrer: nil, via: nil, warmth: nil)))
        },
        Case(rule: 6, path: "referrer thank on a lead that came with no referral") {
            _ = try lead().decide(.thankReferrer(on: Day(year: 2026, month: 11, day: 2)))
        },
    ]

    @Test("each path to a guarded state is refused, naming the rule", arguments: cases)
    func refused(_ path: Case) {
        do {
            try path.attempt()
            Issue.record("\(path.testDescription) was accepted")
        } catch let violation as RuleViolation {
            #expect(violation.rule == path.rule, "\(path.testDescription): refused under rule \(violation.rule): \(violation)")
        } catch {
            Issue.record("\(path.testDescription): \(error)")
        }
    }
}
