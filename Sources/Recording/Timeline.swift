import BackOffice
import EventStore
import Foundation
import Reports

/// One line of the history: an event, what it says in words, and what it concerns.
public struct TimelineEntry: Sendable {
    public let recorded: RecordedEvent
    public let summary: String
    /// "organisation harbour-bakery", "engagement libraries-on-twitter", "person (erased)".
    public let subject: String
}

extension Recorder {
    /// The history as a timeline, in the order things happened: every event but the handles'
    /// bookkeeping, named by handle, filtered by organisation (its people, leads and
    /// engagements), engagement, person (their stream and the events that name them), and the
    /// days `since` and `until` (both included).
    public func timeline(org: String?, engagement: String?, person: String?, since: Day?, until: Day?) throws -> [TimelineEntry] {
        let since = since?.date
        let until = until?.adding(days: 1).date
        if let since, let until, until <= since { throw CommandFailure("--until: comes before --since") }

        let decoded = try log().map { ($0, try $0.domainEvent()) }

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
        for (person, handle) in try people.handles() {
            labels[StreamName.entity(.person, person).description] = "person \(handle)"
            names.learn(person, handle)
        }

        var keep: (RecordedEvent) -> Bool = { !StreamName.isHandle($0.stream) }
        if let org {
            let id = try resolve(.organisation, org, field: "org").id
            let own = StreamName.entity(.organisation, id).description
            let previous = keep
            keep = { previous($0) && ($0.stream == own || organisationOf[$0.stream] == id) }
        }
        if let engagement {
            let stream = StreamName.entity(.engagement, try resolve(.engagement, engagement, field: "engagement").id).description
            let previous = keep
            keep = { previous($0) && $0.stream == stream }
        }
        if let person {
            let id = try self.person(person, field: "person").id
            // With the duplicates merged into them (issue 16 item 6).
            let merged = try merges()
            let ids = [id] + merged.keys.filter { ReportInput.canonical($0, merged) == id }
            let streams = Set(ids.map { StreamName.entity(.person, $0).description })
            let previous = keep
            keep = { recorded in
                previous(recorded) && (streams.contains(recorded.stream) || ids.contains { Self.body(recorded.data, names: $0) })
            }
        }
        return
            decoded
            .filter { recorded, _ in
                keep(recorded) && since.map { recorded.metadata.occurredAt >= $0 } ?? true
                    && until.map { recorded.metadata.occurredAt < $0 } ?? true
            }
            .sorted { ($0.0.metadata.occurredAt, $0.0.position) < ($1.0.metadata.occurredAt, $1.0.position) }
            .map { recorded, event in
                TimelineEntry(
                    recorded: recorded, summary: event.summary(names),
                    subject: labels[recorded.stream] ?? "person (erased)")
            }
    }
}

extension Recorder {
    /// Whether a stored body names this id: in upper case, as bodies written before issue 15
    /// hold them (JSONEncoder's `uuidString`), or in lower case, as they are written since.
    static func body(_ data: Data, names id: UUID) -> Bool {
        data.range(of: Data(id.uuidString.lowercased().utf8)) != nil || data.range(of: Data(id.uuidString.utf8)) != nil
    }
}
