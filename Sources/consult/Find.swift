import ArgumentParser
import BackOffice
import Foundation
import Recording
import Reports

/// The filters and format of every `list`.
struct ListOptions: ParsableArguments {
    @Option(help: "Only those of this organisation (handle or id).", completion: .handles(.organisation)) var org: String?
    @Option(help: "Only those of this engagement (handle or id; objectives).", completion: .handles(.engagement)) var engagement: String?
    @Option(help: "Only leads at this stage (or disqualified: lost as a push-back).") var stage: LeadOutcome?
    @Flag(help: "Only what is still open (leads, engagements, objectives).") var open = false
    @Option(help: ArgumentHelp("Only what started on or after this day: YYYY-MM-DD.", valueName: "date")) var since: String?
    @Option(help: "table, json, csv, markdown or html.") var format: ReportFormat = .table
    @OptionGroup var display: DisplayOptions

    /// Lists `noun`, refusing a filter that does not apply to it.
    func list(_ noun: Noun, _ global: GlobalOptions) throws {
        let takes: [Noun: Set<String>] = [
            .org: ["--since"], .person: ["--org"], .lead: ["--org", "--stage", "--open", "--since"],
            .engagement: ["--org", "--open", "--since"], .objective: ["--org", "--engagement", "--open", "--since"], .referrer: [],
        ]
        let given: [(String, Bool)] = [
            ("--org", org != nil), ("--engagement", engagement != nil), ("--stage", stage != nil), ("--open", open),
            ("--since", since != nil),
        ]
        if let (flag, _) = given.first(where: { $0.1 && !(takes[noun]?.contains($0.0) ?? false) }) {
            throw CommandFailure("\(flag): `\(noun.rawValue) list` has no such filter", exitCode: 64)
        }
        let recorder = try global.recorder()
        let filter = ListFilter(
            organisation: org, engagement: engagement, stage: stage, open: open, since: try Recorder.day(since, field: "since"))
        try ReportSettings(format: format, display: display).print(try recorder.list(noun, filter))
    }
}

/// `show HANDLE`: one record, field by field, and its history.
struct ShowOptions: ParsableArguments {
    @Argument(help: "The handle (or id).") var handle: String
    @Option(help: "table, json, csv, markdown or html.") var format: ReportFormat = .table
    @OptionGroup var display: DisplayOptions

    func show(_ noun: Noun, _ global: GlobalOptions) throws {
        try ReportSettings(format: format, display: display).print(try global.recorder().show(noun, handle))
    }
}

/// A noun that can be listed and shown, with the words of its commands' help.
protocol Listed {
    static var noun: Noun { get }
    static var list: (abstract: String, example: String) { get }
    static var show: (abstract: String, example: String) { get }
}

/// `NOUN list`: every record of the noun, filtered.
struct ListCommand<N: Listed>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "list", abstract: N.list.abstract, discussion: "Example: \(N.list.example)")
    }
    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: ListOptions
    func run() throws { try options.list(N.noun, global) }
}

/// `NOUN show HANDLE`: one record and its history.
struct ShowCommand<N: Listed>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "show", abstract: N.show.abstract, discussion: "Example: \(N.show.example)")
    }
    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: ShowOptions
    func run() throws { try options.show(N.noun, global) }
}

enum Listing {
    enum Org: Listed {
        static let noun = Noun.org
        static let list: (abstract: String, example: String) = (
            "List the organisations: handle, name, sector, open leads, engagements.", "consult org list --since 2026-09-01 --format csv"
        )
        static let show: (abstract: String, example: String) = (
            "Show one organisation and its history.", "consult org show camden-arts-trust"
        )
    }
    enum Person: Listed {
        static let noun = Noun.person
        static let list: (abstract: String, example: String) = (
            "List the people: handle, name, organisation, title, level.", "consult person list --org northbridge-libraries"
        )
        static let show: (abstract: String, example: String) = ("Show one person and what names them.", "consult person show helen-carter")
    }
    enum Lead: Listed {
        static let noun = Noun.lead
        static let list: (abstract: String, example: String) = (
            "List the leads: stage, source, value, expected close.", "consult lead list --open --stage proposal"
        )
        static let show: (abstract: String, example: String) = ("Show one lead and its history.", "consult lead show northbridge-libraries")
    }
    enum Engagement: Listed {
        static let noun = Noun.engagement
        static let list: (abstract: String, example: String) = (
            "List the engagements: organisation, title, kind, phase, handover.", "consult engagement list --open"
        )
        static let show: (abstract: String, example: String) = (
            "Show one engagement and its history.", "consult engagement show libraries-on-twitter"
        )
    }
    enum Objective: Listed {
        static let noun = Noun.objective
        static let list: (abstract: String, example: String) = (
            "List the objectives: engagement, metric, baseline, latest, target, due, status.",
            "consult objective list --engagement libraries-on-twitter"
        )
        static let show: (abstract: String, example: String) = (
            "Show one objective and its measurements.", "consult objective show followers"
        )
    }
    enum Referrer: Listed {
        static let noun = Noun.referrer
        static let list: (abstract: String, example: String) = (
            "List the referrers: referrals made, won, not yet thanked.", "consult referrer list --format json"
        )
        static let show: (abstract: String, example: String) = (
            "Show one referrer and what names them.", "consult referrer show priya-shah"
        )
    }
}

extension Consult {
    struct Search: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "search",
            abstract: "Find records by any part of a name, handle, title, metric, statement, need or note.",
            discussion: "Example: consult search library")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The text to look for (any case).") var text: String
        @Option(help: "table, json, csv, markdown or html.") var format: ReportFormat = .table
        @OptionGroup var display: DisplayOptions

        func validate() throws {
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("Give some text to look for.") }
        }

        func run() throws { try ReportSettings(format: format, display: display).print(try global.recorder().search(text)) }
    }
}
