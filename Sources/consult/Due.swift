import ArgumentParser
import Foundation
import Recording
import Reports

extension Consult {
    struct Due: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "due",
            abstract:
                "The agenda: handovers and open checklist items, objectives due, stale measurements, hours against the budget, follow-ups, leads past or near their expected close, stuck leads, referrers to thank, sponsors to ask.",
            discussion: """
                Overdue items always show; the rest when they fall due within --within days. Groups: \
                overdue, today, this week (the six days after today), later. Each item is due on the \
                first day its rule calls for action: a handover and its open checklist items on the \
                planned day; an objective on its due date; a measurement --stale days after the last \
                one; a follow-up 30, 90 and 180 days after the handover; a lead on its expected close; \
                a stuck lead once its days in the stage pass the stage's usual time (the pipeline's \
                rule); a referrer on the day of the referral; a sponsor on the day of the handover (for \
                90 days, as the referrals report); an engagement's budget on the day its billable \
                hours reached 80%, then 100%, of its budget hours, and a retainer's month likewise \
                against its hours a month; the handover date given at the start while no handover is \
                planned. Words in capitals in a command are yours to fill in.

                --format json gives one section `due` in date order, every value exact, for a cron job.

                Example: consult due --within 7
                Example: consult due --as-of 2026-10-05 --format json
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("Show what falls due up to this many days after today (overdue items always show).", valueName: "days"))
        var within = 14
        @Option(help: ArgumentHelp("A measurement is due this many days after an active objective's last one.", valueName: "days"))
        var stale = 30
        @OptionGroup var report: ReportOptions

        func validate() throws {
            guard within >= 0 else { throw ValidationError("--within: must be 0 or more days") }
            guard stale >= 1 else { throw ValidationError("--stale: must be 1 or more days") }
        }

        func run() throws {
            let session = try global.recorder()
            let input = try report.input(session)
            let items = try Reports.dueItems(input, handles: try session.people.handles(), within: within, staleAfter: stale)
            switch report.format {
            case .table:
                // Its own layout: lines wrapped at spaces, never cut (so --wide changes nothing).
                report.settings.show(Reports.dueText(items, asOf: input.now, within: within, width: Terminal.width()))
            case .json, .csv:
                try report.print(Reports.due(items, asOf: input.now, within: within))
            case .markdown, .html:
                try report.print(Reports.dueByGroup(items, asOf: input.now, within: within))
            }
        }
    }
}
