import ArgumentParser
import EventStore
import Foundation
import Postgres
import Recording

extension Consult {
    struct Doctor: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "doctor",
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
            let facts = try Operations.server(connection)
            let (server, role, superuser, migrated) = (facts.version, facts.role, facts.superuser, facts.migrated)

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
                ("database", facts.database),
                ("role", role + (superuser ? " (superuser)" : "")),
                ("schema", schema),
            ]
            if migrated {
                lines.append(("tenant", try Operations.tenantState(connection)))
                for m in try Operations.headMismatches(connection) {
                    problems.append(
                        "tenant \(m.name): its head is at position \(m.head) but its log at \(m.log) (an event was written around consult.append): "
                            + (m.head < m.log ? "its next append will be refused" : "its next append would leave a hole")
                            + "; as the owner: UPDATE consult.tenant_heads SET last_position = \(m.log) WHERE tenant_id = \(m.tenant.rawValue)"
                    )
                }
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

        /// Current, behind (pending migrations: run migrate) or ahead (migrations this consult does
        /// not carry: upgrade consult), against the schema built into this binary.
        private func schemaState(_ connection: Connection, problems: inout [String]) throws -> String {
            let version = try SchemaVersion(connection)
            guard let ahead = version.ahead else { return "installed (this role may not read which migrations are applied)" }
            if !ahead.isEmpty {
                problems.append(
                    "the database is ahead of this consult: it has \(ahead.joined(separator: ", ")), which consult \(Consult.version) does not carry: upgrade consult"
                )
                return "ahead of this consult (\(ahead.count) migration\(ahead.count == 1 ? "" : "s") it does not carry)"
            }
            if !version.pending.isEmpty {
                let count = version.pending.count
                problems.append(
                    "\(count) migration\(count == 1 ? " is" : "s are") pending (\(version.pending.joined(separator: ", "))): run `consult migrate`"
                )
                return "behind this consult (\(version.carried - count) of \(version.carried) migrations applied)"
            }
            return "current (\(version.carried) of \(version.carried) migrations applied, the newest \(Migrator.newestEmbedded))"
        }
    }
}
