import Foundation

/// An event of the domain: a fact in the past tense with a stable type name (never a Swift type
/// name, which a refactor could change) and the schema version of its body's shape.
///
/// Both are declared by every type, never derived: there is deliberately no default, so a new
/// type that forgets them does not compile, and renaming a struct leaves its stored name alone.
/// Tests/BackOfficeTests/Fixtures/events.json holds one stored body per type and fails when a
/// name, a version or a field drifts from what the log already holds.
public protocol DomainEvent: Codable, Sendable, Equatable {
    /// The name the log stores this type under (`events.type`). Never change it: stored events
    /// are found by it. It was the Swift type name when the type was introduced.
    static var typeName: String { get }
    /// The version of the body's shape (`events.schema_version`); raise it, with an upcaster,
    /// when a stored field changes.
    static var schemaVersion: Int { get }
    /// One line for a timeline, naming the people, objectives and items it concerns:
    /// "measured followers: 1,240".
    func summary(_ names: Names) -> String
}

// MARK: - Organisations (stream organisation-<id>)

public struct OrganisationRegistered: DomainEvent {
    public static let typeName = "OrganisationRegistered"
    public static let schemaVersion = 1
    public var organisation: UUID
    public var handle: String
    public var name: String
    public var sector: String?
    public var website: String?
    public func summary(_ names: Names) -> String { "registered organisation \(name)" + (sector.map { " (\($0))" } ?? "") }
}

public struct OrganisationRenamed: DomainEvent {
    public static let typeName = "OrganisationRenamed"
    public static let schemaVersion = 1
    public var name: String
    public var handle: String
    public func summary(_ names: Names) -> String { "renamed the organisation \(name)" }
}

// MARK: - Handles (stream handle-<kind>-<slug>): a name claimed by one entity of the tenant

public struct HandleClaimed: DomainEvent {
    public static let typeName = "HandleClaimed"
    public static let schemaVersion = 1
    public var kind: EntityKind
    public var id: UUID
    /// For an objective: the engagement it belongs to.
    public var parent: UUID?
    public func summary(_ names: Names) -> String { "claimed the handle of a \(kind.rawValue)" }
}

public struct HandleReleased: DomainEvent {
    public static let typeName = "HandleReleased"
    public static let schemaVersion = 1
    public func summary(_ names: Names) -> String { "released a handle" }
}

public enum EntityKind: String, Codable, Sendable, CaseIterable {
    case organisation, person, lead, engagement, objective
}

// MARK: - People (stream person-<id>); names, e-mails and phones live in person details

public enum Level: String, Codable, Sendable, CaseIterable {
    case frontline, manager, executive
}

public struct PersonAdded: DomainEvent {
    public static let typeName = "PersonAdded"
    public static let schemaVersion = 1
    public var person: UUID
    public var organisation: UUID?
    public var title: String?
    public var level: Level?
    public func summary(_ names: Names) -> String { "added a person" + (title.map { " (\($0))" } ?? "") }
}

public struct PersonMovedOrganisation: DomainEvent {
    public static let typeName = "PersonMovedOrganisation"
    public static let schemaVersion = 1
    public var from: UUID?
    public var to: UUID
    public func summary(_ names: Names) -> String { "moved to \(names[to])" }
}

public struct PersonLeftOrganisation: DomainEvent {
    public static let typeName = "PersonLeftOrganisation"
    public static let schemaVersion = 1
    public var organisation: UUID
    public func summary(_ names: Names) -> String { "left \(names[organisation])" }
}

/// Who asked for a person's details to be forgotten.
public enum ForgetRequester: String, Codable, Sendable, CaseIterable {
    case person, organisation, consultant
}

/// The person's name, e-mail and phone were destroyed (they lived outside the log); the event
/// itself holds no personal data.
public struct PersonForgotten: DomainEvent {
    public static let typeName = "PersonForgotten"
    public static let schemaVersion = 1
    public var askedBy: ForgetRequester
    public func summary(_ names: Names) -> String { "forgot the person's details (asked by the \(askedBy.rawValue))" }
}

public struct IntroductionRequested: DomainEvent {
    public static let typeName = "IntroductionRequested"
    public static let schemaVersion = 1
    public var person: UUID
    public var note: String?
    public func summary(_ names: Names) -> String { "asked for an introduction" }
}

