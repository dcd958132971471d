internal import CLibPQ
import Foundation

/// One connection to a PostgreSQL server, through libpq.
///
/// The connection owns its `PGconn` and finishes it in `deinit` (or earlier with ``close()``).
/// libpq forbids using one connection from two threads at once, so `Connection` is not
/// `Sendable`: create one per task, or hand one over with `sending`.
///
/// Every connection speaks UTF-8 (`client_encoding`) and reads dates in the ISO style, whatever
/// the environment says, because the decoders rely on both.
///
/// ```swift
/// let connection = try Connection.connect("postgresql:///consult?host=/tmp/run")
/// let rows = try connection.execute("SELECT name FROM organisations WHERE id = \(id)")
/// for row in rows { print(try row.decode(String.self, "name")) }
/// ```
public final class Connection {
    private var handle: OpaquePointer?
    private var secrets: Secrets
    private var savepointDepth = 0
    /// Statements prepared on this connection, by their text and parameter types.
    private var prepared: [String: String] = [:]

    private init(handle: OpaquePointer, secrets: Secrets) {
        self.handle = handle
        self.secrets = secrets
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// Connects with a conninfo string (`host=/tmp dbname=consult`), a URI
    /// (`postgresql://user@host:5432/db?sslmode=require`), or, when `conninfo` is nil or empty,
    /// libpq's own defaults: `PGHOST`, `PGPORT`, `PGDATABASE`, `PGUSER`, `PGPASSWORD`,
    /// `PGSERVICE`, `~/.pgpass` and the rest, exactly as `psql` reads them
    /// (<https://www.postgresql.org/docs/current/libpq-envars.html>).
    ///
    /// - Parameters:
    ///   - overrides: connection keywords that win over `conninfo` (`["dbname": "other"]`).
    ///   - applicationName: shown in `pg_stat_activity` unless the conninfo names one.
    /// - Throws: ``PostgresError`` of kind ``PostgresError/Kind/connection``; its text never
    ///   contains the password.
    public static func connect(
        _ conninfo: String? = nil, overrides: [String: String] = [:],
        applicationName: String = "consult"
    ) throws(PostgresError) -> Connection {
        var secrets = Secrets(conninfo: conninfo, environment: ProcessInfo.processInfo.environment)
        secrets.add(overrides["password"])
        // Only the first `dbname` is expanded as a conninfo string or URI; the keywords after it
        // override what it says (libpq's PQconnectdbParams with expand_dbname).
        var pairs: [(String, String)] = [
            ("dbname", conninfo ?? ""),
            ("fallback_application_name", applicationName),
        ]
        pairs += overrides.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        pairs.append(("client_encoding", "UTF8"))
        let handle = withCStrings(pairs.map(\.0)) { keywords in
            withCStrings(pairs.map(\.1)) { values in
                PQconnectdbParams(keywords, values, 1)
            }
        }
        guard let handle else {
            throw PostgresError(.connection, message: "out of memory while connecting")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = secrets.redact(errorMessage(handle))
            PQfinish(handle)
            throw PostgresError(.connection, message: message)
        }
        secrets.add(PQpass(handle).map { String(cString: $0) })
        // libpq prints NOTICE and WARNING messages to stderr by default; a CLI's stderr is for
        // its own errors, so they are dropped ("schema already exists, skipping" and the like).
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        let connection = Connection(handle: handle, secrets: secrets)
        if connection.parameter("DateStyle")?.hasPrefix("ISO") != true {
            try connection.execute("SET DateStyle = ISO")
        }
        return connection
    }

    /// Closes the connection. Safe to call more than once; any later use throws.
    public func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// False once closed, or when libpq has seen the socket fail.
    public var isOpen: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    // MARK: - About the session

    /// A parameter the server reports (`server_version`, `TimeZone`, `is_superuser`,
    /// `session_authorization`, …): <https://www.postgresql.org/docs/current/libpq-status.html>.
    public func parameter(_ name: String) -> String? {
        guard let handle, let value = PQparameterStatus(handle, name) else { return nil }
        return String(cString: value)
    }

    /// The server's version as a number: 150018 for 15.18.
    public var serverVersion: Int { handle.map { Int(PQserverVersion($0)) } ?? 0 }
    /// The role this connection logged in as.
    public var user: String { handle.flatMap { PQuser($0) }.map { String(cString: $0) } ?? "" }
    /// The database connected to.
    public var database: String { handle.flatMap { PQdb($0) }.map { String(cString: $0) } ?? "" }
    /// The host (or unix socket directory) connected to.
    public var host: String { handle.flatMap { PQhost($0) }.map { String(cString: $0) } ?? "" }
    /// The port (or the socket's port number).
    public var port: String { handle.flatMap { PQport($0) }.map { String(cString: $0) } ?? "" }
    /// The TLS protocol and cipher when the connection is encrypted (`TLSv1.3, TLS_AES_256_GCM_SHA384`);
    /// nil when it is not (a unix socket, or `sslmode=disable`/`prefer` against a server without TLS).
    public var tls: String? {
        guard let handle, PQsslInUse(handle) == 1 else { return nil }
        let protocolName = PQsslAttribute(handle, "protocol").map { String(cString: $0) } ?? "TLS"
        return PQsslAttribute(handle, "cipher").map { "\(protocolName), \(String(cString: $0))" } ?? protocolName
    }
    /// The server process serving this connection (`pg_backend_pid()`).
    public var backendPID: Int32 { handle.map { PQbackendPID($0) } ?? 0 }

    /// Whether a transaction is open on this connection.
    public var inTransaction: Bool {
        guard let handle else { return false }
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    // MARK: - Statements

    /// Runs one statement with its bound parameters and returns its rows (none for commands).
    ///
    /// Uses the extended query protocol (`PQexecParams`), so a statement can never carry a
    /// second one after a `;`.
    ///
    /// - Throws: ``PostgresError``: ``PostgresError/Kind/server`` with the SQLSTATE when the
    ///   server refuses it, ``PostgresError/Kind/connection`` when the connection is lost.
    @discardableResult
    public func execute(_ query: Query) throws(PostgresError) -> ResultSet {
        if let error = query.encodingError { throw error }
        // libpq reads a text parameter up to its first NUL: refuse rather than truncate.
        if let index = query.binds.firstIndex(where: { !$0.isBinary && $0.bytes?.contains(0) == true }) {
            throw PostgresError(
                .usage, message: "parameter $\(index + 1) contains a NUL byte (0x00), which PostgreSQL text cannot hold",
                sqlState: .characterNotInRepertoire, sql: query.sql)
        }
        let handle = try openHandle()
        let result = query.withLibpqParameters { count, types, values, lengths, formats in
            PQexecParams(handle, query.sql, count, types, values, lengths, formats, 0)
        }
        return try check(result, sql: query.sql)
    }

    /// Runs one statement like ``execute(_:)``, prepared once on this connection and reused
    /// after: the server parses and plans it once. For the statements a session runs many
    /// times (an append, a page of the log); the connection keeps every one it prepared.
    @discardableResult
    public func execute(prepared query: Query) throws(PostgresError) -> ResultSet {
        if let error = query.encodingError { throw error }
        if let index = query.binds.firstIndex(where: { !$0.isBinary && $0.bytes?.contains(0) == true }) {
            throw PostgresError(
                .usage, message: "parameter $\(index + 1) contains a NUL byte (0x00), which PostgreSQL text cannot hold",
                sqlState: .characterNotInRepertoire, sql: query.sql)
        }
        let handle = try openHandle()
        let key = query.binds.map { String($0.type.oid) }.joined(separator: ",") + ":" + query.sql
        for attempt in 0..<2 {
            let name: String
            if let known = prepared[key] {
                name = known
            } else {
                name = "consult_\(prepared.count + 1)"
                let types = query.binds.map { Oid($0.type.oid) }
                _ = try check(PQprepare(handle, name, query.sql, Int32(types.count), types), sql: query.sql)
                prepared[key] = name
            }
            let result = query.withLibpqParameters { count, _, values, lengths, formats in
                PQexecPrepared(handle, name, count, values, lengths, formats, 0)
            }
            do {
                return try check(result, sql: query.sql)
            } catch let error where error.sqlState == .invalidSQLStatementName && attempt == 0 {
                prepared[key] = nil  // gone (DISCARD ALL): prepare it again, once
            }
        }
        throw PostgresError(.usage, message: "the prepared statement could not be made again", sql: query.sql)
    }

    /// Runs SQL text that may hold several statements separated by `;` (a migration file),
    /// with the simple query protocol. It takes no parameters: it is for trusted SQL only.
    /// Returns the last statement's result.
    @discardableResult
    public func executeScript(unsafeSQL sql: String) throws(PostgresError) -> ResultSet {
        let handle = try openHandle()
        // PQexec returns only the last result; an error stops the script and is that result.
        return try check(PQexec(handle, sql), sql: sql)
    }

    /// Quotes an identifier with libpq (`PQescapeIdentifier`), for SQL assembled at run time.
    public func escapeIdentifier(_ name: String) throws(PostgresError) -> String {
        let handle = try openHandle()
        guard let escaped = PQescapeIdentifier(handle, name, name.utf8.count) else {
            throw PostgresError(.usage, message: secrets.redact(Self.errorMessage(handle)))
        }
        defer { PQfreemem(escaped) }
        return String(cString: escaped)
    }

    /// Hashes a password for `CREATE ROLE … PASSWORD '…'` on the client
    /// (`PQencryptPasswordConn`, SCRAM-SHA-256 by default), so that the clear text never
    /// travels to the server or into its logs.
    public func encryptPassword(_ password: String, role: String) throws(PostgresError) -> String {
        let handle = try openHandle()
        guard let encrypted = PQencryptPasswordConn(handle, password, role, nil) else {
            throw PostgresError(.usage, message: "cannot hash the password: \(Self.errorMessage(handle))")
        }
        defer { PQfreemem(encrypted) }
        return String(cString: encrypted)
    }

    // MARK: - Transactions

    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws.
    ///
    /// Nested calls become savepoints, so a helper that wants a transaction can be called
    /// inside another. If the rollback fails as well, a ``PostgresTransactionError`` carries
    /// both errors.
    ///
    /// A statement that failed inside `body` aborts the transaction even when `body` catches
    /// the error; the commit then throws instead of reporting success.
    @discardableResult
    public func withTransaction<T>(
        _ isolation: IsolationLevel = .readCommitted, readOnly: Bool = false,
        _ body: (Connection) throws -> T
    ) throws -> T {
        let nested = savepointDepth > 0 || inTransaction
        let savepoint = "consult_savepoint_\(savepointDepth + 1)"
        if nested {
            try execute(Query(unsafeSQL: "SAVEPOINT \(savepoint)"))
        } else {
            try execute(Query(unsafeSQL: "BEGIN ISOLATION LEVEL \(isolation.rawValue)\(readOnly ? " READ ONLY" : "")"))
        }
        savepointDepth += 1
        let value: T
        do {
            value = try body(self)
        } catch {
            savepointDepth -= 1
            do {
                try execute(Query(unsafeSQL: nested ? "ROLLBACK TO SAVEPOINT \(savepoint)" : "ROLLBACK"))
                if nested { try execute(Query(unsafeSQL: "RELEASE SAVEPOINT \(savepoint)")) }
            } catch let rollbackError {
                throw PostgresTransactionError(error: error, rollbackError: rollbackError)
            }
            throw error
        }
        savepointDepth -= 1
        if nested {
            try execute(Query(unsafeSQL: "RELEASE SAVEPOINT \(savepoint)"))
        } else {
            // COMMIT of an aborted transaction "succeeds" with the tag ROLLBACK.
            let result = try execute("COMMIT")
            if result.commandTag == "ROLLBACK" {
                throw PostgresError(
                    .server,
                    message: "the transaction was rolled back: a statement in it failed and the error was caught",
                    sqlState: .inFailedSQLTransaction)
            }
        }
        return value
    }

    // MARK: - Internals shared with COPY and LISTEN

    func openHandle() throws(PostgresError) -> OpaquePointer {
        guard let handle else {
            throw PostgresError(.usage, message: "the connection is closed")
        }
        return handle
    }

    /// Turns a `PGresult` into a ``ResultSet`` or the error it reports; frees it on error.
    func check(_ result: OpaquePointer?, sql: String?) throws(PostgresError) -> ResultSet {
        let handle = try openHandle()
        guard let result else {
            throw connectionOrUsageError(handle, sql: sql)
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_COPY_IN, PGRES_COPY_OUT:
            return ResultSet(result)
        default:
            let error = serverError(result, sql: sql)
            PQclear(result)
            throw error
        }
    }

    func serverError(_ result: OpaquePointer, sql: String?) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return secrets.redact(String(cString: value))
        }
        var lost = handle.map { PQstatus($0) == CONNECTION_BAD } ?? true
        if !lost, PQresultErrorField(result, Int32(Character("C").asciiValue!)) == nil, let handle {
            // An error of libpq's own (no SQLSTATE), such as a write to a server that has just
            // gone ("server closed the connection unexpectedly"), can leave the status OK until
            // the end of the connection is read: read what is there, so that a lost connection
            // is called lost (the crash test's CLI runner met this once in many runs).
            _ = PQconsumeInput(handle)
            lost = PQstatus(handle) == CONNECTION_BAD
        }
        var message = field("M") ?? PQresultErrorMessage(result).map { secrets.redact(String(cString: $0)) } ?? ""
        // One line: libpq's own messages put their hint on a second line.
        message = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .joined(separator: " ")
        if message.isEmpty, let handle { message = secrets.redact(Self.errorMessage(handle)) }
        var error = PostgresError(
            lost ? .connection : .server, message: message, sqlState: field("C").map { SQLState($0) },
            severity: field("V") ?? field("S"), detail: field("D"), hint: field("H"), sql: sql)
        error.schema = field("s")
        error.table = field("t")
        error.column = field("c")
        error.dataType = field("d")
        error.constraint = field("n")
        return error
    }

