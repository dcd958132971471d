import ArgumentParser
import BackOffice
import Foundation
import Recording
import Reports

/// The filters and format of every `list`.
struct ListOptions: ParsableArguments {
    @Option(help: "Only those of this organisation (handle or id).") var org: String?
    @Option(help: "Only those of this engagement (handle or id; objectives).") var engagement: String?
    @Option(help: "Only leads at this stage.") var stage: Stage?
    @Flag(help: "Only what is still open (leads, engagements, objectives).") var open = false
    @Option(help: ArgumentHelp("Only what started on or after this day: YYYY-MM-DD.", valueName: "date")) var since: String?
    @Option(help: "table, json, csv, markdown or html.") var format: ReportFormat = .table

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
        ReportSettings(format: format).print(try recorder.list(noun, filter))
    }
}

/// `show HANDLE`: one record, field by field, and its history.
struct ShowOptions: ParsableArguments {
    @Argument(help: "The handle (or id).") var handle: String
    @Option(help: "table, json, csv, markdown or html.") var format: ReportFormat = .table

    func show(_ noun: Noun, _ global: GlobalOptions) throws {
        ReportSettings(format: format).print(try global.recorder().show(noun, handle))
    }
}

extension Consult {
    struct Org_List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List the organisations: handle, name, sector, open leads, engagements.",
            discussion: "Example: consult org list --since 2026-09-01 --format csv")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: ListOptions
        func run() throws { try options.list(.org, global) }
    }

    struct Org_Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show one organisation and its history.",
            discussion: "Example: consult org show camden-arts-trust")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: ShowOptions
        func run() throws { try options.show(.org, global) }
    }

    struct Person_List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List the people: handle, name, organisation, title, level.",
            discussion: "Example: consult person list --org northbridge-libraries")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: ListOptions
        func run() throws { try options.list(.person, global) }
    }

    struct Person_Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show one person and what names them.", discussion: "Example: consult person show helen-carter")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: ShowOptions
        func run() throws { try options.show(.person, global) }
    }

    struct Lead_List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List the leads: stage, source, value, expected close.",
            discussion: "Example: consult lead list --open --stage proposal")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: ListOptions
        func run() throws { try options.list(.lead, global) }
    }

    struct Lead_Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show one lead and its history.", discussion: "Example: consult lead show northbridge-libraries")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: ShowOptions
        func run() throws { try options.show(.lead, global) }
    }

    struct Engagement_List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List the engagements: organisation, title, kind, phase, handover.",
            discussion: "Example: consult engagement list --open")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: ListOptions
        func run() throws { try options.list(.engagement, global) }
    }

    struct Engagement_Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show one engagement and its history.",
            discussion: "Example: consult engagement show libraries-on-twitter")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: ShowOptions
        func run() throws { try options.show(.engagement, global) }
    }

    struct Objective_List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List the objectives: engagement, metric, baseline, latest, target, due, status.",
            discussion: "Example: consult objective list --engagement libraries-on-twitter")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: ListOptions
        func run() throws { try options.list(.objective, global) }
    }

    struct Objective_Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show one objective and its measurements.",
            discussion: "Example: consult objective show followers")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: ShowOptions
        func run() throws { try options.show(.objective, global) }
    }

    struct Referrer_List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List the referrers: referrals made, won, not yet thanked.",
            discussion: "Example: consult referrer list --format json")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: ListOptions
        func run() throws { try options.list(.referrer, global) }
    }

    struct Search: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find records by any part of a name, handle, title, metric, statement, need or note.",
            discussion: "Example: consult search library")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The text to look for (any case).") var text: String
        @Option(help: "table, json, csv, markdown or html.") var format: ReportFormat = .table

        func validate() throws {
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("Give some text to look for.") }
        }

        func run() throws { ReportSettings(format: format).print(try global.recorder().search(text)) }
    }
}
