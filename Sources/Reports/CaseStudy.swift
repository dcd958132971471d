import BackOffice
import EventStore
import Foundation
import Projections

extension Reports {
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
        let stream = StreamName.entity(.engagement, id)
        let own = events.filter { StreamName(parsing: $0.recorded.stream) == stream }
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
                .text(o.handle), .text(o.metric + (o.unit.map { " (\($0))" } ?? "")), .metric(o.baseline, of: o), .metric(o.latest, of: o),
                .metric(o.target, of: o), .percent(o.progress),
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
}
