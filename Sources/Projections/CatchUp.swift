import EventStore
import Foundation

extension Projector {
    // MARK: - Catch-up

    /// Applies the events after the checkpoint, `batchSize` at a time (up to position
    /// `through`, when given); returns how many.
    /// `beforeCheckpoint` runs inside each batch's transaction after its rows were written and
    /// before the checkpoint moves: the point tests kill a catch-up at.
    @discardableResult
    public func catchUp(batchSize: Int = 1000, through limit: Int64? = nil, beforeCheckpoint: () -> Void = {}) throws -> Int {
        var applied = 0
        while true {
            // Everything is read before the checkpoint is locked, and the lock must find the
            // checkpoint where the reads found it (else another runner moved it: read again).
            // The order matters on Citus: the checkpoint, rows and moves are written as the owner
            // (SECURITY DEFINER functions), the log and rows read as the member, and Citus refuses
            // a read by one role of a tenant's shards another role wrote earlier in the same
            // transaction (SQLSTATE 25001, issue 20). On one PostgreSQL it is the same work.
            let count = try connection.withTransaction { _ -> Int? in
                let checkpoint = try currentCheckpoint()
                let events = try store.read(after: checkpoint, limit: batchSize).filter { $0.position <= limit ?? .max }
                // Nothing new: no lock, so a report's catch-up ends in a read-only commit (the
                // lock is a row lock, which the commit would have to flush to the WAL).
                guard let last = events.last else { return 0 }
                var model = try loadAffected(by: events)
                guard try lockCheckpoint() == checkpoint else { return nil }
                model.dirty = ReadModel.Dirty()
                try fold(events, into: &model)
                try writeChanged(model)
                beforeCheckpoint()
                try moveCheckpoint(from: checkpoint, to: last.position)
                return events.count
            }
            guard let count else { continue }
            applied += count
            if count < batchSize { return applied }
        }
    }
}
