import ArgumentParser
import BackOffice
import Foundation
import Recording
import Reports

extension Direction: ExpressibleByArgument {}

/// The shared step of the objective commands: one command on the objective, in its
/// engagement's stream, confirmed.
enum ObjectiveRecording {
    static func apply(
        _ global: GlobalOptions, _ write: WriteOptions, _ objective: ObjectiveArgument, _ line: String, recorder: Recorder? = nil,
        _ command: @escaping (UUID) throws -> EngagementState.Command
    ) throws {
        let recorder = try recorder ?? global.recorder()
        try recorder.confirm(
            try recorder.onObjective(objective.objective, engagement: objective.engagement, write.request, command), write, line)
    }
}

/// The objective a command is on (issue 16 item 7): `engagement/objective`, the bare handle when
/// only one engagement has it, or its id; `--engagement` scopes a bare handle.
struct ObjectiveArgument: ParsableArguments {
    @Argument(
        help: "The objective: engagement/objective, its handle alone when only one engagement has it, or its id.",
        completion: .handles(.objective))
    var objective: String
    @Option(help: "The engagement a bare objective handle belongs to (handle or id).", completion: .handles(.engagement))
    var engagement: String?
}

extension Consult {
    struct Objective: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "objective",
            abstract: "Business objectives: a metric with a baseline, a target and a due date, and its measurements.",
            subcommands: [
                Set.self, Measure.self, Correct.self, Revise.self, Achieve.self, Drop.self, ListCommand<Listing.Objective>.self,
                Show.self,
            ])

        struct Set: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "set",
                abstract: "Set an objective (the engagement goes active with its first).",
                discussion: """
                    Example: consult objective set libraries-on-twitter --area "service awareness" \
                    --statement "Residents hear about library events" --metric followers --baseline 0 --target 1500 --due 2026-12-31
                    Add --down for a metric that should fall (complaint response time).
                    """)
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The engagement (handle or id).", completion: .handles(.engagement)) var engagement: String
            @Option(help: "The business area (sales, market research, complaint handling, service awareness, …).") var area: String
            @Option(help: "The objective in a sentence.") var statement: String
            @Option(help: "What is measured.") var metric: String
            @Option(help: "The metric's unit.") var unit: String?
            @Option(help: "Where it stands today.") var baseline: String
            @Option(help: "Where it should get to.") var target: String
            @Option(help: ArgumentHelp("When: YYYY-MM-DD.", valueName: "date")) var due: String
            @Flag(help: "The metric should go down.") var down = false
            @Option(help: "A handle for it, unique within the engagement (default: a slug of the metric).") var handle: String?

            func run() throws {
                let recorder = try global.recorder()
                let set = try recorder.setObjective(
                    engagement: engagement, handle: handle, businessArea: area, statement: statement, metric: metric, unit: unit,
                    direction: down ? .down : .up, baseline: baseline, target: target, due: due, write.request)
                try recorder.confirm(set.recorded, write, "Set objective \(engagement)/\(set.handle).")
            }
        }

        struct Measure: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "measure",
                abstract: "Record a measurement of an objective's metric.",
                discussion: "Example: consult objective measure followers 1240 --source \"Twitter analytics\" --at 2026-11-30")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @OptionGroup var objective: ObjectiveArgument
            @Argument(help: "The value measured.") var value: String
            @Option(help: "Where the number comes from.") var source: String?
            @Option(help: "A note.") var note: String?

            func run() throws {
                let number = try Recorder.number(value, field: "value")
                let measurement = UUID()
                let line = "Measured \(objective.objective): \(number.formatted) (measurement \(measurement.uuidString.lowercased()))."
                try ObjectiveRecording.apply(global, write, objective, line) { id in
                    .recordMeasurement(objective: id, measurement: measurement, value: number, source: source, note: note)
                }
            }
        }

        struct Correct: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "correct",
                abstract: "Correct a measurement (the original stays in the history).",
                discussion: "Example: consult objective correct followers --measurement 1234 1190 --reason \"counted a bot\"")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @OptionGroup var objective: ObjectiveArgument
            @Option(
                help: "The measurement corrected: its number in `consult log` or `objective show` (# column), or its measurement id.")
            var measurement: String
            @Argument(help: "The right value.") var value: String
            @Option(help: "Why.") var reason: String

            func run() throws {
                let number = try Recorder.number(value, field: "value")
                let recorder = try global.recorder()
                let corrects: UUID
                if let id = UUID(uuidString: measurement) {
                    corrects = id
                } else {
                    // The number the log shows, as work entries and sessions are named.
                    let entry = try recorder.entry(measurement, field: "measurement", types: [MeasurementRecorded.self])
                    guard let recorded = try entry.domainEvent() as? MeasurementRecorded else {
                        throw CommandFailure("--measurement: #\(entry.position) is not a measurement")
                    }
                    corrects = recorded.measurement
                }
                try ObjectiveRecording.apply(
                    global, write, objective, "Corrected the measurement to \(number.formatted).", recorder: recorder
                ) {
                    id in
                    .correctMeasurement(objective: id, corrects: corrects, value: number, reason: reason)
                }
            }
        }

        struct Revise: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "revise",
                abstract: "Revise an objective's target (the old one stays in the history).",
                discussion: "Example: consult objective revise followers --to 2000 --reason \"the launch beat the plan\"")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @OptionGroup var objective: ObjectiveArgument
            @Option(help: "The new target.") var to: String
            @Option(help: ArgumentHelp("A new due date: YYYY-MM-DD.", valueName: "date")) var due: String?
            @Option(help: "Why.") var reason: String

            func run() throws {
                let target = try Recorder.number(to, field: "to")
                let due = try Recorder.day(due, field: "due")
                let line = "Revised the target of \(objective.objective) to \(target.formatted)."
                try ObjectiveRecording.apply(global, write, objective, line) { id in
                    .reviseTarget(objective: id, to: target, due: due, reason: reason)
                }
            }
        }

        struct Achieve: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "achieve",
                abstract: "Mark an objective achieved.", discussion: "Example: consult objective achieve followers")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @OptionGroup var objective: ObjectiveArgument

            func run() throws {
                try ObjectiveRecording.apply(global, write, objective, "Achieved \(objective.objective).") { .achieveObjective($0) }
            }
        }

        struct Drop: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "drop",
                abstract: "Drop an objective.",
                discussion: "Example: consult objective drop footfall --reason \"branches closed for refurbishment\"")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @OptionGroup var objective: ObjectiveArgument
            @Option(help: "Why.") var reason: String

            func run() throws {
                try ObjectiveRecording.apply(global, write, objective, "Dropped \(objective.objective).") {
                    .dropObjective($0, reason: reason)
                }
            }
        }
    }
}

extension Consult.Objective {
    /// `objective show`: one objective and its history; `--engagement` scopes a bare handle.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: Listing.Objective.show.abstract,
            discussion: "Example: \(Listing.Objective.show.example), or consult objective show libraries-on-twitter/followers")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var objective: ObjectiveArgument
        @Option(help: "table, json, csv, markdown or html.") var format: ReportFormat = .table
        @OptionGroup var display: DisplayOptions

        func run() throws {
            try ReportSettings(format: format, display: display).print(
                try global.recorder().show(.objective, objective.objective, engagement: objective.engagement))
        }
    }
}
