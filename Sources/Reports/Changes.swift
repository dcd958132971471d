import BackOffice
import EventStore
import Foundation
import Projections

extension Reports {
    /// What changed in the period from `since` (inclusive) to `until` (exclusive), by when it
    /// happened:
    ///
    /// - new leads, stage moves (a disqualification shows as `disqualified`, not lost), expected
    ///   closes moved;
    /// - slipped: open leads whose expected close passed in the period, as the pipeline counts
    ///   slipped (expected close before the day it answers for): the close date falls on or after
    ///   the first day of the period and before the day `input` answers for, and the lead is
    ///   still open then;
    /// - new measurements at their value as of `input` (corrections applied), and the
    ///   corrections made in the period as old → new, each with its engagement;
    /// - work entries and coaching sessions corrected or voided (an undo of one included), with
    ///   the entry's number in the log: what the hours and the bill were told before and after;
    /// - handovers planned and completed.
    ///
    /// Every section is in date order, the log's order breaking ties. `input` answers for the
    /// end of the period: its read models and its events as they stood then.
    /// - Throws: ``EventDecodingError`` for an event of the log this version cannot read.
    public static func changes(_ input: ReportInput, since: Date, until: Date) throws -> Report {
        var report = Report(name: "changes", title: "What changed", asOf: input.now)
        var names = Names(input.people)
        var leads = Dated(
            "new_leads", "New leads",
            [
                Column("date", "Date"), Column("lead", "Lead", .key), Column("source", "Source", .whole, .low), Column("value", "Value"),
                Column("currency", "Currency"),
            ], empty: "No new leads.")
        var moves = Dated(
            "stage_moves", "Stage moves",
            [Column("date", "Date"), Column("lead", "Lead", .key), Column("from", "From"), Column("to", "To")],
            empty: "No stage moves.")
        var moved = Dated(
            "close_moved", "Expected close moved",
            [Column("date", "Date"), Column("lead", "Lead", .key), Column("from", "Was"), Column("to", "Now")],
            empty: "No expected close moved.")
        var measured = Dated(
            "measurements", "New measurements",
            [
                Column("date", "Date"), Column("engagement", "Engagement"), Column("objective", "Objective", .key),
                Column("value", "Value", .whole, .high),
            ],
            empty: "No new measurements.")
        var corrections = Dated(
            "corrections", "Corrections",
            [
                Column("date", "Date"), Column("engagement", "Engagement"), Column("objective", "Objective", .key),
                Column("measured", "Measurement of"), Column("was", "Was"), Column("now", "Now"), Column("reason", "Reason", .text),
            ], empty: "No corrections.")
        var work = Dated(
            "work_corrections", "Work and sessions corrected",
            [
                Column("date", "Date"), Column("engagement", "Engagement", .key), Column("entry", "#"), Column("what", "What"),
                Column("was", "Was"), Column("now", "Now"), Column("unit", "Unit"), Column("reason", "Reason", .text),
            ], empty: "No work or sessions corrected.")
        var handovers = Dated(
            "handovers", "Handovers", [Column("date", "Date"), Column("engagement", "Engagement", .key), Column("what", "What", .text)],
            empty: "No handovers.")

        let events = try input.domainEvents()
        // Each measurement's value as the log stands at the end of the period (corrections applied).
        var current: [UUID: Quantity] = [:]
        for (_, event) in events {
            if let e = event as? MeasurementRecorded { current[e.measurement] = e.value }
            if let e = event as? MeasurementCorrected, current[e.corrects] != nil { current[e.corrects] = e.value }
        }
        var streamNames: [String: String] = [:]
        // The log's number of each entry a correction names.
        var positions: [UUID: Int64] = [:]
        for (recorded, event) in events where event is WorkLogged || event is CoachingSessionHeld {
            positions[recorded.id] = recorded.position
        }
        var values: [UUID: (value: Quantity, takenAt: Date)] = [:]
        var disqualifying: Set<String> = []
        for (recorded, event) in events {
            names.learn(from: event)
            if let e = event as? LeadCaptured { streamNames[recorded.stream] = e.handle }
            if let e = event as? EngagementStarted { streamNames[recorded.stream] = e.handle }
            let at = recorded.metadata.occurredAt
            // The value a correction replaces is the one before it, whenever that was recorded.
            let before: (value: Quantity, takenAt: Date)? = (event as? MeasurementCorrected).flatMap { values[$0.corrects] }
            if let e = event as? MeasurementRecorded { values[e.measurement] = (e.value, at) }
            if let e = event as? MeasurementCorrected, let old = values[e.corrects] { values[e.corrects] = (e.value, old.takenAt) }
            if event is LeadDisqualified { disqualifying.insert(recorded.stream) }
            guard at >= since, at < until else { continue }
            let key = (at, recorded.position)
            let subject = streamNames[recorded.stream] ?? ""
            switch event {
            case let e as LeadCaptured:
                leads.add(
                    key,
                    [
                        .day(Day(at)), .text(e.handle), .text(e.source.rawValue), .money(e.value?.minorUnits, e.value?.currency),
                        .optional(e.value?.currency),
                    ])
            case let e as LeadStageChanged:
                let to = e.to == .lost && disqualifying.contains(recorded.stream) ? "disqualified" : e.to.rawValue
                moves.add(key, [.day(Day(at)), .text(subject), .text(e.from.rawValue), .text(to)])
            case let e as ExpectedCloseMoved:
                moved.add(key, [.day(Day(at)), .text(subject), .optional(e.from), .day(e.to)])
            case let e as MeasurementRecorded:
                measured.add(
                    key,
                    [
                        .day(Day(at)), .text(subject), .text(names[e.objective]),
                        .metric(current[e.measurement] ?? e.value, of: input.model.objectives[e.objective]),
                    ])
            case let e as MeasurementCorrected:
                corrections.add(
                    key,
                    [
                        .day(Day(at)), .text(subject), .text(names[e.objective]), .optional(before.map { Day($0.takenAt) }),
                        .metric(before?.value, of: input.model.objectives[e.objective]),
                        .metric(e.value, of: input.model.objectives[e.objective]), .text(e.reason),
                    ])
            case let e as WorkEntryCorrected:
                work.add(
                    key,
                    [
                        .day(Day(at)), .text(subject), positions[e.entry].map { .int(Int($0)) } ?? .empty,
                        .text("work entry of \(e.day)"), .exact(e.from), .exact(e.to), .text("h"), .text(e.reason),
                    ])
            case let e as CoachingSessionCorrected:
                work.add(
                    key,
                    [
                        .day(Day(at)), .text(subject), positions[e.session].map { .int(Int($0)) } ?? .empty,
                        .text("coaching session of \(e.day)"), .int(e.from), .int(e.to), .text("min"), .text(e.reason),
                    ])
            case is HandoverPlanned, is HandoverCompleted:
                handovers.add(key, [.day(Day(at)), .text(subject), .text(event.summary(names))])
            default: break
            }
            if event is LeadStageChanged { disqualifying.remove(recorded.stream) }
        }

        var slipped = Section(
            "slipped", "Slipped: expected close passed, lead still open",
            [
                Column("expected_close", "Expected close"), Column("lead", "Lead", .key), Column("organisation", "Organisation", .text),
                Column("stage", "Stage"), Column("days_past", "Days past"),
            ])
        slipped.empty = "No expected close passed with the lead still open."
        let first = Day(since)
        let passed = input.model.pipeline.values.compactMap { lead -> (close: Day, lead: PipelineRow)? in
            guard lead.stage.isOpen, let close = lead.expectedClose, close >= first, close < input.today else { return nil }
            return (close, lead)
        }
        for (close, lead) in passed.sorted(by: { ($0.close, $0.lead.handle) < ($1.close, $1.lead.handle) }) {
            slipped.rows.append([
                .day(close), .text(lead.handle), .text(input.organisation(lead.organisationID)), .text(lead.stage.rawValue),
                .int(input.days(since: close.date)),
            ])
        }
        report.sections = [
            leads.section, moves.section, moved.section, slipped, measured.section, corrections.section, work.section, handovers.section,
        ]
        return report
    }

    /// A section whose rows are put in date order, the log's position breaking ties.
    private struct Dated {
        var section: Section {
            var section = base
            section.rows = rows.sorted { ($0.at, $0.position) < ($1.at, $1.position) }.map(\.cells)
            return section
        }
        private var base: Section
        private var rows: [(at: Date, position: Int64, cells: [Cell])] = []

        init(_ name: String, _ title: String, _ columns: [Column], empty: String) {
            base = Section(name, title, columns)
            base.empty = empty
        }

        mutating func add(_ key: (Date, Int64), _ cells: [Cell]) { rows.append((key.0, key.1, cells)) }
    }
}
