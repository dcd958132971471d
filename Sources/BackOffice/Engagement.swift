import Foundation

/// A piece of work for a client, from its start to the handover and close.
///
/// Phases: *planning* when started; *active* with its first objective (rule 1); *paused* and
/// back; *closed*. Objectives, measurements, champions, channels and the handover all live in
/// the engagement's stream, so one version check covers every rule that spans them.
public struct EngagementState: Decider, Sendable {
    public enum Phase: String, Sendable, Codable {
        case planning, active, paused, closed
    }

    public struct Objective: Sendable, Equatable {
        public enum Status: String, Sendable { case open, achieved, dropped }
        public let set: ObjectiveSet
        public var target: Quantity
        public var due: Day
        public var status: Status = .open
        public var measurements: [UUID: Quantity] = [:]
        /// The latest and previous measurements by the date they were taken (rule 8).
        public var measured = LatestMeasurements()
        public var latest: Quantity? { measured.latest?.value }
    }

    public struct Handover: Sendable, Equatable {
        public var planned: HandoverPlanned
        public var items: [UUID: ItemStatus] = [:]
        public var completed = false
        /// Checklist items by their handle (unique within the engagement).
        public var itemHandles: [String: UUID] = [:]
        public enum ItemStatus: Sendable, Equatable { case open, completed, waived }
        public var openItems: Int { items.values.filter { $0 == .open }.count }
    }

    public private(set) var started: EngagementStarted?
    public private(set) var phase: Phase = .planning
    public private(set) var objectives: [UUID: Objective] = [:]
    public private(set) var sponsor: UUID?
    public private(set) var champions: Set<UUID> = []
    /// The channel accounts in use, in the order adopted: several of a kind are told apart by
    /// their account handle (issue 16 item 10).
    public private(set) var accounts: [ChannelAccount] = []
    /// The kinds of channel in use.
    public var channels: Set<Channel> { Set(accounts.map(\.channel)) }
    /// Checklist items' category and text, as corrected.
    public private(set) var itemWording: [UUID: (category: String, text: String)] = [:]
    public private(set) var handover: Handover?
    public private(set) var closedAs: CloseOutcome?
    /// Work entries by the id of their `WorkLogged` event: their hours now (0 once voided) and
    /// the day they count on; coaching sessions likewise, in minutes; follow-up checks.
    public private(set) var work: [UUID: (hours: Quantity, day: Day)] = [:]
    public private(set) var sessions: [UUID: (minutes: Int, day: Day)] = [:]
    public private(set) var followUps: [UUID: FollowUpChecked] = [:]

    /// The objective with this handle, if it is one of this engagement's.
    public func objective(handle: String) -> Objective? {
        objectives.values.first { $0.set.handle == handle }
    }

    public init() {}

    public enum Command: Sendable {
        case start(
            id: UUID, handle: String, organisation: UUID, lead: UUID?, title: String, kind: EngagementKind, fee: Money?,
            budgetHours: Quantity?, hoursPerMonth: Quantity?, plannedHandover: Day?)
        case statePurpose(String)
        case appointSponsor(PersonFacts)
        case nominateChampion(PersonFacts, level: Level)
        case standDownChampion(PersonFacts, reason: String)
        case adoptChannel(Channel, handle: String?, serves: [UUID])
        /// `handle` says which account when several of the kind are in use.
        case retireChannel(Channel, handle: String? = nil, reason: String)
        case holdSession(attendees: [PersonFacts], topics: [String], minutes: Int)
        case logWork(hours: Quantity, activity: String, billable: Bool)
        case setObjective(
            id: UUID, handle: String, businessArea: String, statement: String, metric: String, unit: String?, direction: Direction,
            baseline: Quantity, target: Quantity, due: Day)
        case recordMeasurement(objective: UUID, measurement: UUID, value: Quantity, source: String?, note: String?)
        case correctMeasurement(objective: UUID, corrects: UUID, value: Quantity, reason: String)
        case reviseTarget(objective: UUID, to: Quantity, due: Day?, reason: String)
        case achieveObjective(UUID)
        case dropObjective(UUID, reason: String)
        case planHandover(on: Day, owners: [PersonFacts], sponsor: PersonFacts?)
        case addHandoverItem(id: UUID, handle: String, category: String, text: String)
        case completeHandoverItem(UUID)
        case waiveHandoverItem(UUID, reason: String)
        case transferAccountControl(Channel, handle: String? = nil, to: PersonFacts)
        case completeHandover(signedOffBy: PersonFacts)
        case checkFollowUp(daysAfter: Int, accountActive: Bool, postsPerWeek: Double?, note: String?)
        case pause(reason: String)
        case resume
        case close(CloseOutcome, reason: String?)
        /// A work entry's hours corrected; 0 voids it.
        case correctWork(entry: UUID, hours: Quantity, reason: String)
        /// A coaching session's minutes corrected; 0 voids it.
        case correctSession(session: UUID, minutes: Int, reason: String)
        /// A completed or waived checklist item open again (before the handover completes).
        case reopenHandoverItem(UUID, reason: String)
        /// A checklist item's category or text corrected (nil: unchanged).
        case correctHandoverItem(UUID, category: String?, text: String?, reason: String)
        /// A follow-up check's figures corrected.
        case correctFollowUp(check: UUID, accountActive: Bool, postsPerWeek: Double?, reason: String)
    }