public enum IntroductionOutcome: String, Codable, Sendable, CaseIterable {
    case promised, declined
    case noReply = "no-reply"
}

public struct IntroductionAnswered: DomainEvent {
    public static let typeName = "IntroductionAnswered"
    public static let schemaVersion = 1
    public var person: UUID
    public var outcome: IntroductionOutcome
    public func summary(_ names: Names) -> String { "answered the introduction request: \(outcome.rawValue)" }
}

// MARK: - Leads (stream lead-<id>)

public enum LeadSource: String, Codable, Sendable, CaseIterable {
    case referral, `repeat`, inbound, talk, content, outbound
}

public enum Stage: String, Codable, Sendable, CaseIterable, Comparable {
    case new, contacted, qualified, proposal, won, lost

    /// The open stages, in the order a lead moves through them.
    public static let open: [Stage] = [.new, .contacted, .qualified, .proposal]
    public var isOpen: Bool { Stage.open.contains(self) }
    var rank: Int { Stage.allCases.firstIndex(of: self)! }
    public static func < (a: Stage, b: Stage) -> Bool { a.rank < b.rank }
}

/// Where a lead stands as the reports and lists name it: its stage, with a lost lead that was
/// disqualified (the consultant's push-back) apart from one lost to a decision on the work.
public enum LeadOutcome: String, Sendable, CaseIterable {
    case new, contacted, qualified, proposal, won, lost, disqualified

    public init(stage: Stage, disqualified: Bool) {
        self = stage == .lost && disqualified ? .disqualified : LeadOutcome(rawValue: stage.rawValue)!
    }
}

public enum BudgetSource: String, Codable, Sendable, CaseIterable {
    case existingSpend = "existing-spend"
    case newBudget = "new-budget"
    case unknown
}

public enum DisqualifyReason: String, Codable, Sendable, CaseIterable {
    case noBusinessObjective = "no-business-objective"
    case noSponsor = "no-sponsor"
    case noBudget = "no-budget"
    case notAFit = "not-a-fit"
    case timing
}

public struct LeadCaptured: DomainEvent {
    public static let typeName = "LeadCaptured"
    public static let schemaVersion = 1
    public var lead: UUID
    public var handle: String
    public var organisation: UUID
    public var source: LeadSource
    public var value: Money?
    public var expectedClose: Day?
    public var need: String?
    public func summary(_ names: Names) -> String { "captured a lead (\(source.rawValue))" + (value.map { ", \($0)" } ?? "") }
}

public struct ReferralReceived: DomainEvent {
    public static let typeName = "ReferralReceived"
    public static let schemaVersion = 1
    public var referrer: UUID
    public var via: UUID?
    public var warmth: String?
    public func summary(_ names: Names) -> String {
        "received a referral from \(names[referrer])" + (via.map { " via \(names[$0])" } ?? "")
    }
}

public struct LeadStageChanged: DomainEvent {
    public static let typeName = "LeadStageChanged"
    public static let schemaVersion = 1
    public var from: Stage
    public var to: Stage
    public var probability: Int?
    public func summary(_ names: Names) -> String {
        "moved the lead from \(from.rawValue) to \(to.rawValue)" + (probability.map { " (\($0)%)" } ?? "")
    }
}

public struct LeadQualified: DomainEvent {
    public static let typeName = "LeadQualified"
    public static let schemaVersion = 1
    public var statedObjectives: [String]
    public var budgetSource: BudgetSource
    public var sponsor: UUID?
    public func summary(_ names: Names) -> String { "qualified the lead: \(statedObjectives.joined(separator: "; "))" }
}

public struct LeadDisqualified: DomainEvent {
    public static let typeName = "LeadDisqualified"
    public static let schemaVersion = 1
    public var reason: DisqualifyReason
    public var note: String?
    public func summary(_ names: Names) -> String { "disqualified the lead: \(reason.rawValue)" }
}

public struct ProposalSent: DomainEvent {
    public static let typeName = "ProposalSent"
    public static let schemaVersion = 1
    public var value: Money
    public var validUntil: Day?
    public func summary(_ names: Names) -> String { "sent a proposal of \(value)" }
}

public struct LeadValueRevised: DomainEvent {
    public static let typeName = "LeadValueRevised"
    public static let schemaVersion = 1
    public var from: Money?
    public var to: Money
    public func summary(_ names: Names) -> String { "revised the lead's value to \(to)" }
}

