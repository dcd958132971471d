import BackOffice
import EventStore
import Foundation
import Postgres
import Projections
import Synchronization

/// When a command happened and which command it is: what every recording takes from its
/// caller, as the user typed it.
public struct WriteRequest: Sendable {
    /// `--at`: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z] (UTC); nil for now.
    public var at: String?
    /// `--command-id`: running a command again with the same id records nothing twice.
    public var commandID: String?
    /// Whether `commandID` was made for this invocation rather than given by its user: the log
    /// cannot hold it before this process first records with it, so that first recording need
    /// not ask the log for it (a statement a fresh backend plans; issue 19, target 7).
    public var commandIDIsNew: Bool
    /// The command, as the words that name it (`engagement work`), kept in the envelope of what
    /// it records: a command id given again to another command is refused, not taken for a
    /// replay of it. Only the command's name: its arguments may name people, and a forgotten
    /// person must leave no trace in the log.
    public var command: String?

    public init(at: String? = nil, commandID: String? = nil, commandIDIsNew: Bool = false, command: String? = nil) {
        self.at = at
        self.commandID = commandID
        self.commandIDIsNew = commandIDIsNew
        self.command = command
    }

    /// The envelope's key for ``command``.
    public static let commandKey = "command"
}

/// What a command recorded, for its confirmation.
public struct Recorded: Sendable {
    public let position: Int64
    public let stream: String
    public let event: any DomainEvent
    public let occurredAt: Date
}

/// One invocation's work with the log, for one tenant: resolve the tenant and handles, load
/// and fold streams, run a plan, append what the domain decided with the versions it was
/// decided against, retry on a conflict, answer a replayed command id with its first result,
/// and bring the read models up to date. The imperative shell around `BackOffice`: no rule
/// lives here.
public final class Recorder: StreamSource {
    public let connection: Connection
    public let store: EventStore
    public let tenant: TenantID
    public let people: PersonDirectory
    public let clock: Clock
    /// Set when `record` found its command id recorded already.
    public private(set) var replayedCommand: UUID?
    /// When each stream loaded so far began (its first event happened): nothing recorded on it
    /// may be dated before (``record(_:metadata:before:plan:)``).
    private var began: [String: Date] = [:]
    /// How the front end names a field in a message: the CLI spells `sponsor` as `--sponsor`.
    public var spell: (FieldKey) -> String = \.name
    /// Opens a fresh connection to the same database, to find out after a lost connection
    /// whether a command was recorded; nil when the recorder was given its connection.
    public var reconnect: (() throws -> Connection)?
    /// Where a warning goes (a recording stands, but something after it failed).
    public var warn: (String) -> Void = { FileHandle.standardError.write(Data("consult: warning: \($0)\n".utf8)) }
    /// The server process of `connection` and when it started: after a lost connection that
    /// session may still be alive (a network cut, not a crash) with the command's COMMIT in
    /// hand; it is ended before the log is asked, so that the answer cannot change afterwards.
    /// (The start time tells it from a later session that was given the same process id.)
    let session: (pid: Int32, started: String?)

    /// Acts for the connected member's tenant, or, for the owner, the tenant named by `name`
    /// (`--tenant`, else `CONSULT_TENANT`).
    public init(connection: Connection, tenant name: String?, clock: Clock = Clock()) throws {
        self.connection = connection
        self.clock = clock
        let name = name ?? ProcessInfo.processInfo.environment["CONSULT_TENANT"].flatMap { $0.isEmpty ? nil : $0 }
        // One round trip for the session's start, the role's own tenant (a member's) and the
        // tenant named: each statement costs a fresh backend its planning (issue 19, target 7).
        let rows = try connection.execute(
            """
            SELECT s.backend_start::text, t.own, t.tenant_id, t.name
              FROM pg_stat_get_activity(pg_backend_pid()) s
              LEFT JOIN (SELECT true AS own, tenant_id, name FROM consult.tenants WHERE tenant_id = (SELECT consult.current_tenant_id())
                         UNION ALL
                         SELECT false, tenant_id, name FROM consult.tenants WHERE lower(name) = lower(\(name))) t ON true
            """)
        var own: (id: Int64, name: String)?
        var found: Int64?
        for row in rows where try row.decode(Bool?.self, at: 1) != nil {
            let tenant = (id: try row.decode(Int64.self, at: 2), name: try row.decode(String.self, at: 3))
            if try row.decode(Bool.self, at: 1) { own = tenant } else { found = tenant.id }
        }
        if let own {
            if let name, name.lowercased() != own.name.lowercased() {
                throw CommandFailure("--tenant: you are a member of \(own.name), and act for it only")
            }
            tenant = TenantID(own.id)
        } else if let name {
            guard let found else {
                throw CommandFailure("--tenant: there is no tenant named \(name)")
            }
            tenant = TenantID(found)
        } else {
            throw CommandFailure(
                "the role \(connection.user) belongs to no tenant",
                advice: ["Connect as a member (PGUSER=role), or, as the owner, name the tenant with --tenant or CONSULT_TENANT."])
        }
        store = EventStore(connection: connection, tenant: tenant)
        people = PersonDirectory(connection: connection, tenant: tenant)
        session = (connection.backendPID, try rows.first?.decode(String?.self, at: 0))
    }

