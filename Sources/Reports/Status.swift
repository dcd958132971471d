import BackOffice
import Foundation
import Projections

extension Reports {
    /// Health of an engagement at `now` (DOMAIN.md "Health"), with its reasons: the one judge
    /// of it (the SQL view that said the same was dropped by migration 0014).
    ///
    /// - *stalled*: an open objective has had no measurement for 30 days (counted from when it
    ///   was set, before its first);
    /// - *at risk*: an open objective is more than 20 points behind the straight line from its
    ///   baseline at the start to its target at the due date; or the handover date has passed
    ///   without completion; or the sponsor or a champion left the organisation; or a
    ///   retainer's billable hours this month (`billableThisMonth`, the month of the instant)
    ///   exceed its hours per month: budget hours are spent by billable hours, as in
    ///   ``BudgetFigures``, and non-billable ones are the consultant's own;
    /// - *on track* otherwise. A closed engagement has no health.
    public static func health(_ e: EngagementRow, objectives: [ObjectiveRow], billableThisMonth: Quantity, input: ReportInput) -> (
        String?, [String]
    ) {
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
            // Due on or before the engagement's start (set late, for work already under way):
            // the whole way is expected once the due date has come.
            let expected =
                span > 0
                ? min(100, max(0, 100 * input.now.timeIntervalSince(e.startedAt) / span)) : input.now >= objective.due.date ? 100 : 0
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
        if let budget = e.hoursPerMonth, billableThisMonth > budget {
            risks.append("retainer's billable hours this month \(billableThisMonth.formatted) over \(budget.formatted)")
        }
        return (!stalled.isEmpty ? "stalled" : !risks.isEmpty ? "at risk" : "on track", stalled + risks)
    }

    /// What ``status(_:engagement:includeClosed:month:)`` reads: engagements, their objectives,
    /// handovers, organisations and people (by name, and who left), and the log (fees, budgets,
    /// channels, statements and the charts' measurements); not the pipeline, stages or referrals.
    public static let statusNeeds = ReportNeeds(
        tables: [.engagements, .objectives, .handovers, .organisations, .people], names: true, events: true)

