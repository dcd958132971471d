import BackOffice
import EventStore
import Foundation
import Projections

// The data the charts draw, beyond the tables' own numbers.

extension Reports {
    static func progressValue(_ cell: Cell) -> Double {
        if case .percent(let value) = cell { return value }
        return 0
    }

    /// An objective's measurements in the order they were taken (rule 8: by date, the log
    /// breaking ties), corrections applied: the points of its chart.
    static func measurements(of objective: UUID, in events: [(recorded: RecordedEvent, event: any DomainEvent)]) -> [(
        date: Date, value: Double
    )] {
        var taken: [LatestMeasurements.Taken] = []
        for (recorded, event) in events {
            switch event {
            case let e as MeasurementRecorded where e.objective == objective:
                taken.append(.init(id: e.measurement, value: e.value, takenAt: recorded.metadata.occurredAt))
            case let e as MeasurementCorrected where e.objective == objective:
                if let index = taken.firstIndex(where: { $0.id == e.corrects }) { taken[index].value = e.value }
            default: break
            }
        }
        return LatestMeasurements.inOrder(taken).map { (date: $0.takenAt, value: $0.value.approximation) }
    }
}
