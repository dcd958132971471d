import Foundation

/// A chance of work with an organisation, moving through the pipeline (rule 5):
/// new → contacted → qualified → proposal → won | lost, forward only; lost from any open stage;
/// a lost lead can be reopened; winning starts the engagement in the same atomic append.
public struct LeadState: Decider, Sendable {
    public private(set) var captured: LeadCaptured?
    public private(set) var stage: Stage = .new
    /// The stage a lost lead was lost from, where reopening takes it back to.
    public private(set) var lostFrom: Stage?
    public private(set) var value: Money?
    public private(set) var expectedClose: Day?
    public private(set) var referrer: UUID?
    public private(set) var thanked = false
    public private(set) var engagement: UUID?
    /// Whether the client stated business objectives (`LeadQualified`): rule 1 lets a lead reach
    /// qualified, and beyond, only then.
    public private(set) var qualified = false

    public init() {}

    public enum Command: Sendable {
        /// `referral`: the referrer (rule 6: they must exist, so the caller passes their facts).
        case capture(
            id: UUID, handle: String, organisation: UUID, source: LeadSource, value: Money?, expectedClose: Day?, need: String?,
            referral: Referral?)
        case advance(to: Stage, probability: Int?)
        case qualify(statedObjectives: [String], budgetSource: BudgetSource, sponsor: PersonFacts?)
        case disqualify(reason: DisqualifyReason, note: String?)
        case propose(value: Money, validUntil: Day?)
        case reviseValue(to: Money)
        case moveExpectedClose(to: Day)
        case win(engagement: UUID)
        case lose(reason: String, note: String?)
        case reopen
        case thankReferrer(on: Day)
        /// `lead back`: to an earlier open stage, with a reason.
        case moveBack(to: Stage, reason: String)
        /// `referral correct --from`: the referral was someone else's (rule 6: they exist).
        case correctReferrer(PersonFacts, reason: String)
        /// `referral correct --value`: the value was recorded wrongly (open or won).
        case correctValue(to: Money, reason: String)
    }

    public struct Referral: Sendable {
        public let referrer: PersonFacts?
        public let via: UUID?
        public let warmth: String?
        public init(referrer: PersonFacts?, via: UUID?, warmth: String?) {
            self.referrer = referrer
            self.via = via
            self.warmth = warmth
        }
    }

    public func evolve(_ event: any DomainEvent) -> LeadState {
        var next = self
        switch event {
        case let e as LeadCaptured:
            next.captured = e
            next.value = e.value
            next.expectedClose = e.expectedClose
        case let e as ReferralReceived: next.referrer = e.referrer
        case let e as LeadStageChanged:
            if e.to == .lost { next.lostFrom = e.from }
            next.stage = e.to
        case is LeadQualified: next.qualified = true
        case let e as ProposalSent: next.value = e.value
        case let e as LeadValueRevised: next.value = e.to
        case let e as ExpectedCloseMoved: next.expectedClose = e.to
        case let e as LeadWon: next.engagement = e.engagement
        case is ReferrerThanked: next.thanked = true
        case let e as LeadMovedBack: next.stage = e.to
        case let e as ReferrerCorrected: next.referrer = e.to
        case let e as LeadValueCorrected: next.value = e.to
        default: break
        }
        return next
    }

