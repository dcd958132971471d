import ArgumentParser
import BackOffice
import EventStore
import Foundation

extension Consult {
    struct Lead: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Leads: chances of work moving through the pipeline (new → contacted → qualified → proposal → won | lost).",
            subcommands: [
                Capture.self, Advance.self, Qualify.self, Disqualify.self, Propose.self, Revise.self, MoveClose.self, Win.self, Lose.self,
                Reopen.self,
            ])

        struct Capture: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Capture a lead with an organisation.",
                discussion: "Example: consult lead capture camden-libraries --source talk --value \"6000 GBP\" --expected-close 2026-12-15")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The organisation (handle or id).") var organisation: String
            @Option(help: "Where it came from (a referral is recorded with `consult referral receive`).") var source: LeadSource
            @Option(help: "Its value, with a currency: \"4000 GBP\".") var value: String?
            @Option(name: .customLong("expected-close"), help: ArgumentHelp("When it should close: YYYY-MM-DD.", valueName: "date"))
            var expectedClose: String?
            @Option(help: "What the client needs.") var need: String?

            func run() throws {
                let session = try Session(global)
                let lead = try LeadRecording.capture(
                    session, write, organisation: organisation, source: source, value: value, expectedClose: expectedClose, need: need,
                    referral: nil)
                try session.confirm(lead.recorded, write, "Captured lead \(lead.handle) (id \(lead.id.uuidString.lowercased())).")
            }
        }

        struct Advance: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Move a lead forward to an open stage.",
                discussion: "Example: consult lead advance camden-libraries --to contacted --probability 20")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The lead (handle or id).") var lead: String
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
                abstract: "Qualify a lead on the client's business objectives.",
                discussion:
                    "Example: consult lead qualify camden-libraries --objective \"raise awareness of e-books\" --budget existing-spend --sponsor ann-smith"
            )
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The lead (handle or id).") var lead: String
            @Option(name: .customLong("objective"), help: "A business objective the client stated (repeat for more).") var objectives:
                [String] = []
            @Option(help: "Where the money comes from.") var budget: BudgetSource = .unknown
            @Option(help: "The client's sponsor (person handle or id).") var sponsor: String?

            func run() throws {
                let session = try Session(global)
                let sponsor = try self.sponsor.map { try session.person($0, field: "--sponsor") }
                try LeadRecording.apply(session, write, lead, "Qualified \(lead).") {
                    .qualify(statedObjectives: objectives, budgetSource: budget, sponsor: sponsor)
                }
            }
        }

        struct Disqualify: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Disqualify a lead (no-business-objective is the consultant's push-back).",
                discussion: "Example: consult lead disqualify acme --reason no-business-objective --note \"wants followers, not outcomes\"")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The lead (handle or id).") var lead: String
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
                abstract: "Record a proposal sent.",
                discussion: "Example: consult lead propose camden-libraries --value \"7500 GBP\" --valid-until 2026-12-31")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The lead (handle or id).") var lead: String
            @Option(help: "The proposal's value, with a currency.") var value: String
            @Option(name: .customLong("valid-until"), help: ArgumentHelp("Until when it stands: YYYY-MM-DD.", valueName: "date"))
            var validUntil: String?

            func run() throws {
                let value = try Session.money(value, field: "--value")!
                let validUntil = try Session.day(validUntil, field: "--valid-until")
                try LeadRecording.apply(global, write, lead, "Recorded a proposal of \(value) for \(lead).") {
                    .propose(value: value, validUntil: validUntil)
                }
            }
        }

        struct Revise: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Revise a lead's value.", discussion: "Example: consult lead revise camden-libraries --value \"8000 GBP\"")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The lead (handle or id).") var lead: String
            @Option(help: "The new value, with a currency.") var value: String

            func run() throws {
                let value = try Session.money(value, field: "--value")!
                try LeadRecording.apply(global, write, lead, "Revised \(lead) to \(value).") { .reviseValue(to: value) }
            }
        }

        struct MoveClose: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "move-close", abstract: "Move a lead's expected close date.",
                discussion: "Example: consult lead move-close camden-libraries --to 2027-01-31")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The lead (handle or id).") var lead: String
            @Option(help: ArgumentHelp("The new expected close: YYYY-MM-DD.", valueName: "date")) var to: String

            func run() throws {
                let day = try Session.day(to, field: "--to")!
                try LeadRecording.apply(global, write, lead, "Moved the expected close of \(lead) to \(day).") {
                    .moveExpectedClose(to: day)
                }
            }
        }

        struct Win: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Win a lead: starts its engagement in the same atomic step.",
                discussion:
                    "Example: consult lead win haringey-libraries --title \"Libraries on Twitter\" --kind launch --handover-by 2026-12-20")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The lead (handle or id).") var lead: String
            @OptionGroup var engagement: EngagementOptions

            func run() throws {
                let session = try Session(global)
                let (leadID, _) = try session.resolve(.lead, lead, field: "lead")
                let engagementID = UUID()
                var handle = ""
                let recorded = try session.record(write) { _ in
                    let leadStream = Session.stream(.lead, leadID)
                    let (state, version) = try session.load(LeadState.self, leadStream)
                    let won = try state.decide(.win(engagement: engagementID))
                    guard let organisation = state.captured?.organisation else { return [] }
                    let (claimed, claim) = try session.claimHandle(.engagement, name: engagement.title, id: engagementID)
                    handle = claimed
                    let started = try engagement.start(id: engagementID, handle: claimed, organisation: organisation, lead: leadID)
                    return [
                        Change(stream: leadStream, expected: .exactly(version), events: won),
                        Change(stream: Session.stream(.engagement, engagementID), expected: .noStream, events: started), claim,
                    ]
                }
                try session.confirm(
                    recorded, write, "Won \(lead) and started engagement \(handle) (id \(engagementID.uuidString.lowercased())).")
            }
        }

        struct Lose: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Lose a lead, from any open stage.", discussion: "Example: consult lead lose acme --reason \"chose an agency\"")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The lead (handle or id).") var lead: String
            @Option(help: "Why it was lost.") var reason: String
            @Option(help: "A note.") var note: String?

            func run() throws {
                try LeadRecording.apply(global, write, lead, "Lost \(lead).") { .lose(reason: reason, note: note) }
            }
        }

        struct Reopen: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Reopen a lost lead at the stage it was lost from.", discussion: "Example: consult lead reopen acme")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The lead (handle or id).") var lead: String

            func run() throws {
                try LeadRecording.apply(global, write, lead, "Reopened \(lead).") { .reopen }
            }
        }
    }

    struct Referral: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Referrals: an introduction from someone, which becomes a lead.", subcommands: [Receive.self])

        struct Receive: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Record a referral: a lead with the organisation, naming who made the introduction.",
                discussion: "Example: consult referral receive camden-libraries --from ann-smith --via libraries-on-twitter --warmth warm")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The organisation introduced (handle or id).") var organisation: String
            @Option(help: "Who made the introduction (person handle or id).") var from: String
            @Option(help: "The engagement it came through (handle or id).") var via: String?
            @Option(help: "How warm the introduction is.") var warmth: String?
            @Option(help: "The lead's value, with a currency.") var value: String?
            @Option(name: .customLong("expected-close"), help: ArgumentHelp("When it should close: YYYY-MM-DD.", valueName: "date"))
            var expectedClose: String?
            @Option(help: "What the client needs.") var need: String?

            func run() throws {
                let session = try Session(global)
                let referrer = try session.person(from, field: "--from")
                let via = try self.via.map { try session.resolve(.engagement, $0, field: "--via").id }
                let lead = try LeadRecording.capture(
                    session, write, organisation: organisation, source: .referral, value: value, expectedClose: expectedClose, need: need,
                    referral: LeadState.Referral(referrer: referrer, via: via, warmth: warmth))
                try session.confirm(
                    lead.recorded, write, "Received a referral from \(from): lead \(lead.handle) (id \(lead.id.uuidString.lowercased())).")
            }
        }
    }

    struct Referrer: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Referrers: the people who introduce new clients.", subcommands: [Thank.self])

        struct Thank: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Record that you thanked the referrer of a lead.",
                discussion: "Example: consult referrer thank camden-libraries --on 2026-11-20")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The lead the referral made (handle or id).") var lead: String
            @Option(help: ArgumentHelp("When: YYYY-MM-DD (default: the day of --at, or today).", valueName: "date")) var on: String?

            func run() throws {
                let day = try Session.day(on, field: "--on") ?? Day(try Session.parseAt(write.at, clock: Clock()))
                try LeadRecording.apply(global, write, lead, "Recorded thanks for the referral of \(lead).") { .thankReferrer(on: day) }
            }
        }
    }

    struct Introduction: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Introductions: asking a (past) client for the next one.", subcommands: [Ask.self, Answer.self])

        struct Ask: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Record that you asked someone for an introduction.",
                discussion: "Example: consult introduction ask ann-smith --note \"after the handover\"")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The person asked (handle or id).") var person: String
            @Option(help: "A note.") var note: String?

            func run() throws {
                let session = try Session(global)
                let facts = try session.person(person, field: "person")
                let recorded = try session.record(write) { _ in
                    try session.change(PersonState.self, Session.stream(.person, facts.id)) { try $0.decide(.askIntroduction(note: note)) }
                }
                try session.confirm(recorded, write, "Asked \(person) for an introduction.")
            }
        }

        struct Answer: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Record the answer to an introduction request.",
                discussion: "Example: consult introduction answer ann-smith --outcome promised")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The person asked (handle or id).") var person: String
            @Option(help: "What they said.") var outcome: IntroductionOutcome

            func run() throws {
                let session = try Session(global)
                let facts = try session.person(person, field: "person")
                let recorded = try session.record(write) { _ in
                    try session.change(PersonState.self, Session.stream(.person, facts.id)) { try $0.decide(.answerIntroduction(outcome)) }
                }
                try session.confirm(recorded, write, "Recorded \(person)'s answer: \(outcome.rawValue).")
            }
        }
    }
}

