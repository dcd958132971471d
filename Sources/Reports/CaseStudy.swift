import BackOffice
import EventStore
import Foundation
import Projections

extension Reports {
    /// The write-up of one engagement, to publish: what was done, for whom, with the numbers.
    ///
    /// It says only what was recorded by the instant it answers for:
    /// - "Handed over" only once the handover is completed; before that, the handover planned
    ///   (or none), and the objectives' figures are the latest ones, not "at handover";
    /// - `frozen` is the read model at the completed handover (the figures "at handover"), or at
    ///   the instant itself before that;
    /// - the timeline is the engagement's own events in the order they happened (their date,
    ///   the log's position breaking ties), people named by name and title, objectives by their
    ///   metric, checklist items by their text; internal facts (work logged, hours, fees,
    ///   corrections, notes and internal reasons) only when `includeInternal` is set.
    /// - Throws: ``EventDecodingError`` for an event of the log this version cannot read.
    public static func caseStudy(_ input: ReportInput, engagement id: UUID, frozen: ReadModel, includeInternal: Bool = false) throws
        -> Report
    {
        var report = Report(name: "case-study", title: "Case study", asOf: input.now)
        guard let e = input.model.engagements[id] else { return report }
        let organisation = input.organisation(e.organisationID)
        let handover = input.model.handovers[id]
        let completed = handover?.completedAt
        let events = try input.domainEvents()
        let stream = StreamName.entity(.engagement, id)
        let own = events.filter { StreamName(parsing: $0.recorded.stream) == stream }
            .sorted { ($0.recorded.metadata.occurredAt, $0.recorded.position) < ($1.recorded.metadata.occurredAt, $1.recorded.position) }
        let words = CaseStudyWords(input: input, events: own, includeInternal: includeInternal)

        report.prose.append("# \(e.title): \(organisation)")
        report.prose.append(
            "\(organisation) worked with us from \(Day(e.startedAt)) on a \(e.kind) engagement"
                + (completed.map { ", and took the work over on \(Day($0))" } ?? "") + ".")
        if let purpose = own.compactMap({ $0.event as? PurposeStated }).last?.purpose { report.prose.append("The purpose: \(purpose)") }
        let channels = adoptedChannels(of: id, in: events).map { $0.channel.rawValue + ($0.handle.map { " (\($0))" } ?? "") }
        if e.sponsorID != nil || !e.champions.isEmpty || !channels.isEmpty {
            let sponsor: String = e.sponsorID.map(words.person) ?? "none named"
            let champions: String = e.champions.isEmpty ? "none named" : e.champions.map(words.person).joined(separator: ", ")
            let used: String = channels.isEmpty ? "none" : channels.joined(separator: ", ")
            report.prose.append("Sponsor: \(sponsor). Champions: \(champions). Channels: \(used).")
        }
        if let handover {
            let owners = handover.owners.map(words.person).joined(separator: ", ")
            if let completed {
                report.prose.append(
                    "Handed over on \(Day(completed)) to \(owners), with \(words.person(handover.sponsorID)) as sponsor"
                        + (handover.followUps.last.map {
                            "; \($0.daysAfter) days later the account was \($0.accountActive ? "active" : "inactive")"
                                + ($0.postsPerWeek.map { ", posting \($0.formatted()) times a week" } ?? "")
                        } ?? "")
                        + ".")
            } else {
                report.prose.append(
                    "The handover is planned for \(handover.plannedOn), to \(owners), with \(words.person(handover.sponsorID)) as sponsor; it is not completed yet."
                )
            }
        } else {
            report.prose.append("No handover planned yet.")
        }
        report.prose.append(
            completed.map { "The figures are those at the handover on \(Day($0))." } ?? "The figures are the latest as of \(input.today).")
        if includeInternal {
            let started = own.compactMap { $0.event as? EngagementStarted }.first
            // The hours as corrected: a voided entry counts 0, a corrected one its new hours.
            let hours = own.filter { $0.event is WorkLogged }.map { words.hours($0.recorded.id) }.reduce(Quantity.zero, +)
            let fee: String = started?.fee.map { "\($0)" } ?? "none recorded"
            let budget: String = e.budgetHours.map { " of \($0.formatted) h budgeted" } ?? ""
            report.prose.append("Internal: fee \(fee); \(hours.formatted) h logged\(budget).")
        }

        var objectives = Section(
            "objectives", "Objectives, before and after",
            [
                Column("objective", "Objective", .text), Column("area", "Business area", .text, .low), Column("metric", "Metric", .text),
                Column("before", "Before"), Column("after", completed == nil ? "Latest" : "At handover"),
                Column("measured", "Measured on"), Column("target", "Target"), Column("progress", "Progress", .whole, .high),
            ])
        objectives.empty = "No objectives set."
        let frozenObjectives = frozen.objectives.values.filter { $0.engagementID == id }.sorted { $0.handle < $1.handle }
        for o in frozenObjectives {
            objectives.rows.append([
                .text(words.statement(o.objectiveID) ?? o.handle), .text(o.businessArea),
                .text(o.metric + (o.unit.map { " (\($0))" } ?? "")),
                .metric(o.baseline, of: o), .metric(o.latest, of: o), .optional(o.lastMeasuredAt.map { Day($0) }),
                .metric(o.target, of: o), .percent(o.progress),
            ])
            report.charts.append(objectiveChart(o, statements: statements(in: own), events: events))
        }
        report.charts.insert(
            .progress(
                title: completed.map { "Progress at the handover on \(Day($0))" } ?? "Progress as of \(input.today)",
                objectives: frozenObjectives.map { (words.statement($0.objectiveID) ?? $0.handle, $0.progress) }),
            at: 0)
        report.sections.append(objectives)

        var timeline = Section("timeline", "Timeline", [Column("date", "Date"), Column("what", "What happened", .text)])
        for (recorded, event) in own {
            guard let line = words.line(event, id: recorded.id) else { continue }
            timeline.rows.append([.day(Day(recorded.metadata.occurredAt)), .text(line)])
        }
        report.sections.append(timeline)
        return report
    }
}