public struct ExpectedCloseMoved: DomainEvent {
    public static let typeName = "ExpectedCloseMoved"
    public static let schemaVersion = 1
    public var from: Day?
    public var to: Day
    public func summary(_ names: Names) -> String { "moved the expected close to \(to)" }
}

public struct LeadWon: DomainEvent {
    public static let typeName = "LeadWon"
    public static let schemaVersion = 1
    public var engagement: UUID
    public func summary(_ names: Names) -> String { "won the lead: engagement \(names[engagement])" }
}

public struct LeadLost: DomainEvent {
    public static let typeName = "LeadLost"
    public static let schemaVersion = 1
    public var reason: String
    public var note: String?
    public func summary(_ names: Names) -> String { "lost the lead: \(reason)" }
}

public struct LeadReopened: DomainEvent {
    public static let typeName = "LeadReopened"
    public static let schemaVersion = 1
    public func summary(_ names: Names) -> String { "reopened the lead" }
}

public struct ReferrerThanked: DomainEvent {
    public static let typeName = "ReferrerThanked"
    public static let schemaVersion = 1
    public var referrer: UUID
    public var on: Day
    public func summary(_ names: Names) -> String { "thanked \(names[referrer]) for the referral" }
}

// MARK: - Engagements (stream engagement-<id>)

public enum EngagementKind: String, Codable, Sendable, CaseIterable {
    case launch, coaching, strategy, audit, retainer
}

/// A channel the engagement speaks through (issue 16 item 10): any name, kept as a slug. The
/// well-known ones have one spelling each (`Insta`, `IG` → `instagram`; `X` → `twitter`, the name
/// the log has used since the start; `Google Business Profile` → `google-business-profile`);
/// others are kept as typed, slugged. Stored bodies from before (the old fixed list) decode as
/// they are: every old value is a slug.
public struct Channel: RawRepresentable, Codable, Hashable, Sendable, Comparable {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public static func < (a: Channel, b: Channel) -> Bool { a.rawValue < b.rawValue }

    public static let twitter = Channel(rawValue: "twitter")
    public static let facebook = Channel(rawValue: "facebook")
    public static let instagram = Channel(rawValue: "instagram")
    public static let linkedin = Channel(rawValue: "linkedin")
    public static let other = Channel(rawValue: "other")

    /// The channels with one spelling, and the other ways people type them (as slugs).
    public static let wellKnown: [(name: String, aliases: [String])] = [
        ("twitter", ["x", "x-twitter", "twitter-x"]), ("facebook", ["fb", "meta"]), ("instagram", ["insta", "ig"]),
        ("linkedin", ["linked-in", "li"]), ("tiktok", ["tik-tok", "tt"]), ("youtube", ["you-tube", "yt"]),
        ("google-business-profile", ["gbp", "google-business", "google-my-business", "gmb", "google-maps"]),
        ("threads", []), ("bluesky", ["bsky", "blue-sky"]), ("mastodon", []), ("pinterest", []), ("snapchat", ["snap"]),
        ("whatsapp", ["whats-app"]), ("newsletter", ["email-newsletter", "mailing-list"]), ("blog", []), ("video", []),
        ("podcast", []), ("website", ["web", "site"]), ("other", []),
    ]

    /// A channel as typed: a well-known one by any of its spellings, or the name itself as a
    /// slug; `hint` names the well-known channel an unknown name is close to. Nil for a name
    /// with no letter or digit.
    public static func normalise(_ typed: String) -> (channel: Channel, hint: String?)? {
        let slug = Handle.slug(typed)
        guard !slug.isEmpty else { return nil }
        let compact = slug.replacingOccurrences(of: "-", with: "")
        for known in wellKnown {
            let spellings = [known.name] + known.aliases
            if spellings.contains(slug) || spellings.contains(where: { $0.replacingOccurrences(of: "-", with: "") == compact }) {
                return (Channel(rawValue: known.name), nil)
            }
        }
        let names = wellKnown.map(\.name)
        let close = names.filter { Handle.editDistance(slug, $0) <= max(1, min(2, $0.count / 4)) }
        return (Channel(rawValue: slug), close.first)
    }
}

