import ArgumentParser
import BackOffice
import Foundation
import Recording

extension Consult {
    struct HandoverCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "handover", abstract: "Handing the account over so the organisation speaks for itself.",
            subcommands: [Plan.self, Item.self, Transfer.self, Complete.self, FollowUp.self])

        struct Plan: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "plan",
                abstract: "Plan the handover: when, to whom, with which sponsor.",
                discussion:
                    "Example: consult handover plan libraries-on-twitter --on 2026-12-20 --to raj-patel --to mia-jones --sponsor ann-smith")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The engagement (handle or id).", completion: .handles(.engagement)) var engagement: String
            @Option(help: ArgumentHelp("The handover date: YYYY-MM-DD.", valueName: "date")) var on: String
            @Option(
                name: .customLong("to"), help: "A receiving owner at the client (person; repeat for more).", completion: .handles(.person))
            var owners: [String] = []
            @Option(help: "The client's sponsor (person).", completion: .handles(.person)) var sponsor: String?

            func run() throws {
                let day = try Recorder.day(on, field: "on")!
                try EngagementRecording.apply(global, write, engagement, "Planned the handover of \(engagement) for \(day).") {
                    session, _ in
                    .planHandover(
                        on: day, owners: try owners.map { try session.person($0, field: "to") },
                        sponsor: try sponsor.map { try session.person($0, field: "sponsor") })
                }
            }
        }

        struct Item: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "item",
                abstract: "The handover checklist.", subcommands: [Add.self, Done.self, Waive.self, Reopen.self, Correct.self])

            struct Add: ParsableCommand {
                static let configuration = CommandConfiguration(
                    commandName: "add",
                    abstract: "Add a checklist item.",
                    discussion:
                        "Example: consult handover item add libraries-on-twitter \"Passwords moved to the council's vault\" --category access"
                )
                @OptionGroup var global: GlobalOptions
                @OptionGroup var write: WriteOptions
                @Argument(help: "The engagement (handle or id).", completion: .handles(.engagement)) var engagement: String
                @Argument(help: "What must be done.") var text: String
                @Option(help: "The kind of item (access, training, content, policy, …).") var category: String = "general"
                @Option(help: "A handle for it (default: a slug of the text).") var handle: String?

                func run() throws {
                    let name = Handle.slug(handle ?? String(text.prefix(30)))
                    try EngagementRecording.apply(global, write, engagement, "Added checklist item \(name).") { _, _ in
                        .addHandoverItem(id: UUID(), handle: name, category: category, text: text)
                    }
                }
            }

            struct Done: ParsableCommand {
                static let configuration = CommandConfiguration(
                    commandName: "done",
                    abstract: "Complete a checklist item.", discussion: "Example: consult handover item done libraries-on-twitter passwords"
                )
                @OptionGroup var global: GlobalOptions
                @OptionGroup var write: WriteOptions
                @Argument(help: "The engagement (handle or id).", completion: .handles(.engagement)) var engagement: String
                @Argument(help: "The item's handle.") var item: String

                func run() throws {
                    try EngagementRecording.apply(global, write, engagement, "Completed \(item).") { _, state in
                        .completeHandoverItem(try Recorder.handoverItem(item, in: state))
                    }
                }
            }

            struct Waive: ParsableCommand {
                static let configuration = CommandConfiguration(
                    commandName: "waive",
                    abstract: "Waive a checklist item, with a reason.",
                    discussion: "Example: consult handover item waive libraries-on-twitter style-guide --reason \"the council's applies\"")
                @OptionGroup var global: GlobalOptions
                @OptionGroup var write: WriteOptions
                @Argument(help: "The engagement (handle or id).", completion: .handles(.engagement)) var engagement: String
                @Argument(help: "The item's handle.") var item: String
                @Option(help: "Why.") var reason: String

                func run() throws {
                    try EngagementRecording.apply(global, write, engagement, "Waived \(item).") { _, state in
                        .waiveHandoverItem(try Recorder.handoverItem(item, in: state), reason: reason)
                    }
                }
            }
        }

        struct Transfer: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "transfer",
                abstract: "Record that control of a channel's account passed to someone at the client.",
                discussion: "Example: consult handover transfer libraries-on-twitter twitter --to raj-patel")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The engagement (handle or id).", completion: .handles(.engagement)) var engagement: String
            @Argument(help: ChannelArgument.help, completion: ChannelArgument.completion) var channel: String
            @Option(help: "Which account, when two of the kind are in use.") var handle: String?
            @Option(help: "Who now controls it (person).", completion: .handles(.person)) var to: String

            func run() throws {
                let channel = try ChannelArgument.parse(self.channel)
                let label = ChannelAccount(channel: channel, handle: handle).label
                try EngagementRecording.apply(global, write, engagement, "Transferred \(label) to \(to).") { session, _ in
                    .transferAccountControl(channel, handle: handle, to: try session.person(to, field: "to"))
                }
            }
        }

        struct Complete: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "complete",
                abstract: "Complete the handover (every checklist item completed or waived).",
                discussion: "Example: consult handover complete libraries-on-twitter --signed-off-by ann-smith")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The engagement (handle or id).", completion: .handles(.engagement)) var engagement: String
            @Option(name: .customLong("signed-off-by"), help: "Who signed it off at the client (person).", completion: .handles(.person))
            var signedOffBy: String

            func run() throws {
                try EngagementRecording.apply(global, write, engagement, "Completed the handover of \(engagement).") { session, _ in
                    .completeHandover(signedOffBy: try session.person(signedOffBy, field: "signedOffBy"))
                }
            }
        }

        struct FollowUp: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "follow-up",
                abstract: "Record a follow-up check after the handover (30, 90, 180 days); `follow-up correct` puts one right.",
                discussion: "Example: consult handover follow-up libraries-on-twitter --days 30 --active --posts-per-week 9",
                subcommands: [Record.self, Correct.self], defaultSubcommand: Record.self)

            struct Record: ParsableCommand {
                static let configuration = CommandConfiguration(
                    commandName: "record", abstract: "Record a follow-up check (the default: `handover follow-up ENGAGEMENT --days …`).",
                    discussion: "Example: consult handover follow-up libraries-on-twitter --days 30 --active --posts-per-week 9")
                @OptionGroup var global: GlobalOptions
                @OptionGroup var write: WriteOptions
                @Argument(help: "The engagement (handle or id).", completion: .handles(.engagement)) var engagement: String
                @Option(help: "Days after the handover.") var days: Int
                @Flag(inversion: .prefixedNo, help: "Whether the account is still active.") var active: Bool
                @Option(name: .customLong("posts-per-week"), help: "How often it posts.") var postsPerWeek: Double?
                @Option(help: "A note.") var note: String?

                func run() throws {
                    try EngagementRecording.apply(global, write, engagement, "Recorded the \(days)-day follow-up of \(engagement).") {
                        _, _ in
                        .checkFollowUp(daysAfter: days, accountActive: active, postsPerWeek: postsPerWeek, note: note)
                    }
                }
            }
        }

    }
}

