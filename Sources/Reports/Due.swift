import BackOffice
import Foundation
import Projections

/// One line of the consultant's agenda (`consult due`): what is due, for whom, when, why in
/// words, and the command that deals with it.
public struct DueItem: Sendable, Equatable {
    /// What kind of thing is due. The raw values are the JSON's `kind`.
    public enum Kind: String, Sendable, CaseIterable {
        /// A planned handover not completed yet.
        case handover
        /// An open item of a planned handover's checklist.
        case checklistItem = "checklist_item"
        /// An open objective whose due date comes (or came).
        case objective
        /// An active objective that goes (or went) too long without a measurement.
        case measurement
        /// The 30-, 90- or 180-day check after a completed handover.
        case followUp = "follow_up"
        /// An open lead's expected close: coming, or passed ("slipped").
        case expectedClose = "expected_close"
        /// A lead in a stage longer than the stage's usual time.
        case stuck
        /// A referrer not thanked yet.
        case thank
        /// A sponsor to ask for an introduction after a completed handover.
        case ask
        /// An open engagement's billable hours reaching 80%, then 100%, of its budget hours.
        case budget
        /// A retainer's billable hours this month reaching 80%, then 100%, of its hours a month.
        case retainerHours = "retainer_hours"
    }

    /// Where an item falls, seen from the report's day. The raw values are the JSON's `group`.
    public enum Group: String, Sendable, CaseIterable {
        /// Due before today.
        case overdue
        case today
        /// Due in the six days after today (so a weekday name is never ambiguous).
        case thisWeek = "this_week"
        /// Due later, up to `--within` days after today.
        case later

        public var title: String {
            switch self {
            case .overdue: "Overdue"
            case .today: "Today"
            case .thisWeek: "This week"
            case .later: "Later"
            }
        }
    }

    public var kind: Kind
    /// The day it falls due: the first day its rule calls for action.
    public var due: Day
    /// The organisation's name and handle.
    public var organisation: String
    public var organisationHandle: String?
    /// Handles of what it concerns, where it concerns them.
    public var engagement: String?
    public var lead: String?
    public var objective: String?
    public var item: String?
    /// The person it concerns, by name ("(left)" once they left their organisation), and handle.
    public var person: String?
    public var personHandle: String?
    /// Why, in words: "measurement of followers 3 days overdue".
    public var why: String
    /// The command that deals with it; words in capitals are for the consultant to fill in.
    public var command: String

    /// Orders items on the same day: the kind's place, then the subject, then a handover before
    /// its checklist items (in the order they were added).
    var rank: Int
    var subject: String
    var sequence: Int
}

extension Reports {
    /// The agenda's order of kinds on one day: a handover and its checklist first, then
    /// objectives, measurements, follow-ups, leads, and people to thank or ask.
    static let dueRank: [DueItem.Kind: Int] = [
        .handover: 0, .checklistItem: 0, .objective: 1, .measurement: 2, .budget: 3, .retainerHours: 3, .followUp: 4, .expectedClose: 5,
        .stuck: 6, .thank: 7, .ask: 8,
    ]

    /// Whole days from `from` to `to` (negative when `to` comes first).
    static func daysBetween(_ from: Day, _ to: Day) -> Int { Int((to.date.timeIntervalSince(from.date) / 86_400).rounded()) }

    /// The group of a day seen from `today`.
    public static func dueGroup(_ day: Day, today: Day) -> DueItem.Group {
        let days = daysBetween(today, day)
        return days < 0 ? .overdue : days == 0 ? .today : days <= 6 ? .thisWeek : .later
    }

    static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// `Friday`
    static func weekday(_ day: Day) -> String { weekdays[utc.component(.weekday, from: day.date) - 1] }

    /// When, in words: "3 days overdue", "today", "tomorrow", "Friday", "on 2026-10-20".
    static func when(_ day: Day, today: Day) -> String {
        let days = daysBetween(today, day)
        switch days {
        case ..<0: return "\(plural(-days, "day")) overdue"
        case 0: return "today"
        case 1: return "tomorrow"
        case 2...6: return weekday(day)
        default: return "on \(day)"
        }
    }

    /// "due today", "due Friday", but "3 days overdue".
    static func dueWhen(_ day: Day, today: Day) -> String {
        day < today ? when(day, today: today) : "due " + when(day, today: today)
    }

    static func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

