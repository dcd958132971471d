import BackOffice
import EventStore
import Foundation
import Projections
import Reports

extension Recorder {
    /// What a report is built from: the read models (the tables brought up to date, or the log
    /// folded up to `asOf`), people's names, and the log up to the instant, each only as far as
    /// the report `needs` them (reading a tenant's whole log was two thirds of an as-of
    /// pipeline's time; reading all eight tables for the pipeline's three, most of its query).
    /// `asOf` is a day (its end, UTC) or an instant; with `recorded`, what the log had recorded
    /// by then rather than what had happened by then. As of an instant the whole model is folded
    /// whatever the needs (the fold does not skip tables).
    public func reportInput(asOf: String?, recorded: Bool = false, needs: ReportNeeds = .everything) throws -> ReportInput {
        let projector = Projector(connection: connection, tenant: tenant)
        var instant = Date()
        let model: ReadModel
        if let asOf {
            instant = try Self.parseAt(asOf, clock: Clock(now: .distantFuture), field: "asOf", flag: "--as-of")
            if asOf.count == 10 { instant = instant.addingTimeInterval(86_400 - 0.001) }
            model = try projector.asOf(instant, recorded: recorded)
        } else {
            catchUpReadModels()
            model =
                needs.tables == ReportNeeds.everything.tables
                ? try projector.readModel() : try projector.readModel(tables: needs.tables)
        }
        // Events this version cannot decode are quarantined (db/migrations/0028): left out of the
        // read models and of the events reports draw on, and said once.
        let quarantined = Set(model.quarantine.keys)
        if !quarantined.isEmpty {
            let positions = quarantined.sorted().prefix(10).map(String.init).joined(separator: ", ")
            warn(
                "\(quarantined.count) event\(quarantined.count == 1 ? " is" : "s are") quarantined (this version cannot decode them) and left out of this report: position\(quarantined.count == 1 ? "" : "s") \(positions)\(quarantined.count > 10 ? ", …" : ""); see `consult projections status`"
            )
        }
        let events =
            needs.events
            ? try log().filter {
                (recorded ? $0.metadata.recordedAt : $0.metadata.occurredAt) <= instant && !quarantined.contains($0.position)
            } : []
        return ReportInput(
            model: model, people: needs.names ? try people.names() : [:], events: events, now: instant,
            merges: try merges(at: asOf == nil ? nil : instant, recorded: recorded))
    }

    /// What a page for one client is built from, and nothing else: the engagement's own stream
    /// folded (its row, objectives, handover and checklist), its organisation's, and those of the
    /// people it names (sponsor, champions, receiving owners, who signed off, who attended or
    /// took an account over); their names only; and the engagement's events as the log. No
    /// other client, lead or person is read into it, so no renderer can show one.
    ///
    /// `asOf` and `recorded` as for ``reportInput(asOf:recorded:needs:)``; the rows are
    /// folded from the streams either way (a stream is short), in one read-only snapshot.
    /// - Throws: ``CommandFailure`` when the engagement had not started by then.
    public func engagementInput(_ engagement: UUID, asOf: String?, recorded: Bool = false) throws -> ReportInput {
        var instant = Date()
        if let asOf {
            instant = try Self.parseAt(asOf, clock: Clock(now: .distantFuture), field: "asOf", flag: "--as-of")
            if asOf.count == 10 { instant = instant.addingTimeInterval(86_400 - 0.001) }
        }
        func upTo(_ events: [RecordedEvent]) -> [RecordedEvent] {
            events.filter { (recorded ? $0.metadata.recordedAt : $0.metadata.occurredAt) <= instant }
        }
        func fold(_ events: [RecordedEvent], into model: inout ReadModel) throws {
            for recorded in events { model.apply(try recorded.domainEvent(), stream: recorded.stream, at: recorded.metadata.occurredAt) }
        }
        return try connection.withTransaction(.repeatableRead, readOnly: true) { _ in
            var model = ReadModel()
            let own = upTo(try store.read(stream: StreamName.entity(.engagement, engagement).description))
            try fold(own, into: &model)
            guard let row = model.engagements[engagement] else {
                throw CommandFailure("engagement: \(asOf.map { "it had not started by \($0)" } ?? "it has no events")")
            }
            try fold(upTo(try store.read(stream: StreamName.entity(.organisation, row.organisationID).description)), into: &model)
            var named = Set([row.sponsorID].compactMap { $0 } + row.champions)
            if let handover = model.handovers[engagement] {
                named.formUnion(handover.owners + [handover.sponsorID] + [handover.signedOffBy].compactMap { $0 })
            }
            for recorded in own {
                switch try recorded.domainEvent() {
                case let e as CoachingSessionHeld: named.formUnion(e.attendees)
                case let e as AccountControlTransferred: named.insert(e.to)
                default: break
                }
            }
            // A merged duplicate's events count for the person kept (issue 16 item 6).
            let merges = try merges(at: instant, recorded: recorded)
            named.formUnion(named.map { ReportInput.canonical($0, merges) })
            for person in named.sorted(by: { $0.uuidString < $1.uuidString }) {
                try fold(upTo(try store.read(stream: StreamName.entity(.person, person).description)), into: &model)
            }
            let names = try people.names().filter { named.contains($0.key) }
            return ReportInput(model: model, people: names, events: own, now: instant, merges: merges.filter { named.contains($0.key) })
        }
    }

    /// The read models as they stood at an instant, folded from the log.
    public func readModel(asOf instant: Date) throws -> ReadModel {
        try Projector(connection: connection, tenant: tenant).asOf(instant)
    }

    /// The tenant's whole log, in order.
    public func log() throws -> [RecordedEvent] {
        var all: [RecordedEvent] = []
        var position: Int64 = 0
        while true {
            let page = try store.read(after: position, limit: 5000)
            all += page
            guard let last = page.last, page.count == 5000 else { break }
            position = last.position
        }
        return all
    }
}
