import ArgumentParser
import BackOffice
import Foundation
import Recording

/// What starting an engagement takes, on `engagement start` and on `lead win`.
struct EngagementOptions: ParsableArguments {
    @Option(help: "The engagement's title.") var title: String
    @Option(help: "What kind of work it is.") var kind: EngagementKind = .launch
    @Option(help: "The fee: \"7500 GBP\", or \"7500\" in the consultancy's currency.") var fee: String?
    @Option(name: .customLong("budget-hours"), help: "Hours budgeted in all: \(Hours.forms).") var budgetHours: String?
    @Option(name: .customLong("hours-per-month"), help: "Hours a month, for a retainer: \(Hours.forms).") var hoursPerMonth: String?
    @Option(name: .customLong("handover-by"), help: ArgumentHelp("When the handover is planned: YYYY-MM-DD.", valueName: "date"))
    var handoverBy: String?

    func terms(_ recorder: Recorder) throws -> EngagementTerms {
        EngagementTerms(
            title: title, kind: kind, fee: try recorder.money(fee, field: "fee"),
            budgetHours: try budgetHours.map { try Hours.parse($0, field: "budgetHours") },
            hoursPerMonth: try hoursPerMonth.map { try Hours.parse($0, field: "hoursPerMonth") },
            plannedHandover: try Recorder.day(handoverBy, field: "handoverBy"))
    }
}

extension EngagementKind: ExpressibleByArgument {}

/// A channel as typed on the command line (issue 16 item 10): any name; the well-known ones
/// normalised (`IG` → instagram, `X` → twitter, `Google Business Profile` →
/// google-business-profile), others kept as a slug. A name close to a well-known one
/// (`instagran`: did you mean instagram?) is a slip more often than a channel: adopting it is
/// asked about on a terminal and refused off one unless `--yes`, as a close name of an
/// organisation is; elsewhere (a channel in use is named) it gets a hint on stderr.
enum ChannelArgument {
    static let help = ArgumentHelp(
        "The channel: any name; well-known ones are normalised (twitter or X, facebook, instagram or IG, linkedin, tiktok, youtube, google-business-profile, …).",
        valueName: "channel")

    /// `adopting`: the `--yes` of a command that adopts the channel; nil where the channel must
    /// be one in use already (the domain names those when it is not).
    static func parse(_ text: String, adopting yes: Bool? = nil) throws -> Channel {
        guard let (channel, hint) = Channel.normalise(text) else {
            throw CommandFailure("channel: \"\(text)\" needs at least one letter or digit", exitCode: 64)
        }
        if let hint, let yes {
            try Duplicates.confirm(
                "channel \"\(channel.rawValue)\" is close to the well-known channel \(hint)",
                question: "Adopt \"\(channel.rawValue)\" as typed?",
                advice: "Type \(hint) if that is the channel; to adopt \"\(channel.rawValue)\" as typed, run the command again with --yes.",
                yes: yes)
        } else if let hint {
            FileHandle.standardError.write(
                Data("consult: channel \"\(channel.rawValue)\" is not a well-known one: did you mean \"\(hint)\"? (kept as typed)\n".utf8))
        }
        return channel
    }

    /// The well-known channels, for the shell to complete.
    static let completion = CompletionKind.list(Channel.wellKnown.map(\.name))
}
extension CloseOutcome: ExpressibleByArgument {}

/// The shared step of the engagement commands: one command on the engagement's stream, confirmed.
enum EngagementRecording {
    static func apply(
        _ global: GlobalOptions, _ write: WriteOptions, _ engagement: String, _ line: String,
        _ command: @escaping (Recorder, EngagementState) throws -> EngagementState.Command
    ) throws {
        let recorder = try global.recorder()
        try recorder.confirm(try recorder.onEngagement(engagement, write.request, command), write, line)
    }
}

