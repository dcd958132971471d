import BackOffice
import Foundation
import Projections

/// A report: titled sections of rows, and the charts the HTML page draws. Every format renders
/// the same sections, so a number in the table is the number in the JSON and the CSV.
public struct Report: Sendable {
    /// The report's name (`pipeline`, `status`, …), as in the command line.
    public let name: String
    public let title: String
    /// The instant the report answers for (now, or --as-of).
    public let asOf: Date
    public var sections: [Section] = []
    public var charts: [Chart] = []
    /// Free text under the title (a case study's prose).
    public var prose: [String] = []

    public init(name: String, title: String, asOf: Date) {
        self.name = name
        self.title = title
        self.asOf = asOf
    }

    /// The section with this name.
    public func section(_ name: String) -> Section? { sections.first { $0.name == name } }
}

/// One table of a report.
public struct Section: Sendable {
    /// A stable key (`stages`, `open_leads`): the JSON field and the CSV's `--section`.
    public let name: String
    public let title: String
    public let columns: [Column]
    public var rows: [[Cell]] = []
    /// What the section shows when it has no rows.
    public var empty = "None."
    /// How a terminal table shows the rows; JSON, CSV, Markdown and HTML are the same either way.
    public var layout = SectionLayout.rows

    public init(_ name: String, _ title: String, _ columns: [Column]) {
        self.name = name
        self.title = title
        self.columns = columns
    }
}

/// How a terminal shows a section's rows.
public enum SectionLayout: Sendable {
    /// A table: a header, then a line per row.
    case rows
    /// One block per row, a labelled line per field (like psql's expanded display or
    /// `kubectl describe`): for one record, whose fields would make a row too wide to read.
    case records
}

public struct Column: Sendable {
    /// The JSON and CSV field name (snake_case, stable).
    public let key: String
    /// The header shown to people.
    public let title: String
    /// How a table on a narrow terminal treats the column (see ``ColumnFit``).
    public let fit: ColumnFit
    /// Which columns a narrow terminal drops first: the lowest priority, the rightmost among
    /// equals. Key columns are never dropped.
    public let priority: ColumnPriority

    /// A column shown whole (`fit`) at normal priority unless told otherwise. A column holding
    /// numbers, dates or yes/no is never cut, whatever its fit.
    public init(_ key: String, _ title: String, _ fit: ColumnFit = .whole, _ priority: ColumnPriority = .normal) {
        self.key = key
        self.title = title
        self.fit = fit
        self.priority = priority
    }
}

/// What a table narrower than its columns may do with a column.
public enum ColumnFit: Sendable {
    /// Names the row: always shown, never cut. The first column of a section is never
    /// dropped either, but shrinks if it is `.text`.
    case key
    /// Shown whole or not at all: handles, codes, dates, numbers.
    case whole
    /// Free text (names, reasons, lists): shrinks first, cut with "…".
    case text
}

/// Ordered: a narrow table drops `.low` columns before `.normal` ones, and those before
/// `.high` ones.
public enum ColumnPriority: Int, Sendable, Comparable {
    case low, normal, high
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// A value in a report: numbers stay numbers in JSON and CSV.
public enum Cell: Sendable, Equatable {
    case text(String)
    case int(Int)
    /// A number shown with this many decimals (amounts of money: 2).
    case number(Double, decimals: Int)
    /// An exact decimal (a metric's value, hours) shown in tables with this many decimals (the
    /// metric's own precision), and carried in JSON and CSV with exactly its digits.
    case decimal(Quantity, decimals: Int)
    /// A percentage, 0–100: one decimal in tables, unrounded in JSON and CSV.
    case percent(Double)
    case day(Day)
    /// An instant: `2026-11-23 14:05` (UTC) in tables, ISO 8601 with milliseconds in JSON and
    /// CSV (`2026-11-23T14:05:00.000Z`, as `consult log --format json` writes it).
    case instant(Date)
    case bool(Bool)
    case empty

    /// `2026-11-23 14:05`, in UTC.
    static func minute(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
    }

    /// `2026-11-23T14:05:00.000Z`
    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    public static func money(_ minor: Int64?, _ currency: String?) -> Cell {
        guard let minor else { return .empty }
        let whole = Money.wholeUnitCurrencies.contains(currency ?? "")
        return .number(Double(minor) / (whole ? 1 : 100), decimals: whole ? 0 : 2)
    }

