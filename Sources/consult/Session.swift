import ArgumentParser
import BackOffice
import EventStore
import Foundation
import Postgres
import Projections

/// Options of every command that records something.
struct WriteOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "When it happened: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z] (UTC); default now. At most a day ahead.", valueName: "date"))
    var at: String?

    @Option(help: "Print a confirmation line (text) or what was recorded (json).")
    var format: OutputFormat = .text

    @Option(
        name: .customLong("command-id"),
        help: ArgumentHelp("An id for this command: running it again with the same id records nothing twice.", valueName: "uuid"))
    var commandID: String?
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// One stream's part of a recording: the events and the version they were decided against.
struct Change {
    let stream: String
    let expected: ExpectedVersion
    let events: [any DomainEvent]
}

/// What a command recorded, for its confirmation.
struct Recorded {
    let position: Int64
    let stream: String
    let event: any DomainEvent
    let occurredAt: Date
}

/// One invocation's work with the log: resolve handles, load and fold streams, append what
/// the domain decided, all for one tenant. The imperative shell around `BackOffice`: no rule
/// lives here.
final class Session {
    let connection: Connection
    let store: EventStore
    let tenant: TenantID?
    let clock = Clock()
    /// Set when `record` found its command id recorded already.
    private(set) var replayedCommand: UUID?

    init(_ global: GlobalOptions) throws {
        let (connection, _) = try global.connect()
        self.connection = connection
        let name = global.tenant ?? ProcessInfo.processInfo.environment["CONSULT_TENANT"].flatMap { $0.isEmpty ? nil : $0 }
        let tenancy = Tenancy(connection: connection)
        if let own = try tenancy.currentTenant() {
            if let name, name.lowercased() != own.name.lowercased() {
                throw CommandFailure("--tenant: you are a member of \(own.name), and act for it only")
            }
            tenant = own.id
        } else if let name {
            guard let found = try tenancy.tenant(named: name) else {
                throw CommandFailure("--tenant: there is no tenant named \(name)")
            }
            tenant = found.id
        } else {
            throw CommandFailure(
                "the role \(connection.user) belongs to no tenant",
                advice: ["Connect as a member (PGUSER=role), or, as the owner, name the tenant with --tenant or CONSULT_TENANT."])
        }
        store = EventStore(connection: connection, tenant: tenant)
    }

    deinit { connection.close() }

    // MARK: - Streams

    static func stream(_ kind: EntityKind, _ id: UUID) -> String { "\(kind.rawValue)-\(id.uuidString.lowercased())" }
    static func handleStream(_ kind: EntityKind, _ handle: String) -> String { "handle-\(kind.rawValue)-\(handle)" }

    /// The state of a stream and the version it was read at.
    func load<D: Decider>(_ type: D.Type, _ stream: String) throws -> (state: D, version: Int64) {
        let events = try store.read(stream: stream)
        let decoded = try events.map { try $0.domainEvent() }
        return (D.fold(decoded), events.last?.streamVersion ?? 0)
    }


    // MARK: - Handles

    /// The id an argument names: a handle, or the id itself.
    func resolve(_ kind: EntityKind, _ text: String, field: String) throws -> (id: UUID, parent: UUID?) {
        if let id = UUID(uuidString: text) {
            guard try store.version(of: Self.stream(kind, id)) > 0 else {
                throw CommandFailure("\(field): there is no \(kind.rawValue) with id \(text)")
            }
            return (id, nil)
        }
        let handle = Handle.slug(text)
        let (state, _) = try load(HandleState.self, Self.handleStream(kind, handle))
        guard let holder = state.holder, !handle.isEmpty else {
            throw CommandFailure("\(field): there is no \(kind.rawValue) with the handle \"\(text)\"")
        }
        return (holder.id, holder.parent)
    }

