import BackOffice
import Foundation
import Projections

extension Reports {
    /// What ``handovers(_:)`` reads: handovers, their engagements and organisations, and the
    /// receiving owners and sponsors by name (and whether they left).
    public static let handoversNeeds = ReportNeeds(tables: [.handovers, .engagements, .organisations, .people], names: true, events: false)

    public static func handovers(_ input: ReportInput) -> Report {
        var report = Report(name: "handovers", title: "Handovers", asOf: input.now)
        let handovers = input.model.handovers.values.sorted {
            ($0.plannedOn, $0.engagementID.uuidString) < ($1.plannedOn, $1.engagementID.uuidString)
        }
        var list = Section(
            "handovers", "Planned and completed",
            [
                Column("engagement", "Engagement"), Column("organisation", "Organisation", .text),
                Column("planned_on", "Planned on", .whole, .high),
                Column("completed_on", "Completed on", .whole, .high), Column("owners", "Receiving owners", .text, .low),
                Column("sponsor", "Sponsor", .text),
                Column("follow_ups", "Follow-up checks", .text),
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
}
