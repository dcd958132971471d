import ArgumentParser
import BackOffice
import Foundation
import Recording

extension Consult {
    struct Lead: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lead",
            abstract: "Leads: chances of work moving through the pipeline (new → contacted → qualified → proposal → won | lost).",
            subcommands: [
                Capture.self, Advance.self, Qualify.self, Disqualify.self, Propose.self, Revise.self, MoveClose.self, Win.self, Lose.self,
                Reopen.self, Back.self, ListCommand<Listing.Lead>.self, ShowCommand<Listing.Lead>.self,
            ])

        struct Capture: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "capture",
                abstract: "Capture a lead with an organisation.",
                discussion: "Example: consult lead capture camden-libraries --source talk --value \"6000 GBP\" --expected-close 2026-12-15")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The organisation (handle or id).", completion: .handles(.organisation)) var organisation: String
            @Option(help: "Where it came from (a referral is recorded with `consult referral receive`).") var source: LeadSource
            @Option(help: "Its value: \"4000 GBP\", or \"4000\" in the consultancy's currency.") var value: String?
            @Option(name: .customLong("expected-close"), help: ArgumentHelp("When it should close: YYYY-MM-DD.", valueName: "date"))
            var expectedClose: String?
            @Option(help: "What the client needs.") var need: String?

            func run() throws {
                let recorder = try global.recorder()
                let lead = try recorder.captureLead(
                    organisation: organisation, source: source, value: value, expectedClose: expectedClose, need: need, write.request)
                try recorder.confirm(lead.recorded, write, "Captured lead \(lead.handle) (id \(lead.id.uuidString.lowercased())).")
            }
        }

        struct Advance: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "advance",
                abstract: "Move a lead forward to an open stage.",
                discussion: "Example: consult lead advance camden-libraries --to contacted --probability 20")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The lead (handle or id).", completion: .handles(.lead)) var lead: String
            @Option(help: "The stage: contacted, qualified or proposal.") var to: Stage
            @Option(help: "The chance of winning it, 0-100 %.") var probability: Int?

            func run() throws {
                try LeadRecording.apply(global, write, lead, "Moved \(lead) to \(to.rawValue).") {
                    .advance(to: to, probability: probability)
                }
            }
        }

        struct Qualify: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "qualify",
                abstract: "Qualify a lead on the client's business objectives.",
                discussion:
                    "Example: consult lead qualify camden-libraries --objective \"raise awareness of e-books\" --budget existing-spend --sponsor ann-smith"
            )
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The lead (handle or id).", completion: .handles(.lead)) var lead: String
            @Option(name: .customLong("objective"), help: "A business objective the client stated (repeat for more).") var objectives:
                [String] = []
            @Option(help: "Where the money comes from.") var budget: BudgetSource = .unknown
            @Option(help: "The client's sponsor (person handle or id).", completion: .handles(.person)) var sponsor: String?

            func run() throws {
                let recorder = try global.recorder()
                let sponsor = try self.sponsor.map { try recorder.person($0, field: "sponsor") }
                try LeadRecording.apply(recorder, write, lead, "Qualified \(lead).") {
                    .qualify(statedObjectives: objectives, budgetSource: budget, sponsor: sponsor)
                }
            }
        }

        struct Disqualify: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "disqualify",
                abstract: "Disqualify a lead (no-business-objective is the consultant's push-back).",
                discussion: "Example: consult lead disqualify acme --reason no-business-objective --note \"wants followers, not outcomes\"")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The lead (handle or id).", completion: .handles(.lead)) var lead: String
            @Option(help: "Why.") var reason: DisqualifyReason
            @Option(help: "A note.") var note: String?

            func run() throws {
                try LeadRecording.apply(global, write, lead, "Disqualified \(lead): \(reason.rawValue).") {
                    .disqualify(reason: reason, note: note)
                }
            }
        }

        struct Propose: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "propose",
                abstract: "Record a proposal sent.",
                discussion: "Example: consult lead propose camden-libraries --value \"7500 GBP\" --valid-until 2026-12-31")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The lead (handle or id).", completion: .handles(.lead)) var lead: String
            @Option(help: "The proposal's value: \"7500 GBP\", or \"7500\" in the consultancy's currency.") var value: String
            @Option(name: .customLong("valid-until"), help: ArgumentHelp("Until when it stands: YYYY-MM-DD.", valueName: "date"))
            var validUntil: String?

            func run() throws {
                let recorder = try global.recorder()
                let value = try recorder.money(value, field: "value")!
                let validUntil = try Recorder.day(validUntil, field: "validUntil")
                try LeadRecording.apply(recorder, write, lead, "Recorded a proposal of \(value) for \(lead).") {
                    .propose(value: value, validUntil: validUntil)
                }
            }
        }

        struct Revise: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "revise",
                abstract: "Revise a lead's value.", discussion: "Example: consult lead revise camden-libraries --value \"8000 GBP\"")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The lead (handle or id).", completion: .handles(.lead)) var lead: String
            @Option(help: "The new value: \"8000 GBP\", or \"8000\" in the consultancy's currency.") var value: String

            func run() throws {
                let recorder = try global.recorder()
                let value = try recorder.money(value, field: "value")!
                try LeadRecording.apply(recorder, write, lead, "Revised \(lead) to \(value).") { .reviseValue(to: value) }
            }
        }

        struct MoveClose: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "move-close", abstract: "Move a lead's expected close date.",
                discussion: "Example: consult lead move-close camden-libraries --to 2027-01-31")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The lead (handle or id).", completion: .handles(.lead)) var lead: String
            @Option(help: ArgumentHelp("The new expected close: YYYY-MM-DD.", valueName: "date")) var to: String

            func run() throws {
                let day = try Recorder.day(to, field: "to")!
                try LeadRecording.apply(global, write, lead, "Moved the expected close of \(lead) to \(day).") {
                    .moveExpectedClose(to: day)
                }
            }
        }

        struct Win: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "win",
                abstract: "Win a lead: starts its engagement in the same atomic step.",
                discussion:
                    "Example: consult lead win haringey-libraries --title \"Libraries on Twitter\" --kind launch --handover-by 2026-12-20")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The lead (handle or id).", completion: .handles(.lead)) var lead: String
            @OptionGroup var engagement: EngagementOptions

            func run() throws {
                let recorder = try global.recorder()
                let won = try recorder.winLead(lead, terms: try engagement.terms(recorder), write.request)
                try recorder.confirm(
                    won.recorded, write, "Won \(lead) and started engagement \(won.handle) (id \(won.id.uuidString.lowercased())).")
            }
        }

        struct Lose: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "lose",
                abstract: "Lose a lead, from any open stage.", discussion: "Example: consult lead lose acme --reason \"chose an agency\"")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The lead (handle or id).", completion: .handles(.lead)) var lead: String
            @Option(help: "Why it was lost.") var reason: String
            @Option(help: "A note.") var note: String?

            func run() throws {
                try LeadRecording.apply(global, write, lead, "Lost \(lead).") { .lose(reason: reason, note: note) }
            }
        }

        struct Reopen: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "reopen",
                abstract: "Reopen a lost lead at the stage it was lost from.", discussion: "Example: consult lead reopen acme")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The lead (handle or id).", completion: .handles(.lead)) var lead: String

            func run() throws {
                try LeadRecording.apply(global, write, lead, "Reopened \(lead).") { .reopen }
            }
        }
    }
}

extension LeadSource: ExpressibleByArgument {}
extension Stage: ExpressibleByArgument {}
extension LeadOutcome: ExpressibleByArgument {}
extension BudgetSource: ExpressibleByArgument {}
extension DisqualifyReason: ExpressibleByArgument {}
extension IntroductionOutcome: ExpressibleByArgument {}

/// The shared step of the lead commands: one command on the lead's stream, confirmed.
enum LeadRecording {
    static func apply(
        _ global: GlobalOptions, _ write: WriteOptions, _ lead: String, _ line: String, _ command: @escaping () throws -> LeadState.Command
    ) throws {
        try apply(try global.recorder(), write, lead, line, command)
    }

    static func apply(
        _ recorder: Recorder, _ write: WriteOptions, _ lead: String, _ line: String, _ command: @escaping () throws -> LeadState.Command
    ) throws {
        try recorder.confirm(try recorder.onLead(lead, write.request, command), write, line)
    }
}
