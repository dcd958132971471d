import ArgumentParser
import BackOffice
import EventStore
import Foundation

extension Direction: ExpressibleByArgument {}

/// Objectives live in their engagement's stream; their handles point at both.
enum ObjectiveRecording {
    static func apply(
        _ global: GlobalOptions, _ write: WriteOptions, _ objective: String, _ line: String,
        _ command: (UUID) throws -> EngagementState.Command
    ) throws {
        let session = try Session(global)
        let (id, engagement) = try session.resolve(.objective, objective, field: "objective")
        guard let engagement else { throw CommandFailure("objective: \(objective) is not an objective") }
        let recorded = try session.record(write) { _ in
            try session.change(EngagementState.self, Session.stream(.engagement, engagement)) { try $0.decide(try command(id)) }
        }
        try session.confirm(recorded, write, line)
    }

    static func number(_ text: String, field: String) throws -> Double {
        guard let value = Double(text), value.isFinite else { throw CommandFailure("\(field): \"\(text)\" is not a number") }
        return value
    }
}

extension Consult {
    struct Objective: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Business objectives: a metric with a baseline, a target and a due date, and its measurements.",
            subcommands: [Set.self, Measure.self, Correct.self, Revise.self, Achieve.self, Drop.self])

        struct Set: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Set an objective (the engagement goes active with its first).",
                discussion: """
                    Example: consult objective set libraries-on-twitter --area "service awareness" \
                    --statement "Residents hear about library events" --metric followers --baseline 0 --target 1500 --due 2026-12-31
                    Add --down for a metric that should fall (complaint response time).
                    """)
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The engagement (handle or id).") var engagement: String
            @Option(help: "The business area (sales, market research, complaint handling, service awareness, …).") var area: String
            @Option(help: "The objective in a sentence.") var statement: String
            @Option(help: "What is measured.") var metric: String
            @Option(help: "The metric's unit.") var unit: String?
            @Option(help: "Where it stands today.") var baseline: String
            @Option(help: "Where it should get to.") var target: String
            @Option(help: ArgumentHelp("When: YYYY-MM-DD.", valueName: "date")) var due: String
            @Flag(help: "The metric should go down.") var down = false
            @Option(help: "A handle for it (default: a slug of the metric).") var handle: String?

            func run() throws {
                let session = try Session(global)
                let (engagementID, _) = try session.resolve(.engagement, engagement, field: "engagement")
                let baseline = try ObjectiveRecording.number(baseline, field: "--baseline")
                let target = try ObjectiveRecording.number(target, field: "--target")
                let due = try Session.day(due, field: "--due")!
                let id = UUID()
                var claimed = ""
                let recorded = try session.record(write) { _ in
                    let (name, claim) = try session.claimHandle(.objective, name: handle ?? metric, id: id, parent: engagementID)
                    claimed = name
                    var changes = try session.change(EngagementState.self, Session.stream(.engagement, engagementID)) {
                        try $0.decide(
                            .setObjective(
                                id: id, handle: name, businessArea: area, statement: statement, metric: metric, unit: unit,
                                direction: down ? .down : .up, baseline: baseline, target: target, due: due))
                    }
                    changes.append(claim)
                    return changes
                }
                try session.confirm(recorded, write, "Set objective \(claimed) on \(engagement).")
            }
        }

        struct Measure: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Record a measurement of an objective's metric.",
                discussion: "Example: consult objective measure followers 1240 --source \"Twitter analytics\" --at 2026-11-30")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The objective (handle or id).") var objective: String
            @Argument(help: "The value measured.") var value: String
            @Option(help: "Where the number comes from.") var source: String?
            @Option(help: "A note.") var note: String?

            func run() throws {
                let number = try ObjectiveRecording.number(value, field: "value")
                let measurement = UUID()
                let line = "Measured \(objective): \(number.formatted()) (measurement \(measurement.uuidString.lowercased()))."
                try ObjectiveRecording.apply(global, write, objective, line) { id in
                    .recordMeasurement(objective: id, measurement: measurement, value: number, source: source, note: note)
                }
            }
        }

        struct Correct: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Correct a measurement (the original stays in the history).",
                discussion: "Example: consult objective correct followers --measurement 3f2a… 1190 --reason \"counted a bot\"")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The objective (handle or id).") var objective: String
            @Option(help: "The id of the measurement corrected.") var measurement: String
            @Argument(help: "The right value.") var value: String
            @Option(help: "Why.") var reason: String

            func run() throws {
                let number = try ObjectiveRecording.number(value, field: "value")
                guard let corrects = UUID(uuidString: measurement) else {
                    throw CommandFailure("--measurement: \"\(measurement)\" is not a measurement id")
                }
                try ObjectiveRecording.apply(global, write, objective, "Corrected the measurement to \(number.formatted()).") {
                    id in
                    .correctMeasurement(objective: id, corrects: corrects, value: number, reason: reason)
                }
            }
        }

        struct Revise: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Revise an objective's target (the old one stays in the history).",
                discussion: "Example: consult objective revise followers --to 2000 --reason \"the launch beat the plan\"")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The objective (handle or id).") var objective: String
            @Option(help: "The new target.") var to: String
            @Option(help: ArgumentHelp("A new due date: YYYY-MM-DD.", valueName: "date")) var due: String?
            @Option(help: "Why.") var reason: String

            func run() throws {
                let target = try ObjectiveRecording.number(to, field: "--to")
                let due = try Session.day(due, field: "--due")
                let line = "Revised the target of \(objective) to \(target.formatted())."
                try ObjectiveRecording.apply(global, write, objective, line) { id in
                    .reviseTarget(objective: id, to: target, due: due, reason: reason)
                }
            }
        }

        struct Achieve: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Mark an objective achieved.", discussion: "Example: consult objective achieve followers")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The objective (handle or id).") var objective: String

            func run() throws {
                try ObjectiveRecording.apply(global, write, objective, "Achieved \(objective).") { .achieveObjective($0) }
            }
        }

        struct Drop: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Drop an objective.",
                discussion: "Example: consult objective drop footfall --reason \"branches closed for refurbishment\"")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The objective (handle or id).") var objective: String
            @Option(help: "Why.") var reason: String

            func run() throws {
                try ObjectiveRecording.apply(global, write, objective, "Dropped \(objective).") {
                    .dropObjective($0, reason: reason)
                }
            }
        }
    }

    struct HandoverCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "handover", abstract: "Handing the account over so the organisation speaks for itself.",
            subcommands: [Plan.self, Item.self, Transfer.self, Complete.self, FollowUp.self])

        struct Plan: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Plan the handover: when, to whom, with which sponsor.",
                discussion:
                    "Example: consult handover plan libraries-on-twitter --on 2026-12-20 --to raj-patel --to mia-jones --sponsor ann-smith")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The engagement (handle or id).") var engagement: String
            @Option(help: ArgumentHelp("The handover date: YYYY-MM-DD.", valueName: "date")) var on: String
            @Option(name: .customLong("to"), help: "A receiving owner at the client (person; repeat for more).") var owners: [String] = []
            @Option(help: "The client's sponsor (person).") var sponsor: String?

            func run() throws {
                let day = try Session.day(on, field: "--on")!
                try EngagementRecording.apply(global, write, engagement, "Planned the handover of \(engagement) for \(day).") {
                    session, _ in
                    .planHandover(
                        on: day, owners: try owners.map { try session.person($0, field: "--to") },
                        sponsor: try sponsor.map { try session.person($0, field: "--sponsor") })
                }
            }
        }

        struct Item: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "The handover checklist.", subcommands: [Add.self, Done.self, Waive.self])

            struct Add: ParsableCommand {
                static let configuration = CommandConfiguration(
                    abstract: "Add a checklist item.",
                    discussion:
                        "Example: consult handover item add libraries-on-twitter \"Passwords moved to the council's vault\" --category access"
                )
                @OptionGroup var global: GlobalOptions
                @OptionGroup var write: WriteOptions
                @Argument(help: "The engagement (handle or id).") var engagement: String
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
                    abstract: "Complete a checklist item.", discussion: "Example: consult handover item done libraries-on-twitter passwords"
                )
                @OptionGroup var global: GlobalOptions
                @OptionGroup var write: WriteOptions
                @Argument(help: "The engagement (handle or id).") var engagement: String
                @Argument(help: "The item's handle.") var item: String

                func run() throws {
                    try EngagementRecording.apply(global, write, engagement, "Completed \(item).") { _, state in
                        .completeHandoverItem(try Item.find(item, in: state))
                    }
                }
            }

            struct Waive: ParsableCommand {
                static let configuration = CommandConfiguration(
                    abstract: "Waive a checklist item, with a reason.",
                    discussion: "Example: consult handover item waive libraries-on-twitter style-guide --reason \"the council's applies\"")
                @OptionGroup var global: GlobalOptions
                @OptionGroup var write: WriteOptions
                @Argument(help: "The engagement (handle or id).") var engagement: String
                @Argument(help: "The item's handle.") var item: String
                @Option(help: "Why.") var reason: String

                func run() throws {
                    try EngagementRecording.apply(global, write, engagement, "Waived \(item).") { _, state in
                        .waiveHandoverItem(try Item.find(item, in: state), reason: reason)
                    }
                }
            }

            static func find(_ item: String, in state: EngagementState) throws -> UUID {
                if let id = UUID(uuidString: item) { return id }
                guard let id = state.handover?.itemHandles[Handle.slug(item)] else {
                    throw CommandFailure("item: there is no checklist item \"\(item)\" on this handover")
                }
                return id
            }
        }

        struct Transfer: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Record that control of a channel's account passed to someone at the client.",
                discussion: "Example: consult handover transfer libraries-on-twitter twitter --to raj-patel")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The engagement (handle or id).") var engagement: String
            @Argument(help: "The channel.") var channel: Channel
            @Option(help: "Who now controls it (person).") var to: String

            func run() throws {
                try EngagementRecording.apply(global, write, engagement, "Transferred \(channel.rawValue) to \(to).") { session, _ in
                    .transferAccountControl(channel, to: try session.person(to, field: "--to"))
                }
            }
        }

        struct Complete: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Complete the handover (every checklist item completed or waived).",
                discussion: "Example: consult handover complete libraries-on-twitter --signed-off-by ann-smith")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The engagement (handle or id).") var engagement: String
            @Option(name: .customLong("signed-off-by"), help: "Who signed it off at the client (person).") var signedOffBy: String

            func run() throws {
                try EngagementRecording.apply(global, write, engagement, "Completed the handover of \(engagement).") { session, _ in
                    .completeHandover(signedOffBy: try session.person(signedOffBy, field: "--signed-off-by"))
                }
            }
        }

        struct FollowUp: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "follow-up", abstract: "Record a follow-up check after the handover (30, 90, 180 days).",
                discussion: "Example: consult handover follow-up libraries-on-twitter --days 30 --active --posts-per-week 9")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The engagement (handle or id).") var engagement: String
            @Option(help: "Days after the handover.") var days: Int
            @Flag(inversion: .prefixedNo, help: "Whether the account is still active.") var active: Bool
            @Option(name: .customLong("posts-per-week"), help: "How often it posts.") var postsPerWeek: Double?
            @Option(help: "A note.") var note: String?

            func run() throws {
                try EngagementRecording.apply(global, write, engagement, "Recorded the \(days)-day follow-up of \(engagement).") { _, _ in
                    .checkFollowUp(daysAfter: days, accountActive: active, postsPerWeek: postsPerWeek, note: note)
                }
            }
        }
    }
}
