import EventStore
import Foundation

extension Projector {
    // MARK: - Reading

    /// The read models as the tables hold them now.
    public func readModel() throws -> ReadModel {
        try connection.withTransaction(.repeatableRead, readOnly: true) { _ in try loadAll() }
    }

    /// The events the projector left out because this version cannot decode them, in log order.
    public func quarantined() throws -> [QuarantineRow] {
        try select(QuarantineRow.self).values.sorted { $0.position < $1.position }
    }

    /// The read models as they stood at an instant, folded from the log in memory: by when
    /// things happened (`occurred_at`), or, with `recorded`, by what the log held then.
    public func asOf(_ instant: Date, recorded: Bool = false) throws -> ReadModel {
        var model = ReadModel()
        try connection.withTransaction(.repeatableRead, readOnly: true) { _ in
            var position: Int64 = 0
            while true {
                let page = try store.read(after: position, limit: 5000)
                guard let last = page.last else { break }
                try fold(page.filter { (recorded ? $0.metadata.recordedAt : $0.metadata.occurredAt) <= instant }, into: &model)
                position = last.position
            }
        }
        model.dirty = ReadModel.Dirty()
        return model
    }
}