    /// The state after one more event, with its id in the log: corrections name work entries,
    /// sessions and follow-up checks by the id of the event that recorded them.
    public func evolve(_ event: any DomainEvent, occurredAt: Date, id: UUID) -> EngagementState {
        var next = evolve(event, occurredAt: occurredAt)
        switch event {
        case let e as WorkLogged: next.work[id] = (e.hours, Day(occurredAt))
        case let e as CoachingSessionHeld: next.sessions[id] = (e.minutes, Day(occurredAt))
        case let e as FollowUpChecked: next.followUps[id] = e
        default: break
        }
        return next
    }

    /// The state after one more event; an event folded without the date it happened (a
    /// decision just made) counts as the newest, as it is.
    public func evolve(_ event: any DomainEvent) -> EngagementState {
        evolve(event, occurredAt: .distantFuture)
    }

    /// The state after one more event that happened at `occurredAt`: the date rule 8 orders
    /// measurements by.
    public func evolve(_ event: any DomainEvent, occurredAt: Date) -> EngagementState {
        var next = self
        switch event {
        case let e as EngagementStarted: next.started = e
        case let e as SponsorAppointed: next.sponsor = e.person
        case let e as ChampionNominated: next.champions.insert(e.person)
        case let e as ChampionStoodDown: next.champions.remove(e.person)
        case let e as ChannelAdopted: next.accounts.append(ChannelAccount(channel: e.channel, handle: e.handle))
        case let e as ChannelRetired:
            if let index = ChannelAccount.matching(e.channel, e.handle, in: next.accounts).first { next.accounts.remove(at: index) }
        case let e as ObjectiveSet:
            next.objectives[e.objective] = Objective(set: e, target: e.target, due: e.due)
            if next.phase == .planning { next.phase = .active }
        case let e as MeasurementRecorded:
            next.objectives[e.objective]?.measurements[e.measurement] = e.value
            next.objectives[e.objective]?.measured.record(.init(id: e.measurement, value: e.value, takenAt: occurredAt))
        case let e as MeasurementCorrected:
            next.objectives[e.objective]?.measurements[e.corrects] = e.value
            next.objectives[e.objective]?.measured.correct(e.corrects, to: e.value)
        case let e as TargetRevised:
            next.objectives[e.objective]?.target = e.to
            if let due = e.due { next.objectives[e.objective]?.due = due }
        case let e as ObjectiveAchieved: next.objectives[e.objective]?.status = .achieved
        case let e as ObjectiveDropped: next.objectives[e.objective]?.status = .dropped
        case let e as HandoverPlanned:
            next.handover = Handover(planned: e, items: next.handover?.items ?? [:], itemHandles: next.handover?.itemHandles ?? [:])
        case let e as HandoverItemAdded:
            next.handover?.items[e.item] = .open
            next.handover?.itemHandles[e.handle] = e.item
            next.itemWording[e.item] = (e.category, e.text)
        case let e as HandoverItemCorrected:
            if let category = e.category { next.itemWording[e.item]?.category = category }
            if let text = e.text { next.itemWording[e.item]?.text = text }
        case let e as HandoverItemCompleted: next.handover?.items[e.item] = .completed
        case let e as HandoverItemWaived: next.handover?.items[e.item] = .waived
        case is HandoverCompleted: next.handover?.completed = true
        case let e as HandoverItemReopened: next.handover?.items[e.item] = .open
        case let e as WorkEntryCorrected: next.work[e.entry]?.hours = e.to
        case let e as CoachingSessionCorrected: next.sessions[e.session]?.minutes = e.to
        case let e as FollowUpCorrected:
            next.followUps[e.check]?.accountActive = e.accountActive
            next.followUps[e.check]?.postsPerWeek = e.postsPerWeek
        case is EngagementPaused: next.phase = .paused
        case is EngagementResumed: next.phase = next.objectives.isEmpty ? .planning : .active
        case let e as EngagementClosed:
            next.phase = .closed
            next.closedAs = e.outcome
        default: break
        }
        return next
    }

