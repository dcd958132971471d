import ArgumentParser
import BackOffice
import Foundation
import Projections
import Recording
import Reports

extension ReportFormat: ExpressibleByArgument {}

/// `--as-of`, `--format` and friends, shared by the reports.
struct ReportOptions: ParsableArguments {
    @Option(
        name: .customLong("as-of"),
        help: ArgumentHelp(
            "Answer as things stood then: YYYY-MM-DD (the end of that day, UTC) or YYYY-MM-DDTHH:MM. Folds the log in memory.",
            valueName: "date"))
    var asOf: String?

    @Flag(help: "With --as-of: what the log had recorded by then, rather than what had happened by then.")
    var recorded = false

    @Option(help: "table (aligned, for people), json, csv (RFC 4180), markdown, or html (one self-contained page).")
    var format: ReportFormat = .table

    @Option(help: ArgumentHelp("With --format csv: the section to write (default: the first).", valueName: "name"))
    var section: String?

    @OptionGroup var display: DisplayOptions

    var settings: ReportSettings {
        ReportSettings(asOf: asOf, recorded: recorded, format: format, section: section, display: display)
    }

    func input(_ recorder: Recorder, needs: ReportNeeds = .everything) throws -> ReportInput {
        try settings.input(recorder, needs: needs)
    }
    func print(_ report: Report) throws { try settings.print(report) }
}

/// The settings of one report run, as plain values (ArgumentParser's option groups cannot be
/// built by hand).
struct ReportSettings {
    var asOf: String?
    var recorded = false
    var format: ReportFormat = .table
    var section: String?
    /// Show every column (`--wide`).
    var wide = false
    /// Page long output on a terminal (not `--no-pager`).
    var pager = true

    init(asOf: String? = nil, recorded: Bool = false, format: ReportFormat = .table, section: String? = nil, display: DisplayOptions? = nil)
    {
        self.asOf = asOf
        self.recorded = recorded
        self.format = format
        self.section = section
        wide = display?.wide ?? false
        pager = !(display?.noPager ?? false)
    }

    /// What a report is built from, as far as it needs (see ``Recorder/reportInput(asOf:recorded:needs:)``).
    func input(_ recorder: Recorder, needs: ReportNeeds = .everything) throws -> ReportInput {
        try recorder.reportInput(asOf: asOf, recorded: recorded, needs: needs)
    }

    /// Prints a report in the format asked for: tables fitted to COLUMNS or the terminal (see
    /// ``Terminal/width(wide:)``), colour only on a terminal and never with NO_COLOR set, long
    /// output on a terminal through the pager.
    /// - Throws: ``CommandFailure`` (exit 64) when `--section` names no section of the report
    ///   (a hyphen stands for an underscore: `open-leads` is `open_leads`).
    func print(_ report: Report) throws {
        var section = section
        if let name = section {
            let key = name.replacingOccurrences(of: "-", with: "_")
            guard report.section(key) != nil else {
                throw CommandFailure(
                    "--section: the \(report.name) report has no section \"\(name)\"",
                    advice: ["Its sections: \(report.sections.map(\.name).joined(separator: ", "))."], exitCode: 64)
            }
            section = key
        }
        let colour = Terminal.isTerminal && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        show(Render.render(report, as: format, width: Terminal.width(wide: wide), colour: colour, section: section))
    }

    /// Prints text, through the pager when it is long and standard output is a terminal.
    func show(_ text: String) { Terminal.show(text, pager: pager) }
}

extension Consult {
    struct Pipeline: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pipeline",
            abstract:
                "The pipeline: count, value and weighted value per stage; open leads, days in stage and stuck ones; forecast; win rate by source; lost reasons.",
            discussion: """
                Without --as-of it reads the read models; with it, it folds the log up to that instant, \
                so the answer is the pipeline as it stood then. Dates are when things happened \
                (occurred_at); --recorded asks what the log had recorded by then instead.

                Example: consult pipeline --as-of 2026-09-03 --format json
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var report: ReportOptions
        @Option(help: "Only leads at this stage (or disqualified: lost as a push-back).") var stage: LeadOutcome?
        @Option(help: "Only leads from this source.") var source: LeadSource?
        @Option(help: ArgumentHelp("Only leads captured on or after this day: YYYY-MM-DD.", valueName: "date")) var since: String?

        func run() throws {
            let session = try global.recorder()
            let filter = Reports.PipelineFilter(stage: stage, source: source, since: try Recorder.day(since, field: "since")?.date)
            try report.print(Reports.pipeline(try report.input(session, needs: Reports.pipelineNeeds), filter: filter))
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract:
                "Every open engagement: phase, health and why, objectives baseline → latest → target, sponsor, champions, channels, handover readiness, hours against the budget.",
            discussion: """
                Health: stalled when an open objective has had no measurement for 30 days; at risk when \
                an objective is more than 20 points behind the straight line from its baseline at the \
                start to its target at the due date, the handover date passed without completion, the \
                sponsor or a champion left, or a retainer's billable hours this month exceed its hours \
                a month; on track otherwise.