extension Consult {
    struct Engagement: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "engagement",
            abstract: "Engagements: the work for a client, from its start to the handover and close.",
            subcommands: [
                Start.self, Purpose.self, Sponsor.self, Champion.self, StandDown.self, ChannelCommand.self, Session_.self, Work.self,
                Pause.self, Resume.self, Close.self, ListCommand<Listing.Engagement>.self, ShowCommand<Listing.Engagement>.self,
            ])

        struct Start: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "start",
                abstract: "Start an engagement (it is in planning until its first objective).",
                discussion:
                    "Example: consult engagement start haringey-libraries --title \"Libraries on Twitter\" --kind launch --handover-by 2026-12-20"
            )
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The client organisation (handle or id).", completion: .handles(.organisation)) var organisation: String
            @OptionGroup var engagement: EngagementOptions

            func run() throws {
                let recorder = try global.recorder()
                let started = try recorder.startEngagement(organisation: organisation, terms: try engagement.terms(recorder), write.request)
                try recorder.confirm(
                    started.recorded, write, "Started engagement \(started.handle) (id \(started.id.uuidString.lowercased())).")
            }
        }

        struct Purpose: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "purpose",
                abstract: "State the engagement's purpose.",
                discussion: "Example: consult engagement purpose libraries-on-twitter \"The libraries speak for themselves on Twitter\"")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The engagement (handle or id).", completion: .handles(.engagement)) var engagement: String
            @Argument(help: "The purpose.") var purpose: String

            func run() throws {
                try EngagementRecording.apply(global, write, engagement, "Stated the purpose of \(engagement).") { _, _ in
                    .statePurpose(purpose)
                }
            }
        }

        struct Sponsor: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "sponsor",
                abstract: "Appoint the client's sponsor.", discussion: "Example: consult engagement sponsor libraries-on-twitter ann-smith")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The engagement (handle or id).", completion: .handles(.engagement)) var engagement: String
            @Argument(help: "The sponsor (person handle or id).", completion: .handles(.person)) var person: String

            func run() throws {
                try EngagementRecording.apply(global, write, engagement, "Appointed \(person) sponsor of \(engagement).") { session, _ in
                    .appointSponsor(try session.person(person, field: "person"))
                }
            }
        }

        struct Champion: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "champion",
                abstract: "Nominate a champion: a passionate member of the client's staff.",
                discussion: "Example: consult engagement champion libraries-on-twitter raj-patel --level frontline")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The engagement (handle or id).", completion: .handles(.engagement)) var engagement: String
            @Argument(help: "The champion (person handle or id).", completion: .handles(.person)) var person: String
            @Option(help: "Their level.") var level: Level

            func run() throws {
                try EngagementRecording.apply(global, write, engagement, "Nominated \(person) champion of \(engagement).") { session, _ in
                    .nominateChampion(try session.person(person, field: "person"), level: level)
                }
            }
        }

        struct StandDown: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "stand-down", abstract: "Record that a champion stood down.",
                discussion: "Example: consult engagement stand-down libraries-on-twitter raj-patel --reason \"moved to the archive team\"")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The engagement (handle or id).", completion: .handles(.engagement)) var engagement: String
            @Argument(help: "The champion (person handle or id).", completion: .handles(.person)) var person: String
            @Option(help: "Why.") var reason: String

            func run() throws {
                try EngagementRecording.apply(global, write, engagement, "Recorded that \(person) stood down.") { session, _ in
                    .standDownChampion(try session.person(person, field: "person"), reason: reason)
                }
            }
        }

        struct ChannelCommand: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "channel", abstract: "Channels the client speaks on.", subcommands: [Adopt.self, Retire.self])

            struct Adopt: ParsableCommand {
                static let configuration = CommandConfiguration(
                    commandName: "adopt",
                    abstract: "Adopt a channel, saying which objectives it serves.",
                    discussion:
                        "Example: consult engagement channel adopt libraries-on-twitter twitter --handle @HaringeyLibs --serves followers")
                @OptionGroup var global: GlobalOptions
                @OptionGroup var write: WriteOptions
                @Argument(help: "The engagement (handle or id).", completion: .handles(.engagement)) var engagement: String
                @Argument(help: ChannelArgument.help, completion: ChannelArgument.completion) var channel: String
                @Option(help: "The account's handle on the channel (tells two accounts of a kind apart).") var handle: String?
                @Option(
                    help: "An objective it serves (objective, or engagement/objective; repeat for more).", completion: .handles(.objective))
                var serves: [String] = []
                @Flag(
                    help:
                        "Adopt a channel whose name is close to a well-known one as typed (otherwise: asked on a terminal, refused when not on one)."
                )
                var yes = false

                func run() throws {
                    let channel = try ChannelArgument.parse(self.channel, adopting: yes)
                    let label = ChannelAccount(channel: channel, handle: handle).label
                    try EngagementRecording.apply(global, write, engagement, "Adopted \(label) for \(engagement).") { session, _ in
                        let engagementID = try session.resolve(.engagement, engagement, field: "engagement").id
                        return .adoptChannel(
                            channel, handle: handle,
                            serves: try serves.map { try session.objective($0, field: "serves", engagement: engagementID).id })
                    }
                }
            }

            struct Retire: ParsableCommand {
                static let configuration = CommandConfiguration(
                    commandName: "retire",
                    abstract: "Retire a channel.",
                    discussion: "Example: consult engagement channel retire libraries-on-twitter facebook --reason \"no audience\"")
                @OptionGroup var global: GlobalOptions
                @OptionGroup var write: WriteOptions
                @Argument(help: "The engagement (handle or id).", completion: .handles(.engagement)) var engagement: String
                @Argument(help: ChannelArgument.help, completion: ChannelArgument.completion) var channel: String
                @Option(help: "Which account, when two of the kind are in use.") var handle: String?
                @Option(help: "Why.") var reason: String

                func run() throws {
                    let channel = try ChannelArgument.parse(self.channel)
                    let label = ChannelAccount(channel: channel, handle: handle).label
                    try EngagementRecording.apply(global, write, engagement, "Retired \(label) for \(engagement).") { _, _ in
                        .retireChannel(channel, handle: handle, reason: reason)
                    }
                }
            }
        }

        struct Session_: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "session", abstract: "Record a coaching session; `session void` and `session correct` put a wrong one right.",
                discussion:
                    "Example: consult engagement session libraries-on-twitter --attendee raj-patel --topic \"tone of voice\" --minutes 90",
                subcommands: [Record.self, VoidEntry.self, Correct.self], defaultSubcommand: Record.self)

            struct Record: ParsableCommand {
                static let configuration = CommandConfiguration(
                    commandName: "record",
                    abstract: "Record a coaching session (the default: `engagement session ENGAGEMENT --minutes …`).",
                    discussion:
                        "Example: consult engagement session libraries-on-twitter --attendee raj-patel --topic \"tone of voice\" --minutes 90"
                )
                @OptionGroup var global: GlobalOptions
                @OptionGroup var write: WriteOptions
                @Argument(help: "The engagement (handle or id).", completion: .handles(.engagement)) var engagement: String
                @Option(help: "Who attended, of the client's staff (person handle or id; repeat for more).", completion: .handles(.person))
                var attendee: [String] = []
                @Option(help: "A topic covered (repeat for more).") var topic: [String] = []
                @Option(help: "How long it was, in minutes.") var minutes: Int

                func run() throws {
                    try EngagementRecording.apply(global, write, engagement, "Recorded a \(minutes)-minute coaching session.") {
                        session, _ in
                        .holdSession(
                            attendees: try attendee.map { try session.person($0, field: "attendee") }, topics: topic, minutes: minutes)
                    }
                }
            }
        }

        /// `engagement work ENGAGEMENT HOURS ACTIVITY` logs hours (the default subcommand, so the
        /// way it was always typed still works); `work void` and `work correct` put an entry right.
        struct Work: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "work",
                abstract: "Log hours of work; `work void` and `work correct` put a wrong entry right.",
                discussion: "Example: consult engagement work libraries-on-twitter 2.5 \"content calendar\"",
                subcommands: [Log.self, VoidEntry.self, Correct.self], defaultSubcommand: Log.self)

            struct Log: ParsableCommand {
                static let configuration = CommandConfiguration(
                    commandName: "log", abstract: "Log hours of work (the default: `engagement work ENGAGEMENT HOURS ACTIVITY`).",
                    discussion: """
                        Hours are kept exactly as typed: 1.5, 1:30, 1h30m, 1h or 90m. Minutes become hours \
                        only when they make an exact decimal (a multiple of 3 minutes: 1:21 is 1.35 h); 1:20 \
                        is refused with the nearest forms that do, never rounded.

                        Example: consult engagement work libraries-on-twitter 1:30 "content calendar" --at 2026-10-30
                        """)
                @OptionGroup var global: GlobalOptions
                @OptionGroup var write: WriteOptions
                @Argument(help: "The engagement (handle or id).", completion: .handles(.engagement)) var engagement: String
                @Argument(help: "Hours worked: \(Hours.forms).") var hours: String
                @Argument(help: "What was done.") var activity: String
                @Flag(name: .customLong("non-billable"), help: "The hours are not billable.") var nonBillable = false

                func run() throws {
                    let hours = try Hours.parse(hours, field: "hours")
                    try EngagementRecording.apply(global, write, engagement, "Logged \(hours.formatted) h on \(engagement).") { _, _ in
                        .logWork(hours: hours, activity: activity, billable: !nonBillable)
                    }
                }
            }
        }

        struct Pause: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "pause",
                abstract: "Pause an active engagement.",
                discussion: "Example: consult engagement pause libraries-on-twitter --reason \"summer reading challenge\"")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The engagement (handle or id).", completion: .handles(.engagement)) var engagement: String
            @Option(help: "Why.") var reason: String

            func run() throws {
                try EngagementRecording.apply(global, write, engagement, "Paused \(engagement).") { _, _ in .pause(reason: reason) }
            }
        }

        struct Resume: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "resume",
                abstract: "Resume a paused engagement.", discussion: "Example: consult engagement resume libraries-on-twitter")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The engagement (handle or id).", completion: .handles(.engagement)) var engagement: String

            func run() throws {
                try EngagementRecording.apply(global, write, engagement, "Resumed \(engagement).") { _, _ in .resume }
            }
        }

        struct Close: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "close",
                abstract: "Close an engagement: handed-over after a completed handover, otherwise with a reason.",
                discussion: "Example: consult engagement close libraries-on-twitter --outcome handed-over")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The engagement (handle or id).", completion: .handles(.engagement)) var engagement: String
            @Option(help: "How it ended.") var outcome: CloseOutcome
            @Option(help: "Why (required unless handed over).") var reason: String?

            func run() throws {
                try EngagementRecording.apply(global, write, engagement, "Closed \(engagement): \(outcome.rawValue).") { _, _ in
                    .close(outcome, reason: reason)
                }
            }
        }
    }
}
