import ArgumentParser
import EventStore
import Foundation
import Postgres

extension Consult {
    struct Doctor: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the connection: which server, database and role, and whether the schema is installed.",
            discussion: """
                Prints what consult connects to and, for each problem found, what to do about it.

                Example: consult doctor --database postgresql://ann@db.example.org/consult

                Exit codes: 0 connected (problems are listed as warnings), 69 the database cannot be reached.
                """)

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let (connection, target) = try global.connect()
            defer { connection.close() }
            let row = try connection.execute(
                """
                SELECT version() AS version, current_user AS role, current_database() AS database,
                       r.rolsuper AS superuser, to_regclass('consult.migrations') IS NOT NULL AS migrated
                  FROM pg_roles r WHERE r.rolname = current_user
                """)[0]
            let server = try row.decode(String.self, "version")
            let role = try row.decode(String.self, "role")
            let superuser = try row.decode(Bool.self, "superuser")
            let migrated = try row.decode(Bool.self, "migrated")

            var problems: [String] = []
            let schema = migrated ? try schemaState(connection, problems: &problems) : "not installed"
            if !migrated {
                problems.append("the consult schema is not installed in this database: run `consult migrate`")
            }
            let local = connection.host.hasPrefix("/") || ["localhost", "127.0.0.1", "::1"].contains(connection.host)
            if connection.tls == nil, !local {
                problems.append(
                    "the connection to \(connection.host) is not encrypted: add sslmode=verify-full (or require) to the connection string")
            }
            let version = connection.parameter("server_version") ?? "?"
            var lines: [(String, String)] = [
                ("connection", target.summary),
                ("server", String(server.split(separator: ",").first ?? "PostgreSQL \(version)")),
                ("host", connection.host + (connection.host.hasPrefix("/") ? " (unix socket)" : ":\(connection.port)")),
                ("tls", connection.tls ?? (connection.host.hasPrefix("/") ? "not needed (unix socket)" : "off")),
                ("database", try row.decode(String.self, "database")),
                ("role", role + (superuser ? " (superuser)" : "")),
                ("schema", schema),
            ]
            if migrated {
                lines.append(("tenant", try tenantState(connection)))
            }
            let width = lines.map(\.0.count).max() ?? 0
            for (key, value) in lines {
                print(key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
            }
            if problems.isEmpty {
                print("\nNo problems found.")
            } else {
                print("")
                for problem in problems { print("warning: \(problem)") }
            }
        }

        /// "7 of 7 migrations applied", or what is pending (when the files can be found).
        private func schemaState(_ connection: Connection, problems: inout [String]) throws -> String {
            let readable = try connection.execute("SELECT has_table_privilege('consult.migrations', 'SELECT')")[0].decode(Bool.self, at: 0)
            guard readable else { return "installed" }
            let applied = Set(try connection.execute("SELECT name FROM consult.migrations").map { try $0.decode(String.self, at: 0) })
            guard let directory = Migrator.findDirectory(from: Locations.searchStarts), let migrator = try? Migrator(directory: directory)
            else {
                return "installed (\(applied.count) migrations applied)"
            }
            let pending = migrator.migrations.filter { !applied.contains($0.name) }
            if !pending.isEmpty {
                problems.append(
                    "\(pending.count) migration\(pending.count == 1 ? " is" : "s are") pending (\(pending.map(\.name).joined(separator: ", "))): run `consult migrate`"
                )
            }
            return "\(migrator.migrations.count - pending.count) of \(migrator.migrations.count) migrations applied"
        }

        /// The member's tenant, or the owner's reach.
        private func tenantState(_ connection: Connection) throws -> String {
            if let tenant = try Tenancy(connection: connection).currentTenant() {
                return "\(tenant.name) (this role is a member)"
            }
            let admin = try connection.execute("SELECT consult.is_admin()")[0].decode(Bool?.self, at: 0) ?? false
            let count = try connection.execute("SELECT count(*) FROM consult.tenants")[0].decode(Int.self, at: 0)
            return admin ? "none: this role is the owner (\(count) tenant\(count == 1 ? "" : "s"))" : "none: this role belongs to no tenant"
        }
    }
}
