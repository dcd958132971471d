import ArgumentParser
import EventStore
import Foundation
import Postgres
import Recording
import Schema

extension Consult {
    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract: "Install or upgrade the schema: apply the pending migrations in order.",
            discussion: """
                Each file runs in its own transaction and is recorded with its checksum; a second \
                migrator waits for the first. A file changed after it was applied stops everything \
                with its name. Run it as the owner (a role that may create roles, or a superuser).

                The migrations are built into consult (`consult --version` names the newest); \
                --migrations DIR or CONSULT_MIGRATIONS reads a folder instead (development). A \
                database that has migrations this consult does not carry is ahead of it: \
                nothing is applied, and the fix is a newer consult.

                Example: consult migrate --status
                """)

        @OptionGroup var global: GlobalOptions

        @Flag(help: "List applied and pending migrations instead of applying them.")
        var status = false

        @Option(help: ArgumentHelp("A folder of numbered .sql files to apply instead of the built-in ones.", valueName: "dir"))
        var migrations: String?

        @Flag(
            help: """
                Then distribute the tables by tenant on Citus: apply db/citus (the server must have \
                the citus extension; see docs/scaling.md).
                """)
        var citus = false

        func run() throws {
            let folder = Self.folder(migrations)
            var migrators = [try folder.map(Self.migrator(folder:)) ?? .embedded]
            if citus { migrators.append(try folder.map(Self.citusMigrator(beside:)) ?? .embeddedCitus) }
            let (connection, _) = try global.connect()
            defer { connection.close() }
            if !status, let ahead = try SchemaVersion(connection, carried: migrators[0]).ahead, !ahead.isEmpty {
                throw CommandFailure(
                    "the database is ahead of this consult: it has \(ahead.joined(separator: ", ")), which consult \(Consult.version) does not carry; nothing was applied",
                    advice: ["Upgrade consult (consult --version names the newest migration it carries)."])
            }
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
                                "--citus: this server does not run Citus (its library is not in shared_preload_libraries); nothing was applied",
                                advice: [
                                    "Use a Citus coordinator (scripts/citus, or docker compose --profile citus up), or leave out --citus."
                                ])
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

        /// The folder given (--migrations, else CONSULT_MIGRATIONS); nil for the built-in schema.
        static func folder(_ option: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
            let path = option ?? environment["CONSULT_MIGRATIONS"].flatMap { $0.isEmpty ? nil : $0 }
            return path.map { URL(fileURLWithPath: $0) }
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

/// Where the database's schema stands against the migrations a consult carries.
struct SchemaVersion {
    /// Carried, not yet applied.
    let pending: [String]
    /// Applied, not carried: the database is ahead of this consult. Nil when this role may not
    /// read the list of applied migrations (a member).
    let ahead: [String]?
    let carried: Int

    init(_ connection: Connection, carried migrator: Migrator = .embedded) throws {
        carried = migrator.migrations.count
        guard try Operations.server(connection).migrated, let applied = try Operations.appliedMigrations(connection) else {
            pending = migrator.migrations.map(\.name)
            ahead = nil
            return
        }
        let known = Set(migrator.migrations.map(\.name))
        pending = migrator.migrations.map(\.name).filter { !applied.contains($0) }
        ahead = applied.filter { !known.contains($0) && !$0.hasPrefix("citus/") }.sorted()
    }
}
