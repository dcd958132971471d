internal import CLibPQ
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A message sent with `NOTIFY channel, 'payload'` or `pg_notify(channel, payload)`
/// (<https://www.postgresql.org/docs/current/sql-notify.html>).
public struct Notification: Sendable, Hashable {
    public let channel: String
    public let payload: String
    /// The server process of the session that sent it.
    public let senderPID: Int32
}

extension Connection {
    /// Starts listening on a channel. Notifications are delivered between transactions, and a
    /// notification sent while nobody listened is gone: treat one as a wake-up, never as data.
    public func listen(_ channel: String) throws(PostgresError) {
        try execute(Query(unsafeSQL: "LISTEN \(escapeIdentifier(channel))"))
    }

    /// Stops listening on a channel.
    public func unlisten(_ channel: String) throws(PostgresError) {
        try execute(Query(unsafeSQL: "UNLISTEN \(escapeIdentifier(channel))"))
    }

    /// Sends a notification (delivered when the current transaction, if any, commits).
    public func notify(_ channel: String, payload: String = "") throws(PostgresError) {
        try execute("SELECT pg_notify(\(channel), \(payload))")
    }

    /// Waits for the next notification on any channel this connection listens on.
    ///
    /// Returns at once when one has already arrived, nil when `timeout` passes first. Waiting is
    /// `poll(2)` on the connection's socket: no thread spins.
    ///
    /// - Throws: ``PostgresError`` of kind ``PostgresError/Kind/connection`` when the
    ///   connection is lost while waiting.
    public func waitForNotification(timeout: Duration) throws(PostgresError) -> Notification? {
        let handle = try openHandle()
        let deadline = ContinuousClock.now + timeout
        while true {
            guard PQconsumeInput(handle) == 1 else {
                throw connectionOrUsageError(handle, sql: nil)
            }
            if let raw = PQnotifies(handle) {
                defer { PQfreemem(raw) }
                return Notification(
                    channel: String(cString: raw.pointee.relname), payload: String(cString: raw.pointee.extra),
                    senderPID: raw.pointee.be_pid)
            }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return nil }
            let (seconds, attoseconds) = left.components
            let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready < 0, errno != EINTR {
                throw PostgresError(.connection, message: "waiting on the connection's socket failed: \(String(cString: strerror(errno)))")
            }
        }
    }
}
