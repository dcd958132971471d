import ArgumentParser
import BackOffice
import Foundation
import Recording
import Reports

extension Consult {
    struct Timesheet: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "timesheet",
            abstract:
                "Hours per engagement and day in a month, billable and non-billable apart, with totals per engagement and for the month.",
            discussion: """
                A month runs from its first day to its last, in UTC (the day --at gives work). --month \
                defaults to the month of today (or of --as-of): on the 1st, ask for the month before \
                by name (--month 2026-11) to invoice it. Hours are summed exactly and carried so in \
                JSON and CSV; --section engagements or month picks the totals for CSV.

                Example: consult timesheet --month 2026-11 --engagement libraries-on-twitter --format csv
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("The month: YYYY-MM (default: the month of today, or of --as-of).", valueName: "month"))
        var month: String?
        @Option(help: "Only this engagement (handle or id).", completion: .handles(.engagement)) var engagement: String?
        @OptionGroup var report: ReportOptions

        func run() throws {
            let month = try month.map { try Month.parse($0, field: "month") }
            let session = try global.recorder()
            let id = try engagement.map { try session.resolve(.engagement, $0, field: "engagement").id }
            let input = try report.input(session)
            try report.print(try Reports.timesheet(input, month: month ?? Reports.defaultMonth(input), engagement: id))
        }
    }
}
