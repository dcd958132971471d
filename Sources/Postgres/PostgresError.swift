/// The one error type of the `Postgres` module.
///
/// A server error carries the fields PostgreSQL reports (see
/// <https://www.postgresql.org/docs/current/protocol-error-fields.html>): the SQLSTATE code,
/// severity, primary message, detail, hint and the schema object involved. Match on
/// ``sqlState`` and ``constraint``, never on message text, which is translated by `lc_messages`:
///
/// ```swift
/// do { try connection.execute("INSERT INTO t (id) VALUES (\(id))") }
/// catch let error as PostgresError where error.sqlState == .uniqueViolation {
///     print("already there:", error.constraint ?? "?")
/// }
/// ```
///
/// The ``sql`` of the failing statement is kept, its bound values never are, and every password
/// known to the connection is scrubbed from the messages, so ``description`` is safe to print.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in broad strokes: a set that may grow, so `switch` needs a `default`.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case connection, server, decoding, usage
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No connection could be made, or it was lost (the server went away, the backend was
        /// terminated, the network dropped). Retrying on a new connection may help.
        public static let connection = Kind(.connection)
        /// The server refused a statement: ``PostgresError/sqlState`` says why.
        public static let server = Kind(.server)
        /// A value arrived but cannot become the Swift type asked for.
        public static let decoding = Kind(.decoding)
        /// The API was used in a way that cannot work (a closed connection, binds on COPY, …).
        public static let usage = Kind(.usage)

        public var description: String { base.rawValue }
    }

    public var kind: Kind
    /// The five-character SQLSTATE code, when the server (or libpq) gave one.
    public var sqlState: SQLState?
    /// `ERROR`, `FATAL`, `PANIC` (not localized).
    public var severity: String?
    /// The primary, human-readable message.
    public var message: String
    public var detail: String?
    public var hint: String?
    public var schema: String?
    public var table: String?
    public var column: String?
    public var dataType: String?
    /// The name of the constraint that was violated, for integrity errors.
    public var constraint: String?
    /// The SQL text of the statement that failed, without its bound values.
    public var sql: String?

    public init(
        _ kind: Kind, message: String, sqlState: SQLState? = nil, severity: String? = nil,
        detail: String? = nil, hint: String? = nil, sql: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.severity = severity
        self.detail = detail
        self.hint = hint
        self.sql = sql
    }

    /// True when the connection is gone: the error came from connecting, from a lost socket, or
    /// from the server ending the session (SQLSTATE class 08, or 57P01–57P03).
    public var isConnectionFailure: Bool {
        if kind == .connection { return true }
        guard let code = sqlState else { return false }
        return code.errorClass == "08" || code == .adminShutdown || code == .crashShutdown
            || code == .cannotConnectNow
    }

    /// One line for a person: the message, the SQLSTATE and the constraint when there is one.
    public var description: String {
        var text = message
        if let code = sqlState { text += " (SQLSTATE \(code.rawValue)" + (constraint.map { ", constraint \($0)" } ?? "") + ")" }
        return text
    }

    /// Everything known, one field a line, for `--verbose` output and test failures.
    public var fullDescription: String {
        var lines = ["\(severity ?? kind.description): \(description)"]
        if let detail { lines.append("DETAIL: \(detail)") }
        if let hint { lines.append("HINT: \(hint)") }
        if let table { lines.append("TABLE: \(schema.map { "\($0)." } ?? "")\(table)") }
        if let column { lines.append("COLUMN: \(column)") }
        if let sql { lines.append("SQL: \(sql)") }
        return lines.joined(separator: "\n")
    }
}

/// The error of ``Connection/withTransaction(_:readOnly:_:)`` when the body failed and the
/// rollback that followed failed too: both are kept, the body's first.
public struct PostgresTransactionError: Error, Sendable, CustomStringConvertible {
    /// What made the transaction fail.
    public var error: any Error
    /// Why the rollback after it failed (the connection is then usually lost).
    public var rollbackError: PostgresError

    public var description: String {
        "\(error); the rollback failed too: \(rollbackError)"
    }
}

