import ArgumentParser
import BackOffice
import EventStore
import Foundation
import Postgres
import Projections
import Recording

/// The crash test's writers and its judge (scripts/crash-test runs them around a
/// `pg_ctl stop -m immediate`).
@main
struct Crash: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consult-crash",
        abstract: "Writers and checks for the crash test (run through scripts/crash-test).",
        subcommands: [Setup.self, Write.self, Check.self, Commands.self, CheckCommands.self])

    static func tenant(_ writer: Int) -> String { "crash-\(writer)" }
    static func member(_ writer: Int) -> String { "crash_\(writer)" }
}

extension Crash {
    /// The schema, and one tenant with one member per writer.
    struct Setup: ParsableCommand {
        @Option var database: String
        @Option var writers = 4
        @Option(help: "Processes running the consult binary (two to a tenant).") var runners = 0

        func run() throws {
            let owner = try Connection.connect(database)
            guard let migrations = Migrator.findDirectory(from: [FileManager.default.currentDirectoryPath]) else {
                throw ValidationError("db/migrations not found: run from the project's folder")
            }
            _ = try Migrator(directory: migrations).migrate(owner)
            let tenancy = Tenancy(connection: owner)
            for writer in 1...writers {
                let tenant = try tenancy.createTenant(Crash.tenant(writer))
                try tenancy.addMember(Crash.member(writer), to: tenant.id, password: UUID().uuidString)
            }
            if runners > 0 { try Crash.setUpCommands(database, runners: runners, owner: owner) }
        }
    }

    /// A consultant's commands, as fast as they go: an engagement with an objective, then
    /// measurements, each decided against the stream's version and appended with a command id.
    /// Every attempt is logged when its answer comes: `ok COMMAND POSITION` once acknowledged,
    /// `fail COMMAND reason` when not. The first failure ends the writer (the server is gone).
    struct Write: ParsableCommand {
        @Option var database: String
        @Option var writer: Int
        @Option var log: String
        @Option var seconds = 60.0

        func run() throws {
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let file = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            file.seekToEndOfFile()
            func note(_ line: String) { file.write(Data((line + "\n").utf8)) }
            // The application layer, as the CLI runs it: every command resolved, decided, appended
            // with its command id, and the read models caught up after it.
            let recorder = try Recorder(
                connection: try Connection.connect(database, overrides: ["user": Crash.member(writer)]), tenant: nil)
            recorder.reconnect = { try Connection.connect(database, overrides: ["user": Crash.member(writer)]) }
            recorder.warn = { _ in }  // a catch-up cut off by the crash is expected; the append stands
            var stream = "-"
            func record(_ body: (WriteRequest) throws -> [Recorded]) -> Bool {
                let commandID = UUID()
                do {
                    let recorded = try body(WriteRequest(commandID: commandID.uuidString))
                    note("ok \(commandID.uuidString.lowercased()) \(recorded.last!.position)")
                    return true
                } catch {
                    note("fail \(commandID.uuidString.lowercased()) \(stream) \(error)")
                    return false
                }
            }
            var engagement = ""
            guard
                record({ request in
                    try recorder.registerOrganisation(
                        name: "Crash client \(UUID().uuidString.prefix(8))", sector: nil, website: nil, request
                    )
                    .recorded
                }),
                record({ request in
                    let organisation = try recorder.store.read(after: 0, limit: 1).first.flatMap {
                        StreamName(parsing: $0.stream)?.entity?.id
                    }
                    let started = try recorder.startEngagement(
                        organisation: organisation!.uuidString, terms: EngagementTerms(title: "Crash test", kind: .coaching), request)
                    engagement = started.handle
                    stream = StreamName.entity(.engagement, started.id).description
                    return started.recorded
                }),
                record({ request in
                    try recorder.setObjective(
                        engagement: engagement, handle: "followers", businessArea: "awareness", statement: "More people hear of it",
                        metric: "followers", unit: nil, direction: .up, baseline: "0", target: "1000000", due: "2027-12-31", request
                    ).recorded
                })
            else { return }
            let deadline = Date().addingTimeInterval(seconds)
            var value: Quantity = 1
            while Date() < deadline {
                guard
                    record({ request in
                        try recorder.onObjective("followers", request) { id in
                            .recordMeasurement(objective: id, measurement: UUID(), value: value, source: "crash", note: nil)
                        }
                    })
                else { return }
                value += 1
            }
        }
    }