    /// The consultancy acted for, with its display name and currency (read when first asked).
    public private(set) lazy var consultancy: Tenancy.Tenant? = try? Tenancy(connection: connection).tenant(id: tenant)

    /// The currency of an amount typed without one: the consultancy's, if its owner set one.
    public var currency: String? { consultancy?.currency }

    /// Connects to `target` and acts for the tenant as ``init(connection:tenant:clock:)`` does.
    public convenience init(target: DatabaseTarget, tenant name: String?) throws {
        try self.init(connection: try Database.connect(target), tenant: name)
        reconnect = { try Database.connect(target) }
    }

    deinit { connection.close() }

    // MARK: - Streams

    public func load<D: Decider>(_ type: D.Type, _ stream: StreamName) throws -> (state: D, version: Int64) {
        let events = try store.read(stream: stream.description)
        if let first = events.first { began[stream.description] = first.metadata.occurredAt }
        let decoded = try events.map { (event: try $0.domainEvent(), occurredAt: $0.metadata.occurredAt, id: $0.id) }
        return (D.fold(decoded), events.last?.streamVersion ?? 0)
    }

    // MARK: - Handles

    /// The id an argument names: a handle, or the id itself; for an objective, also its
    /// engagement.
    public func resolve(_ kind: EntityKind, _ text: String, field: FieldKey) throws -> (id: UUID, parent: UUID?) {
        if let id = UUID(uuidString: text) {
            guard try store.version(of: StreamName.entity(kind, id).description) > 0 else {
                throw CommandFailure("\(spell(field)): there is no \(kind.rawValue) with id \(text)")
            }
            return (id, nil)
        }
        let handle = Handle.slug(text)
        let (state, _) = try load(HandleState.self, .handle(kind, handle))
        guard let holder = state.holder, !handle.isEmpty else { throw noSuchHandle(kind, text, field: field) }
        return (holder.id, holder.parent)
    }

    /// A person named by handle or id, with the facts decisions need.
    /// A merged duplicate names the person they were merged into (issue 16 item 6).
    public func person(_ text: String, field: FieldKey) throws -> PersonFacts {
        var (_, state) = try personState(text, field: field)
        var seen: Set<UUID> = []
        while let kept = state.mergedInto, seen.insert(kept).inserted {
            state = try load(PersonState.self, .entity(.person, kept)).state
        }
        guard let facts = state.facts else { throw CommandFailure("\(spell(field)): there is no person with id \(text)") }
        return facts
    }

    // MARK: - Recording