    public func decide(_ command: Command) throws(RuleViolation) -> [any DomainEvent] {
        if case .start(
            let id, let handle, let organisation, let lead, let title, let kind, let fee, let budget, let monthly, let handover) =
            command
        {
            guard started == nil else { throw RuleViolation(rule: 0, field: "engagement", "exists already") }
            for (value, field): (Quantity?, FieldKey) in [(budget, "budgetHours"), (monthly, "hoursPerMonth")] {
                if let value, !(value > 0 && value < 100_000) {
                    throw RuleViolation(rule: 0, field: field, "must be a positive number of hours")
                }
            }
            return [
                EngagementStarted(
                    engagement: id, handle: handle, organisation: organisation, lead: lead, title: try Text.check(title, field: "title"),
                    kind: kind, fee: fee, budgetHours: budget, hoursPerMonth: monthly, plannedHandover: handover)
            ]
        }
        guard let started else { throw RuleViolation(rule: 0, field: "engagement", "does not exist") }
        // After the close, only the follow-up checks of a handed-over account remain to record.
        // Corrections of what was recorded before the close (hours, sessions) remain too: they
        // put the past right, and record nothing new.
        let isFollowUp =
            switch command {
            case .checkFollowUp, .correctFollowUp, .correctWork, .correctSession: true
            default: false
            }
        guard phase != .closed || isFollowUp else {
            throw RuleViolation(rule: 2, field: "engagement", "is closed (\(closedAs?.rawValue ?? "")): nothing more can be recorded on it")
        }
        let organisation = started.organisation

        /// Rule 3: people the work is handed to must be of the client organisation.
        func ofClient(_ person: PersonFacts, _ field: FieldKey) throws(RuleViolation) -> UUID {
            guard person.organisation == organisation, !person.hasLeft else {
                throw RuleViolation(rule: 3, field: field, "must be a person of the client organisation")
            }
            return person.id
        }

        func openObjective(_ id: UUID) throws(RuleViolation) -> Objective {
            guard let objective = objectives[id] else {
                throw RuleViolation(rule: 2, field: "objective", "is not an objective of this engagement")
            }
            guard objective.status == .open else {
                throw RuleViolation(
                    rule: 2, field: "objective", "is \(objective.status.rawValue): measurements and revisions need an open objective")
            }
            return objective
        }

        switch command {
        case .start: return []
        case .statePurpose(let purpose):
            return [PurposeStated(purpose: try Text.check(purpose, field: "purpose", limit: 2000, multiline: true))]
        case .appointSponsor(let person):
            let id = try ofClient(person, "sponsor")
            return sponsor == id ? [] : [SponsorAppointed(person: id)]
        case .nominateChampion(let person, let level):
            let id = try ofClient(person, "champion")
            return champions.contains(id) ? [] : [ChampionNominated(person: id, level: level)]
        case .standDownChampion(let person, let reason):
            guard champions.contains(person.id) else {
                throw RuleViolation(rule: 0, field: "champion", "is not a champion of this engagement")
            }
            return [ChampionStoodDown(person: person.id, reason: try Text.check(reason, field: "reason"))]
        case .adoptChannel(let channel, let handle, let serves):
            for objective in serves where objectives[objective] == nil {
                throw RuleViolation(rule: 0, field: "serves", "\(objective) is not an objective of this engagement")
            }
            let handle = try Text.checkIfPresent(handle, field: "handle")
            if let same = accounts.first(where: { $0.channel == channel && $0.sameHandle(handle) }) {
                throw RuleViolation(
                    rule: 0, field: "channel",
                    "\(same.label) is adopted already"
                        + (handle == nil ? " (a second account of the kind is told apart by its --handle)" : ""))
            }
            return [ChannelAdopted(channel: channel, handle: handle, servesObjectives: serves)]
        case .retireChannel(let channel, let handle, let reason):
            let account = try self.account(channel, handle, missing: "is not in use")
            return [ChannelRetired(channel: channel, handle: account.handle, reason: try Text.check(reason, field: "reason"))]
        case .holdSession(let attendees, let topics, let minutes):
            guard (1...1440).contains(minutes) else { throw RuleViolation(rule: 0, field: "minutes", "must be 1 to 1440") }
            let topics = try topics.map { (topic) throws(RuleViolation) in try Text.check(topic, field: "topic") }
            guard !topics.isEmpty else { throw RuleViolation(rule: 0, field: "topic", "name at least one topic") }
            // Coaching is of the client's own staff (rule 3), and the client's page names them.
            guard !attendees.isEmpty else { throw RuleViolation(rule: 3, field: "attendee", "name at least one attendee") }
            var coached: [UUID] = []
            for attendee in attendees {
                let id = try ofClient(attendee, "attendee")
                if !coached.contains(id) { coached.append(id) }
            }
            return [CoachingSessionHeld(attendees: coached, topics: topics, minutes: minutes)]
        case .logWork(let hours, let activity, let billable):
            guard hours > 0, hours <= 24 else { throw RuleViolation(rule: 0, field: "hours", "must be more than 0 and at most 24") }
            return [WorkLogged(hours: hours, activity: try Text.check(activity, field: "activity"), billable: billable)]
        case .setObjective(
            let id, let handle, let area, let statement, let metric, let unit, let direction, let baseline, let target, let due):
            // Rule 1: an objective has a metric, a baseline and a target, and going active needs one.
            guard baseline != target else {
                throw RuleViolation(rule: 1, field: "target", "the target must differ from the baseline, or there is nothing to achieve")
            }
            guard direction == (target > baseline ? .up : .down) else {
                throw RuleViolation(
                    rule: 8, field: "target",
                    "a metric that should go \(direction.rawValue) needs a target \(direction == .up ? "above" : "below") its baseline")
            }
            return [
                ObjectiveSet(
                    objective: id, handle: handle, businessArea: try Text.check(area, field: "area"),
                    statement: try Text.check(statement, field: "statement", limit: 2000),
                    metric: try Text.check(metric, field: "metric"),
                    unit: try Text.checkIfPresent(unit, field: "unit"), direction: direction, baseline: baseline, target: target, due: due
                )
            ]
        case .recordMeasurement(let objective, let measurement, let value, let source, let note):
            _ = try openObjective(objective)
            return [
                MeasurementRecorded(
                    objective: objective, measurement: measurement, value: value,
                    source: try Text.checkIfPresent(source, field: "source"),
                    note: try Text.checkIfPresent(note, field: "note", limit: 2000, multiline: true))
            ]
        case .correctMeasurement(let objective, let corrects, let value, let reason):
            let found = try openObjective(objective)
            guard found.measurements[corrects] != nil else {
                throw RuleViolation(
                    rule: 2, field: "measurement", "a correction names a measurement of this objective, and \(corrects) is not one")
            }
            return [
                MeasurementCorrected(
                    objective: objective, corrects: corrects, value: value, reason: try Text.check(reason, field: "reason"))
            ]
        case .reviseTarget(let objective, let to, let due, let reason):
            let found = try openObjective(objective)
            let reason = try Text.check(reason, field: "reason")
            guard to != found.set.baseline else {
                throw RuleViolation(rule: 2, field: "to", "the target must differ from the baseline")
            }
            // Rule 8 as `objective set` holds it: the direction was set with the objective.
            let direction = found.set.direction
            guard direction == (to > found.set.baseline ? .up : .down) else {
                throw RuleViolation(
                    rule: 8, field: "to",
                    "a metric that should go \(direction.rawValue) needs a target \(direction == .up ? "above" : "below") its baseline (\(found.set.baseline))"
                )
            }
            guard to != found.target || (due != nil && due != found.due) else {
                throw RuleViolation(rule: 0, field: "to", "is the target already (\(found.target)); nothing to revise")
            }
            return [TargetRevised(objective: objective, from: found.target, to: to, due: due, reason: reason)]
        case .achieveObjective(let objective):
            _ = try openObjective(objective)
            return [ObjectiveAchieved(objective: objective)]
        case .dropObjective(let objective, let reason):
            _ = try openObjective(objective)
            return [ObjectiveDropped(objective: objective, reason: try Text.check(reason, field: "reason"))]
        case .planHandover(let on, let owners, let sponsor):
            guard phase == .active else {
                throw RuleViolation(
                    rule: 1, field: "engagement",
                    "is \(phase.rawValue): only an active engagement (one with an objective) can plan its handover")
            }
            guard !owners.isEmpty else { throw RuleViolation(rule: 3, field: "to", "a handover names at least one receiving owner") }
            guard let sponsor else { throw RuleViolation(rule: 3, field: "sponsor", "a handover names the client's sponsor") }
            let ownerIDs = try owners.map { (owner) throws(RuleViolation) in try ofClient(owner, "to") }
            guard handover?.completed != true else { throw RuleViolation(rule: 3, field: "handover", "is completed already") }
            return [HandoverPlanned(on: on, receivingOwners: ownerIDs, sponsor: try ofClient(sponsor, "sponsor"))]
        case .addHandoverItem(let id, let handle, let category, let text):
            guard handover != nil else { throw RuleViolation(rule: 3, field: "handover", "is not planned: plan it first") }
            guard handover?.completed != true else { throw RuleViolation(rule: 3, field: "handover", "is completed already") }
            guard handover?.itemHandles[handle] == nil else {
                throw RuleViolation(rule: 0, field: "handle", "the checklist has an item \(handle) already")
            }
            return [
                HandoverItemAdded(
                    item: id, handle: handle, category: try Text.check(category, field: "category"),
                    text: try Text.check(text, field: "text", limit: 500))
            ]
        case .completeHandoverItem(let item):
            try openItem(item)
            return [HandoverItemCompleted(item: item)]
        case .waiveHandoverItem(let item, let reason):
            try openItem(item)
            return [HandoverItemWaived(item: item, reason: try Text.check(reason, field: "reason"))]
        case .transferAccountControl(let channel, let handle, let to):
            guard handover != nil else { throw RuleViolation(rule: 3, field: "handover", "is not planned: plan it first") }
            let account = try self.account(channel, handle, missing: "is not a channel of this engagement")
            return [AccountControlTransferred(channel: channel, handle: account.handle, to: try ofClient(to, "to"))]
        case .completeHandover(let signedOffBy):
            guard let handover else { throw RuleViolation(rule: 3, field: "handover", "is not planned: plan it first") }
            guard !handover.completed else { throw RuleViolation(rule: 3, field: "handover", "is completed already") }
            guard handover.openItems == 0 else {
                throw RuleViolation(
                    rule: 3, field: "checklist",
                    "\(handover.openItems) item\(handover.openItems == 1 ? " is" : "s are") neither completed nor waived")
            }
            return [HandoverCompleted(signedOffBy: try ofClient(signedOffBy, "signedOffBy"))]
        case .checkFollowUp(let days, let active, let posts, let note):
            guard handover?.completed == true else {
                throw RuleViolation(rule: 4, field: "handover", "a follow-up check comes after a completed handover")
            }
            // DOMAIN.md: the checks are at 30, 90 and 180 days; each once (a later one says what
            // the account is at its own day, and the agenda reads the latest as covering the
            // earlier ones), put right by `follow-up correct`.
            guard [30, 90, 180].contains(days) else {
                throw RuleViolation(rule: 4, field: "days", "a follow-up check is at 30, 90 or 180 days after the handover")
            }
            guard !followUps.values.contains(where: { $0.daysAfter == days }) else {
                throw RuleViolation(
                    rule: 4, field: "days",
                    "the \(days)-day check is recorded already: put it right with `consult handover follow-up correct`")
            }
            if let posts, !(posts >= 0 && posts.isFinite) { throw RuleViolation(rule: 0, field: "postsPerWeek", "cannot be negative") }
            return [
                FollowUpChecked(
                    daysAfter: days, accountActive: active, postsPerWeek: posts,
                    note: try Text.checkIfPresent(note, field: "note", limit: 2000, multiline: true))
            ]
        case .correctWork(let entry, let hours, let reason):
            guard let found = work[entry] else {
                throw RuleViolation(rule: 2, field: "entry", "is not a work entry of this engagement")
            }
            guard hours >= .zero, hours <= 24 else {
                throw RuleViolation(rule: 0, field: "hours", "must be 0 (to void the entry) to 24; hours are never negative")
            }
            guard hours != found.hours else {
                throw RuleViolation(
                    rule: 0, field: hours == .zero ? "entry" : "hours",
                    found.hours == .zero ? "the entry is voided already" : "the entry is \(found.hours.formatted) h already")
            }
            return [
                WorkEntryCorrected(
                    entry: entry, day: found.day, from: found.hours, to: hours, reason: try Text.check(reason, field: "reason"))
            ]
        case .correctSession(let session, let minutes, let reason):
            guard let found = sessions[session] else {
                throw RuleViolation(rule: 2, field: "session", "is not a coaching session of this engagement")
            }
            guard (0...1440).contains(minutes) else {
                throw RuleViolation(rule: 0, field: "minutes", "must be 0 (to void the session) to 1440")
            }
            guard minutes != found.minutes else {
                throw RuleViolation(
                    rule: 0, field: minutes == 0 ? "session" : "minutes",
                    found.minutes == 0 ? "the session is voided already" : "the session is \(minutes) minutes already")
            }
            return [
                CoachingSessionCorrected(
                    session: session, day: found.day, from: found.minutes, to: minutes, reason: try Text.check(reason, field: "reason"))
            ]
        case .reopenHandoverItem(let item, let reason):
            guard let status = handover?.items[item] else {
                throw RuleViolation(rule: 3, field: "item", "is not on this handover's checklist")
            }
            guard handover?.completed != true else {
                throw RuleViolation(rule: 3, field: "item", "the handover is completed (every item was done or waived): it stands")
            }
            guard status != .open else { throw RuleViolation(rule: 3, field: "item", "is open already") }
            return [
                HandoverItemReopened(
                    item: item, was: status == .completed ? "completed" : "waived", reason: try Text.check(reason, field: "reason"))
            ]
        case .correctHandoverItem(let item, let category, let text, let reason):
            guard let wording = itemWording[item], handover?.items[item] != nil else {
                throw RuleViolation(rule: 3, field: "item", "is not on this handover's checklist")
            }
            guard category != nil || text != nil else {
                throw RuleViolation(rule: 0, field: "item", "say what is corrected: --text, --category or both")
            }
            let newCategory = try category.map { (c) throws(RuleViolation) in try Text.check(c, field: "category") }
            let newText = try text.map { (t) throws(RuleViolation) in try Text.check(t, field: "text", limit: 500) }
            let changedCategory = newCategory == wording.category ? nil : newCategory
            let changedText = newText == wording.text ? nil : newText
            guard changedCategory != nil || changedText != nil else { throw RuleViolation(rule: 0, field: "item", "says so already") }
            return [
                HandoverItemCorrected(
                    item: item, category: changedCategory, previousCategory: changedCategory == nil ? nil : wording.category,
                    text: changedText, previousText: changedText == nil ? nil : wording.text,
                    reason: try Text.check(reason, field: "reason"))
            ]
        case .correctFollowUp(let check, let active, let posts, let reason):
            guard let found = followUps[check] else {
                throw RuleViolation(rule: 4, field: "check", "is not a follow-up check of this engagement")
            }
            if let posts, !(posts >= 0 && posts.isFinite) { throw RuleViolation(rule: 0, field: "postsPerWeek", "cannot be negative") }
            guard active != found.accountActive || posts != found.postsPerWeek else {
                throw RuleViolation(rule: 0, field: "check", "says so already")
            }
            return [
                FollowUpCorrected(
                    check: check, daysAfter: found.daysAfter, accountActive: active, postsPerWeek: posts,
                    previousActive: found.accountActive, previousPostsPerWeek: found.postsPerWeek,
                    reason: try Text.check(reason, field: "reason"))
            ]
        case .pause(let reason):
            guard phase == .active else {
                throw RuleViolation(rule: 1, field: "engagement", "is \(phase.rawValue): only an active engagement can pause")
            }
            return [EngagementPaused(reason: try Text.check(reason, field: "reason"))]
        case .resume:
            guard phase == .paused else { throw RuleViolation(rule: 0, field: "engagement", "is \(phase.rawValue), not paused") }
            return [EngagementResumed()]
        case .close(let outcome, let reason):
            if outcome == .handedOver {
                guard handover?.completed == true else {
                    throw RuleViolation(rule: 4, field: "outcome", "an engagement closes as handed-over only after a completed handover")
                }
                return [EngagementClosed(outcome: outcome, reason: try Text.checkIfPresent(reason, field: "reason"))]
            }
            guard let reason else {
                throw RuleViolation(rule: 4, field: "reason", "closing as \(outcome.rawValue) needs a reason")
            }
            return [EngagementClosed(outcome: outcome, reason: try Text.check(reason, field: "reason"))]
        }
    }

