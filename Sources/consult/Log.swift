import ArgumentParser
import BackOffice
import Foundation
import Recording
import Reports

extension Consult {
    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "log",
            abstract: "The history as a timeline: when it happened, who recorded it, what. Straight from the log.",
            discussion: """
                Examples:
                  consult log --engagement libraries-on-twitter
                  consult log --org haringey-libraries --since 2026-10-01 --format json
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this organisation, its people, leads and engagements (handle or id).", completion: .handles(.organisation))
        var org: String?
        @Option(help: "Only this engagement (handle or id).", completion: .handles(.engagement)) var engagement: String?
        @Option(help: "Only this person and what names them (handle or id).", completion: .handles(.person)) var person: String?
        @Option(help: ArgumentHelp("From this day on (what happened, not when it was recorded): YYYY-MM-DD.", valueName: "date")) var since:
            String?
        @Option(help: ArgumentHelp("Up to and including this day: YYYY-MM-DD.", valueName: "date")) var until: String?
        @Option(help: "A table for people, or JSON for programs.") var format: LogFormat = .table
        @OptionGroup var display: DisplayOptions

        enum LogFormat: String, ExpressibleByArgument, CaseIterable {
            case table, json
        }

        func run() throws {
            let recorder = try global.recorder()
            let entries = try recorder.timeline(
                org: org, engagement: engagement, person: person, since: try Recorder.day(since, field: "since"),
                until: try Recorder.day(until, field: "until"))
            switch format {
            case .table: printTable(entries)
            case .json: try printJSON(entries)
            }
        }

        private func printTable(_ entries: [TimelineEntry]) {
            guard !entries.isEmpty else {
                print("No events.")
                return
            }
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd HH:mm"
            let rows = entries.map { entry in
                [
                    "\(entry.recorded.position)", formatter.string(from: entry.recorded.metadata.occurredAt), entry.recorded.metadata.actor,
                    entry.subject, entry.summary,
                ]
            }
            // On a narrow terminal who recorded it goes first, so that what happened keeps at least
            // 30 cells and what it is about 20 (80 columns: `organisation northbri…` beside
            // `registered the organisation…`); the entry's number is always shown.
            let table = TextTable(
                columns: [
                    // The entry's number: what `work void`, `session correct` and the like take.
                    .init("#"), .init("WHEN (UTC)"), .init("WHO", priority: .low), .init("ABOUT", fit: .text, priority: .high, minimum: 20),
                    .init("WHAT", fit: .text, priority: .high, minimum: 30),
                ], rows: rows)
            Terminal.show(table.plain(width: Terminal.width(wide: display.wide)), pager: !display.noPager)
        }

        private func printJSON(_ entries: [TimelineEntry]) throws {
            let iso = ISO8601DateFormatter()
            iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let items: [[String: Any]] = try entries.map { entry in
                [
                    "position": entry.recorded.position, "stream": entry.recorded.stream, "subject": entry.subject,
                    "type": entry.recorded.type, "schema_version": entry.recorded.schemaVersion,
                    "occurred_at": iso.string(from: entry.recorded.metadata.occurredAt),
                    "recorded_at": iso.string(from: entry.recorded.metadata.recordedAt), "actor": entry.recorded.metadata.actor,
                    "summary": entry.summary, "data": try JSONSerialization.jsonObject(with: entry.recorded.data),
                ]
            }
            let data = try JSONSerialization.data(withJSONObject: items, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
