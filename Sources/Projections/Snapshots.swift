import BackOffice
import EventStore
import Foundation
import Postgres

// As-of from a saved state (db/migrations/0055). An as-of report folded the tenant's whole log
// up to the instant: 10,000 events were ~170 ms of CPU, most of the report's time. Now it
// starts from a snapshot: the read models folded from a prefix of the log, positions 1 to P,
// every event of which happened (occurred_at) before `before`, the start of a month. For an
// instant in that month or later, folding the whole log up to the instant keeps every event of
// the prefix (each happened before the instant) and then folds the events after P that happened
// by the instant, in log order; starting from the snapshot folds exactly those same events after
// P onto exactly that state. The two are the same computation, so the rows are identical, not
// merely close, whatever was appended after P: a correction dated in the past (before the
// month, even inside the prefix's dates) is an event after P like any other, applied in log
// order by both. Nothing appended later can make a snapshot wrong, so none is ever invalidated
// by the log; what does invalidate one is a change of the fold (``Projector/snapshotVersion``:
// the projection's code or the event types), and a snapshot of another version is ignored.
//
// The snapshot of a month is written by the first as-of report in or after that month that
// finds none: it folds from the first event, keeps the state it had at the end of the prefix
// (the events before the first one that happened in the month or later), and writes it in its
// own short transaction through consult.projection_snapshot_write (a member has no write grant
// on the table). By recorded time (`--recorded`) the prefix condition would be another one;
// such reports fold the log.

extension Projector {
    /// The fold's version for snapshots: raise `fold` when ReadModel.apply or a row changes what
    /// it keeps; the event types and their schema versions are part of it by themselves.
    public static let snapshotVersion: String = {
        let registry = EventTypes.all.map { "\($0.typeName)@\($0.schemaVersion)" }.joined(separator: ",")
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in registry.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        // 2: PersonRow.mergedInto (db/migrations/0068).
        let fold = 2
        return "\(name)/\(fold)/\(String(hash, radix: 16))"
    }()