    public static func optional(_ text: String?) -> Cell { text.map { .text($0) } ?? .empty }
    public static func optional(_ day: Day?) -> Cell { day.map { .day($0) } ?? .empty }
    public static func optional(_ value: Double?, decimals: Int = 0) -> Cell { value.map { .number($0, decimals: decimals) } ?? .empty }

    /// An exact value at its own precision (hours: `5.25` in every format).
    public static func exact(_ value: Quantity?) -> Cell { value.map { .decimal($0, decimals: $0.decimals) } ?? .empty }

    /// A value of an objective's metric, shown with the metric's own precision (the most decimals
    /// among its baseline, targets and measurements): baseline 1.8, target 3.5 and a
    /// measurement of 2 show as 1.8, 3.5 and 2.0.
    public static func metric(_ value: Quantity?, of objective: ObjectiveRow?) -> Cell {
        value.map { .decimal($0, decimals: max($0.decimals, objective?.decimals ?? 0)) } ?? .empty
    }

    /// The text a person reads: grouped digits, rounded percentages.
    public var display: String {
        switch self {
        case .text(let text): text
        case .int(let value): value.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_GB")))
        case .number(let value, let decimals):
            value.formatted(.number.precision(.fractionLength(decimals)).grouping(.automatic).locale(Locale(identifier: "en_GB")))
        case .decimal(let value, let decimals): value.formatted(decimals: decimals)
        // Never "-0.0%": a down objective not yet moved is at 0.
        case .percent(let value): String(format: "%.1f%%", value == 0 ? 0 : value)
        case .day(let day): day.description
        case .instant(let date): Self.minute(date)
        case .bool(let value): value ? "yes" : "no"
        case .empty: ""
        }
    }

    /// The text a program reads: no grouping, full precision, `.` decimals.
    public var plain: String {
        switch self {
        case .text(let text): text
        case .int(let value): String(value)
        case .number(let value, let decimals): String(format: "%.\(decimals)f", value)
        case .decimal(let value, _): value.description
        case .percent(let value): Self.shortest(value)
        case .day(let day): day.description
        case .instant(let date): Self.iso(date)
        case .bool(let value): value ? "true" : "false"
        case .empty: ""
        }
    }

    /// The JSON value: numbers as numbers, nothing as null.
    public var json: Any {
        switch self {
        case .text(let text): text
        case .int(let value): value
        case .number(let value, let decimals): (value * pow(10, Double(decimals))).rounded() / pow(10, Double(decimals))
        case .decimal(let value, _): value.decimal
        // Through a Decimal of the shortest text that reads back as the same Double:
        // JSONSerialization writes some Doubles with 17 or more digits (81.81818181818181632).
        case .percent(let value): Decimal(string: Self.shortest(value), locale: Locale(identifier: "en_US_POSIX")) ?? 0
        case .day(let day): day.description
        case .instant(let date): Self.iso(date)
        case .bool(let value): value
        case .empty: NSNull()
        }
    }

    /// The shortest text that reads back as the same `Double`, without a trailing `.0`:
    /// `35.294117647058826`, `40`.
    static func shortest(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    public var isNumeric: Bool {
        switch self {
        case .int, .number, .decimal, .percent: true
        default: false
        }
    }
}

/// What the HTML page draws.
public enum Chart: Sendable {
    /// Leads per stage, in pipeline order.
    case funnel(title: String, stages: [(stage: String, count: Int)])
    /// Horizontal bars with a label and a value (the forecast by month).
    case bars(title: String, bars: [(label: String, value: Double, display: String)])
    /// Progress of each objective, 0–100 %.
    case progress(title: String, objectives: [(objective: String, percent: Double)])
    /// One objective over time, from its baseline date to its due date.
    case line(ObjectiveChart)
}

/// What the chart of one objective draws: its measurements over the time the objective runs,
/// from the day its baseline was stated (the objective was set) to its due date, the target as
/// a line across, and the straight path from the baseline to the target by the due date (the
/// plan the measurements are read against).
public struct ObjectiveChart: Sendable {
    /// The objective's name: its statement ("Residents hear about library events").
    public var title: String
    /// The metric and its unit, and on a page of several clients whose objective it is.
    public var subtitle: String
    public var points: [(date: Date, value: Double)]
    public var baseline: Double
    public var target: Double
    /// The baseline date: when the objective was set.
    public var start: Date
    public var due: Day

    public init(
        title: String, subtitle: String, points: [(date: Date, value: Double)], baseline: Double, target: Double, start: Date, due: Day
    ) {
        self.title = title
        self.subtitle = subtitle
        self.points = points
        self.baseline = baseline
        self.target = target
        self.start = start
        self.due = due
    }
}
