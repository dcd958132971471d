import ArgumentParser
import BackOffice
import Foundation
import Recording
import Reports

/// Options of every command that records something.
struct WriteOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "When it happened: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z] (UTC); default now. At most a day ahead.", valueName: "date"))
    var at: String?

    @Option(help: "Print a confirmation line (text) or what was recorded (json).")
    var format: OutputFormat = .text

    @Option(
        name: .customLong("command-id"),
        help: ArgumentHelp("An id for this command: running it again with the same id records nothing twice.", valueName: "uuid"))
    var commandID: String?

    /// What the application layer takes from these options. Without `--command-id` the command
    /// still has an id, made here (one command an invocation): a lost connection names it, so
    /// that the command can be run again with it and be recorded at most once.
    var request: WriteRequest {
        WriteRequest(at: at, commandID: commandID ?? Self.madeID, commandIDIsNew: commandID == nil, command: Self.commandPath)
    }

    /// This invocation's command, as the words of the command line that name it (`engagement
    /// work`), found in the tree of commands: what the envelope keeps (``WriteRequest/command``).
    static let commandPath: String = {
        var (words, command, _) = Consult.commands(named: Array(CommandLine.arguments.dropFirst()))
        // `engagement work H 2 x` is `engagement work log H 2 x`: one command, one name.
        while let next = command.configuration.defaultSubcommand {
            words.append(next.configuration.commandName ?? "")
            command = next
        }
        return words.joined(separator: " ")
    }()

    /// The id of this invocation's command when none was given.
    static let madeID = UUID().uuidString.lowercased()

    /// The write options of this invocation's command, once parsed: what a lost connection's
    /// message needs (the command's id) when it is lost before the command reached `record`.
    nonisolated(unsafe) static var parsed: WriteOptions?

    func validate() throws {
        Self.parsed = self
    }

    /// The command's id, as `record` uses it; nil when `--command-id` is not a UUID (that is
    /// refused with its own message).
    var id: UUID? { UUID(uuidString: request.commandID ?? "") }

    /// The truth about a lost connection of a write command, whichever layer lost it: with the
    /// recorder, found out in the log; without (the connection failed while opening), nothing
    /// reached the database. Any other error is returned as it is.
    static func truth(about error: any Error, recorder: Recorder?) -> any Error {
        guard let id = parsed?.id else { return error }
        if let recorder { return recorder.truthAfterLostConnection(error, commandID: id) ?? error }
        let failure = CommandFailure(error)
        return failure.exitCode == 69 ? failure.neverSent(command: id) : error
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

extension Recorder {
    /// Prints the confirmation line, or the events as JSON.
    func confirm(_ recorded: [Recorded], _ options: WriteOptions, _ line: String) throws {
        switch options.format {
        case .text:
            if let replayedCommand {
                print("Already recorded by command \(replayedCommand.uuidString.lowercased()): nothing new.")
            } else {
                print(recorded.isEmpty ? "Nothing to record: it is so already." : Neutralise.terminal(line))
            }
        case .json:
            let items: [[String: Any]] = try recorded.map { entry in
                [
                    "position": entry.position, "stream": entry.stream, "type": type(of: entry.event).typeName,
                    "occurred_at": ISO8601DateFormatter().string(from: entry.occurredAt),
                    "data": try JSONSerialization.jsonObject(with: EventTypes.encode(entry.event)),
                ]
            }
            let data = try JSONSerialization.data(withJSONObject: items, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
