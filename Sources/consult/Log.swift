import ArgumentParser
import BackOffice
import EventStore
import Foundation

extension Consult {
    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The history as a timeline: when it happened, who recorded it, what. Straight from the log.",
            discussion: """
                Examples:
                  consult log --engagement libraries-on-twitter
                  consult log --org haringey-libraries --since 2026-10-01 --format json
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this organisation, its people, leads and engagements (handle or id).") var org: String?
        @Option(help: "Only this engagement (handle or id).") var engagement: String?
        @Option(help: "Only this person and what names them (handle or id).") var person: String?
        @Option(help: ArgumentHelp("From this day on (what happened, not when it was recorded): YYYY-MM-DD.", valueName: "date")) var since:
            String?
        @Option(help: ArgumentHelp("Up to and including this day: YYYY-MM-DD.", valueName: "date")) var until: String?
        @Option(help: "A table for people, or JSON for programs.") var format: LogFormat = .table

        enum LogFormat: String, ExpressibleByArgument, CaseIterable {
            case table, json
        }

        struct Entry {
            let recorded: RecordedEvent
            let summary: String
            let subject: String
        }

        func run() throws {
            let session = try Session(global)
            let since = try Session.day(since, field: "--since")?.date
            let until = try Session.day(until, field: "--until")?.adding(days: 1).date
            if let since, let until, until <= since { throw CommandFailure("--until: comes before --since") }

            var all: [RecordedEvent] = []
            var position: Int64 = 0
            while true {
                let page = try session.store.read(after: position, limit: 5000)
                all += page
                guard let last = page.last, page.count == 5000 else { break }
                position = last.position
            }
            let decoded = try all.map { ($0, try $0.domainEvent()) }

            // Names for streams, from the events that gave them their handles, and people's
            // handles from their details (gone once a person is forgotten).
            var labels: [String: String] = [:]
            var organisationOf: [String: UUID] = [:]
            var names = Names()
            for (recorded, event) in decoded {
                names.learn(from: event)
                switch event {
                case let e as OrganisationRegistered: labels[recorded.stream] = "organisation \(e.handle)"
                case let e as OrganisationRenamed: labels[recorded.stream] = "organisation \(e.handle)"
                case let e as LeadCaptured:
                    labels[recorded.stream] = "lead \(e.handle)"
                    organisationOf[recorded.stream] = e.organisation
                case let e as EngagementStarted:
                    labels[recorded.stream] = "engagement \(e.handle)"
                    organisationOf[recorded.stream] = e.organisation
                case let e as PersonAdded: organisationOf[recorded.stream] = e.organisation
                default: break
                }
            }
            for row in try session.connection.execute(
                "SELECT person_id, handle FROM consult.person_details WHERE tenant_id = \(session.tenant?.rawValue)")
            {
                let person = try row.decode(UUID.self, at: 0)
                let handle = try row.decode(String.self, at: 1)
                labels[Session.stream(.person, person)] = "person \(handle)"
                names.learn(person, handle)
            }

            var keep: (RecordedEvent) -> Bool = { !$0.stream.hasPrefix("handle-") }
            if let org {
                let id = try session.resolve(.organisation, org, field: "--org").id
                let own = Session.stream(.organisation, id)
                let previous = keep
                keep = { previous($0) && ($0.stream == own || organisationOf[$0.stream] == id) }
            }
            if let engagement {
                let stream = Session.stream(.engagement, try session.resolve(.engagement, engagement, field: "--engagement").id)
                let previous = keep
                keep = { previous($0) && $0.stream == stream }
            }
            if let person {
                let id = try session.person(person, field: "--person").id
                let stream = Session.stream(.person, id)
                let needle = Data(id.uuidString.utf8)
                let previous = keep
                keep = { previous($0) && ($0.stream == stream || $0.data.range(of: needle) != nil) }
            }
            let entries =
                decoded
                .filter { recorded, _ in
                    keep(recorded) && since.map { recorded.metadata.occurredAt >= $0 } ?? true
                        && until.map { recorded.metadata.occurredAt < $0 } ?? true
                }
                .sorted { ($0.0.metadata.occurredAt, $0.0.position) < ($1.0.metadata.occurredAt, $1.0.position) }
                .map { recorded, event in
                    Entry(
                        recorded: recorded, summary: event.summary(names),
                        subject: labels[recorded.stream] ?? "person (erased)")
                }

            switch format {
            case .table: printTable(entries)
            case .json: try printJSON(entries)
            }
        }

        private func printTable(_ entries: [Entry]) {
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
                    formatter.string(from: entry.recorded.metadata.occurredAt), entry.recorded.metadata.actor, entry.subject,
                    entry.summary,
                ]
            }
            let header = ["WHEN (UTC)", "WHO", "WHAT", ""]
            let widths = (0..<3).map { column in (rows.map { $0[column].count } + [header[column].count]).max()! }
            for row in [header] + rows {
                print(
                    (0..<3).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ") + "  "
                        + row[3])
            }
        }

        private func printJSON(_ entries: [Entry]) throws {
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
