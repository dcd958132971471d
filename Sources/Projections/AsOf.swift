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

    /// The read models as they stood at an instant: by when things happened (`occurred_at`),
    /// or, with `recorded`, by what the log held then. Folded from the month's snapshot and the
    /// events since when there is a usable one (Snapshots.swift), from the first event otherwise:
    /// the same rows either way.
    public func asOf(_ instant: Date, recorded: Bool = false) throws -> ReadModel {
        try asOf(instant, recorded: recorded, snapshots: true).model
    }
}
