import BackOffice
import EventStore
import Foundation
import Postgres

extension Projector {
    // MARK: - Rebuild

    public struct RebuildReport: Sendable {
        public let events: Int
        public let position: Int64
        public let rows: Int
        /// The rows written: `rows`, or 0 when the fresh rows equal the live ones.
        public let written: Int
        public let seconds: Double
        /// The events left out because this version cannot decode them (now in the quarantine).
        public let quarantined: [QuarantineRow]
    }

    /// The points a rebuild passes, for progress and for tests that kill it there.
    public enum RebuildPoint: String, Sendable {
        /// Inside the snapshot, after the first page of events was folded.
        case snapshot
        /// Inside the swap transaction, after the live rows were deleted.
        case deleted
        /// Inside the swap transaction, after the fresh rows were written, before the commit.
        case inserted
    }

    /// Folds the whole log, read in one consistent snapshot, into fresh rows; then, in one short
    /// transaction, applies what was appended since, keeps the live rows as the previous
    /// version (for ``rollback()``), and puts the fresh ones in their place. Readers see the old
    /// rows until that transaction commits, and the new ones after: never a half-built model.
    /// The quarantine is rebuilt with the rest: an event this version can now decode (an
    /// upcaster added, say) is applied and its entry is gone; one it still cannot stays.
    ///
    /// The live rows are read in the same snapshot as the log. When the fresh rows equal them
    /// and the checkpoint has not moved since (its position and the time it last moved), the
    /// swap writes no row: the live rows stay, kept as the previous version by marking them
    /// (db/migrations/0065), and only the checkpoint moves if late events changed nothing.
    @discardableResult
    public func rebuild(progress: (Int) -> Void = { _ in }, at point: (RebuildPoint) -> Void = { _ in }) throws -> RebuildReport {
        let started = Date()
        var model = ReadModel()
        var live = ReadModel()
        var found: CheckpointState?
        var cut: Int64 = 0
        var events = 0
        try connection.withTransaction(.repeatableRead, readOnly: true) { _ in
            found = try checkpointState()
            live = try loadAll()
            while true {
                let page = try foldPage(after: cut, limit: 5000, into: &model)
                events += page.count
                progress(events)
                if events == page.count { point(.snapshot) }
                guard let last = page.last else { break }
                cut = last
                if page.count < 5000 { break }
            }
        }
        let result = try connection.withTransaction { _ -> (position: Int64, rows: Int, written: Int) in
            // The late events are read before the checkpoint is locked: appends do not take that
            // lock, so the order changes nothing here, and on Citus a member may not read the
            // tenant's shards after the owner's functions wrote them in the same transaction
            // (SQLSTATE 25001, issue 20).
            var position = cut
            while true {
                let late = try foldPage(after: position, limit: 5000, into: &model)
                events += late.count
                guard let last = late.last else { break }
                position = last
            }
            // Read before the lock for the same reason; the lock then finds the checkpoint where
            // this read found it, or the comparison below does not count.
            let unmoved = try checkpointState() == found
            let checkpoint = try lockCheckpoint()
            if unmoved, checkpoint == found?.position ?? 0, model.sameRows(as: live) {
                // The live rows are the fold's: nothing to write. They stay, kept as they are.
                try keepPrevious(position: checkpoint)
                if position != checkpoint { try moveCheckpoint(from: checkpoint, to: position) }
                let rows = model.rowCount
                try recordRun(
                    kind: "rebuild", started: started, events: events, position: position, drift: false,
                    report: ["rows": rows, "written": 0])
                return (position, rows, 0)
            }
            try keepPrevious(position: checkpoint)
            try deleteLive()
            point(.deleted)
            let rows = try insertAll(model)
            point(.inserted)
            try moveCheckpoint(from: checkpoint, to: position)
            try recordRun(
                kind: "rebuild", started: started, events: events, position: position, drift: false,
                report: ["rows": rows, "written": rows])
            return (position, rows, rows)
        }
        return RebuildReport(
            events: events, position: result.position, rows: result.rows, written: result.written,
            seconds: Date().timeIntervalSince(started), quarantined: model.quarantine.values.sorted { $0.position < $1.position })
    }

    /// Reads up to `limit` events after `position` and folds them into `model`, as ``fold(_:into:)``
    /// does (upcast, decode, quarantine what does not decode, apply at `occurred_at`); returns how
    /// many and the last position. It reads only the columns a fold uses: the rest of the
    /// envelope (the metadata document, the ids, the recorded time) was a third of the server's
    /// time of reading the log for a rebuild (jsonb and uuid output), and parsing it a tenth of
    /// the client's.
    func foldPage(after position: Int64, limit: Int, into model: inout ReadModel) throws -> (count: Int, last: Int64?) {
        let rows = try connection.execute(
            prepared: """
                SELECT position, stream, type, schema_version, data, occurred_at FROM consult.events
                 WHERE tenant_id = \(tenant.rawValue) AND position > \(position)
                 ORDER BY position LIMIT \(limit)
                """)
        var last: Int64?
        for row in rows {
            let position = try row.decode(Int64.self, at: 0)
            let stream = try row.decode(String.self, at: 1)
            let type = try row.decode(String.self, at: 2)
            let storedVersion = try row.decode(Int.self, at: 3)
            let (data, _) = try store.upcasters.upcast(
                type: type, version: storedVersion, data: Data(try row.decode(RawText.self, at: 4).bytes))
            let occurredAt = try row.decode(Date.self, at: 5)
            last = position
            let event: any DomainEvent
            do {
                event = try EventTypes.decode(type: type, data: data)
            } catch {
                let reason = EventDecodingError(tenant: tenant, position: position, stream: stream, type: type, underlying: error).reason
                model.quarantine(QuarantineRow(position: position, stream: stream, type: type, schemaVersion: storedVersion, error: reason))
                continue
            }
            model.apply(event, stream: stream, at: occurredAt)
        }
        return (rows.count, last)
    }

    // MARK: - Rollback

    /// Puts back the rows the last rebuild replaced, and their checkpoint; catch-up then
    /// re-applies what came after. Returns false when there is no previous version.
    public func rollback() throws -> Bool {
        try connection.withTransaction { _ in
            let checkpoint = try lockCheckpoint()
            let restored = try connection.execute("SELECT consult.projection_rollback(\(tenant.rawValue), \(Self.name))")[0]
            guard let position = try restored.decode(Int64?.self, at: 0) else { return false }
            try recordRun(kind: "rollback", started: Date(), events: 0, position: position, drift: false, report: ["from": checkpoint])
            return true
        }
    }
}

extension ReadModel {
    /// The rows of every table, the quarantine's included (what a rebuild writes).
    var rowCount: Int {
        pipeline.count + stages.count + engagements.count + objectives.count + referrals.count + handovers.count + people.count
            + organisations.count + quarantine.count
    }
}
