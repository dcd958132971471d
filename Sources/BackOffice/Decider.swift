import Foundation

/// A stream of the domain: its state is a fold of its events (`evolve`), and a command becomes
/// new events, or a rule violation, by `decide`. Both are pure: no clock, no database; what a
/// decision needs from elsewhere (other people's organisations, the time) comes in the command.
public protocol Decider {
    associatedtype Command
    init()
    /// The state after one more event.
    func evolve(_ event: any DomainEvent) -> Self
    /// The state after one more event that happened at `occurredAt`: a decider whose state
    /// depends on when things happened (an objective's latest measurement, rule 8) uses it.
    func evolve(_ event: any DomainEvent, occurredAt: Date) -> Self
    /// The state after one more event as the log holds it, with its id: a decider whose
    /// corrections name an earlier event (a work entry, a coaching session) by its id uses it.
    func evolve(_ event: any DomainEvent, occurredAt: Date, id: UUID) -> Self
    /// The events a command produces from this state, or the rule it would break.
    func decide(_ command: Command) throws(RuleViolation) -> [any DomainEvent]
}

extension Decider {
    public func evolve(_ event: any DomainEvent, occurredAt: Date) -> Self { evolve(event) }
    public func evolve(_ event: any DomainEvent, occurredAt: Date, id: UUID) -> Self { evolve(event, occurredAt: occurredAt) }

    /// The state after all these events.
    public static func fold(_ events: [any DomainEvent]) -> Self {
        events.reduce(Self()) { $0.evolve($1) }
    }

    /// The state after all these events, each with when it happened (as the log holds them).
    public static func fold(_ events: [(event: any DomainEvent, occurredAt: Date)]) -> Self {
        events.reduce(Self()) { $0.evolve($1.event, occurredAt: $1.occurredAt) }
    }

    /// The state after all these events, each with when it happened and its id in the log.
    public static func fold(_ events: [(event: any DomainEvent, occurredAt: Date, id: UUID)]) -> Self {
        events.reduce(Self()) { $0.evolve($1.event, occurredAt: $1.occurredAt, id: $1.id) }
    }
}

/// What a decision needs to know of a person from their own stream.
public struct PersonFacts: Sendable, Equatable {
    public let id: UUID
    public let organisation: UUID?
    public let hasLeft: Bool

    public init(id: UUID, organisation: UUID?, hasLeft: Bool = false) {
        self.id = id
        self.organisation = organisation
        self.hasLeft = hasLeft
    }
}

// MARK: - Handles

/// The state of a handle stream: who holds the name now.
public struct HandleState: Decider, Sendable {
    public private(set) var holder: HandleClaimed?

    public init() {}

    public enum Command: Sendable {
        case claim(kind: EntityKind, id: UUID, parent: UUID?, display: String)
        case release
    }

    public func evolve(_ event: any DomainEvent) -> HandleState {
        var next = self
        switch event {
        case let claimed as HandleClaimed: next.holder = claimed
        case is HandleReleased: next.holder = nil
        default: break
        }
        return next
    }

    public func decide(_ command: Command) throws(RuleViolation) -> [any DomainEvent] {
        switch command {
        case .claim(let kind, let id, let parent, let display):
            if let holder, holder.id != id {
                throw RuleViolation(
                    rule: 7, field: "name",
                    "\(holder.kind == .organisation || holder.kind == .objective || holder.kind == .engagement ? "an" : "a") \(holder.kind.rawValue) named \"\(display)\" exists already in this consultancy"
                )
            }
            return holder == nil ? [HandleClaimed(kind: kind, id: id, parent: parent)] : []
        case .release:
            return holder == nil ? [] : [HandleReleased()]
        }
    }
}

// MARK: - Organisations

public struct OrganisationState: Decider, Sendable {
    public private(set) var registered: OrganisationRegistered?
    public private(set) var name: String?
    public private(set) var handle: String?
    public private(set) var sector: String?

    public init() {}

