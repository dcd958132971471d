import ArgumentParser
import BackOffice
import Foundation
import Recording

extension Consult {
    struct Referral: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "referral",
            abstract: "Referrals: an introduction from someone, which becomes a lead.", subcommands: [Receive.self, Correct.self])

        struct Receive: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "receive",
                abstract: "Record a referral: a lead with the organisation, naming who made the introduction.",
                discussion: "Example: consult referral receive camden-libraries --from ann-smith --via libraries-on-twitter --warmth warm")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The organisation introduced (handle or id).", completion: .handles(.organisation)) var organisation: String
            @Option(help: "Who made the introduction (person handle or id).", completion: .handles(.person)) var from: String
            @Option(help: "The engagement it came through (handle or id).", completion: .handles(.engagement)) var via: String?
            @Option(help: "How warm the introduction is.") var warmth: String?
            @Option(help: "The lead's value: \"6000 GBP\", or \"6000\" in the consultancy's currency.") var value: String?
            @Option(name: .customLong("expected-close"), help: ArgumentHelp("When it should close: YYYY-MM-DD.", valueName: "date"))
            var expectedClose: String?
            @Option(help: "What the client needs.") var need: String?

            func run() throws {
                let recorder = try global.recorder()
                let lead = try recorder.receiveReferral(
                    organisation: organisation, from: from, via: via, warmth: warmth, value: value, expectedClose: expectedClose,
                    need: need,
                    write.request)
                try recorder.confirm(
                    lead.recorded, write, "Received a referral from \(from): lead \(lead.handle) (id \(lead.id.uuidString.lowercased())).")
            }
        }
    }

    struct Referrer: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "referrer",
            abstract: "Referrers: the people who introduce new clients.",
            subcommands: [Thank.self, ListCommand<Listing.Referrer>.self, ShowCommand<Listing.Referrer>.self])

        struct Thank: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "thank",
                abstract: "Record that you thanked the referrer of a lead.",
                discussion: "Example: consult referrer thank camden-libraries --on 2026-11-20")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The lead the referral made (handle or id).", completion: .handles(.lead)) var lead: String
            @Option(help: ArgumentHelp("When: YYYY-MM-DD (default: the day of --at, or today).", valueName: "date")) var on: String?

            func run() throws {
                let day = try Recorder.day(on, field: "on") ?? Day(try Recorder.parseAt(write.at, clock: Clock()))
                try LeadRecording.apply(global, write, lead, "Recorded thanks for the referral of \(lead).") { .thankReferrer(on: day) }
            }
        }
    }

    struct Introduction: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "introduction",
            abstract: "Introductions: asking a (past) client for the next one.", subcommands: [Ask.self, Answer.self])

        struct Ask: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "ask",
                abstract: "Record that you asked someone for an introduction.",
                discussion: "Example: consult introduction ask ann-smith --note \"after the handover\"")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The person asked (handle or id).", completion: .handles(.person)) var person: String
            @Option(help: "A note.") var note: String?

            func run() throws {
                let recorder = try global.recorder()
                let recorded = try recorder.onPerson(person, write.request) { _ in .askIntroduction(note: note) }
                try recorder.confirm(recorded, write, "Asked \(person) for an introduction.")
            }
        }

        struct Answer: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "answer",
                abstract: "Record the answer to an introduction request.",
                discussion: "Example: consult introduction answer ann-smith --outcome promised")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The person asked (handle or id).", completion: .handles(.person)) var person: String
            @Option(help: "What they said.") var outcome: IntroductionOutcome

            func run() throws {
                let recorder = try global.recorder()
                let recorded = try recorder.onPerson(person, write.request) { _ in .answerIntroduction(outcome) }
                try recorder.confirm(recorded, write, "Recorded \(person)'s answer: \(outcome.rawValue).")
            }
        }
    }
}