    public func decide(_ command: Command) throws(RuleViolation) -> [any DomainEvent] {
        if case .capture(let id, let handle, let organisation, let source, let value, let expectedClose, let need, let referral) = command {
            guard captured == nil else { throw RuleViolation(rule: 0, field: "lead", "exists already") }
            var events: [any DomainEvent] = [
                LeadCaptured(
                    lead: id, handle: handle, organisation: organisation, source: referral == nil ? source : .referral, value: value,
                    expectedClose: expectedClose, need: try Text.checkIfPresent(need, field: "need", limit: 2000, multiline: true))
            ]
            if let referral {
                guard let referrer = referral.referrer else {
                    throw RuleViolation(
                        rule: 6, field: "from", "a referral names the person who made it, and they must exist in this consultancy")
                }
                events.append(
                    ReferralReceived(
                        referrer: referrer.id, via: referral.via, warmth: try Text.checkIfPresent(referral.warmth, field: "warmth")))
            } else if source == .referral {
                throw RuleViolation(
                    rule: 6, field: "from", "a referral names the person who made it: use `consult referral receive ORG --from PERSON`")
            }
            return events
        }
        guard captured != nil else { throw RuleViolation(rule: 0, field: "lead", "does not exist") }
        switch command {
        case .capture: return []
        case .advance(let to, let probability):
            guard stage.isOpen else { throw closed("advance") }
            guard to.isOpen else {
                throw RuleViolation(rule: 5, field: "to", "use `lead win` or `lead lose` to close a lead")
            }
            guard to > stage else {
                throw RuleViolation(
                    rule: 5, field: "to", "a lead moves forward only: it is \(stage.rawValue), and \(to.rawValue) is not ahead of it")
            }
            if to >= .qualified, !qualified { throw Self.unqualified(to) }
            return [LeadStageChanged(from: stage, to: to, probability: try Self.check(probability))]
        case .qualify(let objectives, let budgetSource, let sponsor):
            guard stage.isOpen else { throw closed("qualify") }
            let objectives = try objectives.map { (text) throws(RuleViolation) in try Text.check(text, field: "statedObjective", limit: 500)
            }
            guard !objectives.isEmpty else {
                throw RuleViolation(
                    rule: 1, field: "statedObjective",
                    "a lead qualifies on the client's business objectives: name at least one, or disqualify it for no-business-objective")
            }
            var events: [any DomainEvent] = [LeadQualified(statedObjectives: objectives, budgetSource: budgetSource, sponsor: sponsor?.id)]
            if stage < .qualified { events.append(LeadStageChanged(from: stage, to: .qualified, probability: nil)) }
            return events
        case .disqualify(let reason, let note):
            guard stage.isOpen else { throw closed("disqualify") }
            return [
                LeadDisqualified(reason: reason, note: try Text.checkIfPresent(note, field: "note", limit: 2000, multiline: true)),
                LeadStageChanged(from: stage, to: .lost, probability: 0),
            ]
        case .propose(let value, let validUntil):
            guard stage.isOpen else { throw closed("send a proposal for") }
            if !qualified { throw Self.unqualified(.proposal) }
            var events: [any DomainEvent] = [ProposalSent(value: value, validUntil: validUntil)]
            if stage < .proposal { events.append(LeadStageChanged(from: stage, to: .proposal, probability: nil)) }
            return events
        case .reviseValue(let to):
            guard stage.isOpen else { throw closed("revise") }
            guard to != value else { return [] }
            return [LeadValueRevised(from: value, to: to)]
        case .moveExpectedClose(let to):
            guard stage.isOpen else { throw closed("move") }
            guard to != expectedClose else { return [] }
            return [ExpectedCloseMoved(from: expectedClose, to: to)]
        case .win(let engagement):
            guard stage.isOpen else {
                throw RuleViolation(
                    rule: 5, field: "lead",
                    "is \(stage.rawValue): only an open lead can be won\(stage == .lost ? " (reopen it first)" : "")")
            }
            return [LeadWon(engagement: engagement), LeadStageChanged(from: stage, to: .won, probability: 100)]
        case .lose(let reason, let note):
            guard stage.isOpen else { throw closed("lose") }
            return [
                LeadLost(
                    reason: try Text.check(reason, field: "reason"),
                    note: try Text.checkIfPresent(note, field: "note", limit: 2000, multiline: true)),
                LeadStageChanged(from: stage, to: .lost, probability: 0),
            ]
        case .reopen:
            guard stage == .lost else {
                throw RuleViolation(rule: 5, field: "lead", "is \(stage.rawValue): only a lost lead can be reopened")
            }
            return [LeadReopened(), LeadStageChanged(from: .lost, to: lostFrom ?? .new, probability: nil)]
        case .thankReferrer(let on):
            guard let referrer else {
                throw RuleViolation(rule: 6, field: "lead", "came with no referral, so there is no referrer to thank")
            }
            return [ReferrerThanked(referrer: referrer, on: on)]
        case .moveBack(let to, let reason):
            guard stage.isOpen else {
                throw RuleViolation(
                    rule: 5, field: "lead",
                    stage == .won
                        ? "is won: its engagement has started; close the engagement instead"
                        : "is lost: reopen it with `consult lead reopen`")
            }
            guard to.isOpen, to < stage else {
                throw RuleViolation(
                    rule: 5, field: "to",
                    "a lead moves back to an earlier open stage: it is \(stage.rawValue), and \(to.rawValue) is not before it")
            }
            return [LeadMovedBack(from: stage, to: to, reason: try Text.check(reason, field: "reason"))]
        case .correctReferrer(let person, let reason):
            guard let referrer else {
                throw RuleViolation(rule: 6, field: "lead", "came with no referral, so there is no referrer to correct")
            }
            guard person.id != referrer else { throw RuleViolation(rule: 6, field: "from", "is the referrer already") }
            return [ReferrerCorrected(from: referrer, to: person.id, reason: try Text.check(reason, field: "reason"))]
        case .correctValue(let to, let reason):
            guard stage != .lost else { throw closed("correct") }
            guard to != value else { throw RuleViolation(rule: 0, field: "value", "is \(to) already") }
            return [LeadValueCorrected(from: value, to: to, reason: try Text.check(reason, field: "reason"))]
        }
    }

    private func closed(_ verb: String) -> RuleViolation {
        RuleViolation(
            rule: 5, field: "lead",
            "is \(stage.rawValue): a closed lead cannot \(verb == "lose" ? "be lost again" : "be changed (\(verb))")\(stage == .lost ? "; reopen it first" : "")"
        )
    }

    /// Rule 1 on every path to qualified: `lead advance` and `lead propose` as much as `lead qualify`.
    static func unqualified(_ to: Stage) -> RuleViolation {
        RuleViolation(
            rule: 1, field: to == .proposal ? "lead" : "to",
            "a lead reaches \(to.rawValue) only once qualified on the client's business objectives: run `consult lead qualify LEAD --objective …` first, or disqualify it for no-business-objective"
        )
    }

    static func check(_ probability: Int?) throws(RuleViolation) -> Int? {
        guard let probability else { return nil }
        guard (0...100).contains(probability) else { throw RuleViolation(rule: 0, field: "probability", "must be 0 to 100") }
        return probability
    }
}
