import Foundation
import Postgres

extension EventStore {
    /// What a follower's handler wants next.
    public enum FollowAction: Sendable {
        case `continue`
        case stop
    }

    /// Hands the tenant's events after `checkpoint` to `handle`, batch by batch, and then waits
    /// for more, until `handle` says stop or `deadline` passes. Returns the last position
    /// handled (the checkpoint to resume from).
    ///
    /// Re-reading from the checkpoint is the truth; a notification only wakes the follower
    /// early. The follower registers a heartbeat (so appends notify it) and LISTENs on the
    /// tenant's channel on this connection, and polls every `pollInterval` anyway, since a
    /// notification sent while it was busy, or while nobody listened, is gone.
    ///
    /// - Parameter name: identifies this follower in `consult.followers` (one row per name).
    @discardableResult
    public func follow(
        from checkpoint: Int64, name: String, batchSize: Int = 1000, pollInterval: Duration = .seconds(1),
        until deadline: ContinuousClock.Instant? = nil,
        _ handle: ([RecordedEvent]) throws -> FollowAction
    ) throws -> Int64 {
        var checkpoint = checkpoint
        var lastHeartbeat = ContinuousClock.now - .seconds(3600)
        while true {
            if ContinuousClock.now - lastHeartbeat > .seconds(10) {
                let channel = try heartbeat(name: name)
                if lastHeartbeat < ContinuousClock.now - .seconds(1800) { try connection.listen(channel) }
                lastHeartbeat = .now
            }
            let batch = try read(after: checkpoint, limit: batchSize)
            if !batch.isEmpty {
                let action = try handle(batch)
                checkpoint = batch[batch.count - 1].position
                if action == .stop { return checkpoint }
                if batch.count == batchSize { continue }
            }
            if let deadline, ContinuousClock.now >= deadline { return checkpoint }
            var wait = pollInterval
            if let deadline { wait = min(wait, deadline - ContinuousClock.now) }
            if wait > .zero {
                // Drain every notification that arrived: one read answers them all.
                while try connection.waitForNotification(timeout: wait) != nil { wait = .zero }
            }
        }
    }

    /// Registers or refreshes this follower; returns the channel to LISTEN on.
    func heartbeat(name: String) throws(EventStoreError) -> String {
        do {
            return try connection.execute("SELECT consult.follower_heartbeat(\(tenant?.rawValue), \(name))")[0]
                .decode(String.self, at: 0)
        } catch {
            throw EventStoreError(error)
        }
    }
}