    /// The one account of `channel` in use (the one with `handle`, when given); several of the
    /// kind and no handle is refused, naming them.
    private func account(_ channel: Channel, _ handle: String?, missing: String) throws(RuleViolation) -> ChannelAccount {
        let found = ChannelAccount.matching(channel, handle, in: accounts).map { accounts[$0] }
        guard !found.isEmpty else {
            let known = accounts.filter { $0.channel == channel }.map(\.label)
            throw RuleViolation(
                rule: 0, field: "channel",
                "\(ChannelAccount(channel: channel, handle: handle).label) \(missing)"
                    + (known.isEmpty ? "" : " (in use: \(known.joined(separator: ", ")))"))
        }
        guard found.count == 1 else {
            throw RuleViolation(
                rule: 0, field: "channel",
                "\(found.count) \(channel.rawValue) accounts are in use (\(found.map(\.label).joined(separator: ", "))): say which with --handle"
            )
        }
        return found[0]
    }

    private func openItem(_ item: UUID) throws(RuleViolation) {
        guard let status = handover?.items[item] else { throw RuleViolation(rule: 3, field: "item", "is not on this handover's checklist") }
        guard status == .open else {
            throw RuleViolation(rule: 3, field: "item", "is \(status == .completed ? "completed" : "waived") already")
        }
    }
}

/// One account of a channel an engagement uses: `instagram (@harbour_bakery)`.
public struct ChannelAccount: Sendable, Equatable {
    public var channel: Channel
    public var handle: String?

    public init(channel: Channel, handle: String?) {
        self.channel = channel
        self.handle = handle
    }

    /// `instagram (@harbour_bakery)`, or `instagram`.
    public var label: String { channel.rawValue + (handle.map { " (\($0))" } ?? "") }

    /// Account handles compare without case and a leading `@`.
    static func key(_ handle: String?) -> String? {
        handle.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.map { $0.hasPrefix("@") ? String($0.dropFirst()) : $0 }
    }

    func sameHandle(_ other: String?) -> Bool { Self.key(handle) == Self.key(other) }

    /// The indices of the accounts of `channel` (with `handle`, when given).
    public static func matching(_ channel: Channel, _ handle: String?, in accounts: [ChannelAccount]) -> [Int] {
        accounts.indices.filter { accounts[$0].channel == channel && (handle == nil || accounts[$0].sameHandle(handle)) }
    }
}
