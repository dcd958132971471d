import ArgumentParser
import BackOffice
import EventStore
import Foundation
import Postgres
import Recording
import Reports
import Schema

@main
struct Consult: ParsableCommand {
    static let version = "0.5.0"

    static let configuration = CommandConfiguration(
        commandName: "consult",
        abstract:
            "The back office of a social-media consultant: engagements, objectives, handovers and referrals, kept as events in PostgreSQL.",
        discussion: """
            consult connects to the first of: --database URL; DATABASE_URL; libpq's own \
            variables (PGHOST, PGPORT, PGDATABASE, PGUSER, PGSERVICE, with PGPASSWORD or \
            ~/.pgpass); the embedded cluster that `scripts/db start` runs in the project's \
            .consult folder; libpq's defaults.

            Exit codes: 0 success, 1 failure, 64 bad usage, 69 the database cannot be reached (or the \
            connection was lost: the message says whether the command was recorded), 75 others kept \
            recording on the same thing at the same moment (run it again).
            """,
        version: "consult \(version) (schema \(Migrator.newestEmbedded))",
        subcommands: [
            Doctor.self, Migrate.self, TenantCommand.self, MemberCommand.self, Org.self, Person.self, Lead.self, Referral.self,
            Referrer.self, Introduction.self, Engagement.self, Objective.self, HandoverCommand.self, Log.self, ProjectionsCommand.self,
            Pipeline.self, Status.self, Timesheet.self, Due.self, ReferralsReport.self, HandoversReport.self, CaseStudy.self, Changes.self,
            ReportCommand.self,
            Export.self, Import.self, Person.Forget.self, PurgeForgotten.self, Search.self, Undo.self,
        ]
    )

    /// Runs the command and turns every error into one line on stderr and an exit code.
    static func main() {
        do {
            var command = try parseAsRoot()
            do {
                try command.run()
            } catch {
                // A write command's lost connection, wherever it was lost, says whether the
                // command was recorded and names its id (WriteOptions.truth).
                throw WriteOptions.truth(about: error, recorder: GlobalOptions.recorder)
            }
        } catch let error as RuleViolation {
            report(CommandFailure(error.cliMessage, detail: "nothing was recorded"))
        } catch let error as CommandFailure {
            report(error)
        } catch let error as PostgresError {
            report(CommandFailure(error))
        } catch let error as EventStoreError {
            report(CommandFailure(error))
        } catch let error as PostgresTransactionError {
            report(CommandFailure(error))
        } catch {
            if let hint = subcommandHint(Array(CommandLine.arguments.dropFirst())) {
                // ArgumentParser's own words, then the command most likely meant (`consult obj list`).
                FileHandle.standardError.write(Data("\(fullMessage(for: error))\n\(hint)\n".utf8))
                Foundation.exit(exitCode(for: error).rawValue)
            }
            exit(withError: error)
        }
    }

    /// For a word where a subcommand was expected and none is called so: the subcommands it most
    /// likely meant, as git and kubectl say it (`did you mean 'consult objective'?`); nil
    /// when every word names a command, or the word is not close to any.
    static func subcommandHint(_ words: [String]) -> String? {
        let (path, command, rest) = commands(named: words)
        let subcommands = command.configuration.subcommands
        // An option, a command's own arguments, or arguments of a default subcommand.
        guard let word = rest.first, !subcommands.isEmpty, command.configuration.defaultSubcommand == nil, !word.hasPrefix("-")
        else { return nil }
        let names = subcommands.compactMap { $0.configuration.commandName }
        // What the word begins (`obj`), else what it is a slip of (`engagment`).
        let begun = names.filter { $0.hasPrefix(word.lowercased()) }
        let close = begun.isEmpty ? Handle.closest(to: word, among: names) : begun
        guard !close.isEmpty else { return nil }
        return "did you mean " + close.prefix(3).map { "'\((["consult"] + path + [$0]).joined(separator: " "))'" }.joined(separator: " or ")
            + "?"
    }

    /// The commands the leading `words` name (their names, aliases taken as the name), the last
    /// of them, and the words after: the one walk of the tree of commands that the envelope's
    /// command name (``WriteOptions/commandPath``) and the did-you-mean share.
    static func commands(named words: [String]) -> (path: [String], command: any ParsableCommand.Type, rest: ArraySlice<String>) {
        var command: any ParsableCommand.Type = Consult.self
        var path: [String] = []
        var rest = words[...]
        while let word = rest.first,
            let next = command.configuration.subcommands.first(where: {
                $0.configuration.commandName == word || $0.configuration.aliases.contains(word)
            })
        {
            path.append(next.configuration.commandName ?? word)
            command = next
            rest = rest.dropFirst()
        }
        return (path, command, rest)
    }

    private static func report(_ failure: CommandFailure) -> Never {
        // A message may quote what the user (or an import) gave: never a control sequence on the terminal.
        var text = "consult: \(Neutralise.terminal(failure.message))\n"
        for line in failure.advice { text += "  \(Neutralise.terminal(line))\n" }
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
        if let database, DatabaseTarget.redacted(database) != database {
            // Every local user can read a command line (`ps`, /proc/PID/cmdline).
            FileHandle.standardError.write(
                Data(
                    "consult: warning: the password in --database is visible to every user of this machine (ps); use PGPASSWORD, ~/.pgpass or a service file (PGSERVICE) instead\n"
                        .utf8))
        }
    }

    /// Connects to the database this invocation points at, or fails with advice.
    func connect() throws -> (Connection, DatabaseTarget) {
        let target = DatabaseTarget.resolve(option: database)
        return (try Database.connect(target), target)
    }

    /// The application layer, for this invocation's database and tenant.
    func recorder() throws -> Recorder {
        let recorder = try Recorder(target: DatabaseTarget.resolve(option: database), tenant: tenant)
        recorder.spell = FieldNames.spelling(of:)
        Self.recorder = recorder
        return recorder
    }

    /// This invocation's recorder, once connected (for the truth after a lost connection).
    nonisolated(unsafe) static var recorder: Recorder?
}

/// Set once from `--verbose` while parsing, read when an error is printed.
enum Verbosity {
    nonisolated(unsafe) static var isVerbose = ProcessInfo.processInfo.environment["CONSULT_VERBOSE"] == "1"
}