extension LeadSource: ExpressibleByArgument {}
extension Stage: ExpressibleByArgument {}
extension BudgetSource: ExpressibleByArgument {}
extension DisqualifyReason: ExpressibleByArgument {}
extension IntroductionOutcome: ExpressibleByArgument {}

/// The shared steps of the lead commands.
enum LeadRecording {
    static func capture(
        _ session: Session, _ write: WriteOptions, organisation: String, source: LeadSource, value: String?, expectedClose: String?,
        need: String?, referral: LeadState.Referral?
    ) throws -> (id: UUID, handle: String, recorded: [Recorded]) {
        let (organisationID, _) = try session.resolve(.organisation, organisation, field: "organisation")
        let value = try Session.money(value, field: "--value")
        let close = try Session.day(expectedClose, field: "--expected-close")
        let (orgState, _) = try session.load(OrganisationState.self, Session.stream(.organisation, organisationID))
        let id = UUID()
        var handle = ""
        let recorded = try session.record(write) { _ in
            let (claimed, claim) = try session.claimHandle(.lead, name: orgState.handle ?? "lead", id: id)
            handle = claimed
            let events = try LeadState().decide(
                .capture(
                    id: id, handle: claimed, organisation: organisationID, source: source, value: value, expectedClose: close, need: need,
                    referral: referral))
            return [Change(stream: Session.stream(.lead, id), expected: .noStream, events: events), claim]
        }
        return (id, handle, recorded)
    }

    static func apply(
        _ global: GlobalOptions, _ write: WriteOptions, _ lead: String, _ line: String, _ command: () throws -> LeadState.Command
    ) throws {
        try apply(try Session(global), write, lead, line, command)
    }

    static func apply(_ session: Session, _ write: WriteOptions, _ lead: String, _ line: String, _ command: () throws -> LeadState.Command)
        throws
    {
        let (id, _) = try session.resolve(.lead, lead, field: "lead")
        let recorded = try session.record(write) { _ in
            try session.change(LeadState.self, Session.stream(.lead, id)) { try $0.decide(try command()) }
        }
        try session.confirm(recorded, write, line)
    }
}
