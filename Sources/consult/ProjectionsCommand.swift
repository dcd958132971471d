import ArgumentParser
import EventStore
import Foundation
import Postgres
import Projections
import Recording
import Reports
import Synchronization

extension Consult {
    struct ProjectionsCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "projections",
            abstract: "The read models: catch up, rebuild, verify, roll back, and their status.",
            subcommands: [CatchUp.self, Rebuild.self, Rollback.self, Status.self])

        /// Which tenants to work on: the member's own; for the owner, --tenant or --all-tenants.
        struct Tenants: ParsableArguments {
            @Flag(name: .customLong("all-tenants"), help: "Every tenant (owner only).") var allTenants = false

            func resolve(_ global: GlobalOptions) throws -> (Connection, [(TenantID, String)]) {
                let (connection, _) = try global.connect()
                return (connection, try Operations.tenants(connection, named: global.tenant, all: allTenants))
            }

            /// Runs `body` for each tenant in turn, on one connection.
            func each(_ global: GlobalOptions, _ body: (Connection, TenantID, String) throws -> Void) throws {
                let (connection, list) = try resolve(global)
                defer { connection.close() }
                for (tenant, name) in list { try body(connection, tenant, name) }
            }
        }

        struct CatchUp: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "catch-up", abstract: "Apply new events to the read models, from each tenant's checkpoint.",
                discussion: """
                    With --follow it keeps running, woken by NOTIFY when events are appended and polling \
                    every second in case a notification was missed.

                    Example: consult projections catch-up --follow
                    """)
            @OptionGroup var global: GlobalOptions
            @OptionGroup var tenants: Tenants
            @Flag(help: "Keep running and apply events as they are appended.") var follow = false

            func run() throws {
                let (connection, list) = try tenants.resolve(global)
                defer { connection.close() }
                // For the kill test: stop inside the first batch, rows written, checkpoint not yet moved.
                let pause = ProcessInfo.processInfo.environment["CONSULT_TEST_PAUSE_CATCHUP"] != nil
                for (tenant, name) in list {
                    let applied = try Projector(connection: connection, tenant: tenant).catchUp(
                        batchSize: pause ? 10 : 1000,
                        beforeCheckpoint: {
                            guard pause else { return }
                            FileHandle.standardError.write(Data("consult: paused before the checkpoint\n".utf8))
                            sleep(120)
                        })
                    print("\(name): applied \(applied) event\(applied == 1 ? "" : "s")")
                    try Quarantine.warn(name, try Projector(connection: connection, tenant: tenant).quarantined())
                }
                guard follow else { return }
                guard list.count == 1, let (tenant, name) = list.first else {
                    throw CommandFailure("--follow: follows one tenant at a time; name it with --tenant")
                }
                let projector = Projector(connection: connection, tenant: tenant)
                let store = EventStore(connection: connection, tenant: tenant)
                var checkpoint = try store.lastPosition()
                print("\(name): following (Ctrl-C stops)")
                // A follower's output goes to a pipe or a log as often as to a terminal: line by line.
                fflush(nil)
                try store.follow(from: checkpoint, name: "catch-up-\(ProcessInfo.processInfo.processIdentifier)") { batch in
                    checkpoint = batch.last?.position ?? checkpoint
                    let applied = try projector.catchUp()
                    if applied > 0 {
                        print("\(name): applied \(applied) event\(applied == 1 ? "" : "s") (position \(checkpoint))")
                        fflush(nil)
                    }
                    return .continue
                }
            }
        }

        struct Rebuild: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "rebuild",
                abstract: "Rebuild the read models from the log, or, with --verify, compare them with it.",
                discussion: """
                    A rebuild reads the log in one consistent snapshot, folds it afresh, and replaces a tenant's \
                    rows in one short transaction, keeping the old ones for `consult projections rollback`. \
                    Readers see the old rows or the new, never a mix. A rebuild killed at any moment changes \
                    nothing. A second rebuild of the same tenant waits for the first.

                    --verify folds the log up to the checkpoint and compares it with the live rows (row counts \
                    and an order-independent hash per table, then the differing rows); it exits 1 on drift.

                    --jobs N rebuilds N tenants at a time, each on its own connection and in its own snapshot.

                    Example: consult projections rebuild --all-tenants --verify
                    Example: consult projections rebuild --all-tenants --jobs 2
                    """)
            @OptionGroup var global: GlobalOptions
            @OptionGroup var tenants: Tenants
            @Flag(help: "Compare with the log instead of rebuilding; exit 1 on any difference.") var verify = false
            @Option(help: "Tenants rebuilt at once, each on its own connection (about the server's cores).") var jobs = 1

            func validate() throws {
                guard (1...64).contains(jobs) else { throw ValidationError("--jobs: 1 to 64 tenants at a time") }
            }

            func run() throws {
                let (connection, list) = try tenants.resolve(global)
                defer { connection.close() }
                if jobs > 1, !verify, list.count > 1 {
                    try rebuildInParallel(list, conninfo: DatabaseTarget.resolve(option: global.database).conninfo)
                    try analyze(connection)
                    return
                }
                var drift = false
                var failed: [String] = []
                var quarantined: [String] = []
                // One tenant that cannot be rebuilt (the server failing it, say) does not stop the
                // others: it is named, and the run ends with exit 2 (`scripts/nightly`'s code). A
                // tenant with quarantined events is rebuilt or verified without them, named, and
                // the run ends with exit 2 too.
                for (tenant, name) in list {
                    do {
                        if try !rebuildOrVerify(connection, tenant: tenant, name: name, drift: &drift).isEmpty {
                            quarantined.append(name)
                        }
                    } catch {
                        failed.append(name)
                        FileHandle.standardError.write(Data("consult: \(name): \(verify ? "verify" : "rebuild") failed: \(error)\n".utf8))
                    }
                }
                if !verify { try analyze(connection) }
                try Quarantine.conclude(failed: failed, quarantined: quarantined, of: list.count, verb: verify ? "verified" : "rebuilt")
                if drift { throw ExitCode(1) }
            }

            /// Rebuilds or verifies one tenant; returns the events left out because they do not decode.
            func rebuildOrVerify(_ connection: Connection, tenant: TenantID, name: String, drift: inout Bool) throws -> [QuarantineRow] {
                do {
                    let projector = Projector(connection: connection, tenant: tenant)
                    if verify {
                        let report = try projector.verify()
                        // What the checkpoint has not reached is read too: an event there that
                        // this version cannot decode will be quarantined by the next catch-up.
                        let store = EventStore(connection: connection, tenant: tenant)
                        var position = report.position
                        var ahead: [QuarantineRow] = []
                        while true {
                            let page = try store.read(after: position, limit: 5000)
                            guard let last = page.last else { break }
                            for event in page {
                                do {
                                    _ = try event.domainEvent()
                                } catch let error as EventDecodingError {
                                    ahead.append(
                                        QuarantineRow(
                                            position: event.position, stream: event.stream, type: event.type,
                                            schemaVersion: event.storedSchemaVersion, error: error.reason))
                                }
                            }
                            position = last.position
                        }
                        drift = drift || report.drift
                        print("\(name): \(report.drift ? "DRIFT" : "no drift") at position \(report.position) (\(report.events) events)")
                        for table in report.tables where table.drift {
                            print("  \(table.table): \(table.liveRows) live rows, \(table.freshRows) from the log")
                            for key in table.onlyLive { print("    only in the live table: \(key)") }
                            for key in table.onlyFresh { print("    missing from the live table: \(key)") }
                            for change in table.changed { print("    differs: \(change)") }
                        }
                        try Quarantine.warn(name, report.quarantined + ahead)
                        return report.quarantined + ahead
                    } else {
                        let total = try EventStore(connection: connection, tenant: tenant).lastPosition()
                        let progress = RebuildProgress(name: name, total: Int(total))
                        // For the kill tests: stop at a point of the rebuild and wait to be killed.
                        let pause = ProcessInfo.processInfo.environment["CONSULT_TEST_PAUSE_REBUILD"]
                        let report = try projector.rebuild(
                            progress: { progress.update($0) },
                            at: { point in
                                guard point.rawValue == pause else { return }
                                FileHandle.standardError.write(Data("consult: paused at \(point.rawValue)\n".utf8))
                                sleep(120)
                            })
                        progress.finish()
                        let rate = report.seconds > 0 ? Int(Double(report.events) / report.seconds) : report.events
                        print(
                            "\(name): rebuilt \(report.rows) rows from \(report.events) events up to position \(report.position) in \(String(format: "%.2f", report.seconds)) s (\(rate) events/s)"
                        )
                        try Quarantine.warn(name, report.quarantined)
                        return report.quarantined
                    }
                }
            }

            /// Fresh statistics after rewriting every tenant's rows.
            func analyze(_ connection: Connection) throws {
                guard tenants.allTenants else { return }
                try Operations.analyzeReadModels(connection)
            }

            /// `jobs` workers, each with its own connection, take the next tenant until none is
            /// left. Each tenant's rebuild is the same as alone: its own snapshot, its own swap.
            /// A tenant that fails is named and the others go on; the run then exits 2.
            func rebuildInParallel(_ list: [(TenantID, String)], conninfo: String?) throws {
                let queue = Mutex((next: 0, failed: [String](), quarantined: [String]()))
                let lines = Mutex<[String]>([])
                let tenants = list.map { (id: $0.0.rawValue, name: $0.1) }
                let group = DispatchGroup()
                for _ in 0..<min(jobs, list.count) {
                    group.enter()
                    let thread = Thread {
                        defer { group.leave() }
                        do {
                            let connection = try Connection.connect(conninfo)
                            defer { connection.close() }
                            try Database.liftStatementTimeout(connection)
                            while let index = queue.withLock({ state -> Int? in
                                guard state.next < tenants.count else { return nil }
                                state.next += 1
                                return state.next - 1
                            }) {
                                let (id, name) = tenants[index]
                                do {
                                    let report = try Projector(connection: connection, tenant: TenantID(id)).rebuild()
                                    let rate = report.seconds > 0 ? Int(Double(report.events) / report.seconds) : report.events
                                    let line =
                                        "\(name): rebuilt \(report.rows) rows from \(report.events) events up to position \(report.position) in \(String(format: "%.2f", report.seconds)) s (\(rate) events/s)"
                                    lines.withLock { _ in
                                        print(line)
                                        try? Quarantine.warn(name, report.quarantined)
                                    }
                                    if !report.quarantined.isEmpty { queue.withLock { $0.quarantined.append(name) } }
                                } catch {
                                    queue.withLock { $0.failed.append(name) }
                                    FileHandle.standardError.write(Data("consult: \(name): rebuild failed: \(error)\n".utf8))
                                }
                            }
                        } catch {
                            FileHandle.standardError.write(Data("consult: a rebuild worker could not connect: \(error)\n".utf8))
                            queue.withLock { $0.failed.append("(a worker)") }
                        }
                    }
                    thread.stackSize = 4 << 20
                    thread.start()
                }
                group.wait()
                let (failed, quarantined) = queue.withLock { ($0.failed, $0.quarantined) }
                try Quarantine.conclude(failed: failed, quarantined: quarantined, of: tenants.count, verb: "rebuilt")
            }
        }

        struct Rollback: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "rollback",
                abstract: "Put back the read models the last rebuild replaced.",
                discussion: "Example: consult projections rollback --tenant hill-and-co")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var tenants: Tenants

            func run() throws {
                try tenants.each(global) { connection, tenant, name in
                    let projector = Projector(connection: connection, tenant: tenant)
                    if try projector.rollback() {
                        let applied = try projector.catchUp()
                        print("\(name): rolled back to the previous version, then applied \(applied) newer events")
                    } else {
                        print("\(name): no previous version to roll back to")
                    }
                }
            }
        }

        struct Status: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "status",
                abstract: "Each tenant's checkpoint, lag, last rebuild and last verification, and quarantined events.",
                discussion: """
                    An event this version cannot decode is quarantined: left out of the read models and \
                    named here (position, type, stream and why). status then exits 1. A rebuild that can \
                    decode it (after an upgrade) applies it and clears the entry.

                    Example: consult projections status --all-tenants
                    """)
            @OptionGroup var global: GlobalOptions
            @OptionGroup var tenants: Tenants

            func run() throws {
                var quarantined: [String] = []
                try tenants.each(global) { connection, tenant, name in
                    let state = try Operations.projectionState(connection, tenant: tenant)
                    let (last, checkpoint) = (state.lastPosition, state.checkpoint)
                    print("\(name): projection \(Projector.name) at position \(checkpoint) of \(last) (lag \(last - checkpoint) events)")
                    for (kind, run) in [("rebuild", state.lastRebuild), ("verify", state.lastVerify)] {
                        guard let run else {
                            print("  last \(kind): never")
                            continue
                        }
                        let rate = run.seconds > 0 ? Int(Double(run.events) / run.seconds) : run.events
                        let outcome = kind == "verify" ? (run.drift ? ", DRIFT" : ", no drift") : ""
                        print(
                            "  last \(kind): \(Format.timestamp(run.finishedAt)), \(String(format: "%.2f", run.seconds)) s, \(run.events) events (\(rate)/s)\(outcome)"
                        )
                    }
                    if !state.quarantined.isEmpty {
                        quarantined.append(name)
                        print("  quarantined: \(Quarantine.count(state.quarantined)), left out of the read models:")
                        for line in Quarantine.lines(state.quarantined) { print("    " + line) }
                    }
                }
                if !quarantined.isEmpty {
                    throw CommandFailure(
                        "quarantined events in \(quarantined.joined(separator: ", ")): a rebuild applies them once this version can decode them",
                        exitCode: 1)
                }
            }
        }
    }
}

