import ArgumentParser
import BackOffice
import EventStore
import Foundation
import Postgres

@main
struct Consult: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "consult",
        abstract:
            "The back office of a social-media consultant: engagements, objectives, handovers and referrals, kept as events in PostgreSQL.",
        discussion: """
            consult connects to the first of: --database URL; DATABASE_URL; libpq's own \
            variables (PGHOST, PGPORT, PGDATABASE, PGUSER, PGSERVICE, with PGPASSWORD or \
            ~/.pgpass); the embedded cluster that `scripts/db start` runs in the project's \
            .consult folder; libpq's defaults.

            Exit codes: 0 success, 1 failure, 64 bad usage, 69 the database cannot be reached.
            """,
        version: version,
        subcommands: [
            Doctor.self, Migrate.self, TenantCommand.self, MemberCommand.self, Org.self, Person.self, Lead.self, Referral.self,
            Referrer.self, Introduction.self, Engagement.self, Objective.self, HandoverCommand.self, Log.self, ProjectionsCommand.self,
            Pipeline.self, Status.self, ReferralsReport.self, HandoversReport.self, CaseStudy.self, Changes.self, ReportCommand.self,
            Export.self, Import.self, Person.Forget.self,
        ]
    )

    /// Runs the command and turns every error into one line on stderr and an exit code.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as CommandFailure {
            report(error)
        } catch let error as PostgresError {
            report(CommandFailure(error))
        } catch let error as EventStoreError {
            if error.code == .database, let underlying = error.underlying {
                report(CommandFailure(underlying))
            }
            report(CommandFailure(error.message, detail: error.underlying?.fullDescription))
        } catch let error as RuleViolation {
            report(CommandFailure(error.cliMessage, detail: "nothing was recorded"))
        } catch let error as PostgresTransactionError {
            // The rollback after a lost connection fails too: the lost connection is the news.
            if let inner = error.error as? PostgresError { report(CommandFailure(inner)) }
            if let inner = error.error as? EventStoreError, let underlying = inner.underlying { report(CommandFailure(underlying)) }
            report(CommandFailure("\(error)", exitCode: 69))
        } catch {
            exit(withError: error)
        }
    }

    private static func report(_ failure: CommandFailure) -> Never {
        var text = "consult: \(failure.message)\n"
        for line in failure.advice { text += "  \(line)\n" }
        if Verbosity.isVerbose, let detail = failure.detail { text += detail + "\n" }
        FileHandle.standardError.write(Data(text.utf8))
        Foundation.exit(failure.exitCode)
    }
}

/// Options every command that touches the database takes.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The database: a postgresql:// URI or a libpq conninfo string (wins over DATABASE_URL and PG* variables).",
            valueName: "url"))
    var database: String?

    @Flag(name: .shortAndLong, help: "Print the full error detail when something fails.")
    var verbose = false

    @Option(
        help: ArgumentHelp(
            "The tenant to act for, when connected as the owner (default: CONSULT_TENANT). Members always act for their own.",
            valueName: "name"))
    var tenant: String?

    func validate() throws {
        Verbosity.isVerbose = verbose
    }

    /// Connects to the database this invocation points at, or fails with advice.
    func connect() throws -> (Connection, DatabaseTarget) {
        let target = DatabaseTarget.resolve(option: database)
        let connection: Connection
        do {
            connection = try Connection.connect(target.conninfo)
        } catch {
            throw CommandFailure.unreachable(target, error)
        }
        // No statement may hang a command for ever (a lock held elsewhere, a runaway query):
        // CONSULT_STATEMENT_TIMEOUT in seconds, 0 for none; 60 s by default. Long jobs
        // (rebuild, import) raise it themselves.
        try connection.execute("SELECT set_config('statement_timeout', \(String(StatementTimeout.milliseconds)), false)")
        return (connection, target)
    }
}

/// consult's statement timeout, from CONSULT_STATEMENT_TIMEOUT (seconds; 0 turns it off).
enum StatementTimeout {
    static var seconds: Double {
        guard let text = ProcessInfo.processInfo.environment["CONSULT_STATEMENT_TIMEOUT"], let value = Double(text), value >= 0 else {
            return 60
        }
        return value
    }

    static var milliseconds: Int { Int(seconds * 1000) }
}

/// Set once from `--verbose` while parsing, read when an error is printed.
enum Verbosity {
    nonisolated(unsafe) static var isVerbose = ProcessInfo.processInfo.environment["CONSULT_VERBOSE"] == "1"
}

/// A failure the CLI prints as one actionable line, with advice under it.
struct CommandFailure: Error {
    var message: String
    var advice: [String] = []
    var detail: String?
    var exitCode: Int32 = 1

    init(_ message: String, advice: [String] = [], detail: String? = nil, exitCode: Int32 = 1) {
        self.message = message
        self.advice = advice
        self.detail = detail
        self.exitCode = exitCode
    }

    init(_ error: PostgresError) {
        if error.sqlState == .queryCanceled {
            self.init(
                "the database cancelled a statement that ran longer than \(StatementTimeout.seconds.formatted()) s; nothing was recorded",
                advice: [
                    "Something may hold a lock (see pg_stat_activity); CONSULT_STATEMENT_TIMEOUT=SECONDS changes the limit, 0 removes it."
                ],
                detail: error.fullDescription)
            return
        }
        self.init(error.description, detail: error.fullDescription, exitCode: error.isConnectionFailure ? 69 : 1)
        if error.isConnectionFailure {
            advice = ["the connection to the database was lost; nothing after the last acknowledged step was recorded"]
        }
    }

    static func unreachable(_ target: DatabaseTarget, _ error: PostgresError) -> CommandFailure {
        CommandFailure(
            "cannot connect to \(target.summary): \(error.message)",
            advice: [
                "Point consult at a database: --database URL, DATABASE_URL, or PGHOST/PGPORT/PGDATABASE/PGUSER (with PGPASSWORD or ~/.pgpass).",
                "Or start the embedded one from the project folder: scripts/db start",
            ],
            detail: error.fullDescription, exitCode: 69)
    }
}
