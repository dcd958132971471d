import BackOffice
import EventStore
import Foundation

/// What `consult undo` reverted: the command, what each of its events was, and what was
/// recorded to compensate.
public struct Undone: Sendable {
    public let command: UUID
    /// One line per event of the command undone, in the words of `consult log`.
    public let reverted: [String]
    public let recorded: [Recorded]
}

/// `consult undo` (issue 16 item 5): a command is reverted by compensating events, never by
/// removing it. Each event of the command gets its counterpart (a work entry is voided, a
/// correction corrected back, a stage moved back); a command with an event that has none (a
/// forgotten person, a won lead) is refused whole, saying which. The compensating events are
/// recorded as one new command whose envelope names the command undone (`undoes`), so undoing
/// that command in turn brings the first back, and a command is never undone twice.
extension Recorder {
    /// The metadata key naming the command an undo reverted.
    public static let undoesKey = "undoes"

    public func undo(command text: String?, _ request: WriteRequest) throws -> Undone {
        let command: UUID
        if let text {
            guard let id = UUID(uuidString: text) else {
                throw CommandFailure("--command: \"\(text)\" is not a command id (a UUID)", exitCode: 64)
            }
            command = id
        } else {
            guard let last = try lastCommand() else {
                throw CommandFailure("there is nothing to undo: \(connection.user) has recorded no command in this consultancy")
            }
            command = last
        }
        let short = command.uuidString.lowercased()
        let events = try store.events(recordedBy: command)
        guard !events.isEmpty else { throw CommandFailure("--command: there is no command \(short) in this consultancy") }
        if let by = try undoneBy(command) {
            throw CommandFailure(
                "command \(short) was undone already, by command \(by.uuidString.lowercased())",
                advice: ["To bring it back, undo that one: consult undo --command \(by.uuidString.lowercased())"])
        }
        let own = events.filter { !StreamName.isHandle($0.stream) }
        let decoded = try own.map { ($0, try $0.domainEvent()) }
        var names = Names()
        for (person, handle) in try people.handles() { names.learn(person, handle) }
        // Names the command's events use (a checklist item's handle) come from their streams.
        for stream in Set(own.map(\.stream)) {
            for event in try store.read(stream: stream) { names.learn(from: try event.domainEvent()) }
        }
        let reverted = decoded.map { "#\($0.0.position) \($0.1.summary(names))" }

        let reason = "undo of command \(short)"
        let recorded = try record(request, metadata: AppendMetadata(causationID: command, extra: [Self.undoesKey: short])) { _ in
            // Stream by stream, in the order the command first wrote them; within a stream the
            // events are compensated newest first, each decided on the state the previous left.
            var order: [String] = []
            for (event, _) in decoded where !order.contains(event.stream) { order.append(event.stream) }
            return try order.map { stream in
                let name = StreamName(parsing: stream)!
                let mine = decoded.filter { $0.0.stream == stream }.reversed()
                switch name.entity?.kind {
                case .engagement:
                    return try compensate(name, EngagementState.self, mine) { state, recorded, event in
                        try state.decide(
                            try Self.engagementCompensation(event, recorded: recorded, state: state, reason: reason, names: names))
                    }
                case .lead:
                    return try compensate(name, LeadState.self, mine) { state, _, event in
                        try state.decide(try Self.leadCompensation(event, state: state, reason: reason, names: names))
                    }
                case .person:
                    return try compensate(name, PersonState.self, mine) { state, _, event in
                        switch event {
                        case let edit as PersonDetailsEdited: return try state.decide(.revert(edit))
                        // A merge is voided, and a voided merge made again (issue 16 item 6).
                        case is PersonMerged: return try state.decideUnmerge(reason: reason)
                        case let e as PersonUnmerged:
                            let (kept, _) = try self.load(PersonState.self, .entity(.person, e.from))
                            return try state.decideMerge(into: kept, reason: reason, acrossOrganisations: true)
                        default: throw Self.noCompensation(event, names)
                        }
                    }
                case .organisation:
                    return try compensate(name, OrganisationState.self, mine) { state, recorded, event in
                        switch event {
                        case let e as OrganisationSectorChanged:
                            guard state.sector == e.to else { throw RuleViolation(rule: 0, field: "sector", "was changed again since") }
                            return try state.decide(.changeSector(e.from ?? ""))
                        case let e as OrganisationRenamed:
                            guard state.name == e.name else { throw RuleViolation(rule: 0, field: "name", "was changed again since") }
                            let before = try self.state(OrganisationState.self, name, before: recorded.streamVersion)
                            guard let previous = before.name else { throw Self.noCompensation(event, names) }
                            return try state.decide(.rename(name: previous))
                        default: throw Self.noCompensation(event, names)
                        }
                    }
                default:
                    throw Self.noCompensation(mine.first!.1, names)
                }
            }
        }
        return Undone(command: command, reverted: reverted, recorded: recorded)
    }

    /// Decides each event's compensation on one stream, folding each into the state before the
    /// next (two corrections of one entry undo back to the first hours).
    private func compensate<D: Decider>(
        _ stream: StreamName, _ type: D.Type, _ events: some Sequence<(RecordedEvent, any DomainEvent)>,
        _ decide: (D, RecordedEvent, any DomainEvent) throws -> [any DomainEvent]
    ) throws -> Change {
        var (state, version) = try load(D.self, stream)
        var produced: [any DomainEvent] = []
        for (recorded, event) in events {
            let compensation = try decide(state, recorded, event)
            state = compensation.reduce(state) { $0.evolve($1) }
            produced += compensation
        }
        return Change(stream: stream, version: version, events: produced)
    }

