import BackOffice
import EventStore
import Foundation
import Projections

/// What every report is built from: the read models (from the tables, or folded for --as-of),
/// people's names, the log up to the instant, and the instant itself.
public struct ReportInput: Sendable {
    public let model: ReadModel
    /// People's names from their details; "(erased)" once forgotten.
    public let people: [UUID: String]
    /// The tenant's events up to the instant, in log order.
    public let events: [RecordedEvent]
    public let now: Date

    public init(model: ReadModel, people: [UUID: String], events: [RecordedEvent], now: Date) {
        self.model = model
        self.people = people
        self.events = events
        self.now = now
    }

    func person(_ id: UUID?) -> String {
        guard let id else { return "" }
        let name = people[id] ?? "(erased)"
        return model.people[id]?.hasLeft == true ? "\(name) (left)" : name
    }

    func organisation(_ id: UUID?) -> String {
        id.flatMap { model.organisations[$0]?.name } ?? ""
    }

    func engagement(_ id: UUID?) -> String {
        id.flatMap { model.engagements[$0]?.handle } ?? ""
    }

    var today: Day { Day(now) }

    /// The events up to the instant as the domain's, in log order.
    /// - Throws: ``EventDecodingError`` for an event this version cannot read: a report never
    ///   leaves one out without saying so.
    func domainEvents() throws -> [(recorded: RecordedEvent, event: any DomainEvent)] {
        try events.map { ($0, try $0.domainEvent()) }
    }

    func days(since date: Date) -> Int { Int(now.timeIntervalSince(date) / 86_400) }
}