    /// A rule the plan breaks is thrown as the domain's ``RuleViolation``: nothing is recorded,
    /// and the front end names the field as its user gave it.
    ///
    /// Runs `plan` (which loads what it needs through this recorder) and appends its changes
    /// atomically, with the versions it loaded. A conflict means another consultant recorded on
    /// the same stream in between: the whole plan runs again on fresh state (up to 8 times, with
    /// a short random pause), so two people logging measurements at once both succeed.
    /// `before` runs in the append's transaction (the person details that go with an event).
    /// `metadata` goes into every event's envelope (an undo names the command it undoes).
    public func record(
        _ request: WriteRequest, metadata: AppendMetadata = AppendMetadata(), before: ((Connection) throws -> Void)? = nil,
        plan: (Date) throws -> [Change]
    ) throws -> [Recorded] {
        let occurredAt = try Self.parseAt(request.at, clock: clock)
        var commandID = UUID()
        if let text = request.commandID {
            guard let id = UUID(uuidString: text) else { throw CommandFailure("--command-id: \"\(text)\" is not a UUID") }
            commandID = id
        }
        // An id made here, recording for the first time, cannot be in the log yet.
        let unseen = request.commandID == nil || (request.commandIDIsNew && Self.firstUse(of: commandID))
        var attempt = 0
        while true {
            attempt += 1
            do {
                // A command id seen before: answer with what it recorded, decide nothing again (a
                // second `org add` would otherwise meet its own first run as a name clash).
                let earlier = unseen && attempt == 1 ? [] : try store.events(recordedBy: commandID)
                if !earlier.isEmpty {
                    // The same id, given to another command (a script that reuses one id): refused,
                    // not answered as if this command had been recorded. Ids recorded before the
                    // envelope named the command are taken at their word.
                    if let wanted = request.command, let was = earlier.lazy.compactMap(\.metadata.command).first, was != wanted {
                        throw CommandFailure(
                            "--command-id: \(commandID.uuidString.lowercased()) is the id of an earlier `consult \(was)`, not of this `consult \(wanted)`; nothing was recorded",
                            advice: ["A command id names one command: leave --command-id out, or give a new one (uuidgen)."])
                    }
                    replayedCommand = commandID
                    return try earlier.filter { !StreamName.isHandle($0.stream) }.map { recorded in
                        Recorded(
                            position: recorded.position, stream: recorded.stream, event: try recorded.domainEvent(),
                            occurredAt: recorded.metadata.occurredAt)
                    }
                }
                let changes = try plan(occurredAt).filter { !$0.events.isEmpty }
                guard !changes.isEmpty else { return [] }
                // Rule 9's timeline: a lead is not moved before it was captured, an engagement
                // not closed (nor its objectives set) before it started, a person not moved
                // before they were added. Handles are claims, not facts, and are left alone.
                for change in changes where change.version > 0 && !StreamName.isHandle(change.stream.description) {
                    // By the day (UTC): `--at` a day means that day, whatever the hour the record began.
                    if let start = began[change.stream.description], Day(occurredAt) < Day(start) {
                        let what = change.stream.entity.map { "the \($0.kind.rawValue)" } ?? "its record"
                        throw RuleViolation(
                            rule: 9, field: "at",
                            "\(Day(occurredAt)) is before \(what) began (\(Day(start))): nothing about it can have happened then")
                    }
                }
                var events: [NewEvent] = []
                var expecting: [String: ExpectedVersion] = [:]
                for change in changes {
                    expecting[change.stream.description] = change.version == 0 ? .noStream : .exactly(change.version)
                    for event in change.events {
                        events.append(
                            NewEvent(
                                stream: change.stream.description, type: type(of: event).typeName,
                                schemaVersion: type(of: event).schemaVersion, data: try EventTypes.encode(event), occurredAt: occurredAt))
                    }
                }
                var metadata = metadata
                if let command = request.command, metadata.extra[WriteRequest.commandKey] == nil {
                    metadata.extra[WriteRequest.commandKey] = command
                }
                let result = try connection.withTransaction { [metadata] tx in
                    try before?(tx)
                    return try store.append(events, expecting: expecting, commandID: commandID, metadata: metadata)
                }
                catchUpReadModels()
                let flat = changes.flatMap { change in change.events.map { (change.stream.description, $0) } }
                return zip(result.events, flat).map { Recorded(position: $0.position, stream: $1.0, event: $1.1, occurredAt: occurredAt) }
            } catch  where connectionLost(error) {
                try afterLostConnection(commandID)
            } catch  where Self.isRace(error) {
                // Another consultant recorded on the same stream, or took the same person's
                // handle, in between: decide again on fresh state, after a short random pause
                // that grows with each try (about 4 s in all before giving up).
                guard attempt < Self.attempts else {
                    throw CommandFailure(
                        "others kept recording on the same \(Self.raceSubject(error)) at the same moment; after \(attempt) tries nothing was recorded",
                        advice: [
                            "Run the command again (with --command-id \(commandID.uuidString.lowercased()) it is recorded at most once)."
                        ],
                        detail: "\(error)", exitCode: 75)
                }
                usleep(UInt32.random(in: 1_000...(2_000 + 8_000 * UInt32(min(attempt, 20)))))
            }
        }
    }

