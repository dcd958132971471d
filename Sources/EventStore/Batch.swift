import Foundation
import Postgres

/// One command of a batch: its events, the versions it expects, its id.
public struct BatchCommand: Sendable, Equatable {
    public var events: [NewEvent]
    public var expecting: [String: ExpectedVersion]
    public var commandID: UUID?

    public init(_ events: [NewEvent], expecting: [String: ExpectedVersion] = [:], commandID: UUID? = nil) {
        self.events = events
        self.expecting = expecting
        self.commandID = commandID
    }
}

extension EventStore {
    /// Appends several commands in one call and one transaction (`consult.append_batch`,
    /// db/migrations/0046): each is checked and written as ``append(_:expecting:commandID:metadata:)``
    /// would, in order, so a command may expect the version an earlier one left; a command
    /// already recorded is replayed (its result has ``AppendResult/replayed`` set) while the
    /// others are written. The first refusal (a conflict, a bad body) refuses the whole batch:
    /// nothing of it is written. At most ``maximumEventsPerCall`` events and
    /// ``maximumCallSize`` bytes of bodies in all.
    ///
    /// - Returns: one result per command, in the order given.
    @discardableResult
    public func append(batch commands: [BatchCommand], metadata: AppendMetadata = AppendMetadata()) throws(EventStoreError)
        -> [AppendResult]
    {
        guard !commands.isEmpty, commands.allSatisfy({ !$0.events.isEmpty }) else {
            throw EventStoreError(.invalidEvent, "a batch needs at least one command, and each command at least one event")
        }
        let events = commands.flatMap(\.events)
        guard events.count <= Self.maximumEventsPerCall else {
            throw EventStoreError(
                .tooLarge, "a batch of \(events.count) events is refused: the limit is \(Self.maximumEventsPerCall) events a call")
        }
        let bytes = events.reduce(0) { $0 + $1.data.count }
        guard bytes <= Self.maximumCallSize else {
            throw EventStoreError(
                .tooLarge, "a batch of \(bytes) bytes of bodies is refused: the limit is 8 MiB (\(Self.maximumCallSize) bytes) a call")
        }
        for (index, event) in events.enumerated() where event.data.count > Self.maximumBodySize {
            throw EventStoreError(
                .tooLarge, "event \(index + 1): the body is \(event.data.count) bytes; the limit is 1 MiB (\(Self.maximumBodySize) bytes)")
        }
        let checks = commands.map { command in
            command.expecting.compactMap { stream, expected in expected.number.map { (stream, $0) } }.sorted { $0.0 < $1.0 }
        }
        let now = Date()
        let query: Query = """
            SELECT command_index, event_position, event_stream, event_stream_version, replayed
              FROM consult.append_batch(\(tenant?.rawValue), \(array: commands.map(\.commandID)),
                                        \(array: commands.map { Int32($0.events.count) }),
                                        \(array: events.map(\.stream)), \(array: events.map(\.type)),
                                        \(array: events.map { Int32(clamping: $0.schemaVersion) }),
                                        \(array: events.map { String(decoding: $0.data, as: UTF8.self) }),
                                        \(array: events.map(\.id)), \(array: events.map { $0.occurredAt ?? now }),
                                        \(array: checks.map { Int32($0.count) }),
                                        \(array: checks.flatMap { $0.map(\.0) }), \(array: checks.flatMap { $0.map(\.1) }),
                                        \(metadataJSON(metadata)))
            """
        do {
            var positions = Array(repeating: [AppendResult.Position](), count: commands.count)
            var replayed = Array(repeating: false, count: commands.count)
            for row in try connection.execute(prepared: query) {
                let index = try row.decode(Int.self, at: 0) - 1
                positions[index].append(
                    AppendResult.Position(
                        position: try row.decode(Int64.self, at: 1), stream: try row.decode(String.self, at: 2),
                        streamVersion: try row.decode(Int64.self, at: 3)))
                replayed[index] = try row.decode(Bool.self, at: 4)
            }
            return zip(positions, replayed).map { AppendResult(events: $0, replayed: $1) }
        } catch {
            throw EventStoreError(error)
        }
    }
}