/// A five-character SQLSTATE code (<https://www.postgresql.org/docs/current/errcodes-appendix.html>).
///
/// The constants name the codes this project meets; any other code is still carried as-is.
/// Use them in `catch … where error.sqlState == .uniqueViolation` or in a `switch`.
public struct SQLState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// The first two characters: the class (`23` integrity, `42` syntax or access rule, …).
    public var errorClass: Substring { rawValue.prefix(2) }
    public var description: String { rawValue }

    // MARK: Class 08 — Connection Exception
    public static let connectionException = SQLState("08000")
    public static let connectionDoesNotExist = SQLState("08003")
    public static let connectionFailure = SQLState("08006")
    public static let sqlClientUnableToEstablishSQLConnection = SQLState("08001")
    // MARK: Class 0A — Feature Not Supported
    public static let featureNotSupported = SQLState("0A000")
    // MARK: Class 22 — Data Exception
    public static let dataException = SQLState("22000")
    public static let stringDataRightTruncation = SQLState("22001")
    public static let numericValueOutOfRange = SQLState("22003")
    public static let nullValueNotAllowed = SQLState("22004")
    public static let invalidDatetimeFormat = SQLState("22007")
    public static let datetimeFieldOverflow = SQLState("22008")
    public static let characterNotInRepertoire = SQLState("22021")
    public static let invalidParameterValue = SQLState("22023")
    public static let invalidTextRepresentation = SQLState("22P02")
    public static let untranslatableCharacter = SQLState("22P05")
    // MARK: Class 23 — Integrity Constraint Violation
    public static let invalidSQLStatementName = SQLState("26000")
    public static let integrityConstraintViolation = SQLState("23000")
    public static let notNullViolation = SQLState("23502")
    public static let foreignKeyViolation = SQLState("23503")
    public static let uniqueViolation = SQLState("23505")
    public static let checkViolation = SQLState("23514")
    public static let exclusionViolation = SQLState("23P01")
    // MARK: Class 25 — Invalid Transaction State
    public static let activeSQLTransaction = SQLState("25001")
    public static let readOnlySQLTransaction = SQLState("25006")
    public static let inFailedSQLTransaction = SQLState("25P02")
    // MARK: Class 28 — Invalid Authorization Specification
    public static let invalidAuthorizationSpecification = SQLState("28000")
    public static let invalidPassword = SQLState("28P01")
    // MARK: Class 3D / 3F — Invalid Catalog / Schema Name
    public static let invalidCatalogName = SQLState("3D000")
    public static let invalidSchemaName = SQLState("3F000")
    // MARK: Class 40 — Transaction Rollback
    public static let serializationFailure = SQLState("40001")
    public static let deadlockDetected = SQLState("40P01")
    // MARK: Class 42 — Syntax Error or Access Rule Violation
    public static let syntaxError = SQLState("42601")
    public static let insufficientPrivilege = SQLState("42501")
    public static let undefinedColumn = SQLState("42703")
    public static let undefinedFunction = SQLState("42883")
    public static let undefinedTable = SQLState("42P01")
    public static let undefinedObject = SQLState("42704")
    public static let duplicateObject = SQLState("42710")
    public static let duplicateDatabase = SQLState("42P04")
    public static let duplicateTable = SQLState("42P07")
    // MARK: Class 53 — Insufficient Resources
    public static let tooManyConnections = SQLState("53300")
    // MARK: Class 54 — Program Limit Exceeded
    public static let programLimitExceeded = SQLState("54000")
    // MARK: Class 55 — Object Not In Prerequisite State
    public static let lockNotAvailable = SQLState("55P03")
    // MARK: Class 57 — Operator Intervention
    public static let queryCanceled = SQLState("57014")
    public static let adminShutdown = SQLState("57P01")
    public static let crashShutdown = SQLState("57P02")
    public static let cannotConnectNow = SQLState("57P03")
    // MARK: Class P0 — PL/pgSQL Error
    public static let raiseException = SQLState("P0001")
}
