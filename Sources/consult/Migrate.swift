import ArgumentParser
import EventStore
import Foundation
import Postgres
import Recording

extension Consult {
    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install or upgrade the schema: apply the pending files of db/migrations in order.",
            discussion: """
                Each file runs in its own transaction and is recorded with its checksum; a second \
                migrator waits for the first. A file changed after it was applied stops everything \
                with its name. Run it as the owner (a role that may create roles, or a superuser).

                The folder is found from the working directory or the consult executable upwards, \
                or given with --migrations or CONSULT_MIGRATIONS.

                Example: consult migrate --status
                """)

        @OptionGroup var global: GlobalOptions

        @Flag(help: "List applied and pending migrations instead of applying them.")
        var status = false

        @Option(help: ArgumentHelp("The folder of numbered .sql files.", valueName: "dir"))
        var migrations: String?

        @Flag(
            help: """
                Then distribute the tables by tenant on Citus: apply db/citus (the server must have \
                the citus extension; see docs/scaling.md).
                """)
        var citus = false

        func run() throws {
            let folder = try Self.folder(migrations)
            var migrators = [try Self.migrator(folder: folder)]
            if citus { migrators.append(try Self.citusMigrator(beside: folder)) }
            let (connection, _) = try global.connect()
            defer { connection.close() }
            do {
                if status {
                    let statuses = try migrators.flatMap { try $0.status(connection) }
                    let width = statuses.map(\.name.count).max() ?? 0
                    for entry in statuses {
                        let name = entry.name.padding(toLength: width, withPad: " ", startingAt: 0)
                        if let at = entry.appliedAt {
                            print("\(name)  applied  \(Format.timestamp(at)) by \(entry.appliedBy ?? "?")")
                        } else {
                            print("\(name)  pending")
                        }
                    }
                    let pending = statuses.filter { !$0.isApplied }.count
                    print(pending == 0 ? "\nUp to date." : "\n\(pending) pending: run `consult migrate\(citus ? " --citus" : "")`.")
                } else {
                    if citus {
                        guard try Operations.hasCitus(connection) else {
                            throw CommandFailure(
                                "--citus: this server has no citus extension; nothing was applied",
                                advice: ["Use a Citus coordinator (docker compose --profile citus up), or leave out --citus."])
                        }
                    }
                    let applied = try migrators.flatMap { migrator in try migrator.migrate(connection) { print("applying \($0)") } }
                    print(
                        applied.isEmpty
                            ? "Up to date: nothing to apply." : "Applied \(applied.count) migration\(applied.count == 1 ? "" : "s").")
                }
            } catch let failure as Migrator.Failure {
                throw CommandFailure(failure.message, detail: failure.underlying?.fullDescription)
            }
        }

        /// db/citus, beside the db/migrations folder in use.
        static func citusMigrator(beside migrations: URL) throws -> Migrator {
            let folder = migrations.deletingLastPathComponent().appendingPathComponent("citus")
            do {
                return try Migrator(directory: folder, prefix: "citus/")
            } catch {
                throw CommandFailure("cannot read the Citus migrations in \(folder.path): \(error.localizedDescription)")
            }
        }

        static func folder(_ option: String?) throws -> URL {
            guard let directory = option.map({ URL(fileURLWithPath: $0) }) ?? Migrator.findDirectory(from: Locations.searchStarts)
            else {
                throw CommandFailure(
                    "cannot find the db/migrations folder",
                    advice: ["Run consult from the project folder, or give --migrations DIR (or CONSULT_MIGRATIONS)."])
            }
            return directory
        }

        static func migrator(folder directory: URL) throws -> Migrator {
            do {
                return try Migrator(directory: directory)
            } catch {
                throw CommandFailure("cannot read the migrations in \(directory.path): \(error.localizedDescription)")
            }
        }
    }
}
