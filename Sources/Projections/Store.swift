import BackOffice
import EventStore
import Foundation
import Postgres

// The SQL store of the read models: the checkpoint, reading and writing rows (one by one for a
// catch-up, by COPY for a rebuild), the previous version a rebuild keeps, and the record of runs.

extension Projector {
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

    // MARK: - Reading rows

    /// The read-model tables, in the order they are written (``ReadModelTable/all``).
    public static var tables: [String] { ReadModelTable.all.map(\.name) }

    /// The tenant's rows of a table; with `filter`, only those whose column holds one of the ids.
    func select<R: ProjectedRow>(_ type: R.Type, where filter: (column: String, ids: [UUID])? = nil) throws -> [R.Key: R] {
        var sql = "SELECT \(R.columns.joined(separator: ", ")) FROM consult.\(R.table) WHERE tenant_id = $1"
        var binds = [tenant.rawValue.postgresValue]
        if let filter {
            sql += " AND \(filter.column) = ANY($2)"
            binds.append(.array(filter.ids))
        }
        var rows: [R.Key: R] = [:]
        for row in try connection.execute(Query(unsafeSQL: sql, binds: binds)) {
            let value = try R(row: row)
            rows[value.key] = value
        }
        return rows
    }

    /// The rows a batch of events can change: those of the entities whose streams it touches.
    func loadAffected(by events: [RecordedEvent]) throws -> ReadModel {
        var ids: [EntityKind: Set<UUID>] = [:]
        for event in events {
            guard let entity = StreamName(parsing: event.stream)?.entity else { continue }
            ids[entity.kind, default: []].insert(entity.id)
        }
        var model = ReadModel()
        for table in ReadModelTable.all {
            guard let only = ids[table.entity] else { continue }
            try table.load(self, Array(only), &model)
        }
        return model
    }

    func loadAll() throws -> ReadModel {
        var model = ReadModel()
        for table in ReadModelTable.all { try table.load(self, nil, &model) }
        return model
    }

    // MARK: - Writing rows

    func upsert<R: ProjectedRow>(_ rows: some Sequence<R>) throws {
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

    /// Writes the rows the model marks as changed.
    func writeChanged(_ model: ReadModel) throws {
        for table in ReadModelTable.all { try table.upsertDirty(self, model) }
    }

    /// Writes every row of a fresh model with COPY, through a temporary table (COPY FROM
    /// refuses tables under row-level security).
    func copy<R: ProjectedRow>(_ rows: some Collection<R>) throws -> Int {
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
        try ReadModelTable.all.reduce(0) { $0 + (try $1.copy(self, model)) }
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
}
