import BackOffice
import Foundation
import Projections

extension Reports {
    /// How long a lead usually stays in a stage, in days: the median of the stays the history
    /// has seen, or a consultant's rule of thumb when there are fewer than three.
    static func usualDays(_ stage: Stage, history: [StageRow]) -> Int {
        let stays = history.filter { $0.stage == stage }.compactMap { row in
            row.exitedAt.map { Int($0.timeIntervalSince(row.enteredAt) / 86_400) }
        }
        .sorted()
        if stays.count >= 3 { return max(stays[stays.count / 2], 1) }
        return [.new: 7, .contacted: 14, .qualified: 21, .proposal: 30][stage] ?? 30
    }

    /// Which leads the pipeline counts.
    public struct PipelineFilter: Sendable {
        /// A stage, or `disqualified` (a lost lead disqualified; `lost` then means the others).
        public var stage: LeadOutcome?
        public var source: LeadSource?
        /// Leads captured on or after this instant.
        public var since: Date?
        public init(stage: LeadOutcome? = nil, source: LeadSource? = nil, since: Date? = nil) {
            self.stage = stage
            self.source = source
            self.since = since
        }
    }

    /// What ``pipeline(_:filter:)`` reads: the leads, their stage history (days in stage) and
    /// the organisations' names; no one by name, no event.
    public static let pipelineNeeds = ReportNeeds(tables: [.pipeline, .stages, .organisations], names: false, events: false)