public enum Direction: String, Codable, Sendable, CaseIterable {
    case up, down
}

public enum CloseOutcome: String, Codable, Sendable, CaseIterable {
    case handedOver = "handed-over"
    case completed, terminated
    case lostInterest = "lost-interest"
}

public struct EngagementStarted: DomainEvent {
    public static let typeName = "EngagementStarted"
    public static let schemaVersion = 1
    public var engagement: UUID
    public var handle: String
    public var organisation: UUID
    public var lead: UUID?
    public var title: String
    public var kind: EngagementKind
    public var fee: Money?
    public var budgetHours: Quantity?
    public var hoursPerMonth: Quantity?
    public var plannedHandover: Day?
    public func summary(_ names: Names) -> String { "started the engagement \"\(title)\" (\(kind.rawValue))" }
}

public struct PurposeStated: DomainEvent {
    public static let typeName = "PurposeStated"
    public static let schemaVersion = 1
    public var purpose: String
    public func summary(_ names: Names) -> String { "stated the purpose: \(purpose)" }
}

public struct SponsorAppointed: DomainEvent {
    public static let typeName = "SponsorAppointed"
    public static let schemaVersion = 1
    public var person: UUID
    public func summary(_ names: Names) -> String { "appointed \(names[person]) sponsor" }
}

public struct ChampionNominated: DomainEvent {
    public static let typeName = "ChampionNominated"
    public static let schemaVersion = 1
    public var person: UUID
    public var level: Level
    public func summary(_ names: Names) -> String { "nominated \(names[person]) champion (\(level.rawValue))" }
}

public struct ChampionStoodDown: DomainEvent {
    public static let typeName = "ChampionStoodDown"
    public static let schemaVersion = 1
    public var person: UUID
    public var reason: String
    public func summary(_ names: Names) -> String { "\(names[person]) stood down as champion: \(reason)" }
}

public struct ChannelAdopted: DomainEvent {
    public static let typeName = "ChannelAdopted"
    public static let schemaVersion = 1
    public var channel: Channel
    public var handle: String?
    public var servesObjectives: [UUID]
    public func summary(_ names: Names) -> String { "adopted \(channel.rawValue)" + (handle.map { " (\($0))" } ?? "") }
}

public struct ChannelRetired: DomainEvent {
    public static let typeName = "ChannelRetired"
    public static let schemaVersion = 1
    public var channel: Channel
    /// Which account of the kind, when the engagement had several (absent before issue 16).
    public var handle: String? = nil
    public var reason: String
    public func summary(_ names: Names) -> String { "retired \(channel.rawValue)" + (handle.map { " (\($0))" } ?? "") + ": \(reason)" }
}

public struct CoachingSessionHeld: DomainEvent {
    public static let typeName = "CoachingSessionHeld"
    public static let schemaVersion = 1
    public var attendees: [UUID]
    public var topics: [String]
    public var minutes: Int
    public func summary(_ names: Names) -> String {
        "held a \(minutes)-minute coaching session with \(attendees.map { names[$0] }.joined(separator: ", ")): \(topics.joined(separator: ", "))"
    }
}

public struct WorkLogged: DomainEvent {
    public static let typeName = "WorkLogged"
    public static let schemaVersion = 1
    public var hours: Quantity
    public var activity: String
    public var billable: Bool
    public func summary(_ names: Names) -> String { "logged \(hours.formatted) h: \(activity)" + (billable ? "" : " (not billable)") }
}

public struct ObjectiveSet: DomainEvent {
    public static let typeName = "ObjectiveSet"
    public static let schemaVersion = 1
    public var objective: UUID
    public var handle: String
    public var businessArea: String
    public var statement: String
    public var metric: String
    public var unit: String?
    public var direction: Direction
    public var baseline: Quantity
    public var target: Quantity
    public var due: Day
    public func summary(_ names: Names) -> String {
        "set the objective \(handle): \(metric) from \(baseline.formatted) to \(target.formatted) by \(due)"
    }
}

public struct MeasurementRecorded: DomainEvent {
    public static let typeName = "MeasurementRecorded"
    public static let schemaVersion = 1
    public var objective: UUID
    public var measurement: UUID
    public var value: Quantity
    public var source: String?
    public var note: String?
    public func summary(_ names: Names) -> String {
        "measured \(names[objective]): \(value.formatted)" + (source.map { " (\($0))" } ?? "")
    }
}

