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
            let count = try connection.withTransaction { _ -> Int in
                let checkpoint = try lockCheckpoint()
                let events = try store.read(after: checkpoint, limit: batchSize).filter { $0.position <= limit ?? .max }
                guard let last = events.last else { return 0 }
                var model = try loadAffected(by: events)
                model.dirty = ReadModel.Dirty()
                try fold(events, into: &model)
                try writeChanged(model)
                beforeCheckpoint()
                try moveCheckpoint(from: checkpoint, to: last.position)
                return events.count
            }
            applied += count
            if count < batchSize { return applied }
        }
    }
}
