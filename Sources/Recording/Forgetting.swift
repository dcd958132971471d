import Foundation
import Postgres

/// The second half of `consult forget`, the owner's: making the erased details unreadable in
/// the database's files.
///
/// `forget` deletes a person's row from `consult.person_details` in the transaction that records
/// the forgetting, but a deleted row is only marked dead: its bytes stay in the table's file
/// (and its handle in the index's) until the space is reused, and a plain VACUUM frees the space
/// without overwriting it. A member cannot VACUUM (PostgreSQL skips a table its caller does not
/// own, with a warning), and no function can (VACUUM runs outside any transaction). So the owner
/// rewrites the table: `VACUUM FULL` copies the live rows into new files and truncates the old
/// ones at commit; the indexes are rebuilt the same way. `scripts/nightly` runs it
/// (`consult purge-forgotten`), so a forgotten name leaves the database's files within a day.
/// What it cannot reach, the WAL and backups, is said in README ("Forgetting a person").
public enum Forgetting {
    /// Every table that holds personal details (names, e-mails, phones, handles made of names):
    /// the read models keep ids only, the log keeps no details (DOMAIN.md).
    public static let tables = ["person_details"]

    /// One table rewritten.
    public struct Purged: Sendable {
        public let table: String
        public let rows: Int
        /// The table's files (heap, indexes, TOAST) before and after, in bytes.
        public let bytesBefore: Int64
        public let bytesAfter: Int64
        public let duration: Duration
    }

    /// Rewrites each table of ``tables`` on `connection`, which must be the tables' owner (or a
    /// superuser). Waits at most `lockWait` for the table (VACUUM FULL holds every other command
    /// off it while it runs, milliseconds for thousands of people); fails rather than queue
    /// every tenant's commands behind a lock someone holds.
    public static func purge(_ connection: Connection, lockWait: Duration = .seconds(5)) throws -> [Purged] {
        var purged: [Purged] = []
        for table in tables {
            purged.append(try rewrite(table, connection, lockWaitSeconds: Int(lockWait.components.seconds)))
        }
        return purged
    }

    static func rewrite(_ table: String, _ connection: Connection, lockWaitSeconds: Int) throws -> Purged {
        let qualified: String = "consult." + table
        let ownerQuery: Query = """
            SELECT pg_get_userbyid(c.relowner),
                   pg_has_role(current_user, c.relowner, 'USAGE') OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
              FROM pg_class c WHERE c.oid = to_regclass(\(qualified))
            """
        let rows: ResultSet = try connection.execute(ownerQuery)
        guard let row = rows.first else { throw CommandFailure("\(qualified) does not exist: run `consult migrate` first") }
        let owner: String = try row.decode(String.self, at: 0)
        let allowed: Bool = try row.decode(Bool.self, at: 1)
        guard allowed else {
            let message: String = "only the owner of consult's tables (\(owner)) can rewrite \(qualified); you are \(connection.user)"
            throw CommandFailure(message, advice: ["Run it as the role that runs `consult migrate` (scripts/nightly does)."])
        }
        let sizeQuery: Query = "SELECT pg_total_relation_size(to_regclass(\(qualified)))"
        let bytesBefore: Int64 = try connection.execute(sizeQuery)[0].decode(Int64.self, at: 0)
        let milliseconds: String = String(lockWaitSeconds * 1000)
        try connection.execute("SELECT set_config('lock_timeout', \(milliseconds), false)")
        defer { _ = try? connection.execute("SELECT set_config('lock_timeout', '0', false)") }
        let start: ContinuousClock.Instant = ContinuousClock.now
        do {
            try connection.execute("VACUUM (FULL) consult.\(identifier: table)")
        } catch {
            guard error.sqlState == SQLState.lockNotAvailable else { throw error }
            let message: String = "\(qualified) was in use for longer than \(lockWaitSeconds) s; nothing was rewritten"
            throw CommandFailure(
                message, advice: ["Run it again later (pg_stat_activity shows who holds the table)."], detail: error.fullDescription)
        }
        let duration: Duration = ContinuousClock.now - start
        let bytesAfter: Int64 = try connection.execute(sizeQuery)[0].decode(Int64.self, at: 0)
        let countQuery: Query = "SELECT count(*) FROM consult.\(identifier: table)"
        let count: Int = try connection.execute(countQuery)[0].decode(Int.self, at: 0)
        return Purged(table: table, rows: count, bytesBefore: bytesBefore, bytesAfter: bytesAfter, duration: duration)
    }
}
