internal import CLibPQ
import Foundation

// COPY moves rows in bulk without a statement per row
// (<https://www.postgresql.org/docs/current/sql-copy.html>, libpq's "Functions Associated with
// the COPY Command"). COPY takes no bound parameters, so these calls refuse a Query with binds.

extension Connection {
    /// Loads rows with `COPY … FROM STDIN`: `body` writes them through a ``CopyWriter``; when it
    /// returns the copy is committed to the statement, when it throws the copy is aborted and
    /// nothing it wrote is kept.
    ///
    /// ```swift
    /// let count = try connection.copyIn("COPY items (id, name) FROM STDIN") { writer in
    ///     for item in items { try writer.writeRow([String(item.id), item.name]) }
    /// }
    /// ```
    /// - Returns: the number of rows the server stored.
    @discardableResult
    public func copyIn(_ query: Query, _ body: (inout CopyWriter) throws -> Void) throws -> Int {
        try startCopy(query, expecting: PGRES_COPY_IN)
        let handle = try openHandle()
        var writer = CopyWriter(connection: self)
        do {
            try body(&writer)
            try writer.flush()
        } catch {
            // Ends the COPY with an error: the server discards every row of it.
            _ = PQputCopyEnd(handle, "aborted by the client")
            _ = try? drainResults(sql: query.sql)
            throw error
        }
        guard PQputCopyEnd(handle, nil) == 1 else {
            throw connectionOrUsageError(handle, sql: query.sql)
        }
        return try drainResults(sql: query.sql)
    }

    /// Streams the rows of `COPY … TO STDOUT` one at a time, each as the bytes of one line in
    /// the COPY format asked for (text by default: tab-separated, `\N` for NULL, ending in a
    /// newline). The bytes are valid only during the call. If `body` throws, the server is
    /// asked to cancel and the error is rethrown.
    ///
    /// - Returns: the number of rows copied.
    @discardableResult
    public func copyOut(_ query: Query, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        try startCopy(query, expecting: PGRES_COPY_OUT)
        let handle = try openHandle()
        var failure: (any Error)?
        while true {
            var buffer: UnsafeMutablePointer<CChar>?
            let length = PQgetCopyData(handle, &buffer, 0)
            if length > 0, let buffer {
                defer { PQfreemem(buffer) }
                guard failure == nil else { continue }
                do {
                    try body(UnsafeRawBufferPointer(start: buffer, count: Int(length)))
                } catch {
                    failure = error
                    // Ask the server to stop sending; the rest still has to be read off the wire.
                    if let cancel = PQgetCancel(handle) {
                        var message = [CChar](repeating: 0, count: 256)
                        _ = PQcancel(cancel, &message, Int32(message.count))
                        PQfreeCancel(cancel)
                    }
                }
            } else if length == -1 {
                break
            } else {
                throw connectionOrUsageError(handle, sql: query.sql)
            }
        }
        if let failure {
            _ = try? drainResults(sql: query.sql)
            throw failure
        }
        return try drainResults(sql: query.sql)
    }

    private func startCopy(_ query: Query, expecting status: ExecStatusType) throws(PostgresError) {
        guard query.binds.isEmpty else {
            throw PostgresError(
                .usage, message: "COPY takes no bound parameters; filter with a view, or copy a temporary table",
                sql: query.sql)
        }
        let handle = try openHandle()
        let result = try check(PQexec(handle, query.sql), sql: query.sql)
        guard PQresultStatus(result.handle) == status else {
            throw PostgresError(.usage, message: "the statement did not start a COPY in the expected direction", sql: query.sql)
        }
    }

    /// Reads the results that end a COPY; returns the rows it reports or throws its error.
    @discardableResult
    fileprivate func drainResults(sql: String) throws(PostgresError) -> Int {
        let handle = try openHandle()
        var firstError: PostgresError?
        var rows = 0
        while let raw = PQgetResult(handle) {
            do {
                let result = try check(raw, sql: sql)
                rows = result.affectedRows
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw firstError }
        return rows
    }
}

/// Writes the rows of a `COPY … FROM STDIN`, buffered into 64 KiB messages.
///
/// `~Copyable`: it belongs to the one COPY in progress and cannot outlive the call that owns it.
public struct CopyWriter: ~Copyable {
    private let connection: Connection
    private var buffer: [UInt8] = []
    private static let flushSize = 64 * 1024

    fileprivate init(connection: Connection) {
        self.connection = connection
        buffer.reserveCapacity(Self.flushSize + 4096)
    }

    /// Writes bytes that are already in the COPY format of the statement (several rows at once,
    /// a CSV line, …).
    public mutating func write(_ bytes: some Sequence<UInt8>) throws(PostgresError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.flushSize { try flush() }
    }

    /// Writes one row in COPY's text format: fields separated by tabs, nil as `\N`, and
    /// backslash, tab, newline and carriage return escaped, so any text arrives verbatim.
    public mutating func writeRow(_ fields: [String?]) throws(PostgresError) {
        for (index, field) in fields.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: "\t")) }
            guard let field else {
                buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")])
                continue
            }
            for byte in field.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer.append(contentsOf: [92, 92])
                case UInt8(ascii: "\t"): buffer.append(contentsOf: [92, UInt8(ascii: "t")])
                case UInt8(ascii: "\n"): buffer.append(contentsOf: [92, UInt8(ascii: "n")])
                case UInt8(ascii: "\r"): buffer.append(contentsOf: [92, UInt8(ascii: "r")])
                default: buffer.append(byte)
                }
            }
        }
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= Self.flushSize { try flush() }
    }

    /// Sends what is buffered.
    public mutating func flush() throws(PostgresError) {
        guard !buffer.isEmpty else { return }
        let handle = try connection.openHandle()
        let sent = buffer.withUnsafeBytes { raw in
            PQputCopyData(handle, raw.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(raw.count))
        }
        guard sent == 1 else {
            throw connection.connectionOrUsageError(handle, sql: nil)
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Splits one line of COPY's text format into its fields, undoing the escapes: the inverse
/// of ``CopyWriter/writeRow(_:)``, for reading ``Connection/copyOut(_:_:)``.
public func parseCopyTextRow(_ line: UnsafeRawBufferPointer) -> [String?] {
    var fields: [String?] = []
    var field: [UInt8] = []
    var isNull = false
    var index = 0
    var end = line.count
    if end > 0, line[end - 1] == UInt8(ascii: "\n") { end -= 1 }
    while index < end {
        let byte = line[index]
        if byte == UInt8(ascii: "\t") {
            fields.append(isNull ? nil : String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            isNull = false
        } else if byte == UInt8(ascii: "\\"), index + 1 < end {
            index += 1
            switch line[index] {
            case UInt8(ascii: "N"): isNull = true
            case UInt8(ascii: "t"): field.append(9)
            case UInt8(ascii: "n"): field.append(10)
            case UInt8(ascii: "r"): field.append(13)
            case UInt8(ascii: "b"): field.append(8)
            case UInt8(ascii: "f"): field.append(12)
            case UInt8(ascii: "v"): field.append(11)
            case let other: field.append(other)
            }
        } else {
            field.append(byte)
        }
        index += 1
    }
    fields.append(isNull ? nil : String(decoding: field, as: UTF8.self))
    return fields
}