    /// Claims a handle made from `name` for a new entity. Organisations must have a name of
    /// their own (rule 7); leads, engagements and objectives take the next free `name-2`, `-3`.
    func claimHandle(_ kind: EntityKind, name: String, id: UUID, parent: UUID? = nil, unique: Bool = false) throws -> (String, Change) {
        let base = Handle.slug(name)
        guard !base.isEmpty else { throw RuleViolation(rule: 0, field: "name", "needs at least one letter or digit to make a handle from") }
        for attempt in 1...50 {
            let handle = attempt == 1 ? base : "\(base)-\(attempt)"
            let stream = Self.handleStream(kind, handle)
            let (state, version) = try load(HandleState.self, stream)
            if state.holder != nil, !unique { continue }
            let events = try state.decide(.claim(kind: kind, id: id, parent: parent, display: name))
            return (handle, Change(stream: stream, expected: version == 0 ? .noStream : .exactly(version), events: events))
        }
        throw CommandFailure("name: too many \(kind.rawValue)s are called \(name)")
    }

    // MARK: - People

    /// A person named by handle or id, with the facts decisions need.
    func person(_ text: String, field: String) throws -> PersonFacts {
        let id: UUID
        if let parsed = UUID(uuidString: text) {
            id = parsed
        } else {
            let rows = try connection.execute(
                "SELECT person_id FROM consult.person_details WHERE tenant_id = \(tenant?.rawValue) AND handle = \(Handle.slug(text))")
            guard let row = rows.first else { throw CommandFailure("\(field): there is no person with the handle \"\(text)\"") }
            id = try row.decode(UUID.self, at: 0)
        }
        let (state, _) = try load(PersonState.self, Self.stream(.person, id))
        guard let facts = state.facts else { throw CommandFailure("\(field): there is no person with id \(text)") }
        return facts
    }

    /// A free handle for a person's name in the details table.
    func personHandle(for name: String) throws -> String {
        let base = Handle.slug(name)
        guard !base.isEmpty else { throw RuleViolation(rule: 0, field: "name", "needs at least one letter or digit to make a handle from") }
        let taken = Set(
            try connection.execute(
                "SELECT handle FROM consult.person_details WHERE tenant_id = \(tenant?.rawValue) AND (handle = \(base) OR handle LIKE \(base + "-%"))"
            ).map { try $0.decode(String.self, at: 0) })
        return (1...).lazy.map { $0 == 1 ? base : "\(base)-\($0)" }.first { !taken.contains($0) }!
    }

    // MARK: - Recording

    /// Decides with `plan` (which loads what it needs) and appends its changes atomically, with
    /// the versions it loaded. A conflict means another consultant recorded on the same stream
    /// in between: the whole plan runs again on fresh state (up to 8 times, with a short random
    /// pause), so two people logging measurements at once both succeed.
    func record(_ options: WriteOptions, before: ((Connection) throws -> Void)? = nil, plan: (Date) throws -> [Change]) throws
        -> [Recorded]
    {
        let occurredAt = try Self.parseAt(options.at, clock: clock)
        var commandID = UUID()
        if let text = options.commandID {
            guard let id = UUID(uuidString: text) else { throw CommandFailure("--command-id: \"\(text)\" is not a UUID") }
            commandID = id
        }
        // A command id seen before: answer with what it recorded, decide nothing again (a second
        // `org add` would otherwise meet its own first run as a name clash).
        let earlier = try store.events(recordedBy: commandID)
        if !earlier.isEmpty {
            replayedCommand = commandID
            return try earlier.filter { !StreamName.isHandle($0.stream) }.map { recorded in
                Recorded(
                    position: recorded.position, stream: recorded.stream, event: try recorded.domainEvent(),
                    occurredAt: recorded.metadata.occurredAt)
            }
        }
        var attempt = 0
        while true {
            attempt += 1
            do {
                let changes = try plan(occurredAt).filter { !$0.events.isEmpty }
                guard !changes.isEmpty else { return [] }
                var events: [NewEvent] = []
                var expecting: [String: ExpectedVersion] = [:]
                for change in changes {
                    expecting[change.stream] = change.expected
                    for event in change.events {
                        events.append(
                            NewEvent(
                                stream: change.stream, type: type(of: event).typeName, schemaVersion: type(of: event).schemaVersion,
                                data: try EventTypes.encode(event), occurredAt: occurredAt))
                    }
                }
                let result = try connection.withTransaction { tx in
                    try before?(tx)
                    return try store.append(events, expecting: expecting, commandID: commandID)
                }
                catchUpReadModels()
                let flat = changes.flatMap { change in change.events.map { (change.stream, $0) } }
                return zip(result.events, flat).map { Recorded(position: $0.position, stream: $1.0, event: $1.1, occurredAt: occurredAt) }
            } catch let error as EventStoreError where error.code == .conflict && attempt < 8 {
                usleep(UInt32.random(in: 2_000...(20_000 * UInt32(attempt))))
            } catch let violation as RuleViolation {
                throw CommandFailure(violation.cliMessage, detail: "nothing was recorded")
            }
        }
    }