public struct MeasurementCorrected: DomainEvent {
    public static let typeName = "MeasurementCorrected"
    public static let schemaVersion = 1
    public var objective: UUID
    public var corrects: UUID
    public var value: Quantity
    public var reason: String
    public func summary(_ names: Names) -> String { "corrected a measurement of \(names[objective]) to \(value.formatted): \(reason)" }
}

public struct TargetRevised: DomainEvent {
    public static let typeName = "TargetRevised"
    public static let schemaVersion = 1
    public var objective: UUID
    public var from: Quantity
    public var to: Quantity
    public var due: Day?
    public var reason: String
    public func summary(_ names: Names) -> String {
        "revised the target of \(names[objective]) from \(from.formatted) to \(to.formatted): \(reason)"
    }
}

public struct ObjectiveAchieved: DomainEvent {
    public static let typeName = "ObjectiveAchieved"
    public static let schemaVersion = 1
    public var objective: UUID
    public func summary(_ names: Names) -> String { "achieved \(names[objective])" }
}

public struct ObjectiveDropped: DomainEvent {
    public static let typeName = "ObjectiveDropped"
    public static let schemaVersion = 1
    public var objective: UUID
    public var reason: String
    public func summary(_ names: Names) -> String { "dropped \(names[objective]): \(reason)" }
}

public struct HandoverPlanned: DomainEvent {
    public static let typeName = "HandoverPlanned"
    public static let schemaVersion = 1
    public var on: Day
    public var receivingOwners: [UUID]
    public var sponsor: UUID
    public func summary(_ names: Names) -> String {
        "planned the handover for \(on) to \(receivingOwners.map { names[$0] }.joined(separator: ", ")), sponsor \(names[sponsor])"
    }
}

public struct HandoverItemAdded: DomainEvent {
    public static let typeName = "HandoverItemAdded"
    public static let schemaVersion = 1
    public var item: UUID
    public var handle: String
    public var category: String
    public var text: String
    public func summary(_ names: Names) -> String { "added checklist item \(handle): \(text)" }
}

public struct HandoverItemCompleted: DomainEvent {
    public static let typeName = "HandoverItemCompleted"
    public static let schemaVersion = 1
    public var item: UUID
    public func summary(_ names: Names) -> String { "completed checklist item \(names[item])" }
}

public struct HandoverItemWaived: DomainEvent {
    public static let typeName = "HandoverItemWaived"
    public static let schemaVersion = 1
    public var item: UUID
    public var reason: String
    public func summary(_ names: Names) -> String { "waived checklist item \(names[item]): \(reason)" }
}

public struct AccountControlTransferred: DomainEvent {
    public static let typeName = "AccountControlTransferred"
    public static let schemaVersion = 1
    public var channel: Channel
    /// Which account of the kind, when the engagement had several (absent before issue 16).
    public var handle: String? = nil
    public var to: UUID
    public func summary(_ names: Names) -> String {
        "transferred control of \(channel.rawValue)" + (handle.map { " (\($0))" } ?? "") + " to \(names[to])"
    }
}

public struct HandoverCompleted: DomainEvent {
    public static let typeName = "HandoverCompleted"
    public static let schemaVersion = 1
    public var signedOffBy: UUID
    public func summary(_ names: Names) -> String { "completed the handover, signed off by \(names[signedOffBy])" }
}

public struct FollowUpChecked: DomainEvent {
    public static let typeName = "FollowUpChecked"
    public static let schemaVersion = 1
    public var daysAfter: Int
    public var accountActive: Bool
    public var postsPerWeek: Double?
    public var note: String?
    public func summary(_ names: Names) -> String {
        "checked \(daysAfter) days after the handover: " + (accountActive ? "active" : "inactive")
            + (postsPerWeek.map { ", \($0.formatted()) posts a week" } ?? "")
    }
}

public struct EngagementPaused: DomainEvent {
    public static let typeName = "EngagementPaused"
    public static let schemaVersion = 1
    public var reason: String
    public func summary(_ names: Names) -> String { "paused the engagement: \(reason)" }
}

public struct EngagementResumed: DomainEvent {
    public static let typeName = "EngagementResumed"
    public static let schemaVersion = 1
    public func summary(_ names: Names) -> String { "resumed the engagement" }
}