    public enum Command: Sendable {
        /// `handle`: the one the consultant chose (`--handle`); by default, a slug of the name.
        case register(id: UUID, name: String, handle: String? = nil, sector: String?, website: String?)
        case rename(name: String)
        /// `org edit --sector` (an empty text clears it).
        case changeSector(String?)
    }

    public func evolve(_ event: any DomainEvent) -> OrganisationState {
        var next = self
        switch event {
        case let e as OrganisationRegistered:
            next.registered = e
            next.name = e.name
            next.handle = e.handle
            next.sector = e.sector
        case let e as OrganisationRenamed:
            next.name = e.name
            next.handle = e.handle
        case let e as OrganisationSectorChanged:
            next.sector = e.to
        default: break
        }
        return next
    }

    public func decide(_ command: Command) throws(RuleViolation) -> [any DomainEvent] {
        switch command {
        case .register(let id, let name, let chosen, let sector, let website):
            guard registered == nil else { throw RuleViolation(rule: 0, field: "organisation", "is registered already") }
            let name = try Text.check(name, field: "name")
            let handle = Handle.slug(chosen ?? name)
            guard !handle.isEmpty else {
                throw RuleViolation(
                    rule: 0, field: chosen == nil ? "name" : "handle", "needs at least one letter or digit to make a handle from")
            }
            return [
                OrganisationRegistered(
                    organisation: id, handle: handle, name: name, sector: try Text.checkIfPresent(sector, field: "sector"),
                    website: try Text.checkIfPresent(website, field: "website"))
            ]
        case .rename(let name):
            guard registered != nil else { throw RuleViolation(rule: 0, field: "organisation", "does not exist") }
            let name = try Text.check(name, field: "name")
            let handle = Handle.slug(name)
            guard !handle.isEmpty else {
                throw RuleViolation(rule: 0, field: "name", "needs at least one letter or digit to make a handle from")
            }
            guard name != self.name else { return [] }
            return [OrganisationRenamed(name: name, handle: handle)]
        case .changeSector(let sector):
            guard registered != nil else { throw RuleViolation(rule: 0, field: "organisation", "does not exist") }
            let sector = sector?.isEmpty == true ? nil : try Text.checkIfPresent(sector, field: "sector")
            guard sector != self.sector else { return [] }
            return [OrganisationSectorChanged(from: self.sector, to: sector)]
        }
    }
}

// MARK: - People

public struct PersonState: Decider, Sendable {
    public private(set) var added: PersonAdded?
    public private(set) var organisation: UUID?
    public private(set) var hasLeft = false
    public private(set) var introductionAsked = false
    /// Whether the last introduction asked for was answered (a second answer is told so).
    public private(set) var introductionAnswered = false
    public private(set) var forgotten = false
    public private(set) var title: String?
    public private(set) var level: Level?
    /// The person this one was merged into (`person merge`), while the merge stands.
    public private(set) var mergedInto: UUID?

    public init() {}

    public var facts: PersonFacts? {
        added.map { PersonFacts(id: $0.person, organisation: organisation, hasLeft: hasLeft) }
    }

    public enum Command: Sendable {
        case add(id: UUID, organisation: UUID?, title: String?, level: Level?)
        case move(to: UUID)
        case leave
        case askIntroduction(note: String?)
        case answerIntroduction(IntroductionOutcome)
        case forget(askedBy: ForgetRequester)
        /// `person edit`: a new title or level, and which personal fields (name, e-mail,
        /// phone) change in the person details alongside.
        case edit(title: String?, level: Level?, personal: [String])
        /// `consult undo` of an edit: title and level back as they were; refused when the edit
        /// changed personal data, whose earlier values are kept nowhere.
        case revert(PersonDetailsEdited)
    }

