import BackOffice
import EventStore
import Foundation
import Projections

/// A calendar month, `2026-11`: the period of a timesheet and of status's hours. It runs from
/// its first day (included) to the first day of the next month (excluded), in UTC, as a day does.
public struct Month: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// The month a day falls in.
    public init(_ day: Day) { self.init(year: day.year, month: day.month) }

    /// Reads `YYYY-MM`; `2026-13`, `2026-1` or `November` is a violation of `field`.
    public static func parse(_ text: String, field: FieldKey = "month") throws(RuleViolation) -> Month {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, parts.allSatisfy({ $0.allSatisfy { ("0"..."9").contains($0) } }),
            let year = Int(parts[0]), let month = Int(parts[1]), year >= 1900, year <= 2999
        else {
            throw RuleViolation(rule: 0, field: field, "\"\(text)\" is not a month: write it as YYYY-MM, such as 2026-11")
        }
        guard (1...12).contains(month) else {
            throw RuleViolation(rule: 0, field: field, "\(text) is not a month of the calendar: the month is 01 to 12")
        }
        return Month(year: year, month: month)
    }

    public var first: Day { Day(year: year, month: month, day: 1) }
    /// The first day of the next month: the end of this one (excluded).
    public var next: Month { month == 12 ? Month(year: year + 1, month: 1) : Month(year: year, month: month + 1) }
    public var previous: Month { month == 1 ? Month(year: year - 1, month: 12) : Month(year: year, month: month - 1) }
    public func contains(_ day: Day) -> Bool { day.year == year && day.month == month }

    /// `2026-11`, the key of ``EngagementRow/hoursByMonth``.
    public var description: String { String(first.description.prefix(7)) }

    public static func < (a: Month, b: Month) -> Bool { (a.year, a.month) < (b.year, b.month) }
}

/// Hours logged on one engagement: one `WorkLogged`, on the day it happened (UTC).
public struct WorkEntry: Sendable, Equatable {
    public let engagement: UUID
    public let day: Day
    /// As corrected (``Reports/workEntries(_:)``).
    public var hours: Quantity
    public let billable: Bool
    public let activity: String
}

/// Hours summed exactly, billable and not apart.
public struct HoursTally: Sendable, Equatable {
    public var billable: Quantity = .zero
    public var nonBillable: Quantity = .zero
    public var total: Quantity { billable + nonBillable }

    public init() {}

    public mutating func add(_ entry: WorkEntry) {
        if entry.billable { billable += entry.hours } else { nonBillable += entry.hours }
    }

    public init(_ entries: some Sequence<WorkEntry>) {
        for entry in entries { add(entry) }
    }
}

/// An engagement's hours of a month and to its end, against its budget hours and fee: what
/// status shows. Budget hours are spent by billable hours (non-billable ones are the
/// consultant's own); the fee is used in step with them: fee × billable to date ÷ budget hours,
/// rounded to the currency's minor unit (half up), and what is left is the fee less that, so
/// the two add up to the fee exactly.
public struct BudgetFigures: Sendable, Equatable {
    public var month: HoursTally
    public var previousMonth: HoursTally
    public var toDate: HoursTally
    public var budgetHours: Quantity?
    public var fee: Money?

    /// Budget hours less billable hours to date; negative when over.
    public var left: Quantity? { budgetHours.map { $0 - toDate.billable } }

    /// Billable hours to date as a share of the budget, in per cent (a `Double` for the table:
    /// the hours themselves stay exact).
    public var usedPercent: Double? {
        guard let budgetHours, budgetHours > .zero else { return nil }
        let ratio = toDate.billable.decimal / budgetHours.decimal * 100
        return Double(ratio.description)
    }

    /// The part of the fee the billable hours to date have used, in minor units.
    public var feeUsed: Int64? {
        guard let fee, let budgetHours, budgetHours > .zero else { return nil }
        let used = Quantity(Decimal(fee.minorUnits) * toDate.billable.decimal / budgetHours.decimal).rounded(decimals: 0)
        return Int64(used.description)
    }

    public var feeLeft: Int64? { feeUsed.map { (fee?.minorUnits ?? 0) - $0 } }

    /// "31.25 h left", "over by 2.5 h", "budget used up", or nil without a budget.
    public var state: String? {
        guard let left else { return nil }
        if left < .zero { return "over by \((Quantity.zero - left).formatted) h" }
        return left == .zero ? "budget used up" : "\(left.formatted) h left"
    }
}