    public static func pipeline(_ input: ReportInput, filter: PipelineFilter = PipelineFilter()) -> Report {
        var report = Report(name: "pipeline", title: "Pipeline", asOf: input.now)
        let leads = input.model.pipeline.values
            .filter { lead in
                (filter.stage.map { lead.outcome == $0.rawValue } ?? true) && (filter.source.map { lead.source == $0.rawValue } ?? true)
                    && (filter.since.map { lead.capturedAt >= $0 } ?? true)
            }
            .sorted { ($0.stage, $0.handle) < ($1.stage, $1.handle) }
        let history = Array(input.model.stages.values)
        let outcomes = Stage.allCases.map(\.rawValue) + ["disqualified"]

        var stages = Section(
            "stages", "By stage",
            [
                Column("stage", "Stage"), Column("leads", "Leads"), Column("value", "Value"), Column("weighted", "Weighted"),
                Column("currency", "Currency"),
            ])
        // A disqualified lead's stage is lost, but it is its own outcome: its own row, after lost.
        for outcome in outcomes {
            let inStage = leads.filter { $0.outcome == outcome }
            guard !inStage.isEmpty else { continue }
            let currencies = Set(inStage.compactMap { $0.value?.currency }).sorted()
            for currency in currencies.isEmpty ? [""] : currencies {
                let priced = inStage.filter { ($0.value?.currency ?? "") == currency || currencies.isEmpty }
                let value = priced.compactMap { $0.value?.minorUnits }.reduce(0, +)
                let weighted = priced.compactMap(\.weightedMinor).reduce(0, +)
                stages.rows.append([
                    .text(outcome), .int(currencies.count > 1 ? priced.count : inStage.count),
                    currency.isEmpty ? .empty : .money(value, currency), currency.isEmpty ? .empty : .money(weighted, currency),
                    .text(currency),
                ])
            }
        }
        report.sections.append(stages)

        var open = Section(
            "open_leads", "Open leads",
            [
                Column("lead", "Lead"), Column("organisation", "Organisation", .text, .high), Column("stage", "Stage", .whole, .high),
                Column("value", "Value", .whole, .high),
                Column("currency", "Currency"), Column("probability", "Prob.", .whole, .low), Column("weighted", "Weighted"),
                Column("source", "Source", .whole, .low),
                Column("expected_close", "Expected close", .whole, .high), Column("days_in_stage", "Days in stage"),
                Column("stuck", "Stuck"),
            ])
        open.empty = "No open leads."
        for lead in leads where lead.stage.isOpen {
            let days = input.days(since: lead.enteredStageAt)
            open.rows.append([
                .text(lead.handle), .text(input.organisation(lead.organisationID)), .text(lead.stage.rawValue),
                .money(lead.value?.minorUnits, lead.value?.currency), .optional(lead.value?.currency), .percent(Double(lead.probability)),
                .money(lead.weightedMinor, lead.value?.currency), .text(lead.source), .optional(lead.expectedClose), .int(days),
                .bool(days > usualDays(lead.stage, history: history)),
            ])
        }
        report.sections.append(open)

        var forecast = Section(
            "forecast", "Forecast by expected close",
            [Column("month", "Month"), Column("leads", "Leads"), Column("weighted", "Weighted"), Column("currency", "Currency")])
        forecast.empty = "No open leads."
        var buckets: [String: (count: Int, weighted: Int64, currency: String)] = [:]
        for lead in leads where lead.stage.isOpen {
            let bucket =
                lead.expectedClose.map { $0 < input.today ? "slipped" : String($0.description.prefix(7)) } ?? "no date"
            let key = bucket + "|" + (lead.value?.currency ?? "")
            let current = buckets[key] ?? (0, 0, lead.value?.currency ?? "")
            buckets[key] = (current.count + 1, current.weighted + (lead.weightedMinor ?? 0), current.currency)
        }
        for key in buckets.keys.sorted(by: { ($0.hasPrefix("slipped") ? "0" : "1") + $0 < ($1.hasPrefix("slipped") ? "0" : "1") + $1 }) {
            let bucket = buckets[key]!
            forecast.rows.append([
                .text(String(key.split(separator: "|", omittingEmptySubsequences: false)[0])), .int(bucket.count),
                bucket.currency.isEmpty ? .empty : .money(bucket.weighted, bucket.currency), .text(bucket.currency),
            ])
        }
        report.sections.append(forecast)

        // The win rate counts the leads that reached a decision on the work: won / (won + lost).
        // A disqualified lead is the consultant's push-back (no business objective, no sponsor,
        // no budget, not a fit, timing): counted in its own column, in neither side of the rate.
        var sources = Section(
            "sources", "Win rate and cycle by source (win rate = won / (won + lost); disqualified leads apart)",
            [
                Column("source", "Source"), Column("leads", "Leads"), Column("won", "Won"), Column("lost", "Lost"),
                Column("disqualified", "Disqualified"), Column("win_rate", "Win rate", .whole, .high), Column("cycle_days", "Cycle (days)"),
            ])
        for source in LeadSource.allCases {
            let from = leads.filter { $0.source == source.rawValue }
            guard !from.isEmpty else { continue }
            let won = from.filter { $0.outcome == Stage.won.rawValue }
            let lost = from.filter { $0.outcome == Stage.lost.rawValue }
            let disqualified = from.filter { $0.outcome == "disqualified" }
            let cycles = won.compactMap { lead in lead.closedAt.map { $0.timeIntervalSince(lead.capturedAt) / 86_400 } }
            sources.rows.append([
                .text(source.rawValue), .int(from.count), .int(won.count), .int(lost.count), .int(disqualified.count),
                won.count + lost.count == 0 ? .empty : .percent(100 * Double(won.count) / Double(won.count + lost.count)),
                cycles.isEmpty ? .empty : .number(cycles.reduce(0, +) / Double(cycles.count), decimals: 0),
            ])
        }
        report.sections.append(sources)

        let closed = leads.filter { $0.stage == .lost }
        var reasons = Section(
            "reasons", "Lost and disqualified, by reason",
            [Column("outcome", "Outcome"), Column("reason", "Reason", .text), Column("leads", "Leads", .whole, .high)])
        reasons.empty = "No lost or disqualified leads."
        let counted = Dictionary(grouping: closed) { lead in [lead.outcome, lead.closeReason ?? "(no reason)"] }.mapValues(\.count)
        for (pair, count) in counted.sorted(by: { ($1.value, $0.key.joined(separator: "|")) < ($0.value, $1.key.joined(separator: "|")) }) {
            reasons.rows.append([.text(pair[0]), .text(pair[1]), .int(count)])
        }
        report.sections.append(reasons)

        var named = Section(
            "closed_leads", "Lost and disqualified leads",
            [
                Column("closed", "Closed"), Column("lead", "Lead", .key), Column("organisation", "Organisation", .text, .high),
                Column("source", "Source", .whole, .low),
                Column("outcome", "Outcome", .whole, .high), Column("reason", "Reason", .text), Column("note", "Note", .text, .low),
            ])
        named.empty = "No lost or disqualified leads."
        for lead in closed.sorted(by: { ($0.closedAt ?? .distantPast, $0.handle) < ($1.closedAt ?? .distantPast, $1.handle) }) {
            named.rows.append([
                .optional(lead.closedAt.map { Day($0) }), .text(lead.handle), .text(input.organisation(lead.organisationID)),
                .text(lead.source), .text(lead.outcome), .optional(lead.closeReason), .optional(lead.closeNote),
            ])
        }
        report.sections.append(named)

        report.charts.append(
            .funnel(
                title: "Leads by stage",
                stages: outcomes.compactMap { outcome in
                    let count = leads.filter { $0.outcome == outcome }.count
                    return outcome == "disqualified" && count == 0 ? nil : (stage: outcome, count: count)
                }))
        report.charts.append(
            .bars(
                title: "Weighted forecast by expected close",
                bars: forecast.rows.map { row in
                    let value: Double = if case .number(let amount, _) = row[2] { amount } else { 0 }
                    return ("\(row[0].display) \(row[3].display)".trimmingCharacters(in: .whitespaces), value, row[2].display)
                }))
        return report
    }
}
