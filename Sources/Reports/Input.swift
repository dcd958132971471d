import BackOffice
import EventStore
import Foundation
import Projections

/// What every report is built from: the read models (from the tables, or folded for --as-of),
/// people's names, the log up to the instant, and the instant itself.
public struct ReportInput: Sendable {
    public let model: ReadModel
    /// People's names from their details; "(erased)" once forgotten.
    public let people: [UUID: String]
    /// The tenant's events up to the instant, in log order.
    public let events: [RecordedEvent]
    public let now: Date
    /// Merged duplicates → the person kept, as the merges stood at the instant (issue 16 item 6):
    /// the model and the names given already count a duplicate as the person kept.
    public let merges: [UUID: UUID]

    public init(model: ReadModel, people: [UUID: String], events: [RecordedEvent], now: Date, merges: [UUID: UUID] = [:]) {
        self.model = model.mergingPeople(merges)
        var people = people
        for duplicate in merges.keys { people[duplicate] = people[Self.canonical(duplicate, merges)] }
        self.people = people
        self.events = events
        self.now = now
        self.merges = merges
    }

    func person(_ id: UUID?) -> String {
        guard let id = id.map(canonical) else { return "" }
        let name = people[id] ?? "(erased)"
        return model.people[id]?.hasLeft == true ? "\(name) (left)" : name
    }

    func organisation(_ id: UUID?) -> String {
        id.flatMap { model.organisations[$0]?.name } ?? ""
    }

    func engagement(_ id: UUID?) -> String {
        id.flatMap { model.engagements[$0]?.handle } ?? ""
    }

    var today: Day { Day(now) }

    /// The events up to the instant as the domain's, in log order.
    /// - Throws: ``EventDecodingError`` for an event this version cannot read: a report never
    ///   leaves one out without saying so.
    func domainEvents() throws -> [(recorded: RecordedEvent, event: any DomainEvent)] {
        try events.map { ($0, try $0.domainEvent()) }
    }

    func days(since date: Date) -> Int { Int(now.timeIntervalSince(date) / 86_400) }
}

/// The reports, one file each: pure functions of a ``ReportInput`` to a ``Report``.
public enum Reports {}

/// What a report reads: the read-model tables, people's names, the log. A report given less
/// than it uses would be silently wrong, so each report's needs sit beside it, and
/// ReportNeedsTests renders every report that declares needs from exactly them and from
/// everything, and requires the same output.
public struct ReportNeeds: Sendable {
    /// The read-model tables (the quarantine is always read).
    public var tables: Set<ReadModel.Table>
    /// People's names (``ReportInput/people``): whoever the report names by ``ReportInput/person(_:)``.
    public var names: Bool
    /// The log up to the instant (``ReportInput/events``).
    public var events: Bool

    public init(tables: Set<ReadModel.Table>, names: Bool, events: Bool) {
        self.tables = tables
        self.names = names
        self.events = events
    }

    /// Every table, the names and the log: what a report that names no needs is given.
    public static let everything = ReportNeeds(tables: Set(ReadModel.Table.allCases), names: true, events: true)
}