    /// A measurement or target as typed: `540`, `12.5`.
    static func plainNumber(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// A metric's value as typed: `1.8`, `2240`.
    static func plainNumber(_ value: Quantity) -> String { value.description }

    /// What is due for the consultant as of `input.now`: everything overdue, and whatever falls
    /// due within `within` days after today, in date order.
    ///
    /// - `handles`: people's handles (for the commands); a forgotten person is named by id.
    /// - `staleAfter`: days without a measurement after which an active objective's
    ///   measurement is due (Status's "stalled" rule uses 30).
    ///
    /// Each kind is due on the first day its rule calls for action: a handover and its open
    /// checklist items on the planned day; an objective on its due date; a measurement
    /// `staleAfter` days after the last one (or after the objective was set); a follow-up 30, 90
    /// and 180 days after the handover was completed (a later check covers the earlier ones, so
    /// of the overdue ones only the latest is listed); an open lead's expected close on that
    /// day; a stuck lead on the first day the pipeline calls it stuck (more days in the stage
    /// than the stage's usual time); a referrer to thank on the day the referral came; a
    /// sponsor to ask for an introduction on the day of the handover, while the referrals
    /// report lists them (90 days); an open engagement's budget on the day its billable hours
    /// reached 80% of its budget hours, or 100% (the later one only), and a retainer's month on
    /// the day its billable hours this month did the same against its hours a month (status's
    /// rule, "Hours"); an engagement's planned handover date (`engagement start --handover`) on
    /// that day while no handover is planned in full.
    /// - Throws: ``EventDecodingError`` for an event of the log this version cannot read.
    public static func dueItems(_ input: ReportInput, handles: [UUID: String], within: Int = 14, staleAfter: Int = 30) throws
        -> [DueItem]
    {
        let today = input.today
        let horizon = today.adding(days: within)
        let model = input.model
        var items: [DueItem] = []

        func handle(_ person: UUID?) -> String? { person.map { handles[$0] ?? $0.uuidString.lowercased() } }
        func name(_ person: UUID?) -> String? { person.map { input.person($0) } }
        func organisation(_ id: UUID?) -> (name: String, handle: String?) {
            let row = id.flatMap { model.organisations[$0] }
            return (row?.name ?? "", row?.handle)
        }
        func engagementItem(
            _ kind: DueItem.Kind, _ e: EngagementRow, due: Day, person: UUID?, why: String, command: String, objective: String? = nil,
            item: String? = nil, sequence: Int = 0
        ) -> DueItem {
            let org = organisation(e.organisationID)
            return DueItem(
                kind: kind, due: due, organisation: org.name, organisationHandle: org.handle, engagement: e.handle, lead: nil,
                objective: objective, item: item, person: name(person), personHandle: handle(person), why: why, command: command,
                rank: dueRank[kind]!, subject: e.handle + "/" + (objective ?? ""), sequence: sequence)
        }
        func leadItem(_ kind: DueItem.Kind, _ lead: PipelineRow, due: Day, person: UUID?, why: String, command: String) -> DueItem {
            let org = organisation(lead.organisationID)
            return DueItem(
                kind: kind, due: due, organisation: org.name, organisationHandle: org.handle, engagement: nil, lead: lead.handle,
                objective: nil, item: nil, person: name(person), personHandle: handle(person), why: why, command: command,
                rank: dueRank[kind]!, subject: lead.handle, sequence: 0)
        }

        // The checklist items each engagement's handover still has open, in the order added.
        var checklist: [UUID: [(id: UUID, handle: String, text: String)]] = [:]
        var closedItems = Set<UUID>()
        for (recorded, event) in try input.domainEvents() {
            guard let entity = StreamName(parsing: recorded.stream)?.entity, entity.kind == .engagement else { continue }
            switch event {
            case let e as HandoverItemAdded: checklist[entity.id, default: []].append((e.item, e.handle, e.text))
            case let e as HandoverItemCorrected:
                if let text = e.text, let index = checklist[entity.id]?.firstIndex(where: { $0.id == e.item }) {
                    checklist[entity.id]?[index].text = text
                }
            case let e as HandoverItemCompleted: closedItems.insert(e.item)
            case let e as HandoverItemWaived: closedItems.insert(e.item)
            default: break
            }
        }

        // MARK: Handovers, their checklists and follow-ups; whom to ask

        for handover in model.handovers.values {
            guard let e = model.engagements[handover.engagementID] else { continue }
            if let completed = handover.completedAt {
                let handedOver = Day(completed)
                // Follow-ups: a check at N days or later covers the N-day one.
                var overdue: DueItem?
                for days in [30, 90, 180] where !handover.followUps.contains(where: { $0.daysAfter >= days }) {
                    let due = handedOver.adding(days: days)
                    let item = engagementItem(
                        .followUp, e, due: due, person: handover.sponsorID,
                        why: "\(days)-day follow-up of the handover of \(handedOver) \(dueWhen(due, today: today))",
                        command: "consult handover follow-up \(e.handle) --days \(days) --[no-]active")
                    if due < today { overdue = item } else { items.append(item) }
                }
                if let overdue { items.append(overdue) }
                // The referrals report's rule: handed over in the last 90 days, sponsor not asked since.
                let asked = model.people[handover.sponsorID]?.introductionAskedAt
                if input.days(since: completed) <= 90, asked.map({ $0 < completed }) ?? true {
                    let ago = daysBetween(handedOver, today)
                    items.append(
                        engagementItem(
                            .ask, e, due: handedOver, person: handover.sponsorID,
                            why: "handed over \(ago == 0 ? "today" : "\(plural(ago, "day")) ago"), not asked for an introduction yet",
                            command: "consult introduction ask \(handle(handover.sponsorID)!)"))
                }
            } else if e.phase != "closed" {
                let open = (checklist[e.engagementID] ?? []).filter { !closedItems.contains($0.id) }
                let on = when(handover.plannedOn, today: today)
                items.append(
                    engagementItem(
                        .handover, e, due: handover.plannedOn, person: handover.sponsorID,
                        why: "handover \(on), " + (open.isEmpty ? "checklist done" : "\(plural(open.count, "checklist item")) open"),
                        command: "consult handover complete \(e.handle) --signed-off-by \(handle(handover.sponsorID)!)"))
                for (index, item) in open.enumerated() {
                    items.append(
                        engagementItem(
                            .checklistItem, e, due: handover.plannedOn, person: handover.sponsorID,
                            why: "checklist item open: \(item.text) (handover \(on))",
                            command: "consult handover item done \(e.handle) \(item.handle)", item: item.handle, sequence: index + 1))
                }
            }
        }

        // The handover date given when the engagement started (status's "the handover date has
        // passed"), while no handover is planned: planning it comes first.
        for e in model.engagements.values where e.phase != "closed" && model.handovers[e.engagementID] == nil {
            guard let on = e.plannedHandover else { continue }
            items.append(
                engagementItem(
                    .handover, e, due: on, person: e.sponsorID,
                    why: "handover \(when(on, today: today)), not planned yet (no receiving owners, no checklist)",
                    command: "consult handover plan \(e.handle) --on \(on) --to PERSON --sponsor \(handle(e.sponsorID) ?? "PERSON")"))
        }

        // MARK: Hours against the budget (CLI.md: a warning at 80% and at 100%)

        let work = Dictionary(grouping: try workEntries(input).filter { $0.day <= today }, by: \.engagement)
        /// The first day the billable hours of `entries` (in log order) reach `share` of `limit`.
        func reached(_ share: Decimal, of limit: Quantity, _ entries: [WorkEntry]) -> Day? {
            var billable = Quantity.zero
            for entry in entries.filter(\.billable).sorted(by: { $0.day < $1.day }) {
                billable += entry.hours
                if billable.decimal >= limit.decimal * share { return entry.day }
            }
            return nil
        }
        func percent(_ hours: Quantity, of limit: Quantity) -> Int {
            Int((NSDecimalNumber(decimal: hours.decimal / limit.decimal * 100).doubleValue).rounded(.down))
        }
        for e in model.engagements.values where e.phase != "closed" {
            let own = work[e.engagementID] ?? []
            if let budget = e.budgetHours, budget > .zero, let day = reached(1, of: budget, own) ?? reached(0.8, of: budget, own) {
                let used = HoursTally(own).billable
                let why =
                    used > budget
                    ? "over budget: \(used.formatted) of \(budget.formatted) h billable (\(percent(used, of: budget))%)"
                    : used == budget
                        ? "budget used up: \(used.formatted) of \(budget.formatted) h billable"
                        : "budget \(percent(used, of: budget))% used: \(used.formatted) of \(budget.formatted) h billable, \((budget - used).formatted) h left"
                items.append(engagementItem(.budget, e, due: day, person: e.sponsorID, why: why, command: "consult status \(e.handle)"))
            }
            let month = Month(today)
            let thisMonth = own.filter { month.contains($0.day) }
            if let limit = e.hoursPerMonth, limit > .zero,
                let day = reached(1, of: limit, thisMonth) ?? reached(0.8, of: limit, thisMonth)
            {
                let used = HoursTally(thisMonth).billable
                let why =
                    used > limit
                    ? "retainer hours in \(month) \(used.formatted) over \(limit.formatted) h a month"
                    : "retainer hours in \(month) \(used.formatted) of \(limit.formatted) h a month (\(percent(used, of: limit))%)"
                items.append(
                    engagementItem(
                        .retainerHours, e, due: day, person: e.sponsorID, why: why,
                        command: "consult timesheet --month \(month) --engagement \(e.handle)"))
            }
        }

        // MARK: Objectives and their measurements

        // A handle two engagements use is named with its engagement in the command
        // (`engagement/objective`, issue 16 item 7), so that the command runs as written.
        let shared = Set(Dictionary(grouping: model.objectives.values, by: \.handle).filter { $0.value.count > 1 }.keys)
        for o in model.objectives.values where o.status == "open" {
            guard let e = model.engagements[o.engagementID], e.phase != "closed" else { continue }
            let name = shared.contains(o.handle) ? "\(e.handle)/\(o.handle)" : o.handle
            let sponsor = model.handovers[e.engagementID]?.sponsorID ?? e.sponsorID
            let latest = o.latest.map(plainNumber) ?? "the baseline \(plainNumber(o.baseline))"
            items.append(
                engagementItem(
                    .objective, e, due: o.due, person: sponsor,
                    why: "objective \(o.handle) \(dueWhen(o.due, today: today)): at \(latest), target \(plainNumber(o.target)) "
                        + "(\(Int(o.progress.rounded()))% of the way)",
                    command: o.progress >= 100
                        ? "consult objective achieve \(name)"
                        : "consult objective revise \(name) --to TARGET --due DATE --reason TEXT",
                    objective: o.handle))
            // Status's rule: stale once `staleAfter` days pass without a measurement (counted
            // from when it was set, before the first). A paused engagement is not measured.
            guard e.phase == "active" else { continue }
            let since = o.lastMeasuredAt ?? o.setAt
            let due = Day(since.addingTimeInterval(Double(staleAfter) * 86_400))
            items.append(
                engagementItem(
                    .measurement, e, due: due, person: sponsor,
                    why: "measurement of \(o.handle) \(dueWhen(due, today: today)) "
                        + (o.lastMeasuredAt.map { "(last measured \(Day($0)))" } ?? "(none since it was set on \(Day(o.setAt)))"),
                    command: "consult objective measure \(name) VALUE", objective: o.handle))
        }

        // MARK: Leads

        let history = Array(model.stages.values)
        for lead in model.pipeline.values where lead.stage.isOpen {
            if let close = lead.expectedClose {
                let what = lead.stage == .proposal ? "proposal" + (lead.value.map { " of \($0)" } ?? "") : "lead at \(lead.stage.rawValue)"
                let why =
                    close < today
                    ? "\(what) slipped: \(plural(daysBetween(close, today), "day")) past its expected close of \(close)"
                    : "\(what) expected to close \(when(close, today: today))"
                items.append(
                    leadItem(
                        .expectedClose, lead, due: close, person: lead.referrerID, why: why,
                        command: "consult lead move-close \(lead.handle) --to DATE"))
            }
            // The pipeline's rule: stuck once the days in the stage pass the stage's usual days.
            let usual = usualDays(lead.stage, history: history)
            let stuckFrom = Day(lead.enteredStageAt.addingTimeInterval(Double(usual + 1) * 86_400))
            let days = input.days(since: lead.enteredStageAt)
            let next: String =
                switch lead.stage {
                case .new: "consult lead advance \(lead.handle) --to contacted"
                case .contacted: "consult lead qualify \(lead.handle) --objective TEXT"
                case .qualified: "consult lead propose \(lead.handle) --value AMOUNT"
                default: "consult lead win \(lead.handle) --title TITLE"
                }
            items.append(
                leadItem(
                    .stuck, lead, due: stuckFrom, person: lead.referrerID,
                    why: stuckFrom <= today
                        ? "stuck at \(lead.stage.rawValue) for \(plural(days, "day")) (usually \(usual))"
                        : "at \(lead.stage.rawValue) for \(plural(days, "day")), stuck \(when(stuckFrom, today: today)) (usually \(usual))",
                    command: next))
        }

        // MARK: Referrers to thank (the referrals report's rule: not thanked yet)

        for referral in model.referrals.values where referral.thankedOn == nil {
            guard let lead = model.pipeline[referral.leadID] else { continue }
            let received = Day(referral.receivedAt)
            let ago = daysBetween(received, today)
            items.append(
                leadItem(
                    .thank, lead, due: received, person: referral.referrerID,
                    why:
                        "referred \(organisation(lead.organisationID).name) \(ago == 0 ? "today" : "\(plural(ago, "day")) ago"), not thanked yet",
                    command: "consult referrer thank \(lead.handle)"))
        }

        return
            items
            .filter { $0.due < today || $0.due <= horizon }
            .sorted {
                ($0.due, $0.rank, $0.subject, $0.sequence, $0.kind.rawValue) < ($1.due, $1.rank, $1.subject, $1.sequence, $1.kind.rawValue)
            }
    }

    /// The agenda for a program (`--format json|csv`): one section `due`, in date order, every
    /// value exact (days as YYYY-MM-DD, handles, the command).
    public static func due(_ items: [DueItem], asOf: Date, within: Int) -> Report {
        var report = Report(name: "due", title: "What is due", asOf: asOf)
        let today = Day(asOf)
        var section = Section(
            "due", "What is due",
            [
                Column("group", "Group"), Column("due", "Due"), Column("days", "Days from today"), Column("kind", "Kind"),
                Column("organisation", "Organisation"), Column("organisation_handle", "Organisation handle"),
                Column("engagement", "Engagement"), Column("lead", "Lead"), Column("objective", "Objective"), Column("item", "Item"),
                Column("person", "Person"), Column("person_handle", "Person handle"), Column("why", "Why"), Column("command", "Command"),
            ])
        section.empty = "Nothing is due by \(today.adding(days: within))."
        for item in items {
            section.rows.append([
                .text(dueGroup(item.due, today: today).rawValue), .day(item.due), .int(daysBetween(today, item.due)),
                .text(item.kind.rawValue),
                .text(item.organisation), .optional(item.organisationHandle), .optional(item.engagement), .optional(item.lead),
                .optional(item.objective), .optional(item.item), .optional(item.person), .optional(item.personHandle), .text(item.why),
                .text(item.command),
            ])
        }
        report.sections.append(section)
        return report
    }

    /// The agenda for people (Markdown, HTML, the `report --html` page): a section per group
    /// that has something, each line what, for whom, when, why and the command.
    public static func dueByGroup(_ items: [DueItem], asOf: Date, within: Int) -> Report {
        var report = Report(name: "due", title: "What is due", asOf: asOf)
        let today = Day(asOf)
        for group in DueItem.Group.allCases {
            var section = Section(
                group.rawValue, group.title,
                [
                    Column("due", "Due"), Column("for", "For"), Column("why", "Why"), Column("command", "Command"),
                ])
            section.rows = items.filter { dueGroup($0.due, today: today) == group }.map { item in
                [.day(item.due), .text(forWhom(item)), .text(item.why), .text(item.command)]
            }
            guard !section.rows.isEmpty else { continue }
            report.sections.append(section)
        }
        if report.sections.isEmpty {
            var none = Section("due", "What is due", [Column("due", "Due")])
            none.empty = "Nothing is due by \(today.adding(days: within))."
            report.sections.append(none)
        }
        return report
    }

    /// "Northbridge Libraries · libraries-on-twitter · Helen Carter"
    static func forWhom(_ item: DueItem) -> String {
        [item.organisation, item.engagement ?? item.lead ?? "", item.person ?? ""].filter { !$0.isEmpty }.joined(separator: " · ")
    }

    /// The agenda for a terminal: a heading per group, then per item a line with the day and
    /// for whom, a line why, and the command; every line kept within `width` by wrapping at
    /// spaces (a command continues with ` \` so it can still be pasted). Nothing is cut.
    public static func dueText(_ items: [DueItem], asOf: Date, within: Int, width: Int = .max) -> String {
        let today = Day(asOf)
        let horizon = today.adding(days: within)
        var out = ""
        func wrap(_ text: String, indent: String, continuation: String = "") -> [String] {
            let words = Neutralise.terminal(text).split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            var lines: [String] = []
            var line = indent
            for word in words {
                let candidate = line == indent ? line + word : line + " " + word
                if Cells.width(candidate) + continuation.count > width, line != indent {
                    lines.append(line + continuation)
                    line = indent + "  " + word
                } else {
                    line = candidate
                }
            }
            return lines + [line]
        }
        out += wrap("What is due as of \(today) (overdue, and what falls due by \(horizon))", indent: "").joined(separator: "\n") + "\n"
        guard !items.isEmpty else { return out + "\nNothing is due by \(horizon).\n" }
        for group in DueItem.Group.allCases {
            let inGroup = items.filter { dueGroup($0.due, today: today) == group }
            guard !inGroup.isEmpty else { continue }
            out += "\n\(group.title) (\(inGroup.count))\n"
            for item in inGroup {
                let head = "\(weekday(item.due).prefix(3)) \(item.due)  \(forWhom(item))"
                for line in wrap(head, indent: "  ") + wrap(item.why, indent: "    ")
                    + wrap(item.command, indent: "    ", continuation: " \\")
                {
                    out += line + "\n"
                }
            }
        }
        return out
    }
}
