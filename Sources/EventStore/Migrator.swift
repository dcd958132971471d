import Foundation
import Postgres

/// Applies the numbered SQL files of `db/migrations` in order, each in its own transaction,
/// recording name, checksum and time in `consult.migrations`.
///
/// Two migrators never apply the same file: each file's transaction first locks
/// `consult.migrations` (SHARE UPDATE EXCLUSIVE, which conflicts with itself) and checks again
/// that the file is pending. A table lock, not an advisory lock: any role can take any advisory
/// lock and hold it for ever (a member holding this key blocked `consult migrate`, issue 18.2),
/// while a member holds no privilege on `consult.migrations`, and the locks a refused statement
/// took are released when it fails. A file that was applied and has changed since stops
/// everything: the database no longer matches the files, and applying more on top would build
/// on a guess.
public struct Migrator: Sendable {
    /// A migration file: `0003_events.sql` is version 3, named `0003_events`.
    public struct Migration: Sendable, Equatable {
        public let name: String
        public let sql: String
        public let checksum: String

        public init(name: String, sql: String) {
            self.name = name
            self.sql = sql
            self.checksum = Migrator.checksum(sql)
        }
    }

    /// What the database says about a migration.
    public struct Status: Sendable, Equatable {
        public let name: String
        public let appliedAt: Date?
        public let appliedBy: String?
        public var isApplied: Bool { appliedAt != nil }
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let message: String
        public let underlying: PostgresError?
        public var description: String { message }
    }

    public let migrations: [Migration]
    /// What the names of this migrator's files begin with: "" for db/migrations, "citus/" for db/citus.
    public let prefix: String

    public init(migrations: [Migration], prefix: String = "") {
        self.migrations = migrations.sorted { $0.name < $1.name }
        self.prefix = prefix
    }

    /// Reads every `NNNN_name.sql` file of a folder. A `prefix` names the files of an optional
    /// folder apart from the main ones (`citus/0001_distribute` for db/citus): they are recorded
    /// in the same table, and each migrator lists only its own.
    public init(directory: URL, prefix: String = "") throws {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" && $0.lastPathComponent.first?.isNumber == true }
        self.init(
            migrations: try files.map { file in
                Migration(
                    name: prefix + file.deletingPathExtension().lastPathComponent, sql: try String(contentsOf: file, encoding: .utf8))
            }, prefix: prefix)
    }

