import BackOffice
import EventStore
import Foundation
import Projections

extension Reports {
    /// The page a consultant sends one client's sponsor (`consult report --engagement X --html
    /// FILE`): the engagement's purpose, its objectives by name with a chart each (baseline date
    /// to due date, the target and the straight path to it, the measurements), the measurements,
    /// the handover and its checklist, the follow-ups, and the people by name and title.
    ///
    /// It is built from an input that holds that engagement only
    /// (``Recording/Recorder/engagementInput(_:asOf:recorded:)``): no other client, prospect or
    /// lead is in it to leave out. What is for us alone (the fee, budget and hours, the work
    /// logged, notes on measurements and follow-ups, internal reasons) is there only when
    /// `includeInternal` is set.
    /// - Throws: ``EventDecodingError`` for an event of the log this version cannot read.
    public static func clientPage(_ input: ReportInput, engagement id: UUID, includeInternal: Bool = false) throws -> Report {
        guard let e = input.model.engagements[id] else { return Report(name: "client", title: "Engagement", asOf: input.now) }
        let organisation = input.organisation(e.organisationID)
        var report = Report(name: "client", title: "\(e.title) — \(organisation)", asOf: input.now)
        let stream = StreamName.entity(.engagement, id)
        let events = try input.domainEvents().filter { StreamName(parsing: $0.recorded.stream) == stream }
        let names = statements(in: events)
        // The objectives in the order they were set.
        let order = events.compactMap { ($0.event as? ObjectiveSet)?.objective }
        let objectives = order.compactMap { input.model.objectives[$0] }
        let handover = input.model.handovers[id]
        func person(_ id: UUID) -> String {
            let title = input.model.people[input.canonical(id)]?.title
            return input.person(id) + (title.map { " (\($0))" } ?? "")
        }

        // What the page says first: the work, its purpose, where the handover stands.
        report.prose.append(
            "\(organisation) and we have worked together since \(Day(e.startedAt)) on a \(e.kind) engagement"
                + (e.phase == "closed" ? ", closed on \(e.closedAt.map { Day($0).description } ?? "")." : "."))
        report.prose.append("# Purpose")
        report.prose.append(events.compactMap { $0.event as? PurposeStated }.last?.purpose ?? "No purpose stated yet.")
        if let handover {
            let owners = handover.owners.map { input.person($0) }.joined(separator: ", ")
            report.prose.append(
                handover.completedAt.map { "Handed over on \(Day($0)) to \(owners)." }
                    ?? "The handover to \(owners) is planned for \(handover.plannedOn).")
        }
        if includeInternal {
            let started = events.compactMap { $0.event as? EngagementStarted }.first
            let hours = events.compactMap { ($0.event as? WorkLogged)?.hours }.reduce(Quantity.zero, +)
            let fee: String = started?.fee.map { "\($0)" } ?? "none recorded"
            let budget: String = e.budgetHours.map { " of \($0.formatted) h budgeted" } ?? ""
            report.prose.append("Internal: fee \(fee); \(hours.formatted) h logged\(budget).")
        }

        report.charts.append(
            .progress(
                title: "Progress as of \(input.today)", objectives: objectives.map { (names[$0.objectiveID] ?? $0.handle, $0.progress) }))
        report.charts += objectives.map { objectiveChart($0, statements: names, events: events) }

        var objectiveSection = Section(
            "objectives", "Objectives",
            [
                Column("objective", "Objective", .text), Column("area", "Business area", .text, .low), Column("metric", "Metric", .text),
                Column("baseline", "Baseline"), Column("latest", "Latest"), Column("target", "Target"), Column("due", "Due"),
                Column("progress", "Progress", .whole, .high), Column("status", "Status"),
            ])
        objectiveSection.empty = "No objectives set yet."
        for o in objectives {
            objectiveSection.rows.append([
                .text(names[o.objectiveID] ?? o.handle), .text(o.businessArea), .text(o.metric + (o.unit.map { " (\($0))" } ?? "")),
                .metric(o.baseline, of: o), .metric(o.latest, of: o), .metric(o.target, of: o), .day(o.due), .percent(o.progress),
                .text(o.status),
            ])
        }

        // The measurements as the log stands (corrections applied), in the order taken.
        var taken: [(id: UUID, objective: UUID, value: Quantity, at: Date, source: String?, note: String?)] = []
        var items: [(id: UUID, text: String, category: String, state: String, on: Day?, reason: String?)] = []
        var people: [(id: UUID, role: String)] = []
        var work: [(at: Date, hours: Quantity, activity: String, billable: Bool)] = []
        func role(_ person: UUID, _ role: String) {
            let person = input.canonical(person)
            if !people.contains(where: { $0.id == person && $0.role == role }) { people.append((person, role)) }
        }
        for (recorded, event) in events {
            let at = recorded.metadata.occurredAt
            switch event {
            case let m as MeasurementRecorded: taken.append((m.measurement, m.objective, m.value, at, m.source, m.note))
            case let c as MeasurementCorrected:
                if let index = taken.firstIndex(where: { $0.id == c.corrects }) { taken[index].value = c.value }
            case let i as HandoverItemAdded: items.append((i.item, i.text, i.category, "open", nil, nil))
            case let i as HandoverItemCorrected:
                if let index = items.firstIndex(where: { $0.id == i.item }) {
                    if let text = i.text { items[index].text = text }
                    if let category = i.category { items[index].category = category }
                }
            case let i as HandoverItemCompleted:
                if let index = items.firstIndex(where: { $0.id == i.item }) {
                    items[index].state = "done"
                    items[index].on = Day(at)
                }
            case let i as HandoverItemWaived:
                if let index = items.firstIndex(where: { $0.id == i.item }) {
                    items[index].state = "waived"
                    items[index].on = Day(at)
                    items[index].reason = i.reason
                }
            case let s as SponsorAppointed: role(s.person, "sponsor")
            case let c as ChampionNominated: role(c.person, "champion (\(c.level.rawValue))")
            case let s as CoachingSessionHeld:
                // Only the client's own people: a session recorded before attendees were held to
                // rule 3 may name someone of another client, who must not be on this page.
                for attendee in s.attendees where input.model.people[attendee]?.organisationID == e.organisationID {
                    role(attendee, "coached")
                }
            case let p as HandoverPlanned: for owner in p.receivingOwners { role(owner, "receives the accounts") }
            case let t as AccountControlTransferred: role(t.to, "holds the \(t.channel.rawValue) account")
            case let c as HandoverCompleted: role(c.signedOffBy, "signed off the handover")
            case let w as WorkLogged: work.append((at, w.hours, w.activity, w.billable))
            default: break
            }
        }

        var peopleSection = Section(
            "people", "People", [Column("name", "Name", .text), Column("title", "Title", .text), Column("roles", "Roles", .text)])
        peopleSection.empty = "Nobody named yet."
        var seen: [UUID] = []
        for entry in people where !seen.contains(entry.id) { seen.append(entry.id) }
        // The sponsor and champions as they are now first; anyone who stood down keeps the
        // roles the log gives them.
        for id in seen {
            var roles = people.filter { $0.id == id }.map(\.role)
            if e.sponsorID != id { roles.removeAll { $0 == "sponsor" } }
            if !e.champions.contains(id) { roles.removeAll { $0.hasPrefix("champion") } }
            if let handover, !handover.owners.contains(id) { roles.removeAll { $0 == "receives the accounts" } }
            guard !roles.isEmpty else { continue }
            peopleSection.rows.append([
                .text(input.person(id)), .optional(input.model.people[id]?.title), .text(roles.joined(separator: ", ")),
            ])
        }

        var measurementColumns = [
            Column("date", "Date"), Column("objective", "Objective", .text), Column("value", "Value"), Column("source", "Source", .text),
        ]
        if includeInternal { measurementColumns.append(Column("note", "Note", .text, .low)) }
        var measurementSection = Section("measurements", "Measurements", measurementColumns)
        measurementSection.empty = "No measurements yet."
        for m in taken.sorted(by: { $0.at < $1.at }) {
            let objective = input.model.objectives[m.objective]
            var row: [Cell] = [
                .day(Day(m.at)), .text(names[m.objective] ?? objective?.handle ?? ""), .metric(m.value, of: objective), .optional(m.source),
            ]
            if includeInternal { row.append(.optional(m.note)) }
            measurementSection.rows.append(row)
        }

        var handoverSection = Section(
            "handover", "Handover",
            [
                Column("planned_on", "Planned on"), Column("owners", "Receiving owners", .text), Column("sponsor", "Sponsor", .text),
                Column("completed_on", "Completed on"), Column("signed_off_by", "Signed off by", .text),
            ])
        handoverSection.empty = "No handover planned yet."
        if let handover {
            handoverSection.rows.append([
                .day(handover.plannedOn), .text(handover.owners.map(person).joined(separator: ", ")), .text(person(handover.sponsorID)),
                .optional(handover.completedAt.map { Day($0) }), .optional(handover.signedOffBy.map(person)),
            ])
        }

        var checklist = Section(
            "checklist", "Handover checklist",
            [
                Column("item", "Item", .text), Column("category", "Category"), Column("state", "State"), Column("on", "On"),
                Column("reason", "Why waived", .text),
            ])
        checklist.empty = "No checklist items yet."
        for item in items {
            checklist.rows.append([.text(item.text), .text(item.category), .text(item.state), .optional(item.on), .optional(item.reason)])
        }

        // The checks at 30, 90 and 180 days after the handover, and any other one made.
        var followUpColumns = [
            Column("days_after", "Days after the handover"), Column("due_on", "Due on"), Column("checked_on", "Checked on"),
            Column("account", "Account"), Column("posts_per_week", "Posts a week"),
        ]
        if includeInternal { followUpColumns.append(Column("note", "Note", .text, .low)) }
        var followUps = Section("follow_ups", "Follow-ups", followUpColumns)
        followUps.empty = "The accounts are checked 30, 90 and 180 days after the handover."
        let notes = events.compactMap { $0.event as? FollowUpChecked }
        let checks = handover?.followUps ?? []
        let scheduled = handover?.completedAt == nil ? [] : [30, 90, 180]
        for days in Array(Set(scheduled + checks.map(\.daysAfter))).sorted() {
            let check = checks.last { $0.daysAfter == days }
            var row: [Cell] = [
                .int(days), .optional(handover?.completedAt.map { Day($0).adding(days: days) }),
                .optional(check.map { Day($0.checkedAt) }),
                .optional(check.map { $0.accountActive ? "active" : "inactive" }), .optional(check?.postsPerWeek, decimals: 1),
            ]
            if includeInternal { row.append(.optional(notes.last { $0.daysAfter == days }?.note)) }
            followUps.rows.append(row)
        }

        report.sections += [peopleSection, objectiveSection, measurementSection, handoverSection, checklist, followUps]
        if includeInternal {
            var workSection = Section(
                "work", "Work logged (internal)",
                [Column("date", "Date"), Column("hours", "Hours"), Column("billable", "Billable"), Column("activity", "Activity", .text)])
            workSection.empty = "No work logged."
            for w in work { workSection.rows.append([.day(Day(w.at)), .exact(w.hours), .bool(w.billable), .text(w.activity)]) }
            report.sections.append(workSection)
        }
        return report
    }
}
