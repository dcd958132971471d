import ArgumentParser
import Foundation
import Postgres

extension Consult {
    struct Doctor: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the connection: which server, database and role, and whether the schema is installed.",
            discussion: """
                Prints what consult connects to and, for each problem found, what to do about it.

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
            if !migrated {
                problems.append("the consult schema is not installed in this database: run `consult migrate`")
            }
            let version = connection.parameter("server_version") ?? "?"
            let lines: [(String, String)] = [
                ("connection", target.summary),
                ("server", "PostgreSQL \(version) (\(server.split(separator: ",").first ?? ""))"),
                ("host", connection.host + (connection.host.hasPrefix("/") ? " (unix socket)" : ":\(connection.port)")),
                ("database", try row.decode(String.self, "database")),
                ("role", role + (superuser ? " (superuser)" : "")),
                ("schema", migrated ? "installed" : "not installed"),
            ]
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
    }
}