    /// After the restart: every acknowledged command is in the log at the position it was
    /// acknowledged with; positions have no hole; a failed command retried with its command id
    /// is recorded exactly once; projections caught up equal a rebuild. Prints the figures.
    struct Check: ParsableCommand {
        @Option var database: String
        @Option var writers = 4
        @Option(help: "The writers' logs (every round's).") var logs: [String]
        @Option var round = 1

        func run() throws {
            let owner = try Connection.connect(database)
            var acknowledged = 0
            var failed = 0
            var committedAnyway = 0
            var problems: [String] = []
            for path in logs {
                guard let writer = Int(path.split(separator: "-").last?.split(separator: ".").first ?? "") else {
                    throw ValidationError("\(path): expected a name ending in -WRITER.log")
                }
                let tenant = try Tenancy(connection: owner).tenant(named: Crash.tenant(writer))!.id
                for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
                    let fields = line.split(separator: " ", maxSplits: 3).map(String.init)
                    guard fields.count >= 3, let command = UUID(uuidString: fields[1]) else { continue }
                    let found = try owner.execute(
                        "SELECT max(position), count(*) FROM consult.events WHERE tenant_id = \(tenant.rawValue) AND command_id = \(command)"
                    )[0]
                    let count = try found.decode(Int.self, at: 1)
                    if fields[0] == "ok" {
                        acknowledged += 1
                        let position = try found.decode(Int64?.self, at: 0)
                        if count == 0 || position != Int64(fields[2]) {
                            problems.append("acknowledged command \(command) of writer \(writer) is missing or moved")
                        }
                    } else {
                        failed += 1
                        if count > 0 { committedAnyway += 1 }
                        // The same command again, by its id, on its stream: recorded exactly once
                        // whether or not the first attempt had committed.
                        let store = EventStore(
                            connection: try Connection.connect(database, overrides: ["user": Crash.member(writer)]))
                        let body = Data(#"{"activity": "retried after the crash", "billable": false, "hours": 1}"#.utf8)
                        // A command that had committed is replayed by its id on the streams it wrote
                        // (registering an organisation writes two); one that had not is recorded now,
                        // on its engagement's stream (or a fresh one, if it died before starting it).
                        let written = try owner.execute(
                            "SELECT stream FROM consult.events WHERE tenant_id = \(tenant.rawValue) AND command_id = \(command) ORDER BY position"
                        ).map { try $0.decode(String.self, at: 0) }
                        let streams =
                            !written.isEmpty
                            ? written : [fields[2] == "-" ? StreamName.entity(.engagement, UUID()).description : fields[2]]
                        let events = streams.map { NewEvent(stream: $0, type: "WorkLogged", data: body) }
                        let expecting = Dictionary(streams.map { ($0, ExpectedVersion.any) }) { first, _ in first }
                        let result = try store.append(events, expecting: expecting, commandID: command)
                        let again = try store.append(events, expecting: expecting, commandID: command)
                        if !again.replayed || again.events.map(\.position) != result.events.map(\.position) {
                            problems.append("retrying command \(command) did not replay")
                        }
                    }
                }
            }
            var events = 0
            for writer in 1...writers {
                let tenant = try Tenancy(connection: owner).tenant(named: Crash.tenant(writer))!.id
                let row = try owner.execute(
                    "SELECT count(*), coalesce(max(position), 0) FROM consult.events WHERE tenant_id = \(tenant.rawValue)")[0]
                let (count, last) = (try row.decode(Int64.self, at: 0), try row.decode(Int64.self, at: 1))
                events += Int(count)
                if count != last { problems.append("tenant \(Crash.tenant(writer)): \(count) events but the last position is \(last)") }
                let projector = Projector(connection: owner, tenant: tenant)
                try projector.catchUp()
                let caughtUp = try projector.readModel()
                if try projector.verify().drift { problems.append("tenant \(Crash.tenant(writer)): the caught-up projection drifts") }
                try projector.rebuild()
                if try !projector.readModel().sameRows(as: caughtUp) {
                    problems.append("tenant \(Crash.tenant(writer)): catch-up and rebuild disagree")
                }
            }
            print(
                "crash \(round): \(writers) writers; \(acknowledged) appends acknowledged before the crash, all present at their positions; "
                    + "\(failed) cut off by the crash (\(committedAnyway) had committed before the answer was lost), each retried by its "
                    + "command id and recorded once; \(events) events, positions with no hole; projections caught up = rebuild")
            if !problems.isEmpty {
                for problem in problems { print("crash \(round): FAILED: \(problem)") }
                throw ExitCode(1)
            }
        }
    }
}
