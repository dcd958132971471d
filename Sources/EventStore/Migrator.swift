import Foundation
import Postgres

/// Applies the numbered SQL files of `db/migrations` in order, each in its own transaction,
/// recording name, checksum and time in `consult.migrations`.
///
/// A file is sent one statement at a time (``statements(_:)``), never as one multi-statement
/// string: Citus forwards a DDL statement to its workers with the text it was given, and a
/// worker refuses several commands in one prepared statement (issue 20, item 10: `DROP COLUMN`,
/// `CREATE INDEX` and a table referencing a reference table all failed). One statement at a
/// time behaves the same on a single PostgreSQL, inside the same transaction.
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
                    for statement in Self.statements(migration.sql) {
                        try tx.executeScript(unsafeSQL: statement)
                    }
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
        let script = """
            CREATE SCHEMA IF NOT EXISTS consult;
            CREATE TABLE IF NOT EXISTS consult.migrations (
                name       text PRIMARY KEY,
                checksum   text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(),
                applied_by text NOT NULL DEFAULT session_user
            );
            REVOKE ALL ON consult.migrations FROM PUBLIC;
            """
        for statement in statements(script) {
            try connection.executeScript(unsafeSQL: statement)
        }
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

// MARK: - Splitting a file into statements

extension Migrator {
    /// The statements of a SQL script, in order, each without its terminating semicolon,
    /// trimmed of surrounding white space; comments between statements are dropped, comments
    /// inside one are kept. A semicolon ends a statement only outside a string literal
    /// (`'…'` with `''`, `E'…'` with backslash escapes), a quoted identifier (`"…"`), a
    /// dollar-quoted string (`$tag$…$tag$`), a comment (`--…` to the end of the line, `/* … */`
    /// nested) and a parenthesis, and outside a `BEGIN ATOMIC … END` function body.
    public static func statements(_ script: String) -> [String] {
        let text = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        // Whether the statement so far holds anything but comments and white space.
        var meaningful = false
        var depth = 0  // parentheses
        var atomic = 0  // BEGIN ATOMIC … END blocks
        var caseDepth = 0  // CASE … END inside an atomic body
        var word = ""  // the keyword being read (letters only), for BEGIN ATOMIC, CASE and END
        var previousWord = ""
        var i = 0

        func isIdentifierChar(_ c: Unicode.Scalar) -> Bool {
            CharacterSet.alphanumerics.contains(c) || c == "_" || c == "$"
        }
        func finishWord() {
            guard !word.isEmpty else { return }
            let upper = word.uppercased()
            if upper == "ATOMIC" && previousWord == "BEGIN" {
                atomic += 1
            } else if atomic > 0 && upper == "CASE" {
                caseDepth += 1
            } else if atomic > 0 && upper == "END" {
                if caseDepth > 0 { caseDepth -= 1 } else { atomic -= 1 }
            }
            previousWord = upper
            word = ""
        }
        func flush() {
            finishWord()
            let statement = String(current).trimmingCharacters(in: .whitespacesAndNewlines)
            if meaningful && !statement.isEmpty { statements.append(statement) }
            current = String.UnicodeScalarView()
            meaningful = false
            depth = 0
            atomic = 0
            caseDepth = 0
            previousWord = ""
        }

        while i < text.count {
            let c = text[i]
            let next: Unicode.Scalar? = i + 1 < text.count ? text[i + 1] : nil
            // A line comment: to the end of the line.
            if c == "-" && next == "-" {
                finishWord()
                let start = i
                while i < text.count && text[i] != "\n" { i += 1 }
                if meaningful { current.append(contentsOf: text[start..<i]) }
                continue
            }
            // A block comment, nested as PostgreSQL nests them.
            if c == "/" && next == "*" {
                finishWord()
                let start = i
                var nesting = 0
                while i < text.count {
                    if text[i] == "/" && i + 1 < text.count && text[i + 1] == "*" {
                        nesting += 1
                        i += 2
                    } else if text[i] == "*" && i + 1 < text.count && text[i + 1] == "/" {
                        nesting -= 1
                        i += 2
                        if nesting == 0 { break }
                    } else {
                        i += 1
                    }
                }
                if meaningful { current.append(contentsOf: text[start..<min(i, text.count)]) }
                continue
            }
            // A string literal; E'…' (the E already read as part of a word) allows backslash escapes.
            if c == "'" {
                let escapes = word.uppercased().hasSuffix("E") && word.count == 1
                finishWord()
                meaningful = true
                let start = i
                i += 1
                while i < text.count {
                    if escapes && text[i] == "\\" {
                        i += 2
                    } else if text[i] == "'" {
                        if i + 1 < text.count && text[i + 1] == "'" {
                            i += 2
                        } else {
                            i += 1
                            break
                        }
                    } else {
                        i += 1
                    }
                }
                current.append(contentsOf: text[start..<min(i, text.count)])
                continue
            }
            // A quoted identifier.
            if c == "\"" {
                finishWord()
                meaningful = true
                let start = i
                i += 1
                while i < text.count {
                    if text[i] == "\"" {
                        if i + 1 < text.count && text[i + 1] == "\"" {
                            i += 2
                        } else {
                            i += 1
                            break
                        }
                    } else {
                        i += 1
                    }
                }
                current.append(contentsOf: text[start..<min(i, text.count)])
                continue
            }
            // A dollar-quoted string: $$…$$ or $tag$…$tag$ (not $1, a parameter, nor x$y, a name).
            if c == "$" && word.isEmpty, let tagEnd = dollarTagEnd(text, from: i) {
                meaningful = true
                let tag = Array(text[i...tagEnd])
                let start = i
                i = tagEnd + 1
                while i < text.count {
                    if text[i] == "$" && i + tag.count <= text.count && Array(text[i..<(i + tag.count)]) == tag {
                        i += tag.count
                        break
                    }
                    i += 1
                }
                current.append(contentsOf: text[start..<min(i, text.count)])
                continue
            }
            if isIdentifierChar(c) && !(c == "$" && word.isEmpty) {
                word.unicodeScalars.append(c)
                meaningful = true
                current.append(c)
                i += 1
                continue
            }
            finishWord()
            switch c {
            case "(":
                depth += 1
            case ")":
                depth = max(0, depth - 1)
            case ";" where depth == 0 && atomic == 0:
                flush()
                i += 1
                continue
            default:
                break
            }
            if !c.properties.isWhitespace { meaningful = true }
            current.append(c)
            i += 1
        }
        flush()
        return statements
    }

    /// Where the opening tag of a dollar-quoted string that starts at `start` ends (the index of
    /// its second `$`), or nil when `$` starts no tag (`$1`, a lone `$`).
    private static func dollarTagEnd(_ text: [Unicode.Scalar], from start: Int) -> Int? {
        var i = start + 1
        while i < text.count {
            let c = text[i]
            if c == "$" { return i }
            let letter = CharacterSet.letters.contains(c) || c == "_"
            let digit = CharacterSet.decimalDigits.contains(c)
            // A tag is an identifier without `$`: it cannot start with a digit.
            if !(letter || (digit && i > start + 1)) { return nil }
            i += 1
        }
        return nil
    }
}
