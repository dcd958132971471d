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

    /// What the application layer takes from these options.
    var request: WriteRequest { WriteRequest(at: at, commandID: commandID) }
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