    /// How many times a command is decided again when others keep recording on its streams.
    static let attempts = 25

    /// A conflict on a stream's version, or a person's handle taken by a concurrent `person add`.
    static func isRace(_ error: any Error) -> Bool {
        if let error = error as? EventStoreError { return error.code == .conflict }
        let database = (error as? PostgresError) ?? ((error as? PostgresTransactionError)?.error as? PostgresError)
        return database?.sqlState == .uniqueViolation && database?.constraint == "person_details_handle_key"
    }

    static func raceSubject(_ error: any Error) -> String {
        guard let stream = (error as? EventStoreError)?.stream, let parsed = StreamName(parsing: stream) else { return "person's handle" }
        switch parsed.category {
        case .entity(let kind, _): return kind.rawValue
        case .handle(let kind, _): return "\(kind.rawValue)'s handle"
        }
    }

    /// Whether an error means the connection is gone (libpq saw the socket fail, or the server
    /// ended the session), whatever layer it came through.
    func connectionLost(_ error: any Error) -> Bool {
        switch error {
        case let error as PostgresError: return error.isConnectionFailure || !connection.isOpen
        case let error as EventStoreError: return error.underlying.map { connectionLost($0) } ?? !connection.isOpen
        case let error as PostgresTransactionError: return connectionLost(error.error)
        default: return false
        }
    }

    /// After a lost connection, the truth: reconnect and look for the command's events. Always
    /// exit 69 (the connection was lost), saying whether the command was recorded, and its id
    /// (re-running with `--command-id` records it at most once).
    func afterLostConnection(_ commandID: UUID) throws -> Never {
        throw truthAfterLostConnection(commandID)
    }

    /// The failure to report when `error` is a lost connection during command `commandID`
    /// (anywhere: resolving, deciding, appending), found out as ``afterLostConnection(_:)``
    /// does; nil for any other error. The front end calls it for a connection lost outside
    /// `record`.
    public func truthAfterLostConnection(_ error: any Error, commandID: UUID) -> CommandFailure? {
        if let failure = error as? CommandFailure {
            // Already told (by `record`), or a failure that is no lost connection.
            guard failure.exitCode == 69 else { return nil }
            let named: Bool = failure.message.contains(commandID.uuidString.lowercased())
            if named { return nil }
            let truth: CommandFailure = truthAfterLostConnection(commandID)
            return truth
        }
        return connectionLost(error) ? truthAfterLostConnection(commandID) : nil
    }

    /// Reconnects (for up to ``ReconnectTimeout/seconds``: a server that restarts after a
    /// crash answers within a few), ends the old session if it is still alive, and asks the log
    /// for the command's events: there, not there, or not known when the database stays out of
    /// reach.
    func truthAfterLostConnection(_ commandID: UUID) -> CommandFailure {
        let id = commandID.uuidString.lowercased()
        let again = "Run it again with --command-id \(id): it is recorded at most once."
        let deadline = Date().addingTimeInterval(ReconnectTimeout.seconds)
        var pause = 0.1
        while true {
            if let answer = try? lookUp(commandID) {
                guard case .answered(let recorded) = answer else { break }
                if let last = recorded.last {
                    return CommandFailure(
                        "the connection to the database was lost after command \(id) was recorded (up to position \(last.position)); it stands",
                        advice: ["Nothing to do again; `consult projections catch-up` brings the reports up to date."], exitCode: 69)
                }
                return CommandFailure(
                    "the connection to the database was lost before command \(id) was recorded; nothing of it was recorded",
                    advice: [again], exitCode: 69)
            }
            guard Date().addingTimeInterval(pause) < deadline else { break }
            Thread.sleep(forTimeInterval: pause)
            pause = min(pause * 2, 1)
        }
        return CommandFailure(
            "the connection to the database was lost while recording command \(id); whether it was recorded is not known yet",
            advice: [again], exitCode: 69)
    }

    private enum LookUp {
        /// The command's events in the log (none: it was not recorded).
        case answered([RecordedEvent])
        /// No way to know: no way to reconnect, or the old session would not end.
        case unknowable
    }

