import BackOffice
import Foundation
import Projections

extension Reports {
    /// What ``referrals(_:)`` reads: referrals and their leads, the engagements they became,
    /// handovers (whom to ask), people by name (referrers, sponsors; who left) and organisations.
    public static let referralsNeeds = ReportNeeds(
        tables: [.referrals, .pipeline, .engagements, .handovers, .people, .organisations], names: true, events: false)

    public static func referrals(_ input: ReportInput) -> Report {
        var report = Report(name: "referrals", title: "Referrals", asOf: input.now)
        let referrals = input.model.referrals.values.sorted {
            ($0.receivedAt, $0.leadID.uuidString) < ($1.receivedAt, $1.leadID.uuidString)
        }
        var list = Section(
            "referrals", "Referrers and what their introductions became",
            [
                Column("referrer", "Referrer"), Column("lead", "Lead", .key), Column("organisation", "Organisation", .text),
                Column("received", "Received", .whole, .high), Column("stage", "Stage", .whole, .high), Column("engagement", "Engagement"),
                Column("open_value", "Open value"), Column("won_value", "Won value", .whole, .high), Column("currency", "Currency"),
                Column("thanked", "Thanked", .whole, .high),
            ])
        list.empty = "No referrals yet."
        for referral in referrals {
            let lead = input.model.pipeline[referral.leadID]
            // An open lead's value is what the introduction may still bring: the lead's value now.
            let open = lead.flatMap { $0.stage.isOpen ? $0.value : nil }
            list.rows.append([
                .text(input.person(referral.referrerID)), .text(lead?.handle ?? ""), .text(input.organisation(lead?.organisationID)),
                .day(Day(referral.receivedAt)), .text(lead?.outcome ?? referral.stage.rawValue),
                .text(input.engagement(referral.engagementID)),
                .money(open?.minorUnits, open?.currency), .money(referral.wonValue?.minorUnits, referral.wonValue?.currency),
                .optional(open?.currency ?? referral.wonValue?.currency), .optional(referral.thankedOn),
            ])
        }
        report.sections.append(list)

        // Per referrer and currency: how many introductions are still open and what they are
        // worth, beside what the won ones brought.
        var byReferrer = Section(
            "by_referrer", "Per referrer: open and won",
            [
                Column("referrer", "Referrer"), Column("leads", "Leads"), Column("open", "Open"), Column("open_value", "Open value"),
                Column("won", "Won"), Column("won_value", "Won value"), Column("currency", "Currency"),
            ])
        byReferrer.empty = "No referrals yet."
        let grouped = Dictionary(grouping: referrals) { referral -> [String] in
            let lead = input.model.pipeline[referral.leadID]
            return [input.person(referral.referrerID), lead?.value?.currency ?? referral.wonValue?.currency ?? ""]
        }
        for key in grouped.keys.sorted(by: { $0.joined(separator: "\u{0}") < $1.joined(separator: "\u{0}") }) {
            let group = grouped[key]!
            let leads = group.compactMap { input.model.pipeline[$0.leadID] }
            let open = leads.filter { $0.stage.isOpen }
            let won = group.filter { $0.stage == .won }
            let currency = key[1]
            byReferrer.rows.append([
                .text(key[0]), .int(group.count), .int(open.count),
                currency.isEmpty ? .empty : .money(open.compactMap { $0.value?.minorUnits }.reduce(0, +), currency), .int(won.count),
                currency.isEmpty ? .empty : .money(won.compactMap { $0.wonValue?.minorUnits }.reduce(0, +), currency),
                .optional(currency.isEmpty ? nil : currency),
            ])
        }
        report.sections.append(byReferrer)

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
}
