import BackOffice
import Foundation

/// Where a plan reads the streams it decides on: the log (``Recorder``), or the bench's
/// generator, which keeps its tenant's streams in memory. Both run the same plans, so the
/// bench writes exactly the streams and bodies a consultant's commands write.
public protocol StreamSource {
    /// The state of a stream and the version it was read at (0: no such stream yet).
    func load<D: Decider>(_ type: D.Type, _ stream: StreamName) throws -> (state: D, version: Int64)
}

/// One stream's part of a recording: the events and the version they were decided against.
public struct Change: Sendable {
    public let stream: StreamName
    /// The stream's version when it was read; 0 for a stream that did not exist.
    public let version: Int64
    public let events: [any DomainEvent]

    public init(stream: StreamName, version: Int64, events: [any DomainEvent]) {
        self.stream = stream
        self.version = version
        self.events = events
    }
}

/// What starting an engagement takes, on `engagement start` and on `lead win`.
public struct EngagementTerms: Sendable {
    public var title: String
    public var kind: EngagementKind
    public var fee: Money?
    public var budgetHours: Quantity?
    public var hoursPerMonth: Quantity?
    public var plannedHandover: Day?

    public init(
        title: String, kind: EngagementKind = .launch, fee: Money? = nil, budgetHours: Quantity? = nil, hoursPerMonth: Quantity? = nil,
        plannedHandover: Day? = nil
    ) {
        self.title = title
        self.kind = kind
        self.fee = fee
        self.budgetHours = budgetHours
        self.hoursPerMonth = hoursPerMonth
        self.plannedHandover = plannedHandover
    }
}

/// The workflows of the back office as plans: what to append to which streams, decided by the
/// domain on the state a ``StreamSource`` gives. Pure but for what the source reads; the
/// ``Recorder`` appends a plan atomically and runs it again on a conflict.
public enum Plans {
    /// Loads one stream, decides on it, and returns the change at the version loaded.
    public static func change<D: Decider>(
        _ source: some StreamSource, _ type: D.Type, _ stream: StreamName, _ decide: (D) throws -> [any DomainEvent]
    ) throws -> Change {
        let (state, version) = try source.load(D.self, stream)
        return Change(stream: stream, version: version, events: try decide(state))
    }

    /// Claims a handle made from `name` for a new entity. Organisations must have a name of
    /// their own (rule 7, `unique`); leads, engagements and objectives take the next free
    /// `name-2`, `-3`.
    public static func claimHandle(
        _ source: some StreamSource, _ kind: EntityKind, name: String, id: UUID, parent: UUID? = nil, unique: Bool = false
    ) throws -> (handle: String, change: Change) {
        let base = Handle.slug(name)
        guard !base.isEmpty else { throw RuleViolation(rule: 0, field: "name", "needs at least one letter or digit to make a handle from") }
        for attempt in 1...50 {
            let handle = attempt == 1 ? base : "\(base)-\(attempt)"
            let stream = StreamName.handle(kind, handle)
            let (state, version) = try source.load(HandleState.self, stream)
            if state.holder != nil, !unique { continue }
            let events = try state.decide(.claim(kind: kind, id: id, parent: parent, display: name))
            return (handle, Change(stream: stream, version: version, events: events))
        }
        throw CommandFailure("name: too many \(kind.rawValue)s are called \(name)")
    }

    // MARK: - Organisations and people

    /// Registers an organisation under the handle made from `handle`, or from its name.
    public static func registerOrganisation(
        _ source: some StreamSource, id: UUID, name: String, handle chosen: String? = nil, sector: String?, website: String?
    ) throws -> (handle: String, changes: [Change]) {
        let registered = try OrganisationState().decide(.register(id: id, name: name, handle: chosen, sector: sector, website: website))
        let (handle, claim) = try claimHandle(source, .organisation, name: chosen ?? name, id: id, unique: true)
        return (handle, [Change(stream: .entity(.organisation, id), version: 0, events: registered), claim])
    }

    /// Renames an organisation; its handle follows the new name, and the old one keeps naming it
    /// (issue 16: what was written down with the old handle still resolves; no one else can
    /// take it).
    public static func renameOrganisation(_ source: some StreamSource, id: UUID, name: String) throws -> (
        handle: String?, changes: [Change]
    ) {
        let stream = StreamName.entity(.organisation, id)
        let (state, version) = try source.load(OrganisationState.self, stream)
        let events = try state.decide(.rename(name: name))
        guard let renamed = events.first as? OrganisationRenamed else { return (nil, []) }
        var changes = [Change(stream: stream, version: version, events: events)]
        if renamed.handle != state.handle {
            changes.append(try claimHandle(source, .organisation, name: name, id: id, unique: true).change)
        }
        return (renamed.handle, changes)
    }