/// How a case study words an engagement's events: for the client and the public, unless
/// `includeInternal`.
private struct CaseStudyWords {
    let input: ReportInput
    let includeInternal: Bool
    private var objectives: [UUID: ObjectiveSet] = [:]
    private var items: [UUID: String] = [:]
    /// Each measurement's value as the log stands (corrections applied), and when it was taken.
    private var values: [UUID: (value: Quantity, takenAt: Date)] = [:]
    /// Coaching sessions' minutes and work entries' hours by the id of the event that recorded
    /// them, corrections applied (0: voided).
    private var sessions: [UUID: Int] = [:]
    private var work: [UUID: Quantity] = [:]

    init(input: ReportInput, events: [(recorded: RecordedEvent, event: any DomainEvent)], includeInternal: Bool) {
        self.input = input
        self.includeInternal = includeInternal
        for (recorded, event) in events {
            switch event {
            case let e as ObjectiveSet: objectives[e.objective] = e
            case let e as HandoverItemAdded: items[e.item] = e.text
            case let e as HandoverItemCorrected: if let text = e.text, items[e.item] != nil { items[e.item] = text }
            case let e as CoachingSessionHeld: sessions[recorded.id] = e.minutes
            case let e as CoachingSessionCorrected: if sessions[e.session] != nil { sessions[e.session] = e.to }
            case let e as WorkLogged: work[recorded.id] = e.hours
            case let e as WorkEntryCorrected: if work[e.entry] != nil { work[e.entry] = e.to }
            case let e as MeasurementRecorded:
                values[e.measurement] = (e.value, recorded.metadata.occurredAt)
            case let e as MeasurementCorrected:
                if let old = values[e.corrects] { values[e.corrects] = (e.value, old.takenAt) }
            default: break
            }
        }
    }

    /// A person by name and title: "Helen Carter (Assistant Director, Libraries)"; a forgotten
    /// person is "(erased)", with nothing that could tell who they were.
    func person(_ id: UUID) -> String {
        let id = input.canonical(id)
        guard input.people[id] != nil else { return "(erased)" }
        let title = input.model.people[id]?.title
        return input.person(id) + (title.map { " (\($0))" } ?? "")
    }

    func statement(_ objective: UUID) -> String? { objectives[objective]?.statement }

    /// An objective as the timeline names it: its metric.
    func metric(_ objective: UUID) -> String { objectives[objective]?.metric ?? "an objective" }

    func unit(_ objective: UUID) -> String { objectives[objective]?.unit.map { " \($0)" } ?? "" }

    func item(_ id: UUID) -> String { items[id] ?? "a checklist item" }

    /// A work entry's hours as corrected.
    func hours(_ entry: UUID) -> Quantity { work[entry] ?? .zero }