    /// The `db/migrations` folder: `$CONSULT_MIGRATIONS`, or the first found walking up from
    /// each start (the working directory, the executable).
    public static func findDirectory(environment: [String: String] = ProcessInfo.processInfo.environment, from starts: [String]) -> URL? {
        if let path = environment["CONSULT_MIGRATIONS"], !path.isEmpty { return URL(fileURLWithPath: path) }
        for start in starts where !start.isEmpty {
            var url = URL(fileURLWithPath: start).standardizedFileURL
            while true {
                let candidate = url.appendingPathComponent("db/migrations")
                if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("0001_roles.sql").path) {
                    return candidate
                }
                let parent = url.deletingLastPathComponent()
                if parent.path == url.path { break }
                url = parent
            }
        }
        return nil
    }

    /// A stable checksum of a file's text (FNV-1a, 64 bits, hex): it detects edits, it is not a
    /// defence against a forger, who could edit the table as easily.
    static func checksum(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(format: "%016llx", hash)
    }

    /// The advisory lock key of a first migration ("consult." as a number): it guards only the
    /// creation of `consult.migrations` in a database that has none yet (see ``bootstrap``).
    static let lockKey: Int64 = 0x636f_6e73_756c_742e

    /// The migrators' lock, for the rest of the transaction.
    static func lock(_ tx: Connection) throws {
        try tx.execute("LOCK TABLE consult.migrations IN SHARE UPDATE EXCLUSIVE MODE")
    }

    static func edited(_ migration: Migration, _ checksum: String) -> Failure {
        Failure(
            message:
                "migration \(migration.name) was edited after it was applied (checksum \(checksum) in the database, \(migration.checksum) on disk); restore the file and add a new migration for the change",
            underlying: nil)
    }

    /// Applies what is pending; returns the names applied, in order (none when up to date).
    ///
    /// `progress` is told each name before it is applied.
    @discardableResult
    public func migrate(_ connection: Connection, progress: (String) -> Void = { _ in }) throws -> [String] {
        try bootstrap(connection)
        var applied: [String] = []
        for migration in try check(connection) {
            do {
                let done = try connection.withTransaction { tx in
                    try Self.lock(tx)
                    // Another migrator may have applied it while this one waited.
                    let rows = try tx.execute("SELECT checksum FROM consult.migrations WHERE name = \(migration.name)")
                    if let row = rows.first {
                        let checksum = try row.decode(String.self, at: 0)
                        guard checksum == migration.checksum else { throw Self.edited(migration, checksum) }
                        return false
                    }
                    progress(migration.name)
                    try tx.executeScript(unsafeSQL: migration.sql)
                    try tx.execute("INSERT INTO consult.migrations (name, checksum) VALUES (\(migration.name), \(migration.checksum))")
                    return true
                }
                if done { applied.append(migration.name) }
            } catch let error as PostgresError {
                throw Failure(message: "migration \(migration.name) failed, nothing of it was applied: \(error)", underlying: error)
            }
        }
        try harden(connection)
        return applied
    }

    /// Rules every table with a tenant column must follow, applied again after every run so that
    /// a table or partition a later migration adds follows them too (db/migrations/0020 on:
    /// no planner statistics, …). Idempotent; does nothing before those migrations exist.
    private func harden(_ connection: Connection) throws {
        let exists = try connection.execute("SELECT to_regprocedure('consult.harden_tenant_tables()') IS NOT NULL")[0]
            .decode(Bool.self, at: 0)
        guard exists else { return }
        do {
            try connection.withTransaction { tx in
                try Self.lock(tx)
                try tx.execute("SELECT consult.harden_tenant_tables()")
            }
        } catch let error as PostgresError {
            throw Failure(message: "hardening the tenant tables after migrating failed: \(error)", underlying: error)
        }
    }

    /// Every known migration with whether and when it was applied, plus applied ones whose
    /// file is missing. Throws when an applied file was edited.
    public func status(_ connection: Connection) throws -> [Status] {
        let applied = try appliedRows(connection)
        _ = try verify(applied)
        var statuses = migrations.map { migration in
            Status(name: migration.name, appliedAt: applied[migration.name]?.at, appliedBy: applied[migration.name]?.by)
        }
        // Applied files of this folder that are gone (another folder's names have another prefix).
        let mine = { (name: String) in prefix.isEmpty ? !name.contains("/") : name.hasPrefix(prefix) }
        for (name, row) in applied where mine(name) && !migrations.contains(where: { $0.name == name }) {
            statuses.append(Status(name: name, appliedAt: row.at, appliedBy: row.by))
        }
        return statuses.sorted { $0.name < $1.name }
    }

    // MARK: - Internals

    private struct Applied {
        let checksum: String
        let at: Date
        let by: String
    }

    /// Creates `consult.migrations` when the database has none. Two first migrators at once
    /// would race on CREATE … IF NOT EXISTS, so this one step takes a transaction-scoped
    /// advisory lock; it runs only before the first migration, when the database has no member.
    private func bootstrap(_ connection: Connection) throws {
        let exists = try connection.execute("SELECT to_regclass('consult.migrations') IS NOT NULL")[0].decode(Bool.self, at: 0)
        guard !exists else { return }
        try connection.withTransaction { tx in
            try tx.execute("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
            try Self.createTable(tx)
        }
    }

    private static func createTable(_ connection: Connection) throws {
        try connection.executeScript(
            unsafeSQL: """
                CREATE SCHEMA IF NOT EXISTS consult;
                CREATE TABLE IF NOT EXISTS consult.migrations (
                    name       text PRIMARY KEY,
                    checksum   text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now(),
                    applied_by text NOT NULL DEFAULT session_user
                );
                REVOKE ALL ON consult.migrations FROM PUBLIC;
                """)
    }

    private func appliedRows(_ connection: Connection) throws -> [String: Applied] {
        let exists = try connection.execute("SELECT to_regclass('consult.migrations') IS NOT NULL")[0].decode(Bool.self, at: 0)
        guard exists else { return [:] }
        var applied: [String: Applied] = [:]
        for row in try connection.execute("SELECT name, checksum, applied_at, applied_by FROM consult.migrations") {
            applied[try row.decode(String.self, at: 0)] = Applied(
                checksum: try row.decode(String.self, at: 1), at: try row.decode(Date.self, at: 2), by: try row.decode(String.self, at: 3))
        }
        return applied
    }

    /// The pending migrations, after checking that no applied file was edited.
    private func check(_ connection: Connection) throws -> [Migration] {
        try verify(try appliedRows(connection))
    }

    private func verify(_ applied: [String: Applied]) throws -> [Migration] {
        for migration in migrations {
            if let row = applied[migration.name], row.checksum != migration.checksum {
                throw Self.edited(migration, row.checksum)
            }
        }
        return migrations.filter { applied[$0.name] == nil }
    }
}