public enum Reports {
    // MARK: - Pipeline

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
        public var stage: Stage?
        public var source: LeadSource?
        /// Leads captured on or after this instant.
        public var since: Date?
        public init(stage: Stage? = nil, source: LeadSource? = nil, since: Date? = nil) {
            self.stage = stage
            self.source = source
            self.since = since
        }
    }

    public static func pipeline(_ input: ReportInput, filter: PipelineFilter = PipelineFilter()) -> Report {
        var report = Report(name: "pipeline", title: "Pipeline", asOf: input.now)
        let leads = input.model.pipeline.values
            .filter { lead in
                (filter.stage.map { lead.stage == $0 } ?? true) && (filter.source.map { lead.source == $0.rawValue } ?? true)
                    && (filter.since.map { lead.capturedAt >= $0 } ?? true)
            }
            .sorted { ($0.stage, $0.handle) < ($1.stage, $1.handle) }
        let history = Array(input.model.stages.values)

        var stages = Section(
            "stages", "By stage",
            [
                Column("stage", "Stage"), Column("leads", "Leads"), Column("value", "Value"), Column("weighted", "Weighted"),
                Column("currency", "Currency"),
            ])
        for stage in Stage.allCases {
            let inStage = leads.filter { $0.stage == stage }
            guard !inStage.isEmpty else { continue }
            let currencies = Set(inStage.compactMap { $0.value?.currency }).sorted()
            for currency in currencies.isEmpty ? [""] : currencies {
                let priced = inStage.filter { ($0.value?.currency ?? "") == currency || currencies.isEmpty }
                let value = priced.compactMap { $0.value?.minorUnits }.reduce(0, +)
                let weighted = priced.compactMap(\.weightedMinor).reduce(0, +)
                stages.rows.append([
                    .text(stage.rawValue), .int(currencies.count > 1 ? priced.count : inStage.count),
                    currency.isEmpty ? .empty : .money(value, currency), currency.isEmpty ? .empty : .money(weighted, currency),
                    .text(currency),
                ])
            }
        }
        report.sections.append(stages)

        var open = Section(
            "open_leads", "Open leads",
            [
                Column("lead", "Lead"), Column("organisation", "Organisation"), Column("stage", "Stage"), Column("value", "Value"),
                Column("currency", "Currency"), Column("probability", "Prob."), Column("weighted", "Weighted"), Column("source", "Source"),
                Column("expected_close", "Expected close"), Column("days_in_stage", "Days in stage"), Column("stuck", "Stuck"),
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

        var sources = Section(
            "sources", "Win rate and cycle by source",
            [
                Column("source", "Source"), Column("leads", "Leads"), Column("won", "Won"), Column("lost", "Lost"),
                Column("win_rate", "Win rate"),
                Column("cycle_days", "Cycle (days)"),
            ])
        for source in LeadSource.allCases {
            let from = leads.filter { $0.source == source.rawValue }
            guard !from.isEmpty else { continue }
            let won = from.filter { $0.stage == .won }
            let lost = from.filter { $0.stage == .lost }
            let cycles = won.compactMap { lead in lead.closedAt.map { $0.timeIntervalSince(lead.capturedAt) / 86_400 } }
            sources.rows.append([
                .text(source.rawValue), .int(from.count), .int(won.count), .int(lost.count),
                won.count + lost.count == 0 ? .empty : .percent(100 * Double(won.count) / Double(won.count + lost.count)),
                cycles.isEmpty ? .empty : .number(cycles.reduce(0, +) / Double(cycles.count), decimals: 0),
            ])
        }
        report.sections.append(sources)

        var reasons = Section(
            "reasons", "Lost and disqualified", [Column("kind", "Kind"), Column("reason", "Reason"), Column("leads", "Leads")])
        reasons.empty = "No lost or disqualified leads."
        let closed = leads.filter { $0.stage == .lost }.map { lead -> (String, String) in
            let reason = lead.closeReason ?? "(no reason)"
            return reason.hasPrefix("disqualified: ") ? ("disqualified", String(reason.dropFirst(14))) : ("lost", reason)
        }
        for (pair, count) in Dictionary(grouping: closed, by: { "\($0.0)|\($0.1)" }).mapValues(\.count).sorted(by: {
            ($1.value, $0.key) < ($0.value, $1.key)
        }) {
            let parts = pair.split(separator: "|", maxSplits: 1).map(String.init)
            reasons.rows.append([.text(parts[0]), .text(parts[1]), .int(count)])
        }
        report.sections.append(reasons)

        report.charts.append(
            .funnel(
                title: "Leads by stage", stages: Stage.allCases.map { stage in (stage.rawValue, leads.filter { $0.stage == stage }.count) })
        )
        report.charts.append(
            .bars(
                title: "Weighted forecast by expected close",
                bars: forecast.rows.map { row in
                    let value: Double = if case .number(let amount, _) = row[2] { amount } else { 0 }
                    return ("\(row[0].display) \(row[3].display)".trimmingCharacters(in: .whitespaces), value, row[2].display)
                }))
        return report
    }

    // MARK: - Status

    /// Health of an engagement at `now` (DOMAIN.md "Health"), with its reasons: the one judge
    /// of it (the SQL view that said the same was dropped by migration 0014).
    ///
    /// - *stalled*: an open objective has had no measurement for 30 days (counted from when it
    ///   was set, before its first);
    /// - *at risk*: an open objective is more than 20 points behind the straight line from its
    ///   baseline at the start to its target at the due date; or the handover date has passed
    ///   without completion; or the sponsor or a champion left the organisation; or a
    ///   retainer's hours this month exceed its hours per month;
    /// - *on track* otherwise. A closed engagement has no health.
    public static func health(_ e: EngagementRow, objectives: [ObjectiveRow], input: ReportInput) -> (String?, [String]) {
        guard e.phase != "closed" else { return (nil, []) }
        let open = objectives.filter { $0.status == "open" }.sorted { $0.handle < $1.handle }
        var stalled: [String] = []
        for objective in open {
            let since = objective.lastMeasuredAt ?? objective.setAt
            if input.now.timeIntervalSince(since) > 30 * 86_400 {
                stalled.append("no measurement of \(objective.handle) for \(input.days(since: since)) days")
            }
        }
        var risks: [String] = []
        for objective in open {
            let span = objective.due.date.timeIntervalSince(e.startedAt)
            guard span > 0 else { continue }
            let expected = min(100, max(0, 100 * input.now.timeIntervalSince(e.startedAt) / span))
            if expected - objective.progress > 20 {
                risks.append("\(objective.handle) is \(Int((expected - objective.progress).rounded())) points behind plan")
            }
        }
        if e.handoverState != "completed", let due = e.handoverOn ?? e.plannedHandover, due < input.today {
            risks.append("the handover date \(due) has passed")
        }
        for id in [e.sponsorID].compactMap({ $0 }) + e.champions where input.model.people[id]?.hasLeft == true {
            risks.append("\(id == e.sponsorID ? "the sponsor" : "a champion") left the organisation")
        }
        if let budget = e.hoursPerMonth, let hours = e.hoursByMonth[String(input.today.description.prefix(7))], hours > budget {
            risks.append("retainer hours this month \(hours.formatted()) over \(budget.formatted())")
        }
        return (!stalled.isEmpty ? "stalled" : !risks.isEmpty ? "at risk" : "on track", stalled + risks)
    }

    /// Every open engagement (or all, or one).
    /// - Throws: ``EventDecodingError`` for an event of the log this version cannot read.
    public static func status(_ input: ReportInput, engagement: UUID? = nil, includeClosed: Bool = false) throws -> Report {
        var report = Report(name: "status", title: "Engagement status", asOf: input.now)
        let engagements = input.model.engagements.values
            .filter { engagement == nil ? (includeClosed || $0.phase != "closed") : $0.engagementID == engagement }
            .sorted { $0.handle < $1.handle }
        let objectives = Dictionary(grouping: input.model.objectives.values, by: \.engagementID)
        let handovers = input.model.handovers

        var section = Section(
            "engagements", "Engagements",
            [
                Column("engagement", "Engagement"), Column("organisation", "Organisation"), Column("phase", "Phase"),
                Column("health", "Health"),
                Column("reasons", "Why"), Column("sponsor", "Sponsor"), Column("champions", "Champions"), Column("channels", "Channels"),
                Column("handover", "Handover"), Column("handover_on", "Handover on"), Column("checklist_done", "Checklist done"),
                Column("checklist_total", "Checklist items"), Column("owners", "Receiving owners"),
                Column("hours_this_month", "Hours this month"),
                Column("hours_per_month", "Hours a month"),
            ])
        section.empty = "No open engagements."
        var objectiveSection = Section(
            "objectives", "Objectives",
            [
                Column("engagement", "Engagement"), Column("objective", "Objective"), Column("metric", "Metric"),
                Column("baseline", "Baseline"),
                Column("latest", "Latest"), Column("target", "Target"), Column("progress", "Progress"), Column("trend", "Trend"),
                Column("due", "Due"), Column("last_measured", "Last measured"), Column("status", "Status"),
            ])
        objectiveSection.empty = "No objectives."
        let events = try input.domainEvents()
        for e in engagements {
            let own = (objectives[e.engagementID] ?? []).sorted { $0.handle < $1.handle }
            let (health, reasons) = health(e, objectives: own, input: input)
            let month = String(input.today.description.prefix(7))
            section.rows.append([
                .text(e.handle), .text(input.organisation(e.organisationID)), .text(e.phase), .optional(health),
                .text(reasons.joined(separator: "; ")), .text(input.person(e.sponsorID)),
                .text(e.champions.map { input.person($0) }.joined(separator: ", ")), .text(e.channels.joined(separator: ", ")),
                .text(e.handoverState), .optional(e.handoverOn ?? e.plannedHandover), .int(e.checklistDone + e.checklistWaived),
                .int(e.checklistTotal), .text((handovers[e.engagementID]?.owners ?? []).map { input.person($0) }.joined(separator: ", ")),
                .number(e.hoursByMonth[month] ?? 0, decimals: 1), .optional(e.hoursPerMonth, decimals: 1),
            ])
            for o in own {
                objectiveSection.rows.append([
                    .text(e.handle), .text(o.handle), .text(o.metric + (o.unit.map { " (\($0))" } ?? "")), .number(o.baseline, decimals: 0),
                    .optional(o.latest), .number(o.target, decimals: 0), .percent(o.progress), .optional(o.trend), .day(o.due),
                    .optional(o.lastMeasuredAt.map { Day($0) }), .text(o.status),
                ])
                report.charts.append(
                    .line(
                        objective: "\(e.handle): \(o.handle)", metric: o.metric, points: measurements(of: o.objectiveID, in: events),
                        baseline: o.baseline, target: o.target))
            }
        }
        report.sections += [section, objectiveSection]
        report.charts.insert(
            .progress(
                title: "Objective progress",
                objectives: objectiveSection.rows.map { ("\($0[0].display): \($0[1].display)", progressValue($0[6])) }),
            at: 0)
        return report
    }

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
        return LatestMeasurements.inOrder(taken).map { (date: $0.takenAt, value: $0.value) }
    }

    // MARK: - Referrals

    public static func referrals(_ input: ReportInput) -> Report {
        var report = Report(name: "referrals", title: "Referrals", asOf: input.now)
        let referrals = input.model.referrals.values.sorted {
            ($0.receivedAt, $0.leadID.uuidString) < ($1.receivedAt, $1.leadID.uuidString)
        }
        var list = Section(
            "referrals", "Referrers and what their introductions became",
            [
                Column("referrer", "Referrer"), Column("lead", "Lead"), Column("organisation", "Organisation"),
                Column("received", "Received"),
                Column("stage", "Stage"), Column("engagement", "Engagement"), Column("won_value", "Won value"),
                Column("currency", "Currency"),
                Column("thanked", "Thanked"),
            ])
        list.empty = "No referrals yet."
        for referral in referrals {
            let lead = input.model.pipeline[referral.leadID]
            list.rows.append([
                .text(input.person(referral.referrerID)), .text(lead?.handle ?? ""), .text(input.organisation(lead?.organisationID)),
                .day(Day(referral.receivedAt)), .text(referral.stage.rawValue), .text(input.engagement(referral.engagementID)),
                .money(referral.wonValue?.minorUnits, referral.wonValue?.currency), .optional(referral.wonValue?.currency),
                .optional(referral.thankedOn),
            ])
        }
        report.sections.append(list)

        var share = Section(
            "share", "Won value from referrals",
            [
                Column("currency", "Currency"), Column("from_referrals", "From referrals"), Column("total_won", "All won"),
                Column("share", "Share"),
            ])
        share.empty = "Nothing won yet."
        let won = input.model.pipeline.values.filter { $0.stage == .won }
        for currency in Set(won.compactMap { $0.value?.currency }).sorted() {
            let total = won.filter { $0.value?.currency == currency }.compactMap { $0.value?.minorUnits }.reduce(0, +)
            let referred = won.filter { $0.value?.currency == currency && $0.source == LeadSource.referral.rawValue }
                .compactMap { $0.value?.minorUnits }.reduce(0, +)
            share.rows.append([
                .text(currency), .money(referred, currency), .money(total, currency),
                .percent(total == 0 ? 0 : 100 * Double(referred) / Double(total)),
            ])
        }
        report.sections.append(share)

        var thank = Section(
            "to_thank", "Who to thank", [Column("referrer", "Referrer"), Column("lead", "Lead"), Column("received", "Received")])
        thank.empty = "Everyone has been thanked."
        for referral in referrals where referral.thankedOn == nil {
            thank.rows.append([
                .text(input.person(referral.referrerID)), .text(input.model.pipeline[referral.leadID]?.handle ?? ""),
                .day(Day(referral.receivedAt)),
            ])
        }
        report.sections.append(thank)

        var ask = Section(
            "ask_for_introduction", "Whom to ask for an introduction",
            [
                Column("person", "Person"), Column("engagement", "Engagement"), Column("handed_over", "Handed over"),
                Column("days_since", "Days since"),
            ])
        ask.empty = "Nobody to ask: no handover in the last 90 days without a request."
        for handover in input.model.handovers.values.sorted(by: { $0.engagementID.uuidString < $1.engagementID.uuidString }) {
            guard let completed = handover.completedAt, input.days(since: completed) <= 90 else { continue }
            let asked = input.model.people[handover.sponsorID]?.introductionAskedAt
            guard asked == nil || asked! < completed else { continue }
            ask.rows.append([
                .text(input.person(handover.sponsorID)), .text(input.engagement(handover.engagementID)), .day(Day(completed)),
                .int(input.days(since: completed)),
            ])
        }
        report.sections.append(ask)
        return report
    }

    // MARK: - Handovers

    public static func handovers(_ input: ReportInput) -> Report {
        var report = Report(name: "handovers", title: "Handovers", asOf: input.now)
        let handovers = input.model.handovers.values.sorted {
            ($0.plannedOn, $0.engagementID.uuidString) < ($1.plannedOn, $1.engagementID.uuidString)
        }
        var list = Section(
            "handovers", "Planned and completed",
            [
                Column("engagement", "Engagement"), Column("organisation", "Organisation"), Column("planned_on", "Planned on"),
                Column("completed_on", "Completed on"), Column("owners", "Receiving owners"), Column("sponsor", "Sponsor"),
                Column("follow_ups", "Follow-up checks"),
            ])
        list.empty = "No handovers planned yet."
        for handover in handovers {
            let engagement = input.model.engagements[handover.engagementID]
            list.rows.append([
                .text(engagement?.handle ?? ""), .text(input.organisation(engagement?.organisationID)), .day(handover.plannedOn),
                .optional(handover.completedAt.map { Day($0) }), .text(handover.owners.map { input.person($0) }.joined(separator: ", ")),
                .text(input.person(handover.sponsorID)),
                .text(
                    handover.followUps.map { "\($0.daysAfter) days: \($0.accountActive ? "active" : "inactive")" }.joined(separator: "; ")),
            ])
        }
        report.sections.append(list)

        var survival = Section(
            "survival", "Accounts still active after the handover",
            [
                Column("days", "Days after"), Column("handed_over", "Handed over that long ago"), Column("checked", "Checked"),
                Column("active", "Active"), Column("share", "Share active"),
            ])
        for days in [30, 90, 180] {
            let eligible = handovers.filter { $0.completedAt.map { input.days(since: $0) >= days } ?? false }
            let checks = eligible.compactMap { handover in
                handover.followUps.filter { $0.daysAfter >= days }.min { $0.daysAfter < $1.daysAfter }
            }
            let active = checks.filter(\.accountActive).count
            survival.rows.append([
                .int(days), .int(eligible.count), .int(checks.count), .int(active),
                checks.isEmpty ? .empty : .percent(100 * Double(active) / Double(checks.count)),
            ])
        }
        report.sections.append(survival)
        return report
    }

    // MARK: - Case study

    /// The write-up of one engagement, objectives frozen at the handover (or now, before it).
    /// - Throws: ``EventDecodingError`` for an event of the log this version cannot read.
    public static func caseStudy(_ input: ReportInput, engagement id: UUID, frozen: ReadModel) throws -> Report {
        var report = Report(name: "case-study", title: "Case study", asOf: input.now)
        guard let e = input.model.engagements[id] else { return report }
        let organisation = input.organisation(e.organisationID)
        let handover = input.model.handovers[id]
        var names = Names(input.people)
        let events = try input.domainEvents()
        for (_, event) in events { names.learn(from: event) }
        let stream = StreamName.entity(.engagement, id).description
        let own = events.filter { $0.recorded.stream == stream }
        let purpose = own.compactMap { $0.event as? PurposeStated }.last?.purpose

        report.prose.append("# \(e.title): \(organisation)")
        report.prose.append(
            "\(organisation) worked with us from \(Day(e.startedAt)) on a \(e.kind) engagement"
                + (handover?.completedAt.map { ", and took the work over on \(Day($0))" } ?? "") + ".")
        if let purpose { report.prose.append("The purpose: \(purpose)") }
        if e.sponsorID != nil || !e.champions.isEmpty {
            report.prose.append(
                "Sponsor: \(input.person(e.sponsorID)). Champions: \(e.champions.map { input.person($0) }.joined(separator: ", ")). Channels: \(e.channels.joined(separator: ", "))."
            )
        }
        if let handover {
            report.prose.append(
                "Handed over to \(handover.owners.map { input.person($0) }.joined(separator: ", ")), with \(input.person(handover.sponsorID)) as sponsor"
                    + (handover.followUps.last.map {
                        "; \($0.daysAfter) days later the account was \($0.accountActive ? "active" : "inactive")"
                            + ($0.postsPerWeek.map { ", posting \($0.formatted()) times a week" } ?? "")
                    } ?? "")
                    + ".")
        }

        var objectives = Section(
            "objectives", "Objectives, before and after",
            [
                Column("objective", "Objective"), Column("metric", "Metric"), Column("before", "Before"), Column("after", "At handover"),
                Column("target", "Target"), Column("progress", "Progress"),
            ])
        for o in frozen.objectives.values.filter({ $0.engagementID == id }).sorted(by: { $0.handle < $1.handle }) {
            objectives.rows.append([
                .text(o.handle), .text(o.metric + (o.unit.map { " (\($0))" } ?? "")), .number(o.baseline, decimals: 0), .optional(o.latest),
                .number(o.target, decimals: 0), .percent(o.progress),
            ])
        }
        report.sections.append(objectives)

        var timeline = Section("timeline", "Timeline", [Column("date", "Date"), Column("what", "What happened")])
        for (recorded, event) in own {
            timeline.rows.append([.day(Day(recorded.metadata.occurredAt)), .text(event.summary(names))])
        }
        report.sections.append(timeline)
        return report
    }

    // MARK: - Changes

    /// What changed between two instants, by when it happened.
    /// - Throws: ``EventDecodingError`` for an event of the log this version cannot read.
    public static func changes(_ input: ReportInput, since: Date, until: Date) throws -> Report {
        var report = Report(name: "changes", title: "What changed", asOf: until)
        var names = Names(input.people)
        var leads = Section(
            "new_leads", "New leads",
            [
                Column("date", "Date"), Column("lead", "Lead"), Column("source", "Source"), Column("value", "Value"),
                Column("currency", "Currency"),
            ])
        var moves = Section(
            "stage_moves", "Stage moves", [Column("date", "Date"), Column("lead", "Lead"), Column("from", "From"), Column("to", "To")])
        var slipped = Section(
            "slipped", "Slipped dates", [Column("date", "Date"), Column("lead", "Lead"), Column("from", "Was"), Column("to", "Now")])
        var measured = Section(
            "measurements", "New measurements", [Column("date", "Date"), Column("objective", "Objective"), Column("value", "Value")])
        var handovers = Section(
            "handovers", "Handovers", [Column("date", "Date"), Column("engagement", "Engagement"), Column("what", "What")])
        leads.empty = "No new leads."
        moves.empty = "No stage moves."
        slipped.empty = "No slipped dates."
        measured.empty = "No new measurements."
        handovers.empty = "No handovers."
        var streamNames: [String: String] = [:]
        for (recorded, event) in try input.domainEvents() {
            names.learn(from: event)
            if let e = event as? LeadCaptured { streamNames[recorded.stream] = e.handle }
            if let e = event as? EngagementStarted { streamNames[recorded.stream] = e.handle }
            let at = recorded.metadata.occurredAt
            guard at >= since, at < until else { continue }
            let subject = streamNames[recorded.stream] ?? ""
            switch event {
            case let e as LeadCaptured:
                leads.rows.append([
                    .day(Day(at)), .text(e.handle), .text(e.source.rawValue), .money(e.value?.minorUnits, e.value?.currency),
                    .optional(e.value?.currency),
                ])
            case let e as LeadStageChanged:
                moves.rows.append([.day(Day(at)), .text(subject), .text(e.from.rawValue), .text(e.to.rawValue)])
            case let e as ExpectedCloseMoved where (e.from.map { e.to > $0 } ?? false):
                slipped.rows.append([.day(Day(at)), .text(subject), .optional(e.from), .day(e.to)])
            case let e as MeasurementRecorded:
                measured.rows.append([.day(Day(at)), .text(names[e.objective]), .number(e.value, decimals: 0)])
            case is HandoverPlanned, is HandoverCompleted:
                handovers.rows.append([.day(Day(at)), .text(subject), .text(event.summary(names))])
            default: break
            }
        }
        report.sections = [leads, moves, slipped, measured, handovers]
        return report
    }
}
