import BackOffice
import EventStore
import Foundation
import Postgres

/// Keeps one tenant's read models in step with its log: catch-up, rebuild, verify, rollback.
///
/// Every change to the read models happens in one transaction together with the checkpoint,
/// and the checkpoint row is locked first (`FOR UPDATE`): two runners for the same tenant take
/// turns, a crash or SIGKILL leaves rows and checkpoint as they were, and no event is applied
/// twice or skipped (positions commit in order within a tenant; see consult.append).
public final class Projector {
    public static let name = "backoffice"

    public let connection: Connection
    public let tenant: TenantID
    let store: EventStore

    public init(connection: Connection, tenant: TenantID) {
        self.connection = connection
        self.tenant = tenant
        store = EventStore(connection: connection, tenant: tenant)
    }

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
                try write(model, only: model.dirty)
                beforeCheckpoint()
                try moveCheckpoint(from: checkpoint, to: last.position)
                return events.count
            }
            applied += count
            if count < batchSize { return applied }
        }
    }

    // MARK: - Rebuild

    public struct RebuildReport: Sendable {
        public let events: Int
        public let position: Int64
        public let rows: Int
        public let seconds: Double
    }

    /// Folds the whole log, read in one consistent snapshot, into fresh rows; then, in one short
    /// transaction, applies what was appended since, keeps the live rows as the previous
    /// version (for ``rollback()``), and puts the fresh ones in their place. Readers see the old
    /// rows until that transaction commits, and the new ones after: never a half-built model.
    /// The points a rebuild passes, for progress and for tests that kill it there.
    public enum RebuildPoint: String, Sendable {
        /// Inside the snapshot, after the first page of events was folded.
        case snapshot
        /// Inside the swap transaction, after the live rows were deleted.
        case deleted
        /// Inside the swap transaction, after the fresh rows were written, before the commit.
        case inserted
    }

    @discardableResult
    public func rebuild(progress: (Int) -> Void = { _ in }, at point: (RebuildPoint) -> Void = { _ in }) throws -> RebuildReport {
        let started = Date()
        var model = ReadModel()
        var cut: Int64 = 0
        var events = 0
        try connection.withTransaction(.repeatableRead, readOnly: true) { _ in
            while true {
                let page = try store.read(after: cut, limit: 5000)
                try fold(page, into: &model)
                events += page.count
                progress(events)
                if events == page.count { point(.snapshot) }
                guard let last = page.last else { break }
                cut = last.position
                if page.count < 5000 { break }
            }
        }
        let result = try connection.withTransaction { _ -> (Int64, Int) in
            let checkpoint = try lockCheckpoint()
            var position = cut
            while true {
                let late = try store.read(after: position, limit: 5000)
                try fold(late, into: &model)
                events += late.count
                guard let last = late.last else { break }
                position = last.position
            }
            try keepPrevious(position: checkpoint)
            try deleteLive()
            point(.deleted)
            let rows = try insertAll(model)
            point(.inserted)
            try moveCheckpoint(from: checkpoint, to: position)
            try recordRun(kind: "rebuild", started: started, events: events, position: position, drift: false, report: ["rows": rows])
            return (position, rows)
        }
        return RebuildReport(events: events, position: result.0, rows: result.1, seconds: Date().timeIntervalSince(started))
    }

    // MARK: - Verify

    public struct TableComparison: Sendable, Codable, Equatable {
        public let table: String
        public let liveRows: Int
        public let freshRows: Int
        public let liveHash: String
        public let freshHash: String
        /// The keys of rows that differ: only live, only fresh, or changed.
        public var onlyLive: [String] = []
        public var onlyFresh: [String] = []
        public var changed: [String] = []
        public var drift: Bool { liveHash != freshHash || liveRows != freshRows }
    }

    public struct VerifyReport: Sendable {
        public let position: Int64
        public let events: Int
        public let tables: [TableComparison]
        public var drift: Bool { tables.contains(where: \.drift) }
    }

    /// Folds the log up to the checkpoint afresh and compares it with the live rows, both read
    /// in one snapshot: row counts and an order-independent hash per table, then the rows that
    /// differ. Changes nothing but the record of the run.
    public func verify() throws -> VerifyReport {
        let started = Date()
        var fresh = ReadModel()
        var live = ReadModel()
        var checkpoint: Int64 = 0
        var events = 0
        try connection.withTransaction(.repeatableRead, readOnly: true) { _ in
            checkpoint = try currentCheckpoint()
            var position: Int64 = 0
            while position < checkpoint {
                let page = try store.read(after: position, limit: 5000).filter { $0.position <= checkpoint }
                guard let last = page.last else { break }
                try fold(page, into: &fresh)
                events += page.count
                position = last.position
            }
            live = try loadAll()
        }
        let tables = [
            compare(PipelineRow.self, live.pipeline, fresh.pipeline), compare(StageRow.self, live.stages, fresh.stages),
            compare(EngagementRow.self, live.engagements, fresh.engagements), compare(ObjectiveRow.self, live.objectives, fresh.objectives),
            compare(ReferralRow.self, live.referrals, fresh.referrals), compare(HandoverRow.self, live.handovers, fresh.handovers),
            compare(PersonRow.self, live.people, fresh.people),
            compare(OrganisationRow.self, live.organisations, fresh.organisations),
        ]
        let report = VerifyReport(position: checkpoint, events: events, tables: tables)
        try connection.withTransaction { _ in
            let drifted = tables.filter(\.drift).map(\.table)
            try recordRun(
                kind: "verify", started: started, events: events, position: checkpoint, drift: report.drift, report: ["drifted": drifted])
        }
        return report
    }

    // MARK: - Reading

    /// The read models as the tables hold them now.
    public func readModel() throws -> ReadModel {
        try connection.withTransaction(.repeatableRead, readOnly: true) { _ in try loadAll() }
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

    // MARK: - Rollback

    /// Puts back the rows the last rebuild replaced, and their checkpoint; catch-up then
    /// re-applies what came after. Returns false when there is no previous version.
    public func rollback() throws -> Bool {
        try connection.withTransaction { _ in
            let checkpoint = try lockCheckpoint()
            let previous = try connection.execute(
                "SELECT position FROM consult.projection_previous WHERE tenant_id = \(tenant.rawValue) AND projection = \(Self.name)")
            guard let row = previous.first else { return false }
            let position = try row.decode(Int64.self, at: 0)
            try connection.execute(
                "CREATE TEMP TABLE rollback_rows ON COMMIT DROP AS SELECT * FROM consult.projection_previous_rows WHERE tenant_id = \(tenant.rawValue)"
            )
            try keepPrevious(position: checkpoint)
            try deleteLive()
            for table in Self.tables {
                try connection.execute(
                    """
                    INSERT INTO consult.\(identifier: table)
                    SELECT (jsonb_populate_record(NULL::consult.\(identifier: table), r.row)).*
                      FROM rollback_rows r WHERE r.table_name = \(table)
                    """)
            }
            try connection.execute(
                """
                UPDATE consult.projection_checkpoints SET position = \(position), updated_at = now()
                 WHERE tenant_id = \(tenant.rawValue) AND projection = \(Self.name)
                """)
            try recordRun(kind: "rollback", started: Date(), events: 0, position: position, drift: false, report: ["from": checkpoint])
            return true
        }
    }

    // MARK: - Checkpoint

    /// The checkpoint row, created at 0 when missing, locked until the transaction ends.
    func lockCheckpoint() throws -> Int64 {
        try connection.execute(
            """
            INSERT INTO consult.projection_checkpoints (tenant_id, projection) VALUES (\(tenant.rawValue), \(Self.name))
            ON CONFLICT (tenant_id, projection) DO NOTHING
            """)
        return try connection.execute(
            """
            SELECT position FROM consult.projection_checkpoints
             WHERE tenant_id = \(tenant.rawValue) AND projection = \(Self.name) FOR UPDATE
            """
        )[0].decode(Int64.self, at: 0)
    }

    func currentCheckpoint() throws -> Int64 {
        try connection.execute(
            "SELECT position FROM consult.projection_checkpoints WHERE tenant_id = \(tenant.rawValue) AND projection = \(Self.name)"
        ).first?.decode(Int64.self, at: 0) ?? 0
    }

    /// Compare-and-set: moves the checkpoint only from where this runner found it.
    func moveCheckpoint(from old: Int64, to new: Int64) throws {
        let moved = try connection.execute(
            """
            UPDATE consult.projection_checkpoints SET position = \(new), updated_at = now()
             WHERE tenant_id = \(tenant.rawValue) AND projection = \(Self.name) AND position = \(old)
            """)
        guard moved.affectedRows == 1 else {
            throw PostgresError(.usage, message: "the checkpoint moved under this runner (expected \(old)); nothing was applied")
        }
    }

    // MARK: - Folding

    func fold(_ events: [RecordedEvent], into model: inout ReadModel) throws {
        for recorded in events {
            let event = try recorded.domainEvent()
            model.apply(event, stream: recorded.stream, at: recorded.metadata.occurredAt)
        }
    }

    // MARK: - Reading rows

    /// The read-model tables, in the order they are written.
    public static let tables = [
        "pipeline", "stage_history", "engagement_status", "objective_progress", "referrals", "handovers", "people", "organisations",
    ]

    private func select<R: ProjectedRow>(_ type: R.Type, where column: String? = nil, in ids: [UUID] = []) throws -> [R.Key: R] {
        var sql = "SELECT \(R.columns.joined(separator: ", ")) FROM consult.\(R.table) WHERE tenant_id = $1"
        var binds = [tenant.rawValue.postgresValue]
        if let column {
            sql += " AND \(column) = ANY($2)"
            binds.append(.array(ids))
        }
        var rows: [R.Key: R] = [:]
        for row in try connection.execute(Query(unsafeSQL: sql, binds: binds)) {
            let value = try R(row: row)
            rows[value.key] = value
        }
        return rows
    }

    /// The rows a batch of events can change: those of its leads, engagements and people.
    func loadAffected(by events: [RecordedEvent]) throws -> ReadModel {
        var leads = Set<UUID>()
        var engagements = Set<UUID>()
        var people = Set<UUID>()
        var organisations = Set<UUID>()
        for event in events {
            guard let id = ReadModel.id(of: event.stream) else { continue }
            if event.stream.hasPrefix("lead-") { leads.insert(id) }
            if event.stream.hasPrefix("engagement-") { engagements.insert(id) }
            if event.stream.hasPrefix("person-") { people.insert(id) }
            if event.stream.hasPrefix("organisation-") { organisations.insert(id) }
        }
        var model = ReadModel()
        if !leads.isEmpty {
            model.pipeline = try select(PipelineRow.self, where: "lead_id", in: Array(leads))
            model.stages = try select(StageRow.self, where: "lead_id", in: Array(leads))
            model.referrals = try select(ReferralRow.self, where: "lead_id", in: Array(leads))
        }
        if !engagements.isEmpty {
            model.engagements = try select(EngagementRow.self, where: "engagement_id", in: Array(engagements))
            model.objectives = try select(ObjectiveRow.self, where: "engagement_id", in: Array(engagements))
            model.handovers = try select(HandoverRow.self, where: "engagement_id", in: Array(engagements))
        }
        if !people.isEmpty {
            model.people = try select(PersonRow.self, where: "person_id", in: Array(people))
        }
        if !organisations.isEmpty {
            model.organisations = try select(OrganisationRow.self, where: "organisation_id", in: Array(organisations))
        }
        return model
    }

    func loadAll() throws -> ReadModel {
        var model = ReadModel()
        model.pipeline = try select(PipelineRow.self)
        model.stages = try select(StageRow.self)
        model.engagements = try select(EngagementRow.self)
        model.objectives = try select(ObjectiveRow.self)
        model.referrals = try select(ReferralRow.self)
        model.handovers = try select(HandoverRow.self)
        model.people = try select(PersonRow.self)
        model.organisations = try select(OrganisationRow.self)
        return model
    }

    // MARK: - Writing rows

    private func upsert<R: ProjectedRow>(_ rows: some Sequence<R>) throws {
        let columns = ["tenant_id"] + R.columns
        let keys = columns.prefix(1 + R.keyColumns).joined(separator: ", ")
        let updates = R.columns.dropFirst(R.keyColumns).map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
        let placeholders = (1...columns.count).map { "$\($0)" }.joined(separator: ", ")
        let sql = """
            INSERT INTO consult.\(R.table) (\(columns.joined(separator: ", "))) VALUES (\(placeholders))
            ON CONFLICT (\(keys)) DO UPDATE SET \(updates)
            """
        for row in rows {
            try connection.execute(Query(unsafeSQL: sql, binds: [tenant.rawValue.postgresValue] + row.values))
        }
    }

    func write(_ model: ReadModel, only dirty: ReadModel.Dirty) throws {
        try upsert(dirty.pipeline.compactMap { model.pipeline[$0] })
        try upsert(dirty.stages.compactMap { model.stages[$0] })
        try upsert(dirty.engagements.compactMap { model.engagements[$0] })
        try upsert(dirty.objectives.compactMap { model.objectives[$0] })
        try upsert(dirty.referrals.compactMap { model.referrals[$0] })
        try upsert(dirty.handovers.compactMap { model.handovers[$0] })
        try upsert(dirty.people.compactMap { model.people[$0] })
        try upsert(dirty.organisations.compactMap { model.organisations[$0] })
    }

    /// Writes every row of a fresh model with COPY, through a temporary table (COPY FROM
    /// refuses tables under row-level security).
    private func copy<R: ProjectedRow>(_ rows: some Collection<R>) throws -> Int {
        guard !rows.isEmpty else { return 0 }
        let temporary = "load_\(R.table)"
        try connection.execute(
            Query(unsafeSQL: "CREATE TEMP TABLE \(temporary) (LIKE consult.\(R.table) INCLUDING DEFAULTS) ON COMMIT DROP"))
        let tenantText = String(tenant.rawValue)
        try connection.copyIn(Query(unsafeSQL: "COPY \(temporary) (tenant_id, \(R.columns.joined(separator: ", "))) FROM STDIN")) {
            writer in
            for row in rows { try writer.writeRow([tenantText] + row.copyFields) }
        }
        try connection.execute(Query(unsafeSQL: "INSERT INTO consult.\(R.table) SELECT * FROM \(temporary)"))
        return rows.count
    }

    func insertAll(_ model: ReadModel) throws -> Int {
        try copy(model.pipeline.values) + copy(model.stages.values) + copy(model.engagements.values) + copy(model.objectives.values)
            + copy(model.referrals.values) + copy(model.handovers.values) + copy(model.people.values) + copy(model.organisations.values)
    }

    func deleteLive() throws {
        for table in Self.tables {
            try connection.execute("DELETE FROM consult.\(identifier: table) WHERE tenant_id = \(tenant.rawValue)")
        }
    }

    /// Saves the live rows, and the checkpoint they stand at, as the previous version.
    func keepPrevious(position: Int64) throws {
        try connection.execute("DELETE FROM consult.projection_previous_rows WHERE tenant_id = \(tenant.rawValue)")
        for table in Self.tables {
            try connection.execute(
                """
                INSERT INTO consult.projection_previous_rows (tenant_id, table_name, row)
                SELECT t.tenant_id, \(table), to_jsonb(t) FROM consult.\(identifier: table) t WHERE t.tenant_id = \(tenant.rawValue)
                """)
        }
        try connection.execute(
            """
            INSERT INTO consult.projection_previous (tenant_id, projection, position) VALUES (\(tenant.rawValue), \(Self.name), \(position))
            ON CONFLICT (tenant_id, projection) DO UPDATE SET position = EXCLUDED.position, kept_at = now()
            """)
    }

    func recordRun(kind: String, started: Date, events: Int, position: Int64, drift: Bool, report: [String: any Sendable]) throws {
        let json = try JSONSerialization.data(withJSONObject: report.mapValues { $0 as Any }, options: [.sortedKeys])
        try connection.execute(
            """
            INSERT INTO consult.projection_runs (tenant_id, projection, kind, started_at, events, position, drift, report)
            VALUES (\(tenant.rawValue), \(Self.name), \(kind), \(started), \(events), \(position), \(drift), \(PostgresValue.jsonb(json)))
            """)
    }

    // MARK: - Comparing

    private func compare<R: ProjectedRow>(_ type: R.Type, _ live: [R.Key: R], _ fresh: [R.Key: R]) -> TableComparison {
        var comparison = TableComparison(
            table: R.table, liveRows: live.count, freshRows: fresh.count, liveHash: Self.hash(live.values),
            freshHash: Self.hash(fresh.values))
        guard comparison.drift else { return comparison }
        func describe(_ row: R) -> String { row.copyFields.prefix(R.keyColumns).map { $0 ?? "NULL" }.joined(separator: "/") }
        comparison.onlyLive = live.filter { fresh[$0.key] == nil }.map { describe($0.value) }.sorted()
        comparison.onlyFresh = fresh.filter { live[$0.key] == nil }.map { describe($0.value) }.sorted()
        comparison.changed = live.compactMap { key, row -> String? in
            guard let other = fresh[key], other != row else { return nil }
            let columns = zip(R.columns, zip(row.copyFields, other.copyFields)).filter { $0.1.0 != $0.1.1 }
                .map { "\($0.0): \($0.1.0 ?? "NULL") (live) vs \($0.1.1 ?? "NULL") (log)" }
            return describe(row) + " " + columns.joined(separator: ", ")
        }.sorted()
        return comparison
    }

    /// An order-independent hash of rows: the wrapping sum of each row's FNV-1a hash.
    static func hash<R: ProjectedRow>(_ rows: some Sequence<R>) -> String {
        var sum: UInt64 = 0
        for row in rows {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for field in row.copyFields {
                for byte in (field ?? "\u{0}NULL").utf8 {
                    hash ^= UInt64(byte)
                    hash = hash &* 0x0000_0100_0000_01b3
                }
                hash ^= 0x1f
                hash = hash &* 0x0000_0100_0000_01b3
            }
            sum = sum &+ hash
        }
        return String(format: "%016llx", sum)
    }
}
