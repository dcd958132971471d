import BackOffice
import EventStore
import Foundation
import Postgres

// The SQL store of the read models: the checkpoint, reading and writing rows, the previous
// version a rebuild keeps, and the record of runs. Members hold no write privilege on these
// tables (db/migrations/0027): every write is a call of a SECURITY DEFINER function that acts
// for the caller's own tenant, one call per table for a whole batch of rows.

extension Projector {
    // MARK: - Checkpoint

    /// The checkpoint row, created at 0 when missing, locked until the transaction ends.
    func lockCheckpoint() throws -> Int64 {
        try connection.execute("SELECT consult.projection_lock(\(tenant.rawValue), \(Self.name))")[0].decode(Int64.self, at: 0)
    }

    /// Where the checkpoint stands and when it last moved (nil before it exists): two reads that
    /// give the same state saw the same live rows, since every function that changes them for a
    /// projection runner (catch-up, rebuild, rollback) moves the checkpoint, and sets its time.
    struct CheckpointState: Equatable {
        let position: Int64
        let updatedAt: String
    }

    func checkpointState() throws -> CheckpointState? {
        try connection.execute(
            "SELECT position, updated_at::text FROM consult.projection_checkpoints WHERE tenant_id = \(tenant.rawValue) AND projection = \(Self.name)"
        ).first.map { CheckpointState(position: try $0.decode(Int64.self, at: 0), updatedAt: try $0.decode(String.self, at: 1)) }
    }

    func currentCheckpoint() throws -> Int64 {
        try connection.execute(
            "SELECT position FROM consult.projection_checkpoints WHERE tenant_id = \(tenant.rawValue) AND projection = \(Self.name)"
        ).first?.decode(Int64.self, at: 0) ?? 0
    }

    /// Compare-and-set: moves the checkpoint only from where this runner found it.
    func moveCheckpoint(from old: Int64, to new: Int64) throws {
        let moved = try connection.execute(
            "SELECT consult.projection_move(\(tenant.rawValue), \(Self.name), \(old), \(new))"
        )[0].decode(Bool.self, at: 0)
        guard moved else {
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
            guard let kind = table.entity, let only = ids[kind] else { continue }
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

    /// Inserts or updates rows, 5,000 to a call of `consult.projection_write`: the column names
    /// and one text array literal of cells a row (each cell the column's text, as COPY would
    /// take it), cast on the server by the column's input function.
    @discardableResult
    func write<R: ProjectedRow>(_ rows: some Collection<R>) throws -> Int {
        guard !rows.isEmpty else { return 0 }
        var batch = RowsArray()
        var written = 0
        func flush() throws {
            guard batch.count > 0 else { return }
            written += try connection.execute(
                "SELECT consult.projection_write(\(tenant.rawValue), \(R.table), \(array: R.columns), \(batch.value))"
            )[0].decode(Int.self, at: 0)
            batch = RowsArray()
        }
        for row in rows {
            batch.append(row.values)
            if batch.count == 5000 { try flush() }
        }
        try flush()
        return written
    }

    /// Writes the rows the model marks as changed.
    func writeChanged(_ model: ReadModel) throws {
        for table in ReadModelTable.all { try table.upsertDirty(self, model) }
    }

    /// Writes every row of a fresh model (the tenant's rows were deleted before).
    func insertAll(_ model: ReadModel) throws -> Int {
        try ReadModelTable.all.reduce(0) { $0 + (try $1.copy(self, model)) }
    }

    func deleteLive() throws {
        try connection.execute("SELECT consult.projection_clear(\(tenant.rawValue))")
    }

    /// Saves the live rows, and the checkpoint they stand at, as the previous version.
    func keepPrevious(position: Int64) throws {
        try connection.execute("SELECT consult.projection_keep_previous(\(tenant.rawValue), \(Self.name), \(position))")
    }

    func recordRun(kind: String, started: Date, events: Int, position: Int64, drift: Bool, report: [String: any Sendable]) throws {
        let json = try JSONSerialization.data(withJSONObject: report.mapValues { $0 as Any }, options: [.sortedKeys])
        try connection.execute(
            """
            SELECT consult.projection_record_run(\(tenant.rawValue), \(Self.name), \(kind), \(started), \(events), \(position), \(drift),
                                                 \(PostgresValue.jsonb(json)))
            """)
    }
}

/// A `text[]` parameter whose elements are rows, each a text array literal of its cells: both
/// levels of quoting written in one pass over the bytes (a row's literal built as a string and
/// then quoted again cost as much as the server's whole write).
struct RowsArray {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]
    private(set) var count = 0

    mutating func append(_ cells: [PostgresValue]) {
        let quote = UInt8(ascii: "\"")
        let backslash = UInt8(ascii: "\\")
        if count > 0 { bytes.append(UInt8(ascii: ",")) }
        count += 1
        // The outer element, quoted: "{…}".
        bytes.append(quote)
        bytes.append(UInt8(ascii: "{"))
        var first = true
        for cell in cells {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            guard let value = cell.bytes else {
                bytes.append(contentsOf: Self.null)
                continue
            }
            // The inner element's quote, \" once quoted for the outer level.
            bytes.append(backslash)
            bytes.append(quote)
            for byte in value {
                // Inner: " → \", \ → \\; outer: each of those characters escaped again.
                if byte == quote || byte == backslash {
                    bytes.append(backslash)
                    bytes.append(backslash)
                    bytes.append(backslash)
                }
                bytes.append(byte)
            }
            bytes.append(backslash)
            bytes.append(quote)
        }
        bytes.append(UInt8(ascii: "}"))
        bytes.append(quote)
    }

    private static let null = Array("NULL".utf8)

    /// The parameter: `text[]`.
    var value: PostgresValue { PostgresValue(bytes: bytes + [UInt8(ascii: "}")], type: PostgresType(oid: 1009)) }
}