    /// The timeline's words for an event, or nil when it is not for the case study.
    /// `id` is the event's id in the log: what corrections of sessions and work name.
    func line(_ event: any DomainEvent, id: UUID) -> String? {
        func withInternal(_ text: String, _ detail: String?) -> String {
            guard includeInternal, let detail, !detail.isEmpty else { return text }
            return text + " (" + detail + ")"
        }
        switch event {
        case let e as EngagementStarted:
            let terms = [
                e.fee.map { "fee \($0)" }, e.budgetHours.map { "\($0.formatted) h budgeted" },
                e.hoursPerMonth.map { "\($0.formatted) h a month" },
            ].compactMap { $0 }.joined(separator: ", ")
            return withInternal("started the engagement \"\(e.title)\" (\(e.kind.rawValue))", terms)
        case let e as PurposeStated: return "stated the purpose: \(e.purpose)"
        case let e as SponsorAppointed: return "appointed \(person(e.person)) sponsor"
        case let e as ChampionNominated: return "nominated \(person(e.person)) champion (\(e.level.rawValue))"
        case let e as ChampionStoodDown: return withInternal("\(person(e.person)) stood down as champion", e.reason)
        case let e as ChannelAdopted:
            let serves = e.servesObjectives.map(metric)
            return "adopted \(e.channel.rawValue)" + (e.handle.map { " (\($0))" } ?? "")
                + (serves.isEmpty ? "" : ", serving \(serves.joined(separator: " and "))")
        case let e as ChannelRetired: return withInternal("retired \(e.channel.rawValue)", e.reason)
        case let e as CoachingSessionHeld:
            // As corrected; a voided session did not happen (the correction says so, internally).
            let minutes = sessions[id] ?? e.minutes
            guard minutes > 0 else { return nil }
            return
                "held a \(minutes)-minute coaching session with \(e.attendees.map(person).joined(separator: ", ")): \(e.topics.joined(separator: ", "))"
        case let e as WorkLogged:
            let hours = work[id] ?? e.hours
            guard hours > .zero else { return nil }
            return includeInternal ? "logged \(hours.formatted) h: \(e.activity)" + (e.billable ? "" : " (not billable)") : nil
        case let e as ObjectiveSet:
            return
                "set the objective \"\(e.statement)\" (\(e.businessArea)): \(e.metric) from \(e.baseline.formatted) to \(e.target.formatted)\(unit(e.objective)) by \(e.due)"
        case let e as MeasurementRecorded:
            let value = values[e.measurement]?.value ?? e.value
            return withInternal(
                "measured \(metric(e.objective)): \(value.formatted)\(unit(e.objective))" + (e.source.map { " (\($0))" } ?? ""), e.note)
        case let e as MeasurementCorrected:
            guard includeInternal else { return nil }
            let taken = values[e.corrects].map { " of \(Day($0.takenAt))" } ?? ""
            return "corrected the measurement of \(metric(e.objective))\(taken) to \(e.value.formatted): \(e.reason)"
        case let e as TargetRevised:
            return
                "revised the target for \(metric(e.objective)) from \(e.from.formatted) to \(e.to.formatted)\(unit(e.objective))"
                + (e.due.map { " by \($0)" } ?? "") + ": \(e.reason)"
        case let e as ObjectiveAchieved: return "achieved the objective \"\(statement(e.objective) ?? metric(e.objective))\""
        case let e as ObjectiveDropped:
            return withInternal("dropped the objective \"\(statement(e.objective) ?? metric(e.objective))\"", e.reason)
        case let e as HandoverPlanned:
            return
                "planned the handover for \(e.on) to \(e.receivingOwners.map(person).joined(separator: ", ")), with \(person(e.sponsor)) as sponsor"
        case let e as HandoverItemAdded: return "added to the handover checklist: \(item(e.item))"
        case let e as HandoverItemCompleted: return "done on the handover checklist: \(item(e.item))"
        case let e as HandoverItemWaived: return "waived on the handover checklist: \(item(e.item)) (\(e.reason))"
        case let e as AccountControlTransferred: return "transferred control of \(e.channel.rawValue) to \(person(e.to))"
        case let e as HandoverCompleted: return "completed the handover, signed off by \(person(e.signedOffBy))"
        case let e as FollowUpChecked:
            return withInternal(
                "\(e.daysAfter) days after the handover the account was \(e.accountActive ? "active" : "inactive")"
                    + (e.postsPerWeek.map { ", posting \($0.formatted()) times a week" } ?? ""), e.note)
        case let e as EngagementPaused: return withInternal("paused the engagement", e.reason)
        case is EngagementResumed: return "resumed the engagement"
        case let e as EngagementClosed:
            return withInternal("closed the engagement: \(e.outcome.rawValue.replacingOccurrences(of: "-", with: " "))", e.reason)
        default: return includeInternal ? event.summary(Names(input.people)) : nil
        }
    }
}