    public func evolve(_ event: any DomainEvent) -> PersonState {
        var next = self
        switch event {
        case let e as PersonAdded:
            next.added = e
            next.organisation = e.organisation
            next.title = e.title
            next.level = e.level
        case let e as PersonDetailsEdited:
            if e.changed.contains("title") { next.title = e.title }
            if e.changed.contains("level") { next.level = e.level }
        case let e as PersonMovedOrganisation:
            next.organisation = e.to
            next.hasLeft = false
        case is PersonLeftOrganisation:
            next.hasLeft = true
        case is IntroductionRequested:
            next.introductionAsked = true
            next.introductionAnswered = false
        case is IntroductionAnswered:
            next.introductionAsked = false
            next.introductionAnswered = true
        case is PersonForgotten:
            next.forgotten = true
        case let e as PersonMerged:
            next.mergedInto = e.into
        case is PersonUnmerged:
            next.mergedInto = nil
        default: break
        }
        return next
    }

    public func decide(_ command: Command) throws(RuleViolation) -> [any DomainEvent] {
        if case .add(let id, let organisation, let title, let level) = command {
            guard added == nil else { throw RuleViolation(rule: 0, field: "person", "exists already") }
            return [
                PersonAdded(person: id, organisation: organisation, title: try Text.checkIfPresent(title, field: "title"), level: level)
            ]
        }
        guard let added else { throw RuleViolation(rule: 0, field: "person", "does not exist") }
        switch command {
        case .add: return []
        case .move(let to):
            guard to != organisation || hasLeft else {
                throw RuleViolation(rule: 0, field: "to", "the person is at that organisation already")
            }
            return [PersonMovedOrganisation(from: organisation, to: to)]
        case .leave:
            guard let organisation, !hasLeft else {
                throw RuleViolation(rule: 0, field: "person", "is not at an organisation to leave")
            }
            return [PersonLeftOrganisation(organisation: organisation)]
        case .askIntroduction(let note):
            return [
                IntroductionRequested(
                    person: added.person, note: try Text.checkIfPresent(note, field: "note", limit: 2000, multiline: true))
            ]
        case .answerIntroduction(let outcome):
            guard introductionAsked else {
                throw RuleViolation(
                    rule: 0, field: "introduction",
                    introductionAnswered
                        ? "was answered already; ask again first with `consult introduction ask`"
                        : "was not asked for: ask first with `consult introduction ask`")
            }
            return [IntroductionAnswered(person: added.person, outcome: outcome)]
        case .forget(let askedBy):
            guard !forgotten else { throw RuleViolation(rule: 0, field: "person", "was forgotten already") }
            return [PersonForgotten(askedBy: askedBy)]
        case .edit(let newTitle, let newLevel, let personal):
            guard !forgotten else {
                throw RuleViolation(rule: 0, field: "person", "was forgotten: their details were destroyed and are not kept again")
            }
            let newTitle = try Text.checkIfPresent(newTitle, field: "title")
            var changed = personal.filter { PersonDetailsEdited.personal.contains($0) }
            if let newTitle, newTitle != title { changed.append("title") }
            if let newLevel, newLevel != level { changed.append("level") }
            guard !changed.isEmpty else { return [] }
            return [
                PersonDetailsEdited(
                    changed: changed, title: changed.contains("title") ? newTitle : nil,
                    previousTitle: changed.contains("title") ? title : nil, level: changed.contains("level") ? newLevel : nil,
                    previousLevel: changed.contains("level") ? level : nil)
            ]
        case .revert(let edit):
            let personal = edit.changed.filter { PersonDetailsEdited.personal.contains($0) }
            guard personal.isEmpty else {
                throw RuleViolation(
                    rule: 0, field: "person",
                    "the edit changed \(personal.joined(separator: ", ")): personal data is kept out of the log, so its earlier value is not known; edit it again with `consult person edit`"
                )
            }
            var changed: [String] = []
            if edit.changed.contains("title") {
                guard title == edit.title else { throw RuleViolation(rule: 0, field: "title", "was changed again since") }
                changed.append("title")
            }
            if edit.changed.contains("level") {
                guard level == edit.level else { throw RuleViolation(rule: 0, field: "level", "was changed again since") }
                changed.append("level")
            }
            guard !changed.isEmpty else { return [] }
            return [
                PersonDetailsEdited(
                    changed: changed, title: edit.previousTitle, previousTitle: edit.title, level: edit.previousLevel,
                    previousLevel: edit.level)
            ]
        }
    }
}
