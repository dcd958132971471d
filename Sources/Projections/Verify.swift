import EventStore
import Foundation

extension Projector {
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
        /// The events up to the checkpoint that this version cannot decode, in log order.
        public let quarantined: [QuarantineRow]
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
        let tables = ReadModelTable.all.map { $0.compare(live, fresh) }
        let report = VerifyReport(
            position: checkpoint, events: events, tables: tables, quarantined: fresh.quarantine.values.sorted { $0.position < $1.position })
        try connection.withTransaction { _ in
            let drifted = tables.filter(\.drift).map(\.table)
            try recordRun(
                kind: "verify", started: started, events: events, position: checkpoint, drift: report.drift,
                report: ["drifted": drifted, "quarantined": report.quarantined.map { Int($0.position) }])
        }
        return report
    }

    // MARK: - Comparing

    static func compare<R: ProjectedRow>(_ type: R.Type, _ live: [R.Key: R], _ fresh: [R.Key: R]) -> TableComparison {
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