    func connectionOrUsageError(_ handle: OpaquePointer, sql: String?) -> PostgresError {
        let lost = PQstatus(handle) == CONNECTION_BAD
        var message = secrets.redact(Self.errorMessage(handle))
        if message.isEmpty { message = lost ? "the connection to the server was lost" : "libpq returned no result" }
        return PostgresError(lost ? .connection : .usage, message: message, sql: sql)
    }

    static func errorMessage(_ handle: OpaquePointer) -> String {
        guard let text = PQerrorMessage(handle) else { return "" }
        // libpq writes a message and its hint on separate lines ("…failed: refused\n\tIs the
        // server running…"): one line reads better in an error.
        return String(cString: text).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    func redact(_ text: String) -> String { secrets.redact(text) }
}

/// libpq forbids two threads on one connection at once.
@available(*, unavailable)
extension Connection: Sendable {}

/// A transaction's isolation level (<https://www.postgresql.org/docs/current/transaction-iso.html>).
public enum IsolationLevel: String, Sendable, CaseIterable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

// MARK: - C strings

/// Calls `body` with a NULL-terminated array of C strings that lives for the call.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    var storage: [CChar] = []
    var offsets: [Int] = []
    for string in strings {
        offsets.append(storage.count)
        storage.append(contentsOf: string.utf8CString)
    }
    return storage.withUnsafeBufferPointer { buffer in
        var pointers: [UnsafePointer<CChar>?] = offsets.map { buffer.baseAddress! + $0 }
        pointers.append(nil)
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

extension Query {
    /// The parameter arrays `PQexecParams` wants, alive for the call.
    func withLibpqParameters<R>(
        _ body: (
            Int32, UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?,
            UnsafePointer<Int32>?
        ) -> R
    ) -> R {
        if binds.isEmpty { return body(0, nil, nil, nil, nil) }
        var storage: [UInt8] = []
        var offsets: [Int?] = []
        var lengths: [Int32] = []
        for value in binds {
            if let bytes = value.bytes {
                offsets.append(storage.count)
                storage.append(contentsOf: bytes)
                storage.append(0)  // text values are read up to their NUL
                lengths.append(Int32(bytes.count))
            } else {
                offsets.append(nil)
                lengths.append(0)
            }
        }
        storage.append(0)  // never empty, so the buffer has a base address
        let types = binds.map { Oid($0.type.oid) }
        let formats = binds.map { Int32($0.isBinary ? 1 : 0) }
        return storage.withUnsafeBytes { raw in
            let base = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            let values: [UnsafePointer<CChar>?] = offsets.map { $0.map { UnsafePointer(base + $0) } }
            return body(Int32(binds.count), types, values, lengths, formats)
        }
    }
}
