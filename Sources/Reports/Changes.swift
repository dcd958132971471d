import BackOffice
import EventStore
import Foundation
import Projections

extension Reports {
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
                measured.rows.append([.day(Day(at)), .text(names[e.objective]), .metric(e.value, of: input.model.objectives[e.objective])])
            case is HandoverPlanned, is HandoverCompleted:
                handovers.rows.append([.day(Day(at)), .text(subject), .text(event.summary(names))])
            default: break
            }
        }
        report.sections = [leads, moves, slipped, measured, handovers]
        return report
    }
}