extension Consult.HandoverCommand.Item {
    /// `handover item correct` (issue 16 item 4): a checklist item's wording put right, as an
    /// event that names the item and why; `consult undo` puts the old wording back.
    struct Correct: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "correct",
            abstract: "Correct a checklist item's text or category (the original stays in the log).",
            discussion:
                "Example: consult handover item correct libraries-on-twitter passwords --text \"Passwords moved to the council's vault\" --reason \"the council has its own vault\""
        )
        @OptionGroup var global: GlobalOptions
        @OptionGroup var write: WriteOptions
        @Argument(help: "The engagement (handle or id).", completion: .handles(.engagement)) var engagement: String
        @Argument(help: "The checklist item (handle or id).") var item: String
        @Option(help: "What the item says now.") var text: String?
        @Option(help: "Its kind now (access, training, content, policy, …).") var category: String?
        @OptionGroup var why: ReasonOption

        func validate() throws {
            guard text != nil || category != nil else { throw ValidationError("say what is corrected: --text, --category or both") }
        }

        func run() throws {
            try EngagementRecording.apply(global, write, engagement, "Corrected checklist item \(item).") { _, state in
                .correctHandoverItem(try Recorder.handoverItem(item, in: state), category: category, text: text, reason: why.reason)
            }
        }
    }
}
