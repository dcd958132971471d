import Foundation
import Postgres
import Testing

/// The PostgreSQL the integration tests run against: the throwaway cluster `scripts/test`
/// starts, reached through `CONSULT_TEST_DATABASE_URL` (an admin URL to its `postgres`
/// database). Each suite creates a database of its own, so suites run in parallel.
public enum TestDatabase {
    public static let adminURL = ProcessInfo.processInfo.environment["CONSULT_TEST_DATABASE_URL"]

    /// Whether integration tests should run. Under CI they always run (and fail loudly without
    /// a database) so that a missing database can never pass as a green build.
    public static var isConfigured: Bool {
        adminURL?.isEmpty == false || ProcessInfo.processInfo.environment["CI"] == "true"
    }

    /// Why the integration tests were skipped, printed by the test runner.
    public static let skipReason: Comment =
        "CONSULT_TEST_DATABASE_URL is not set: run the tests with scripts/test, which starts a throwaway PostgreSQL"

    /// Creates a fresh, empty database named after `prefix` plus a random suffix.
    public static func create(_ prefix: String = "test") throws -> Database {
        let name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try connectAdmin()
        defer { admin.close() }
        try admin.execute("CREATE DATABASE \(identifier: name)")
        return Database(name: name)
    }

    /// A connection to the cluster's `postgres` database as its superuser.
    public static func connectAdmin() throws -> Connection {
        guard let adminURL, !adminURL.isEmpty else {
            throw PostgresError(.usage, message: "CONSULT_TEST_DATABASE_URL is not set (run scripts/test)")
        }
        return try Connection.connect(adminURL, applicationName: "consult-tests")
    }

    /// One test database.
    public struct Database: Sendable {
        public let name: String

        /// A new connection to this database, as the superuser or as another role.
        public func connect(user: String? = nil, password: String? = nil) throws -> Connection {
            var overrides = ["dbname": name]
            if let user { overrides["user"] = user }
            if let password { overrides["password"] = password }
            return try Connection.connect(TestDatabase.adminURL, overrides: overrides, applicationName: "consult-tests")
        }

        /// A conninfo string for this database that a child process (the `consult` binary) can use.
        public var conninfo: String {
            get throws {
                let connection = try connect()
                defer { connection.close() }
                return "host='\(connection.host)' port=\(connection.port) dbname='\(name)' user='\(connection.user)'"
            }
        }
    }
}