    /// The start of the month (UTC) that `instant` falls in.
    static func monthStart(of instant: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: calendar.dateComponents([.year, .month], from: instant))!
    }

    /// How an as-of report was answered, for tests and the bench.
    public enum AsOfSource: Equatable, Sendable {
        /// From the snapshot of the month starting then, and the events after its position.
        case snapshot(before: Date, position: Int64)
        /// From the first event; `saved` when it wrote a snapshot for the next report.
        case log(saved: Bool)
    }

    /// The read models as they stood at an instant (see ``asOf(_:recorded:)``), and how they were
    /// reached. `snapshots: false` folds from the first event and writes nothing.
    public func asOf(_ instant: Date, recorded: Bool = false, snapshots: Bool) throws -> (model: ReadModel, source: AsOfSource) {
        // By recorded time the prefix condition is another one; such reports fold the log.
        guard snapshots, !recorded else {
            let model = try connection.withTransaction(.repeatableRead, readOnly: true) { _ in
                try foldAsOf(instant, recorded: recorded, from: nil).model
            }
            return (model, .log(saved: false))
        }
        let before = Self.monthStart(of: instant)
        let result = try connection.withTransaction(.repeatableRead, readOnly: true) { _ -> (ReadModel, AsOfSource, Candidate?) in
            if let saved = try loadSnapshot(before: before) {
                let folded = try foldAsOf(instant, recorded: false, from: saved)
                return (folded.model, .snapshot(before: saved.before, position: saved.position), nil)
            }
            let folded = try foldAsOf(instant, recorded: false, from: nil, capture: before)
            return (folded.model, .log(saved: false), folded.candidate)
        }
        // Not inside a caller's transaction (which may be read-only, or roll back), nor a prefix of
        // no event. A snapshot that cannot be written costs the next report its speed, never this
        // one its answer.
        guard let candidate = result.2, candidate.position > 0, !connection.inTransaction else { return (result.0, result.1) }
        return (result.0, .log(saved: (try? saveSnapshot(candidate)) != nil))
    }

    struct Candidate {
        let before: Date
        let position: Int64
        var model: ReadModel
    }

    /// Folds the events after `start`'s position (from the first without one) that happened (or
    /// were recorded) by `instant`. With `capture` (at most `instant`), also returns the model as
    /// it stood after the longest prefix of the log whose events all happened before that date.
    func foldAsOf(_ instant: Date, recorded: Bool, from start: Candidate?, capture: Date? = nil) throws
        -> (model: ReadModel, candidate: Candidate?)
    {
        var model = start?.model ?? ReadModel()
        var position = start?.position ?? 0
        var candidate: Candidate?
        var prefix = capture != nil
        func upTo(_ event: RecordedEvent) -> Bool { (recorded ? event.metadata.recordedAt : event.metadata.occurredAt) <= instant }
        while true {
            let page = try store.read(after: position, limit: 5000)
            guard let last = page.last else { break }
            if let capture {
                var run: [RecordedEvent] = []
                run.reserveCapacity(page.count)
                for event in page {
                    if prefix, event.metadata.occurredAt >= capture {
                        // The prefix ends before this event: every earlier one happened before
                        // the month (and so by the instant, which is later still).
                        try fold(run, into: &model)
                        run.removeAll(keepingCapacity: true)
                        candidate = Candidate(before: capture, position: position, model: model)
                        prefix = false
                    }
                    if upTo(event) { run.append(event) }
                    position = event.position
                }
                try fold(run, into: &model)
            } else {
                try fold(page.filter(upTo), into: &model)
            }
            position = last.position
        }
        if prefix, let capture {
            // Every event happened before the month: the whole log is the prefix.
            candidate = Candidate(before: capture, position: position, model: model)
        }
        model.dirty = ReadModel.Dirty()
        candidate?.model.dirty = ReadModel.Dirty()
        return (model, candidate)
    }

    /// The snapshot for the month starting at `before`, of this fold's version.
    func loadSnapshot(before: Date) throws -> Candidate? {
        let rows = try connection.execute(
            Query(
                unsafeSQL: """
                    SELECT position, state FROM consult.projection_snapshots
                     WHERE tenant_id = $1 AND projection = $2 AND version = $3 AND before = $4
                    """,
                binds: [tenant.rawValue.postgresValue, .text(Self.name), .text(Self.snapshotVersion), before.postgresValue]))
        guard let row = rows.first else { return nil }
        let state = Data(try row.decode(RawText.self, at: 1).bytes)
        return Candidate(
            before: before, position: try row.decode(Int64.self, at: 0), model: try BodyDecoder.decode(ReadModel.self, from: state))
    }

    func saveSnapshot(_ candidate: Candidate) throws {
        let state = try JSONEncoder().encode(candidate.model)
        try connection.withTransaction { _ in
            try connection.execute(
                Query(
                    unsafeSQL: "SELECT consult.projection_snapshot_write($1, $2, $3, $4, $5, $6::jsonb)",
                    binds: [
                        tenant.rawValue.postgresValue, .text(Self.name), .text(Self.snapshotVersion), candidate.before.postgresValue,
                        candidate.position.postgresValue, .jsonb(state),
                    ]))
        }
    }
}

// MARK: - The saved state

extension ReadModel: Codable {
    private enum CodingKeys: String, CodingKey {
        case pipeline, stages, engagements, objectives, referrals, handovers, people, organisations, quarantine
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        pipeline = try c.decode([UUID: PipelineRow].self, forKey: .pipeline)
        stages = try c.decode([StageRow.Key: StageRow].self, forKey: .stages)
        engagements = try c.decode([UUID: EngagementRow].self, forKey: .engagements)
        objectives = try c.decode([UUID: ObjectiveRow].self, forKey: .objectives)
        referrals = try c.decode([UUID: ReferralRow].self, forKey: .referrals)
        handovers = try c.decode([UUID: HandoverRow].self, forKey: .handovers)
        people = try c.decode([UUID: PersonRow].self, forKey: .people)
        organisations = try c.decode([UUID: OrganisationRow].self, forKey: .organisations)
        quarantine = try c.decode([Int64: QuarantineRow].self, forKey: .quarantine)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(pipeline, forKey: .pipeline)
        try c.encode(stages, forKey: .stages)
        try c.encode(engagements, forKey: .engagements)
        try c.encode(objectives, forKey: .objectives)
        try c.encode(referrals, forKey: .referrals)
        try c.encode(handovers, forKey: .handovers)
        try c.encode(people, forKey: .people)
        try c.encode(organisations, forKey: .organisations)
        try c.encode(quarantine, forKey: .quarantine)
    }
}