                Hours: for each engagement, the hours of --month (billable and non-billable apart), of \
                the month before, and to the month's end; budget hours are spent by billable hours \
                ("Left" is negative and "Against budget" says "over by … h" past them); the fee is \
                used in step with them, to the penny. --month defaults to the month of today (or of \
                --as-of); on the first seven days of a month the previous month's hours stay in view on \
                a narrow terminal, since those are the ones to invoice.

                With an ENGAGEMENT, one record in blocks: its fields, objectives, people, channels, \
                handover, hours and budget.

                Example: consult status libraries-on-twitter --month 2026-10
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var report: ReportOptions
        @Argument(help: "One engagement in full (handle or id).", completion: .handles(.engagement)) var engagement: String?
        @Flag(help: "Include closed engagements.") var all = false
        @Option(help: ArgumentHelp("The month of the hours: YYYY-MM (default: the month of today, or of --as-of).", valueName: "month"))
        var month: String?

        func run() throws {
            let month = try month.map { try Month.parse($0, field: "month") }
            let session = try global.recorder()
            let id = try engagement.map { try session.resolve(.engagement, $0, field: "engagement").id }
            let input = try report.input(session, needs: Reports.statusNeeds)
            // As of a day before it started, one engagement is not there to show: say so, as
            // `report --engagement` does, rather than print empty blocks.
            if let id, let engagement, input.model.engagements[id] == nil {
                throw CommandFailure("engagement: \(engagement) had not started by \(report.asOf ?? "then")")
            }
            try report.print(try Reports.status(input, engagement: id, includeClosed: all || id != nil, month: month))
        }
    }

    struct ReferralsReport: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "referrals",
            abstract: "Referrers → leads → what each became → won value; the share of won value from referrals; who to thank; whom to ask.",
            discussion: "Example: consult referrals --format csv")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var report: ReportOptions

        func run() throws {
            let session = try global.recorder()
            try report.print(Reports.referrals(try report.input(session, needs: Reports.referralsNeeds)))
        }
    }

    struct HandoversReport: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "handovers",
            abstract: "Planned and completed handovers, and how many accounts are still active 30, 90 and 180 days after.",
            discussion: "Example: consult handovers --format html > handovers.html")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var report: ReportOptions

        func run() throws {
            let session = try global.recorder()
            try report.print(Reports.handovers(try report.input(session, needs: Reports.handoversNeeds)))
        }
    }

    struct CaseStudy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "case-study",
            abstract: "A write-up of one engagement with all the numbers, objectives frozen at the handover, ready to publish.",
            discussion: """
                It says "handed over" only once the handover is completed, and gives the objectives' figures \
                at the handover only then (the latest ones before). The timeline is in the order things \
                happened and names people by name and title; work logged, hours, fees, corrections and \
                internal notes appear only with --internal. --format markdown or html to publish (html \
                draws the objectives' charts).

                Example: consult case-study libraries-on-twitter --format markdown > case-study.md
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The engagement (handle or id).", completion: .handles(.engagement)) var engagement: String
        @OptionGroup var report: ReportOptions
        @Flag(help: "Include what is for us only: work logged and hours, the fee, corrections, notes and internal reasons.")
        var `internal` = false

        func run() throws {
            let session = try global.recorder()
            let id = try session.resolve(.engagement, engagement, field: "engagement").id
            let input = try report.input(session)
            guard input.model.engagements[id] != nil else {
                throw CommandFailure("engagement: \(engagement) had not started by then")
            }
            // The objectives as they stood when the work was handed over (or now, before that).
            let frozenAt = input.model.handovers[id]?.completedAt ?? input.now
            let frozen = try session.readModel(asOf: frozenAt)
            try report.print(try Reports.caseStudy(input, engagement: id, frozen: frozen, includeInternal: `internal`))
        }
    }

    struct Changes: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "changes",
            abstract:
                "What changed between two dates: new leads, stage moves, expected closes moved, slipped leads, new measurements, corrections, handovers.",
            discussion: """
                Slipped: an open lead whose expected close passed in the period and is still open at its end \
                (as the pipeline counts slipped). Measurements show their value at the end of the period; \
                corrections show the old value and the new one; work entries and coaching sessions \
                corrected or voided (an undo of one too) show the hours or minutes before and after, \
                with the entry's number in the log. Every section is in date order.

                Example: consult changes --since 2026-09-01 --until 2026-09-15
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("From this day (inclusive): YYYY-MM-DD.", valueName: "date")) var since: String
        @Option(help: ArgumentHelp("Up to this day (inclusive): YYYY-MM-DD; default today.", valueName: "date")) var until: String?
        @Option(help: "table, json, csv, markdown or html.") var format: ReportFormat = .table
        @Option(help: ArgumentHelp("With --format csv: the section to write (default: the first).", valueName: "name"))
        var section: String?
        @OptionGroup var display: DisplayOptions

        func run() throws {
            let session = try global.recorder()
            let from = try Recorder.day(since, field: "since")!.date
            let to = try Recorder.day(until, field: "until").map { $0.adding(days: 1).date } ?? Date()
            guard to > from else { throw CommandFailure("--until: comes before --since") }
            // The read models and the log as they stood at the end of the period: a lead slipped
            // if it was still open then.
            let options = ReportSettings(asOf: until, format: format, section: section, display: display)
            let input = try options.input(session)
            try options.print(try Reports.changes(input, since: from, until: to))
        }
    }

    struct ReportCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract:
                "Write one self-contained HTML page (inline CSS and SVG, no network): every report, or with --engagement a page for that client.",
            discussion: """
                Without --engagement: the whole consultancy (what is due, the pipeline, every \
                engagement's status and charts, referrals, handovers), for us.

                With --engagement: a page to send that client's sponsor: the engagement's purpose, \
                its objectives by name, each with a chart from the day it was set to its due date \
                (the target, the straight path to it, the measurements), the measurements, the \
                handover and its checklist, the follow-ups, and the people by name and title. It is \
                built from that engagement's records alone: no other client, prospect, lead value \
                or lost reason can be on it. The fee, hours, work logged and internal notes appear \
                only with --internal.

                --html - writes the page to standard output.

                Examples:
                  consult report --html consult-report.html
                  consult report --engagement libraries-on-twitter --html - > northbridge.html
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("The file to write, or - for standard output.", valueName: "file")) var html: String
        @Option(
            help: ArgumentHelp("A page for this engagement's client only (handle or id).", valueName: "engagement"),
            completion: .handles(.engagement))
        var engagement: String?
        @Flag(help: "With --engagement: add what is for us only: the fee, budget and hours, the work logged, notes.")
        var `internal` = false
        @Option(name: .customLong("as-of"), help: ArgumentHelp("As things stood then: YYYY-MM-DD.", valueName: "date")) var asOf: String?

        func validate() throws {
            if `internal` && engagement == nil {
                throw ValidationError("--internal goes with --engagement (the whole consultancy's page is internal already)")
            }
            if html.isEmpty { throw ValidationError("--html: give a file, or - for standard output") }
        }

        func run() throws {
            let session = try global.recorder()
            let page: String
            if let engagement {
                // Resolved first: an unknown handle is a did-you-mean and no file.
                let id = try session.resolve(.engagement, engagement, field: "engagement").id
                let input = try session.engagementInput(id, asOf: asOf)
                let report = try Reports.clientPage(input, engagement: id, includeInternal: `internal`)
                // The consultancy signs the page a client reads with its display name, when it has one.
                let by = session.consultancy?.displayName.map { " · \($0)" } ?? ""
                page = HTML.page(title: report.title + by, reports: [report])
            } else {
                let options = ReportSettings(asOf: asOf)
                let input = try options.input(session)
                page = HTML.page(
                    title: session.consultancy?.displayName.map { "\($0): consultancy report" } ?? "Consultancy report",
                    reports: [
                        Reports.dueByGroup(try Reports.dueItems(input, handles: try session.people.handles()), asOf: input.now, within: 14),
                        Reports.pipeline(input), try Reports.status(input), Reports.referrals(input), Reports.handovers(input),
                    ])
            }
            if html == "-" {
                do {
                    try FileHandle.standardOutput.write(contentsOf: Data(page.utf8))
                } catch {
                    throw CommandFailure("--html: cannot write to standard output: \((error as NSError).localizedDescription)")
                }
                return
            }
            do {
                try Data(page.utf8).write(to: URL(fileURLWithPath: html), options: .atomic)
            } catch {
                throw CommandFailure("--html: cannot write \(html): \(Self.reason(error, path: html))")
            }
            print("Wrote \(html) (\(page.utf8.count / 1024) KiB).")
        }

        /// Why a file could not be written, in words (Foundation's own message on Linux is
        /// often "The operation could not be completed").
        static func reason(_ error: any Error, path: String) -> String {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) { return "there is no folder \(directory)" }
            if !isDirectory.boolValue { return "\(directory) is not a folder" }
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { return "it is a folder" }
            if !FileManager.default.isWritableFile(atPath: directory) { return "the folder \(directory) is not writable" }
            return (error as NSError).localizedDescription
        }
    }
}