    /// Every open engagement (or all, or one), with its hours in `month` (default: the month of
    /// the instant) and to the month's end against its budget hours and fee.
    ///
    /// One engagement comes as blocks on a terminal (its fields, objectives, people, channels,
    /// handover, hours): one record, many lines. On the first seven days of the default month,
    /// when last month's hours are the ones to invoice, the previous month's column is kept on a
    /// narrow terminal and the new month's few hours give way; later the previous month is
    /// among the first dropped. JSON and CSV always carry both.
    /// - Throws: ``EventDecodingError`` for an event of the log this version cannot read.
    public static func status(_ input: ReportInput, engagement: UUID? = nil, includeClosed: Bool = false, month: Month? = nil) throws
        -> Report
    {
        var report = Report(name: "status", title: "Engagement status", asOf: input.now)
        let engagements = input.model.engagements.values
            .filter { engagement == nil ? (includeClosed || $0.phase != "closed") : $0.engagementID == engagement }
            .sorted { $0.handle < $1.handle }
        let objectives = Dictionary(grouping: input.model.objectives.values, by: \.engagementID)
        let handovers = input.model.handovers
        let one = engagement != nil
        let month = month ?? defaultMonth(input)
        let invoicing = month == defaultMonth(input) && input.today.day <= 7
        // On those days the month's own columns give way first (the total last of them).
        let thisMonth: ColumnPriority = invoicing ? .normal : .high

        var section = Section(
            "engagements", one ? "Engagement" : "Engagements",
            [
                Column("engagement", "Engagement"), Column("title", "Title", .text, .low), Column("kind", "Kind", .whole, .low),
                Column("started", "Started", .whole, .low), Column("organisation", "Organisation", .text, .high),
                Column("phase", "Phase", .whole, .high),
                Column("health", "Health", .whole, .high),
                Column("reasons", "Why", .text, .high), Column("sponsor", "Sponsor", .text), Column("champions", "Champions", .text, .low),
                Column("channels", "Channels", .text, .low),
                Column("budget_source", "Budget source", .whole, .low), Column("handover", "Handover"),
                Column("handover_on", "Handover on", .whole, .high),
                Column("checklist_done", "Checklist done"), Column("checklist_waived", "Checklist waived", .whole, .low),
                Column("checklist_total", "Checklist items"), Column("owners", "Receiving owners", .text, .low),
                Column("hours_this_month", "Hours \(month)", .whole, .high),
                Column("hours_per_month", "Hours a month"),
            ])
        section.empty = "No open engagements."
        var objectiveSection = Section(
            "objectives", "Objectives",
            [
                Column("engagement", "Engagement"), Column("objective", "Objective", .key), Column("metric", "Metric", .text),
                Column("baseline", "Baseline"),
                Column("latest", "Latest", .whole, .high), Column("target", "Target", .whole, .high),
                Column("progress", "Progress", .whole, .high), Column("trend", "Trend", .whole, .low),
                Column("due", "Due", .whole, .high), Column("last_measured", "Last measured", .whole, .low), Column("status", "Status"),
            ])
        objectiveSection.empty = "No objectives."
        var channels = Section(
            "channels", "Channels and the objectives they serve",
            [
                Column("engagement", "Engagement"), Column("channel", "Channel", .key), Column("handle", "Handle", .whole, .high),
                Column("serves", "Serves objectives", .text), Column("adopted", "Adopted"),
            ])
        channels.empty = "No channels."
        var hours = Section(
            "hours", "Hours in \(month) and to its end, against the budget",
            [
                Column("engagement", "Engagement"), Column("month", "Month", .whole, .low),
                Column("hours", "Hours", .whole, thisMonth), Column("billable", "Billable", .whole, thisMonth),
                Column("non_billable", "Non-billable", .whole, thisMonth),
                Column("previous_month", "Hours \(month.previous)", .whole, invoicing ? .high : .low),
                Column("billable_to_date", "Billable to date", .whole, .normal), Column("hours_to_date", "Hours to date", .whole, .low),
                Column("budget_hours", "Budget", .whole, .high), Column("used_percent", "Used", .whole, .normal),
                Column("left", "Left", .whole, .normal), Column("budget_state", "Against budget", .whole, .high),
                Column("fee", "Fee", .whole, .low), Column("currency", "Currency", .whole, .low),
                Column("fee_used", "Fee used", .whole, .low), Column("fee_left", "Fee left", .whole, .low),
            ])
        hours.empty = section.empty
        var people = Section(
            "people", "People",
            [
                Column("role", "Role"), Column("name", "Name", .text), Column("title", "Title", .text, .normal),
                Column("level", "Level", .whole, .low),
            ])
        people.empty = "No sponsor, champions or receiving owners yet."
        var handover = Section(
            "handover", "Handover",
            [
                Column("state", "State"), Column("planned_on", "Planned for"), Column("handover_on", "Handover on"),
                Column("completed", "Completed"), Column("signed_off_by", "Signed off by", .text),
                Column("owners", "Receiving owners", .text),
                Column("checklist_done", "Checklist done"), Column("checklist_waived", "Checklist waived"),
                Column("checklist_total", "Checklist items"), Column("follow_ups", "Follow-ups", .text),
            ])
        let events = try input.domainEvents()
        let names = statements(in: events)
        let work = Dictionary(grouping: try workEntries(input), by: \.engagement)
        let fees = fees(in: events)
        // Health's retainer rule reads the month of the instant, whatever --month shows.
        let today = Month(input.today)
        for e in engagements {
            let own = (objectives[e.engagementID] ?? []).sorted { $0.handle < $1.handle }
            let billable = HoursTally((work[e.engagementID] ?? []).filter { today.contains($0.day) }).billable
            let (health, reasons) = health(e, objectives: own, billableThisMonth: billable, input: input)
            let fee = fees[e.engagementID]
            let figures = budget(e, month: month, entries: work[e.engagementID] ?? [], fee: fee)
            section.rows.append([
                .text(e.handle), .text(e.title), .text(e.kind), .day(Day(e.startedAt)), .text(input.organisation(e.organisationID)),
                .text(e.phase), .optional(health),
                .text(reasons.joined(separator: "; ")), .text(input.person(e.sponsorID)),
                .text(e.champions.map { input.person($0) }.joined(separator: ", ")), .text(e.channels.joined(separator: ", ")),
                .optional(budgetSource(of: e, in: events)?.rawValue),
                .text(e.handoverState), .optional(e.handoverOn ?? e.plannedHandover), .int(e.checklistDone),
                .int(e.checklistWaived), .int(e.checklistTotal),
                .text((handovers[e.engagementID]?.owners ?? []).map { input.person($0) }.joined(separator: ", ")),
                .exact(figures.month.total), .exact(e.hoursPerMonth),
            ])
            hours.rows.append([
                .text(e.handle), .text(month.description), .exact(figures.month.total), .exact(figures.month.billable),
                .exact(figures.month.nonBillable), .exact(figures.previousMonth.total), .exact(figures.toDate.billable),
                .exact(figures.toDate.total), .exact(figures.budgetHours), figures.usedPercent.map { .percent($0) } ?? .empty,
                .exact(figures.left), .optional(figures.state ?? "no budget hours"), .money(fee?.minorUnits, fee?.currency),
                .optional(fee?.currency), .money(figures.feeUsed, fee?.currency), .money(figures.feeLeft, fee?.currency),
            ])
            for channel in adoptedChannels(of: e.engagementID, in: events) {
                channels.rows.append([
                    .text(e.handle), .text(channel.channel.rawValue), .optional(channel.handle),
                    .text(channel.serves.map { input.model.objectives[$0]?.handle ?? "" }.joined(separator: ", ")),
                    .day(Day(channel.adoptedAt)),
                ])
            }
            for o in own {
                objectiveSection.rows.append([
                    .text(e.handle), .text(o.handle), .text(o.metric + (o.unit.map { " (\($0))" } ?? "")), .metric(o.baseline, of: o),
                    .metric(o.latest, of: o), .metric(o.target, of: o), .percent(o.progress), .optional(o.trend), .day(o.due),
                    .optional(o.lastMeasuredAt.map { Day($0) }), .text(o.status),
                ])
                report.charts.append(objectiveChart(o, statements: names, context: input.organisation(e.organisationID), events: events))
            }
            guard one else { continue }
            let row = handovers[e.engagementID]
            func person(_ role: String, _ id: UUID) -> [Cell] {
                let details = input.model.people[id]
                return [.text(role), .text(input.person(id)), .optional(details?.title), .optional(details?.level)]
            }
            people.rows =
                [e.sponsorID].compactMap { $0 }.map { person("sponsor", $0) } + e.champions.map { person("champion", $0) }
                + (row?.owners ?? []).map { person("receiving owner", $0) }
            handover.rows = [
                [
                    .text(e.handoverState), .optional(row?.plannedOn ?? e.plannedHandover), .optional(e.handoverOn),
                    .optional(row?.completedAt.map { Day($0) }), .optional(row?.signedOffBy.map { input.person($0) }),
                    .text((row?.owners ?? []).map { input.person($0) }.joined(separator: ", ")), .int(e.checklistDone),
                    .int(e.checklistWaived), .int(e.checklistTotal),
                    .optional(
                        row.flatMap { $0.followUps.isEmpty ? nil : $0 }?.followUps.sorted { $0.daysAfter < $1.daysAfter }
                            .map { "\($0.daysAfter) days: \($0.accountActive ? "active" : "inactive")" }.joined(separator: ", ")),
                ]
            ]
        }
        if one {
            section.layout = .records
            objectiveSection.layout = .records
            handover.layout = .records
            hours.layout = .records
            report.sections += [section, objectiveSection, people, channels, handover, hours]
        } else {
            report.sections += [section, objectiveSection, channels, hours]
        }
        report.charts.insert(
            .progress(
                title: "Objective progress",
                objectives: engagements.flatMap { e in
                    (objectives[e.engagementID] ?? []).sorted { $0.handle < $1.handle }.map {
                        (names[$0.objectiveID] ?? $0.handle, $0.progress)
                    }
                }),
            at: 0)
        return report
    }
}