    /// A stream's state just before its event of version `version`.
    private func state<D: Decider>(_ type: D.Type, _ stream: StreamName, before version: Int64) throws -> D {
        let events = try store.read(stream: stream.description).filter { $0.streamVersion < version }
        return D.fold(try events.map { (event: try $0.domainEvent(), occurredAt: $0.metadata.occurredAt, id: $0.id) })
    }

    /// `names`: the people and handles the refusal's words name (an empty table names everyone
    /// "(erased)", the mark of a forgotten person).
    static func engagementCompensation(
        _ event: any DomainEvent, recorded: RecordedEvent, state: EngagementState, reason: String, names: Names
    ) throws -> EngagementState.Command {
        // What the command left must still stand: a later change (another member's correction)
        // is not silently overwritten; undo that one first (the organisation's rename alike).
        func unchanged(_ stands: Bool, _ what: String, now: String) throws {
            guard stands else {
                throw CommandFailure(
                    "that command cannot be undone: \(what) was changed again since (it is \(now) now); undo that change first",
                    advice: ["`consult log --engagement \(state.started?.handle ?? "ENGAGEMENT")` shows the changes, by number."])
            }
        }
        switch event {
        case let e as WorkLogged:
            let now = state.work[recorded.id]?.hours
            try unchanged(now == e.hours, "the work entry", now: "\((now ?? .zero).formatted) h")
            return .correctWork(entry: recorded.id, hours: .zero, reason: reason)
        case let e as WorkEntryCorrected:
            let now = state.work[e.entry]?.hours
            try unchanged(now == e.to, "the work entry", now: "\((now ?? .zero).formatted) h")
            return .correctWork(entry: e.entry, hours: e.from, reason: reason)
        case let e as CoachingSessionHeld:
            let now = state.sessions[recorded.id]?.minutes
            try unchanged(now == e.minutes, "the coaching session", now: "\(now ?? 0) minutes")
            return .correctSession(session: recorded.id, minutes: 0, reason: reason)
        case let e as CoachingSessionCorrected:
            let now = state.sessions[e.session]?.minutes
            try unchanged(now == e.to, "the coaching session", now: "\(now ?? 0) minutes")
            return .correctSession(session: e.session, minutes: e.from, reason: reason)
        case let e as HandoverItemCompleted:
            try unchanged(state.handover?.items[e.item] == .completed, "the checklist item", now: "reopened or waived")
            return .reopenHandoverItem(e.item, reason: reason)
        case let e as HandoverItemWaived:
            try unchanged(state.handover?.items[e.item] == .waived, "the checklist item", now: "reopened or done")
            return .reopenHandoverItem(e.item, reason: reason)
        case let e as HandoverItemReopened:
            return e.was == "completed" ? .completeHandoverItem(e.item) : .waiveHandoverItem(e.item, reason: reason)
        case let e as HandoverItemCorrected:
            return .correctHandoverItem(e.item, category: e.previousCategory, text: e.previousText, reason: reason)
        case let e as FollowUpCorrected:
            return .correctFollowUp(check: e.check, accountActive: e.previousActive, postsPerWeek: e.previousPostsPerWeek, reason: reason)
        default: throw noCompensation(event, names)
        }
    }

    static func leadCompensation(_ event: any DomainEvent, state: LeadState, reason: String, names: Names) throws
        -> LeadState.Command
    {
        switch event {
        case let e as LeadStageChanged where e.from.isOpen && e.to.isOpen:
            return .moveBack(to: e.from, reason: reason)
        case let e as LeadMovedBack: return .advance(to: e.from, probability: nil)
        case let e as ReferrerCorrected:
            return .correctReferrer(PersonFacts(id: e.from, organisation: nil), reason: reason)
        case let e as LeadValueCorrected:
            guard let from = e.from else { throw noCompensation(event, names) }
            return .correctValue(to: from, reason: reason)
        case let e as LeadValueRevised:
            guard let from = e.from else { throw noCompensation(event, names) }
            return .reviseValue(to: from)
        case let e as ExpectedCloseMoved:
            guard let from = e.from else { throw noCompensation(event, names) }
            return .moveExpectedClose(to: from)
        default: throw noCompensation(event, names)
        }
    }

    /// The refusal for an event that has no compensating event, saying why.
    static func noCompensation(_ event: any DomainEvent, _ names: Names) -> CommandFailure {
        let why: String
        switch event {
        case is PersonForgotten: why = "a forgotten person's details were destroyed, and nothing brings them back"
        case is PersonDetailsEdited:
            why = "it changed personal data, which is kept out of the log, so its earlier value is not known"
        case is LeadWon, is EngagementStarted: why = "winning a lead starts an engagement; close the engagement instead"
        case is LeadStageChanged: why = "a closed lead is reopened with `consult lead reopen`, not undone"
        default: why = "no event reverts \"\(event.summary(names))\"; record what is so now with the command for it"
        }
        return CommandFailure("that command cannot be undone: \(why)")
    }

    /// This member's last command: the newest event they recorded with a command id.
    func lastCommand() throws -> UUID? {
        try connection.execute(
            """
            SELECT command_id FROM consult.events
             WHERE tenant_id = \(tenant.rawValue) AND command_id IS NOT NULL AND metadata->>'actor' = session_user
             ORDER BY position DESC LIMIT 1
            """
        ).first?.decode(UUID.self, at: 0)
    }

    /// The undo that reverted `command` and stands (was not itself undone), if there is one.
    func undoneBy(_ command: UUID) throws -> UUID? {
        let undos = try connection.execute(
            """
            SELECT DISTINCT command_id FROM consult.events
             WHERE tenant_id = \(tenant.rawValue) AND metadata->>\(Self.undoesKey) = \(command.uuidString.lowercased())
            """
        ).map { try $0.decode(UUID.self, at: 0) }
        for undo in undos where try undoneBy(undo) == nil { return undo }
        return nil
    }
}