    /// On a fresh connection: the command's events, once the old session is surely gone; a
    /// thrown error when the database cannot be reached.
    private func lookUp(_ commandID: UUID) throws -> LookUp {
        guard let reconnect else { return .unknowable }
        let fresh = try reconnect()
        defer { fresh.close() }
        if let started = session.started {
            // Two statements: in one, the planner may call pg_terminate_backend before the
            // start time has ruled a session out.
            let alive = try fresh.execute(
                "SELECT pid FROM pg_stat_activity WHERE pid = \(session.pid) AND backend_start::text = \(started)"
            ).first?.decode(Int32.self, at: 0)
            if let alive {
                // Waits (up to 5 s) until the session has ended: its transaction committed or
                // rolled back, for good. A role may end its own sessions.
                let ended = try fresh.execute("SELECT pg_terminate_backend(\(alive), 5000)")[0].decode(Bool.self, at: 0)
                guard ended else { return .unknowable }
            }
        }
        return .answered(try EventStore(connection: fresh, tenant: tenant).events(recordedBy: commandID))
    }

    /// The new command ids (``WriteRequest/commandIDIsNew``) this process has recorded with.
    private static let usedNewIDs = Mutex<Set<UUID>>([])

    /// True the first time this process records with the new command id `id`.
    static func firstUse(of id: UUID) -> Bool { usedNewIDs.withLock { $0.insert(id).inserted } }

    /// Whether this process has recorded with the new command id `id`.
    static func used(_ id: UUID) -> Bool { usedNewIDs.withLock { $0.contains(id) } }

    /// Brings the read models up to date after an append. What was recorded stays recorded
    /// whatever happens here: a failure is a warning, and `consult projections catch-up` (or the
    /// next command) makes it good.
    public func catchUpReadModels() {
        do {
            try Projector(connection: connection, tenant: tenant).catchUp()
        } catch {
            warn("recorded, but the read models were not brought up to date: \(error); run `consult projections catch-up`")
        }
    }

    // MARK: - Values as the user typed them

    /// `--at`: a day (midnight UTC) or a date and time; rule 7 allows a day ahead at most.
    public static func parseAt(_ text: String?, clock: Clock, field: FieldKey = "at", flag: String = "--at") throws -> Date {
        guard let text else { return clock.now }
        let date: Date
        if text.count == 10 {
            date = try Day.parse(text, field: field).date
        } else {
            let formatter = ISO8601DateFormatter()
            // YYYY-MM-DDTHH:MM[:SS][Z], UTC with or without the Z.
            let minutes = text.hasSuffix("Z") ? String(text.dropLast()) + ":00Z" : text + ":00Z"
            let candidates = [text, text + "Z", minutes]
            guard let parsed = candidates.lazy.compactMap({ formatter.date(from: $0) }).first else {
                throw CommandFailure("\(flag): \"\(text)\" is not a date: write YYYY-MM-DD or YYYY-MM-DDTHH:MM")
            }
            date = parsed
        }
        try clock.check(happenedAt: date)
        return date
    }

    /// A day as typed (YYYY-MM-DD); a bad one is a ``RuleViolation`` naming `field`.
    public static func day(_ text: String?, field: FieldKey) throws -> Day? {
        try text.map { try Day.parse($0, field: field) }
    }

    /// An amount as typed ("4000 GBP", or "4000" in the consultancy's currency); a bad one is a
    /// ``RuleViolation`` naming `field`.
    public func money(_ text: String?, field: FieldKey) throws -> Money? {
        try text.map { try Money.parse($0, field: field, defaultCurrency: currency) }
    }

    /// A number exactly as typed (`1.8` is 1.8, never a binary approximation of it); anything
    /// else is a ``RuleViolation`` naming `field`.
    public static func number(_ text: String, field: FieldKey) throws -> Quantity {
        guard let value = Quantity.parse(text) else { throw RuleViolation(rule: 0, field: field, "\"\(text)\" is not a number") }
        return value
    }

    /// An optional number exactly as typed (`--budget-hours 37.5`).
    public static func number(_ text: String?, field: FieldKey) throws -> Quantity? {
        try text.map { try number($0, field: field) }
    }
}