/// Events left out of the read models because this version cannot decode them: how the
/// projections commands name them (stderr) and end (exit 2 from a rebuild or verification).
enum Quarantine {
    static func count(_ rows: [QuarantineRow]) -> String { "\(rows.count) event\(rows.count == 1 ? "" : "s")" }

    /// One line per event: its position, type and version, stream, and why it does not decode.
    static func lines(_ rows: [QuarantineRow]) -> [String] {
        rows.map { "position \($0.position): \($0.type) v\($0.schemaVersion) in \($0.stream): \($0.error)" }
    }

    static func warn(_ tenant: String, _ rows: [QuarantineRow]) throws {
        guard !rows.isEmpty else { return }
        let text =
            "consult: \(tenant): \(count(rows)) quarantined (not decodable by this version, left out of the read models):\n"
            + lines(rows).map { "  \($0)\n" }.joined()
        FileHandle.standardError.write(Data(Neutralise.terminal(text, keepLineBreaks: true).utf8))
    }

    /// The end of a run over tenants: exit 2 naming those that failed or have quarantined events.
    static func conclude(failed: [String], quarantined: [String], of total: Int, verb: String) throws {
        var problems: [String] = []
        if !failed.isEmpty {
            problems.append(
                "\(failed.count) of \(total) tenant\(total == 1 ? "" : "s") could not be \(verb): \(failed.joined(separator: ", "))")
        }
        if !quarantined.isEmpty {
            problems.append(
                "\(quarantined.count) of \(total) tenant\(total == 1 ? "" : "s") \(quarantined.count == 1 ? "has" : "have") quarantined events (\(verb) without them): \(quarantined.joined(separator: ", "))"
            )
        }
        guard problems.isEmpty else { throw CommandFailure(problems.joined(separator: "; "), exitCode: 2) }
    }
}

/// Progress of a long rebuild: a bar on a terminal (events done, rate, time left), a plain line
/// every 100,000 events otherwise.
final class RebuildProgress {
    let name: String
    let total: Int
    let started = Date()
    let terminal = isatty(STDERR_FILENO) == 1
    var lastLine = 0

    init(name: String, total: Int) {
        self.name = name
        self.total = max(total, 1)
    }

    func update(_ events: Int) {
        let seconds = max(Date().timeIntervalSince(started), 0.001)
        let rate = Double(events) / seconds
        let left = rate > 0 ? Double(max(total - events, 0)) / rate : 0
        let text = "\(name): \(events)/\(total) events, \(Int(rate)) events/s, \(String(format: "%.0f", left)) s left"
        if terminal {
            let done = min(30, 30 * events / total)
            let bar = String(repeating: "#", count: done) + String(repeating: ".", count: 30 - done)
            FileHandle.standardError.write(Data("\r[\(bar)] \(text)".utf8))
        } else if events / 100_000 > lastLine {
            lastLine = events / 100_000
            FileHandle.standardError.write(Data("\(text)\n".utf8))
        }
    }

    func finish() {
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