    /// Brings the read models up to date after an append. What was recorded stays recorded
    /// whatever happens here: a failure is a warning, and `consult projections catch-up` (or the
    /// next command) makes it good.
    func catchUpReadModels() {
        guard let tenant else { return }
        do {
            try Projector(connection: connection, tenant: tenant).catchUp()
        } catch {
            FileHandle.standardError.write(
                Data(
                    "consult: warning: recorded, but the read models were not brought up to date: \(error); run `consult projections catch-up`\n"
                        .utf8))
        }
    }

    /// Prints the confirmation line, or the events as JSON.
    func confirm(_ recorded: [Recorded], _ options: WriteOptions, _ line: String) throws {
        switch options.format {
        case .text:
            if let replayedCommand {
                print("Already recorded by command \(replayedCommand.uuidString.lowercased()): nothing new.")
            } else {
                print(recorded.isEmpty ? "Nothing to record: it is so already." : line)
            }
        case .json:
            let items: [[String: Any]] = try recorded.map { entry in
                [
                    "position": entry.position, "stream": entry.stream, "type": type(of: entry.event).typeName,
                    "occurred_at": ISO8601DateFormatter().string(from: entry.occurredAt),
                    "data": try JSONSerialization.jsonObject(with: EventTypes.encode(entry.event)),
                ]
            }
            let data = try JSONSerialization.data(withJSONObject: items, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        }
    }

    /// `--at`: a day (midnight UTC) or a date and time; rule 7 allows a day ahead at most.
    static func parseAt(_ text: String?, clock: Clock) throws -> Date {
        guard let text else { return clock.now }
        let date: Date
        if text.count == 10 {
            date = try Day.parse(text, field: "at").date
        } else {
            let formatter = ISO8601DateFormatter()
            let candidates = [text, text + "Z", text + ":00Z"]
            guard let parsed = candidates.lazy.compactMap({ formatter.date(from: $0) }).first else {
                throw CommandFailure("--at: \"\(text)\" is not a date: write YYYY-MM-DD or YYYY-MM-DDTHH:MM")
            }
            date = parsed
        }
        do {
            try clock.check(happenedAt: date)
        } catch {
            throw CommandFailure(error.cliMessage)
        }
        return date
    }

    static func day(_ text: String?, field: String) throws -> Day? {
        guard let text else { return nil }
        do {
            return try Day.parse(text, field: FieldNames.key(spelled: field))
        } catch {
            throw CommandFailure(error.cliMessage)
        }
    }

    static func money(_ text: String?, field: String) throws -> Money? {
        guard let text else { return nil }
        do {
            return try Money.parse(text, field: FieldNames.key(spelled: field))
        } catch {
            throw CommandFailure(error.cliMessage)
        }
    }
}
