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

extension Reports {
    /// Each objective's statement as it was set (`ObjectiveSet`): its name wherever a person
    /// reads about it (the handle is for the command line).
    static func statements(in events: [(recorded: RecordedEvent, event: any DomainEvent)]) -> [UUID: String] {
        var names: [UUID: String] = [:]
        for case let e as ObjectiveSet in events.map(\.event) { names[e.objective] = e.statement }
        return names
    }

    /// The chart of one objective: named by its statement (its handle when the log has none),
    /// the metric and its unit under it (after `context`, the client, on a page of several),
    /// from the day it was set to its due date.
    static func objectiveChart(
        _ o: ObjectiveRow, statements: [UUID: String], context: String? = nil,
        events: [(recorded: RecordedEvent, event: any DomainEvent)]
    ) -> Chart {
        let metric = o.metric + (o.unit.map { " (\($0))" } ?? "")
        return .line(
            ObjectiveChart(
                title: statements[o.objectiveID] ?? o.handle, subtitle: context.map { "\($0) · \(metric)" } ?? metric,
                points: measurements(of: o.objectiveID, in: events), baseline: o.baseline.approximation,
                target: o.target.approximation, start: o.setAt, due: o.due))
    }
}

extension HTML {
    /// The drawing area of an objective's chart, in the SVG's own units (viewBox 0 0 420 200).
    enum Plot {
        static let left = 48.0, right = 404.0, top = 22.0, bottom = 160.0
    }

    /// An objective's chart: the x-axis runs from its baseline date (the day it was set) to its
    /// due date, or further to a measurement taken before or after them; the target is a
    /// dashed line across to the due date; the plan is the straight line from the baseline on
    /// the baseline date to the target on the due date; the measurements are dots, joined.
    /// One measurement is one dot on that span, not a chart a day wide.
    ///
    /// The figure carries what a test or a reader's tool needs: `data-start` and `data-due`
    /// (the days the axis is labelled with) and `data-points`.
    static func line(_ chart: ObjectiveChart) -> String {
        let f = { (value: Double) in String(format: "%.1f", value) }
        let dueDate = chart.due.date
        let first = min(chart.start, chart.points.first?.date ?? chart.start)
        var last = max(dueDate, chart.points.last?.date ?? dueDate)
        if last <= first { last = first.addingTimeInterval(86_400) }
        func x(_ date: Date) -> Double {
            Plot.left + date.timeIntervalSince(first) / last.timeIntervalSince(first) * (Plot.right - Plot.left)
        }
        let values = chart.points.map(\.value) + [chart.baseline, chart.target]
        var low = values.min() ?? 0
        var high = values.max() ?? 1
        if high == low {
            low -= 1
            high += 1
        }
        func y(_ value: Double) -> Double { Plot.bottom - (value - low) / (high - low) * (Plot.bottom - Plot.top) }
        let startDay = Day(chart.start)
        var svg = "<svg class=\"line\" viewBox=\"0 0 420 200\" width=\"100%\" role=\"img\" aria-label=\"\(escape(chart.title))\">"
        svg +=
            "<line class=\"axis\" x1=\"\(f(Plot.left))\" y1=\"\(f(Plot.bottom))\" x2=\"\(f(Plot.right))\" y2=\"\(f(Plot.bottom))\"></line>"
        svg += "<line class=\"axis\" x1=\"\(f(Plot.left))\" y1=\"\(f(Plot.top))\" x2=\"\(f(Plot.left))\" y2=\"\(f(Plot.bottom))\"></line>"
        svg +=
            "<line class=\"target\" x1=\"\(f(Plot.left))\" y1=\"\(f(y(chart.target)))\" x2=\"\(f(x(dueDate)))\" y2=\"\(f(y(chart.target)))\"></line>"
        svg +=
            "<line class=\"plan\" x1=\"\(f(x(chart.start)))\" y1=\"\(f(y(chart.baseline)))\" x2=\"\(f(x(dueDate)))\" y2=\"\(f(y(chart.target)))\"></line>"
        svg +=
            "<line class=\"due\" x1=\"\(f(x(dueDate)))\" y1=\"\(f(Plot.top))\" x2=\"\(f(x(dueDate)))\" y2=\"\(f(Plot.bottom))\"></line>"
        // The target's label just above its line (there is room over the plot's top).
        let labelY = y(chart.target) - 4
        svg +=
            "<text class=\"target-label\" x=\"\(f(x(dueDate) - 4))\" y=\"\(f(labelY))\" text-anchor=\"end\">target \(escape(chart.target.formatted()))</text>"
        svg +=
            "<text class=\"y-label\" x=\"\(f(Plot.left - 4))\" y=\"\(f(y(chart.baseline) + 4))\" text-anchor=\"end\">\(escape(chart.baseline.formatted()))</text>"
        if chart.points.count > 1 {
            let path = chart.points.map { "\(f(x($0.date))),\(f(y($0.value)))" }.joined(separator: " ")
            svg += "<polyline class=\"series\" points=\"\(path)\"></polyline>"
        }
        for point in chart.points {
            svg +=
                "<circle class=\"dot\" cx=\"\(f(x(point.date)))\" cy=\"\(f(y(point.value)))\" r=\"3.5\"><title>\(Day(point.date)): \(escape(point.value.formatted()))</title></circle>"
        }
        if chart.points.isEmpty {
            svg +=
                "<text class=\"empty\" x=\"\(f((Plot.left + Plot.right) / 2))\" y=\"\(f((Plot.top + Plot.bottom) / 2))\" text-anchor=\"middle\">no measurements yet</text>"
        }
        // The axis's days: the baseline date at its start, the due date under its mark (at the
        // end unless a measurement came after it), and that last measurement's day at the end.
        svg += "<text class=\"x-start\" x=\"\(f(x(chart.start)))\" y=\"178\" text-anchor=\"start\">\(startDay)</text>"
        let dueAtEnd = x(dueDate) > Plot.right - 1
        svg +=
            "<text class=\"x-due\" x=\"\(f(x(dueDate)))\" y=\"\(dueAtEnd ? 178 : 194)\" text-anchor=\"\(dueAtEnd ? "end" : "middle")\">due \(chart.due)</text>"
        if !dueAtEnd { svg += "<text class=\"x-end\" x=\"\(f(Plot.right))\" y=\"178\" text-anchor=\"end\">\(Day(last))</text>" }
        return
            "<figure class=\"objective-chart\" data-objective=\"\(escape(chart.title))\" data-points=\"\(chart.points.count)\" data-start=\"\(startDay)\" data-due=\"\(chart.due)\"><figcaption>\(escape(chart.title)) <span class=\"muted\">\(escape(chart.subtitle))</span></figcaption>\(svg)</svg></figure>\n"
    }
}
