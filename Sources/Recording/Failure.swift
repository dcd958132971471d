import EventStore
import Foundation
import Postgres

/// A failure a user can act on: one line, advice under it, the detail for `--verbose`, and the
/// exit code (1 failure, 64 bad usage, 69 the database cannot be reached).
public struct CommandFailure: Error, CustomStringConvertible {
    public var message: String
    public var advice: [String] = []
    public var detail: String?
    public var exitCode: Int32 = 1

    public init(_ message: String, advice: [String] = [], detail: String? = nil, exitCode: Int32 = 1) {
        self.message = message
        self.advice = advice
        self.detail = detail
        self.exitCode = exitCode
    }

    public var description: String { message }

    /// A database error as the user should read it: a cancelled statement names the limit, a
    /// lost connection exits 69.
    public init(_ error: PostgresError) {
        if error.sqlState == .queryCanceled {
            self.init(
                "the database cancelled a statement that ran longer than \(StatementTimeout.seconds.formatted()) s; nothing was recorded",
                advice: [
                    "Something may hold a lock (see pg_stat_activity); CONSULT_STATEMENT_TIMEOUT=SECONDS changes the limit, 0 removes it."
                ],
                detail: error.fullDescription)
            return
        }
        if let message = EventStoreError.headBehind(error) {
            self.init(message, detail: error.fullDescription)
            return
        }
        self.init(error.description, detail: error.fullDescription, exitCode: error.isConnectionFailure ? 69 : 1)
        if error.isConnectionFailure {
            advice = ["the connection to the database was lost; nothing after the last acknowledged step was recorded"]
        }
    }

    /// Any error of the layers below, as one actionable failure.
    public init(_ error: any Error) {
        switch error {
        case let failure as CommandFailure: self = failure
        case let error as PostgresError: self.init(error)
        case let error as EventStoreError:
            if error.code == .database, let underlying = error.underlying {
                self.init(underlying)
            } else {
                self.init(error.message, detail: error.underlying?.fullDescription)
            }
        case let error as PostgresTransactionError:
            // The rollback after a lost connection fails too: the lost connection is the news.
            if let inner = error.error as? PostgresError {
                self.init(inner)
            } else if let inner = error.error as? EventStoreError, let underlying = inner.underlying {
                self.init(underlying)
            } else {
                self.init("\(error)", exitCode: 69)
            }
        default: self.init("\(error)")
        }
    }

    /// This failure (the database out of reach before the command was sent) told of a command
    /// by its id: nothing of it was recorded, and it may be run again with that id.
    public func neverSent(command id: UUID) -> CommandFailure {
        let id = id.uuidString.lowercased()
        guard !message.contains(id) else { return self }
        var failure = self
        let told: String = "Command \(id) did not reach the database: nothing of it was recorded."
        let again: String = "Run it again with --command-id \(id): it is recorded at most once."
        var lines: [String] = [told + " " + again]
        for line in advice where !line.hasPrefix("the connection to the database was lost") { lines.append(line) }
        failure.advice = lines
        return failure
    }

    public static func unreachable(_ target: DatabaseTarget, _ error: PostgresError) -> CommandFailure {
        CommandFailure(
            "cannot connect to \(target.summary): \(error.message)",
            advice: [
                "Point consult at a database: --database URL, DATABASE_URL, or PGHOST/PGPORT/PGDATABASE/PGUSER (with PGPASSWORD or ~/.pgpass).",
                "Or start the embedded one from the project folder: scripts/db start",
            ],
            detail: error.fullDescription, exitCode: 69)
    }
}

/// consult's statement timeout, from CONSULT_STATEMENT_TIMEOUT (seconds; 0 turns it off).
public enum StatementTimeout {
    public static var seconds: Double {
        guard let text = ProcessInfo.processInfo.environment["CONSULT_STATEMENT_TIMEOUT"], let value = Double(text), value >= 0 else {
            return 60
        }
        return value
    }

    public static var milliseconds: Int { Int(seconds * 1000) }
}

/// How long a command whose connection was lost tries to reconnect to find out whether it was
/// recorded: CONSULT_RECONNECT_SECONDS (0: ask once); 5 s by default, as long as a server
/// takes to restart after a crash on a small machine.
public enum ReconnectTimeout {
    public static var seconds: Double {
        guard let text = ProcessInfo.processInfo.environment["CONSULT_RECONNECT_SECONDS"], let value = Double(text), value >= 0 else {
            return 5
        }
        return value
    }
}

/// Opening the database an invocation points at.
public enum Database {
    /// Connects to `target`, or fails with advice (exit 69). No statement may hang a command for
    /// ever (a lock held elsewhere, a runaway query): CONSULT_STATEMENT_TIMEOUT in seconds, 0
    /// for none; 60 s by default. Long jobs (rebuild, import, export) lift it with
    /// ``liftStatementTimeout(_:)``.
    public static func connect(_ target: DatabaseTarget) throws -> Connection {
        let connection: Connection
        do {
            connection = try Connection.connect(target.conninfo)
        } catch {
            throw CommandFailure.unreachable(target, error)
        }
        try connection.execute("SELECT set_config('statement_timeout', \(String(StatementTimeout.milliseconds)), false)")
        return connection
    }

    /// A connection for a shell's completion: at most `seconds` to connect and for each
    /// statement, and no message ever (the caller swallows the error).
    public static func connectBriefly(_ target: DatabaseTarget, seconds: Int) throws -> Connection {
        let connection = try Connection.connect(target.conninfo, overrides: ["connect_timeout": String(seconds)])
        try connection.execute("SELECT set_config('statement_timeout', \(String(seconds * 1000)), false)")
        return connection
    }

    /// No time limit for the rest of this connection's life: for jobs that read or write a
    /// whole log.
    public static func liftStatementTimeout(_ connection: Connection) throws {
        try connection.execute("SET statement_timeout = 0")
    }
}