    /// A person's stream; their handle and name live in the person details, not the log.
    public static func addPerson(id: UUID, organisation: UUID?, title: String?, level: Level?) throws -> [Change] {
        let events = try PersonState().decide(.add(id: id, organisation: organisation, title: title, level: level))
        return [Change(stream: .entity(.person, id), version: 0, events: events)]
    }

    // MARK: - Leads and engagements

    public static func captureLead(
        _ source: some StreamSource, id: UUID, organisation: UUID, source leadSource: LeadSource, value: Money?, expectedClose: Day?,
        need: String?, referral: LeadState.Referral?
    ) throws -> (handle: String, changes: [Change]) {
        let (organisationState, _) = try source.load(OrganisationState.self, .entity(.organisation, organisation))
        let (handle, claim) = try claimHandle(source, .lead, name: organisationState.handle ?? "lead", id: id)
        let events = try LeadState().decide(
            .capture(
                id: id, handle: handle, organisation: organisation, source: leadSource, value: value, expectedClose: expectedClose,
                need: need, referral: referral))
        return (handle, [Change(stream: .entity(.lead, id), version: 0, events: events), claim])
    }

    public static func startEngagement(
        _ source: some StreamSource, id: UUID, organisation: UUID, lead: UUID?, terms: EngagementTerms
    ) throws -> (handle: String, changes: [Change]) {
        let (handle, claim) = try claimHandle(source, .engagement, name: terms.title, id: id)
        let started = try EngagementState().decide(
            .start(
                id: id, handle: handle, organisation: organisation, lead: lead, title: terms.title, kind: terms.kind, fee: terms.fee,
                budgetHours: terms.budgetHours, hoursPerMonth: terms.hoursPerMonth, plannedHandover: terms.plannedHandover))
        return (handle, [Change(stream: .entity(.engagement, id), version: 0, events: started), claim])
    }

    /// Wins a lead and starts its engagement in the same atomic append (rule 5).
    public static func winLead(
        _ source: some StreamSource, lead: UUID, engagement: UUID, terms: EngagementTerms
    ) throws -> (handle: String, changes: [Change]) {
        let stream = StreamName.entity(.lead, lead)
        let (state, version) = try source.load(LeadState.self, stream)
        let won = try state.decide(.win(engagement: engagement))
        guard let organisation = state.captured?.organisation else { return ("", []) }
        let (handle, started) = try startEngagement(source, id: engagement, organisation: organisation, lead: lead, terms: terms)
        return (handle, [Change(stream: stream, version: version, events: won)] + started)
    }

    /// Sets an objective on its engagement, under a handle unique within that engagement (issue
    /// 16 item 7): two clients can both have `followers`, named `engagement/objective` where one
    /// handle is not enough. The next free `name-2`, `-3` is taken within the engagement; the
    /// engagement stream's version covers the choice, as it covers every rule on its objectives.
    /// Objectives set before kept their tenant-wide handle streams (`handle-objective-…`), which
    /// still resolve; no new one is claimed.
    public static func setObjective(
        _ source: some StreamSource, engagement: UUID, id: UUID, handle: String?, businessArea: String, statement: String,
        metric: String, unit: String?, direction: Direction, baseline: Quantity, target: Quantity, due: Day
    ) throws -> (handle: String, changes: [Change]) {
        let stream = StreamName.entity(.engagement, engagement)
        let (state, version) = try source.load(EngagementState.self, stream)
        let name = try objectiveHandle(handle ?? metric, in: state, field: handle == nil ? "metric" : "handle")
        // A handle asked for is that handle or a refusal: a script's next `objective measure
        // visits` must not reach another objective than the one it just set.
        if let handle, name != Handle.slug(handle) {
            throw RuleViolation(
                rule: 0, field: "handle",
                "\(Handle.slug(handle)) is an objective of this engagement already: give another --handle (\(name) is free), or measure that one"
            )
        }
        let events = try state.decide(
            .setObjective(
                id: id, handle: name, businessArea: businessArea, statement: statement, metric: metric, unit: unit, direction: direction,
                baseline: baseline, target: target, due: due))
        return (name, [Change(stream: stream, version: version, events: events)])
    }

    /// The first of `name`, `name-2`, `name-3` … that no objective of the engagement has.
    public static func objectiveHandle(_ name: String, in state: EngagementState, field: FieldKey = "handle") throws -> String {
        let base = Handle.slug(name)
        guard !base.isEmpty else { throw RuleViolation(rule: 0, field: field, "needs at least one letter or digit to make a handle from") }
        let taken = Set(state.objectives.values.map(\.set.handle))
        for attempt in 1...50 {
            let handle = attempt == 1 ? base : "\(base)-\(attempt)"
            if !taken.contains(handle) { return handle }
        }
        throw CommandFailure("handle: too many objectives of this engagement are called \(name)")
    }
}