extension Reports {
    /// Every piece of work logged in the log up to the instant, in log order, as corrected up to
    /// the instant: a `WorkEntryCorrected` sets its entry's hours (a void sets them to 0, and
    /// the entry is left out). The one reading of work entries that status and the timesheet share.
    /// - Throws: ``EventDecodingError`` for an event this version cannot read.
    public static func workEntries(_ input: ReportInput) throws -> [WorkEntry] {
        var entries: [(id: UUID, entry: WorkEntry)] = []
        var corrected: [UUID: Quantity] = [:]
        for recorded in input.events {
            if recorded.type == WorkEntryCorrected.typeName, let correction = try recorded.domainEvent() as? WorkEntryCorrected {
                corrected[correction.entry] = correction.to
                continue
            }
            guard recorded.type == WorkLogged.typeName, let work = try recorded.domainEvent() as? WorkLogged,
                let stream = StreamName(parsing: recorded.stream)?.entity, stream.kind == .engagement
            else { continue }
            entries.append(
                (
                    recorded.id,
                    WorkEntry(
                        engagement: stream.id, day: Day(recorded.metadata.occurredAt), hours: work.hours, billable: work.billable,
                        activity: work.activity)
                ))
        }
        return entries.compactMap { id, entry in
            guard let hours = corrected[id] else { return entry }
            guard hours != .zero else { return nil }
            var entry = entry
            entry.hours = hours
            return entry
        }
    }

    /// The month a report shows when none is asked for: that of the instant (today, or --as-of).
    public static func defaultMonth(_ input: ReportInput) -> Month { Month(input.today) }

    /// The hours and budget of `e` for `month` from its own work entries: the month's, the
    /// month before's, and everything up to the end of the month (and the instant).
    public static func budget(_ e: EngagementRow, month: Month, entries own: [WorkEntry], fee: Money?) -> BudgetFigures {
        BudgetFigures(
            month: HoursTally(own.filter { month.contains($0.day) }),
            previousMonth: HoursTally(own.filter { month.previous.contains($0.day) }),
            toDate: HoursTally(own.filter { $0.day < month.next.first }), budgetHours: e.budgetHours, fee: fee)
    }

    /// The fee each engagement was started with (it is not in the read model), read once.
    static func fees(in events: [(recorded: RecordedEvent, event: any DomainEvent)]) -> [UUID: Money] {
        var fees: [UUID: Money] = [:]
        for case let started as EngagementStarted in events.lazy.map(\.event) where fees[started.engagement] == nil {
            fees[started.engagement] = started.fee
        }
        return fees
    }

    /// `consult timesheet`: hours per engagement and day in a month, billable and non-billable
    /// apart, with totals per engagement and for the month. Days run in UTC, as `--at` does.
    /// - Throws: ``EventDecodingError`` for an event of the log this version cannot read.
    public static func timesheet(_ input: ReportInput, month: Month, engagement: UUID? = nil) throws -> Report {
        var report = Report(name: "timesheet", title: "Timesheet \(month)", asOf: input.now)
        let entries = try workEntries(input).filter { month.contains($0.day) && (engagement == nil || $0.engagement == engagement) }
        let byEngagement = Dictionary(grouping: entries, by: \.engagement)
        let ordered = byEngagement.keys.sorted { input.engagement($0) < input.engagement($1) }
        func client(_ id: UUID) -> String { input.organisation(input.model.engagements[id]?.organisationID) }

        var days = Section(
            "days", "Hours per engagement and day",
            [
                Column("engagement", "Engagement"), Column("client", "Client", .text, .low), Column("day", "Day", .whole, .high),
                Column("billable", "Billable", .whole, .high), Column("non_billable", "Non-billable", .whole, .high),
                Column("hours", "Hours", .whole, .high), Column("activities", "Activities", .text, .low),
            ])
        days.empty = "No work logged in \(month)."
        var totals = Section(
            "engagements", "Per engagement",
            [
                Column("engagement", "Engagement"), Column("client", "Client", .text), Column("days", "Days", .whole, .low),
                Column("billable", "Billable", .whole, .high), Column("non_billable", "Non-billable", .whole, .high),
                Column("hours", "Hours", .whole, .high),
            ])
        totals.empty = days.empty
        var month_ = Section(
            "month", "The month",
            [
                Column("month", "Month"), Column("engagements", "Engagements", .whole, .low), Column("days", "Days", .whole, .low),
                Column("billable", "Billable", .whole, .high), Column("non_billable", "Non-billable", .whole, .high),
                Column("hours", "Hours", .whole, .high),
            ])
        for id in ordered {
            let own = byEngagement[id] ?? []
            let perDay = Dictionary(grouping: own, by: \.day)
            for day in perDay.keys.sorted() {
                let worked = perDay[day] ?? []
                let tally = HoursTally(worked)
                days.rows.append([
                    .text(input.engagement(id)), .text(client(id)), .day(day), .exact(tally.billable), .exact(tally.nonBillable),
                    .exact(tally.total), .text(worked.map(\.activity).joined(separator: "; ")),
                ])
            }
            let tally = HoursTally(own)
            totals.rows.append([
                .text(input.engagement(id)), .text(client(id)), .int(perDay.count), .exact(tally.billable), .exact(tally.nonBillable),
                .exact(tally.total),
            ])
        }
        let all = HoursTally(entries)
        month_.rows.append([
            .text(month.description), .int(byEngagement.count), .int(Set(entries.map(\.day)).count), .exact(all.billable),
            .exact(all.nonBillable), .exact(all.total),
        ])
        report.sections = [days, totals, month_]
        return report
    }
}
