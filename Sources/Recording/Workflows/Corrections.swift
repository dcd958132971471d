import BackOffice
import EventStore
import Foundation

/// Corrections (issue 16 item 4): every mistake is corrected by a new event that names what it
/// corrects and why; the original stays in the log.
extension Recorder {
    // MARK: - People and organisations

    /// `person edit`: title and level in the log; name, e-mail and phone in the person details
    /// (kept out of the log so they can be forgotten), with an event naming which changed.
    public func editPerson(
        _ person: String, name nameGiven: String?, title: String?, level: Level?, email emailGiven: String?, phone phoneGiven: String?,
        _ request: WriteRequest
    ) throws -> [Recorded] {
        guard nameGiven != nil || title != nil || level != nil || emailGiven != nil || phoneGiven != nil else {
            throw CommandFailure("nothing to edit: give --name, --title, --level, --email or --phone", exitCode: 64)
        }
        let facts = try self.person(person, field: "person")
        let name = try Text.checkIfPresent(nameGiven, field: "name")
        let email = try Self.email(emailGiven)
        let phone = try Text.checkIfPresent(phoneGiven, field: "phone", limit: 40)
        let personal = [("name", name), ("email", email), ("phone", phone)].compactMap { $0.1 == nil ? nil : $0.0 }
        return try record(
            request,
            before: { tx in
                if !personal.isEmpty { try self.people.update(facts.id, name: name, email: email, phone: phone, on: tx) }
            },
            plan: { _ in
                [
                    try Plans.change(self, PersonState.self, .entity(.person, facts.id)) {
                        try $0.decide(.edit(title: title, level: level, personal: personal))
                    }
                ]
            })
    }

    /// An e-mail address as typed, checked as `person add` checks it.
    static func email(_ text: String?) throws -> String? {
        let email = try Text.checkIfPresent(text, field: "email")
        if let email, email.split(separator: "@").count != 2 || email.contains(" ") {
            throw RuleViolation(rule: 0, field: "email", "\"\(email)\" is not an e-mail address")
        }
        return email
    }

    /// `org edit`: a new name (the handle follows it; the old handle still names the
    /// organisation) and sector, in one append.
    public func editOrganisation(_ organisation: String, name: String?, sector: String?, _ request: WriteRequest) throws -> (
        handle: String?, recorded: [Recorded]
    ) {
        guard name != nil || sector != nil else { throw CommandFailure("nothing to edit: give --name or --sector", exitCode: 64) }
        let (id, _) = try resolve(.organisation, organisation, field: "organisation")
        var handle: String?
        let recorded = try record(request) { _ in
            let stream = StreamName.entity(.organisation, id)
            var changes: [Change] = []
            if let name {
                let plan = try Plans.renameOrganisation(self, id: id, name: name)
                handle = plan.handle
                changes = plan.changes
            }
            let (state, version) = try self.load(OrganisationState.self, stream)
            // A rename's events come first on the stream; the sector is decided after them.
            let renamed = changes.first { $0.stream == stream }?.events ?? []
            let after = renamed.reduce(state) { $0.evolve($1) }
            let sectorEvents = try sector.map { try after.decide(.changeSector($0)) } ?? []
            changes.removeAll { $0.stream == stream }
            changes.insert(Change(stream: stream, version: version, events: renamed + sectorEvents), at: 0)
            return changes
        }
        return (handle, recorded)
    }

    // MARK: - Entries named by their place in the log

    /// The event a user names as `consult log` shows it: its position (`#1234`, or `1234`) or
    /// its event id; it must be of one of `types`.
    public func entry(_ text: String, field: FieldKey, types: [any DomainEvent.Type]) throws -> RecordedEvent {
        let trimmed = text.hasPrefix("#") ? String(text.dropFirst()) : text
        let found: RecordedEvent?
        if let position = Int64(trimmed), position > 0 {
            found = try store.read(after: position - 1, limit: 1).first.flatMap { $0.position == position ? $0 : nil }
        } else if let id = UUID(uuidString: trimmed) {
            found = try events(withID: id)
        } else {
            throw CommandFailure("\(spell(field)): \"\(text)\" is not an entry: give the number `consult log` shows (#) or the event id")
        }
        let names = types.map { $0.typeName }
        guard let found, names.contains(found.type) else {
            throw CommandFailure(
                "\(spell(field)): there is no \(Self.entryKind(names)) #\(trimmed) in this consultancy",
                advice: ["`consult log --engagement ENGAGEMENT` shows each entry's number in its # column."])
        }
        return found
    }

    static func entryKind(_ names: [String]) -> String {
        switch names.first {
        case WorkLogged.typeName: "work entry"
        case CoachingSessionHeld.typeName: "coaching session"
        case FollowUpChecked.typeName: "follow-up check"
        case MeasurementRecorded.typeName: "measurement"
        default: "entry"
        }
    }

    /// The event with this id, if this tenant has it.
    func events(withID id: UUID) throws -> RecordedEvent? {
        let row = try connection.execute(
            "SELECT position FROM consult.events WHERE tenant_id = \(tenant.rawValue) AND event_id = \(id)"
        ).first
        guard let position = try row?.decode(Int64.self, at: 0) else { return nil }
        return try store.read(after: position - 1, limit: 1).first
    }

    /// A correction on the engagement whose stream holds `entry`.
    func onEntry(_ entry: RecordedEvent, _ request: WriteRequest, _ command: @escaping (EngagementState) throws -> EngagementState.Command)
        throws -> [Recorded]
    {
        guard let stream = StreamName(parsing: entry.stream), case .entity(.engagement, _) = stream.category else {
            throw CommandFailure("entry: #\(entry.position) is not on an engagement")
        }
        return try record(request) { _ in [try Plans.change(self, EngagementState.self, stream) { try $0.decide(try command($0)) }] }
    }

    // MARK: - Work and coaching

    /// `engagement work void` (hours nil) and `engagement work correct --hours`.
    public func correctWork(_ entry: String, hours: String?, reason: String, _ request: WriteRequest) throws -> [Recorded] {
        let found = try self.entry(entry, field: "entry", types: [WorkLogged.self])
        let hours = try hours.map { try Hours.parse($0, field: "hours") } ?? .zero
        return try onEntry(found, request) { _ in .correctWork(entry: found.id, hours: hours, reason: reason) }
    }

    /// `engagement session void` (minutes nil) and `engagement session correct --minutes`.
    public func correctSession(_ session: String, minutes: Int?, reason: String, _ request: WriteRequest) throws -> [Recorded] {
        let found = try entry(session, field: "session", types: [CoachingSessionHeld.self])
        return try onEntry(found, request) { _ in .correctSession(session: found.id, minutes: minutes ?? 0, reason: reason) }
    }

    /// `handover follow-up correct`.
    public func correctFollowUp(_ check: String, accountActive: Bool, postsPerWeek: Double?, reason: String, _ request: WriteRequest)
        throws -> [Recorded]
    {
        let found = try entry(check, field: "check", types: [FollowUpChecked.self])
        return try onEntry(found, request) { _ in
            .correctFollowUp(check: found.id, accountActive: accountActive, postsPerWeek: postsPerWeek, reason: reason)
        }
    }
}
