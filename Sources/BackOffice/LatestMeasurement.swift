import Foundation

/// Rule 8's *latest* of an objective, the one place that decides it: the measurement with the
/// latest date it was taken (its `occurred_at`, the `--at` of `consult objective measure`), the
/// log breaking ties, not the last one typed. *Previous* (for the trend) is the one before it
/// in that order. A correction changes a measurement's value, never its place: it changes the
/// latest value only when it corrects the latest-dated measurement.
///
/// Measurements arrive in log order, so one taken at the same instant as one already seen
/// comes after it. Only the two latest are kept: a measurement that falls behind them can never
/// become latest or previous again. So the two (their ids, values and dates) are all a stored
/// read-model row needs to place a measurement entered late, dated before them.
///
/// ```swift
/// var measured = LatestMeasurements()
/// measured.record(.init(id: a, value: 2240, takenAt: nov13))
/// measured.record(.init(id: b, value: 2390, takenAt: nov27))
/// measured.record(.init(id: c, value: 2400, takenAt: oct1))  // typed last, taken first
/// measured.latest?.value  // 2390
/// measured.previous?.value  // 2240
/// ```
public struct LatestMeasurements: Sendable, Equatable {
    /// One measurement: which, its value (corrections applied), and when it was taken.
    public struct Taken: Sendable, Equatable {
        public let id: UUID
        public var value: Quantity
        public let takenAt: Date

        public init(id: UUID, value: Quantity, takenAt: Date) {
            self.id = id
            self.value = value
            self.takenAt = takenAt
        }
    }

    public private(set) var latest: Taken?
    public private(set) var previous: Taken?

    public init(latest: Taken? = nil, previous: Taken? = nil) {
        self.latest = latest
        self.previous = previous
    }

    /// The order of rule 8: whether a measurement taken at `takenAt`, arriving later in the log
    /// than `other`, comes after it (the later date wins; on the same instant, the log's order).
    public static func comesAfter(_ takenAt: Date, _ other: Taken) -> Bool {
        takenAt >= other.takenAt
    }

    /// Takes in the next measurement of the log.
    public mutating func record(_ measurement: Taken) {
        if latest.map({ Self.comesAfter(measurement.takenAt, $0) }) ?? true {
            previous = latest
            latest = measurement
        } else if previous.map({ Self.comesAfter(measurement.takenAt, $0) }) ?? true {
            previous = measurement
        }
    }

    /// Takes in a correction of measurement `id`.
    public mutating func correct(_ id: UUID, to value: Quantity) {
        if latest?.id == id { latest?.value = value }
        if previous?.id == id { previous?.value = value }
    }

    /// Every measurement in rule 8's order (the charts' points), from the measurements in log order.
    public static func inOrder(_ measurements: some Sequence<Taken>) -> [Taken] {
        var ordered: [Taken] = []
        for measurement in measurements {
            let after = ordered.lastIndex { comesAfter(measurement.takenAt, $0) }
            ordered.insert(measurement, at: after.map { $0 + 1 } ?? 0)
        }
        return ordered
    }
}