public struct EngagementClosed: DomainEvent {
    public static let typeName = "EngagementClosed"
    public static let schemaVersion = 1
    public var outcome: CloseOutcome
    public var reason: String?
    public func summary(_ names: Names) -> String { "closed the engagement: \(outcome.rawValue)" + (reason.map { " (\($0))" } ?? "") }
}

/// Names for the ids events carry (handles of people, objectives, checklist items), for
/// timelines. A person whose details were forgotten shows as "(erased)".
public struct Names: Sendable {
    private var names: [UUID: String]

    public init(_ names: [UUID: String] = [:]) { self.names = names }

    public subscript(id: UUID) -> String { names[id] ?? "(erased)" }

    public mutating func learn(_ id: UUID, _ name: String) { names[id] = name }

    /// Learns the names an event gives (an objective's handle, a checklist item's).
    public mutating func learn(from event: any DomainEvent) {
        switch event {
        case let e as OrganisationRegistered: learn(e.organisation, e.handle)
        case let e as LeadCaptured: learn(e.lead, e.handle)
        case let e as EngagementStarted: learn(e.engagement, e.handle)
        case let e as ObjectiveSet: learn(e.objective, e.handle)
        case let e as HandoverItemAdded: learn(e.item, e.handle)
        default: break
        }
    }
}

// MARK: - The registry of types

/// Every event type by its stored name, for decoding what the log holds.
public enum EventTypes {
    public static let all: [any DomainEvent.Type] = [
        OrganisationRegistered.self, OrganisationRenamed.self, HandleClaimed.self, HandleReleased.self,
        PersonAdded.self, PersonMovedOrganisation.self, PersonLeftOrganisation.self, PersonForgotten.self, IntroductionRequested.self,
        IntroductionAnswered.self, LeadCaptured.self, ReferralReceived.self, LeadStageChanged.self, LeadQualified.self,
        LeadDisqualified.self, ProposalSent.self, LeadValueRevised.self, ExpectedCloseMoved.self, LeadWon.self, LeadLost.self,
        LeadReopened.self, ReferrerThanked.self, EngagementStarted.self, PurposeStated.self, SponsorAppointed.self,
        ChampionNominated.self, ChampionStoodDown.self, ChannelAdopted.self, ChannelRetired.self, CoachingSessionHeld.self,
        WorkLogged.self, ObjectiveSet.self, MeasurementRecorded.self, MeasurementCorrected.self, TargetRevised.self,
        ObjectiveAchieved.self, ObjectiveDropped.self, HandoverPlanned.self, HandoverItemAdded.self, HandoverItemCompleted.self,
        HandoverItemWaived.self, AccountControlTransferred.self, HandoverCompleted.self, FollowUpChecked.self,
        EngagementPaused.self, EngagementResumed.self, EngagementClosed.self,
        // Corrections (issue 16)
        PersonDetailsEdited.self, OrganisationSectorChanged.self, WorkEntryCorrected.self, CoachingSessionCorrected.self,
        LeadMovedBack.self, HandoverItemReopened.self, HandoverItemCorrected.self, FollowUpCorrected.self, ReferrerCorrected.self,
        LeadValueCorrected.self,
        // Duplicates (issue 16 item 6)
        PersonMerged.self, PersonUnmerged.self,
    ]

    static let byName: [String: any DomainEvent.Type] = Dictionary(uniqueKeysWithValues: all.map { ($0.typeName, $0) })

    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Encodes an event's body.
    public static func encode(_ event: any DomainEvent) throws -> Data {
        try encoder.encode(event)
    }

    /// Decodes a stored body by its type name.
    /// - Throws: ``UnknownEventType`` for a type this version does not know (never a silent
    ///   skip: a renamed type would otherwise vanish from every read model), or the decoder's
    ///   error for a body that does not fit the type.
    public static func decode(type: String, data: Data) throws -> any DomainEvent {
        guard let eventType = byName[type] else { throw UnknownEventType(type: type) }
        return try BodyDecoder.decode(eventType, from: data)
    }
}

/// A stored event type this version of consult does not know.
public struct UnknownEventType: Error, Equatable, CustomStringConvertible {
    public let type: String
    public init(type: String) { self.type = type }
    public var description: String { "unknown event type \"\(type)\"" }
}
