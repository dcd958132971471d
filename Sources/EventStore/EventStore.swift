import Foundation
import Postgres

/// The append-only log of one tenant, over one connection.
///
/// ```swift
/// let store = EventStore(connection: connection)        // the connected member's tenant
/// let result = try store.append([event], to: "engagement-42", expecting: .noStream, commandID: id)
/// for event in try store.read(stream: "engagement-42") { … }
/// ```
///
/// Appends go through one call of the server function `consult.append` (one round trip,
/// atomic, checked before any position is drawn). Reads name the tenant in every statement,
/// and row-level security keeps a member's reads inside their own tenant whatever they ask.
public final class EventStore {
    /// Bodies larger than this are refused (the same limit consult.append enforces).
    public static let maximumBodySize = 1_048_576
    /// At most this many events in one append (the limit consult.append enforces, CN021).
    public static let maximumEventsPerCall = 1000
    /// At most this many bytes of bodies in one append, 8 MiB (consult.append enforces it too).
    public static let maximumCallSize = 8_388_608

    public let connection: Connection
    /// The tenant to act for: nil means the tenant of the connected role (a member); an admin
    /// names one explicitly.
    public let tenant: TenantID?
    public var upcasters: Upcasters

    public init(connection: Connection, tenant: TenantID? = nil, upcasters: Upcasters = Upcasters()) {
        self.connection = connection
        self.tenant = tenant
        self.upcasters = upcasters
    }

    // MARK: - Append

    /// Appends events to one stream, checking its version first.
    ///
    /// - Parameter commandID: makes the append idempotent: a second append with the same id
    ///   writes nothing and returns the first one's positions (``AppendResult/replayed``).
    /// - Throws: ``EventStoreError``: ``EventStoreError/Code/conflict`` (with stream,
    ///   expected and actual versions) when the stream moved on; nothing is written then.
    @discardableResult
    public func append(
        _ events: [NewEvent], to stream: String, expecting expected: ExpectedVersion, commandID: UUID? = nil,
        metadata: AppendMetadata = AppendMetadata()
    ) throws(EventStoreError) -> AppendResult {
        let events = events.map { event in
            var event = event
            event.stream = stream
            return event
        }
        return try append(events, expecting: [stream: expected], commandID: commandID, metadata: metadata)
    }

    /// Appends events to several streams atomically (winning a lead starts an engagement):
    /// all are written, or none. Each stream in `expecting` is checked before anything is
    /// written; streams not named there are appended to at whatever version they are.
    @discardableResult
    public func append(
        _ events: [NewEvent], expecting: [String: ExpectedVersion], commandID: UUID? = nil,
        metadata: AppendMetadata = AppendMetadata()
    ) throws(EventStoreError) -> AppendResult {
        guard !events.isEmpty else {
            throw EventStoreError(.invalidEvent, "an append needs at least one event")
        }
        guard events.count <= Self.maximumEventsPerCall else {
            throw EventStoreError(
                .tooLarge, "an append of \(events.count) events is refused: the limit is \(Self.maximumEventsPerCall) events a call")
        }
        let bytes = events.reduce(0) { $0 + $1.data.count }
        guard bytes <= Self.maximumCallSize else {
            throw EventStoreError(
                .tooLarge, "an append of \(bytes) bytes of bodies is refused: the limit is 8 MiB (\(Self.maximumCallSize) bytes) a call")
        }
        for (index, event) in events.enumerated() where event.data.count > Self.maximumBodySize {
            throw EventStoreError(
                .tooLarge, "event \(index + 1): the body is \(event.data.count) bytes; the limit is 1 MiB (\(Self.maximumBodySize) bytes)")
        }
        let checks = expecting.compactMap { stream, expected in expected.number.map { (stream, $0) } }.sorted { $0.0 < $1.0 }
        let now = Date()
        let query: Query = """
            SELECT event_position, event_stream, event_stream_version, replayed
              FROM consult.append(\(tenant?.rawValue), \(commandID),
                                  \(array: events.map(\.stream)), \(array: events.map(\.type)),
                                  \(array: events.map { Int32(clamping: $0.schemaVersion) }),
                                  \(array: events.map { String(decoding: $0.data, as: UTF8.self) }),
                                  \(array: events.map(\.id)), \(array: events.map { $0.occurredAt ?? now }),
                                  \(array: checks.map(\.0)), \(array: checks.map(\.1)), \(metadataJSON(metadata)))
            """
        do {
            let rows = try connection.execute(prepared: query)
            var positions: [AppendResult.Position] = []
            var replayed = false
            for row in rows {
                positions.append(
                    AppendResult.Position(
                        position: try row.decode(Int64.self, at: 0), stream: try row.decode(String.self, at: 1),
                        streamVersion: try row.decode(Int64.self, at: 2)))
                replayed = try row.decode(Bool.self, at: 3)
            }
            return AppendResult(events: positions, replayed: replayed)
        } catch {
            throw EventStoreError(error)
        }
    }

    // MARK: - Read

    /// The events of one stream from a version on, in order, in today's shape.
    public func read(stream: String, from version: Int64 = 1) throws(EventStoreError) -> [RecordedEvent] {
        try fetch(
            """
            SELECT \(unsafeSQL: Self.columns) FROM consult.events
             WHERE tenant_id = \(tenant: tenant) AND stream = \(stream) AND stream_version >= \(version)
             ORDER BY stream_version
            """)
    }

    /// The tenant's events after a log position, in position order: the way projections and
    /// followers read. Positions commit in order within a tenant, so reading on from the last
    /// position seen never skips an event.
    public func read(after position: Int64, limit: Int = 1000) throws(EventStoreError) -> [RecordedEvent] {
        try fetch(
            """
            SELECT \(unsafeSQL: Self.columns) FROM consult.events
             WHERE tenant_id = \(tenant: tenant) AND position > \(position)
             ORDER BY position LIMIT \(limit)
            """)
    }

    /// The events a command recorded, in order; empty when the command id is new. A caller can
    /// answer a retried command from these without deciding again.
    public func events(recordedBy commandID: UUID) throws(EventStoreError) -> [RecordedEvent] {
        try fetch(
            """
            SELECT \(unsafeSQL: Self.columns) FROM consult.events
             WHERE tenant_id = \(tenant: tenant) AND command_id = \(commandID)
             ORDER BY position
            """)
    }

    /// The stream's current version: its last event's version, 0 when it has none.
    public func version(of stream: String) throws(EventStoreError) -> Int64 {
        do {
            return try connection.execute(
                """
                SELECT coalesce((SELECT stream_version FROM consult.events WHERE tenant_id = \(tenant: tenant) AND stream = \(stream)
                                  ORDER BY stream_version DESC LIMIT 1), 0)
                """
            )[0].decode(Int64.self, at: 0)
        } catch {
            throw EventStoreError(error)
        }
    }

    /// The tenant's last log position, 0 when the log is empty.
    public func lastPosition() throws(EventStoreError) -> Int64 {
        do {
            return try connection.execute(
                "SELECT coalesce(max(position), 0) FROM consult.events WHERE tenant_id = \(tenant: tenant)"
            )[0].decode(Int64.self, at: 0)
        } catch {
            throw EventStoreError(error)
        }
    }

    // MARK: - Internals

    static let columns = """
        tenant_id, position, stream, stream_version, event_id, type, schema_version, data, metadata,
        command_id, occurred_at, recorded_at
        """

    /// The metadata as jsonb text; most appends carry none, and skip the encoder.
    func metadataJSON(_ metadata: AppendMetadata) -> PostgresValue {
        guard metadata != AppendMetadata() else { return .jsonb(Array("{}".utf8)) }
        return .jsonb((try? JSONEncoder().encode(metadata)) ?? Data("{}".utf8))
    }

    private func fetch(_ query: Query) throws(EventStoreError) -> [RecordedEvent] {
        let rows: ResultSet
        do {
            rows = try connection.execute(prepared: query)
        } catch {
            throw EventStoreError(error)
        }
        var events: [RecordedEvent] = []
        events.reserveCapacity(rows.count)
        for row in rows {
            events.append(try decodeEvent(row))
        }
        return events
    }

    private func decodeEvent(_ row: Row) throws(EventStoreError) -> RecordedEvent {
        do {
            let type = try row.decode(String.self, at: 5)
            let storedVersion = try row.decode(Int.self, at: 6)
            let stored = Data(try row.decode(RawText.self, at: 7).bytes)
            let (data, version) = try upcasters.upcast(type: type, version: storedVersion, data: stored)
            let metadataJSON = Data(try row.decode(RawText.self, at: 8).bytes)
            return RecordedEvent(
                tenant: TenantID(try row.decode(Int64.self, at: 0)), position: try row.decode(Int64.self, at: 1),
                stream: try row.decode(String.self, at: 2), streamVersion: try row.decode(Int64.self, at: 3),
                id: try row.decode(UUID.self, at: 4), type: type, schemaVersion: version, storedSchemaVersion: storedVersion,
                data: data,
                metadata: RecordedEvent.Metadata(
                    occurredAt: try row.decode(Date.self, at: 10), recordedAt: try row.decode(Date.self, at: 11),
                    commandID: try row.decode(UUID?.self, at: 9), json: metadataJSON))
        } catch let error as EventStoreError {
            throw error
        } catch let error as PostgresError {
            throw EventStoreError(error)
        } catch {
            throw EventStoreError(.upcastFailed, "\(error)")
        }
    }

}

/// Metadata the appender may add to the envelope: correlation and causation ids, and any
/// extra keys. The database owns actor, occurred_at, recorded_at and command_id.
public struct AppendMetadata: Sendable, Encodable, Equatable {
    public var correlationID: UUID?
    public var causationID: UUID?
    public var extra: [String: String]

    public init(correlationID: UUID? = nil, causationID: UUID? = nil, extra: [String: String] = [:]) {
        self.correlationID = correlationID
        self.causationID = causationID
        self.extra = extra
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (key, value) in extra { try container.encode(value, forKey: Key(stringValue: key)) }
        try container.encodeIfPresent(correlationID, forKey: Key(stringValue: "correlation_id"))
        try container.encodeIfPresent(causationID, forKey: Key(stringValue: "causation_id"))
    }
}

extension Query.StringInterpolation {
    /// The tenant a statement is about: the one named, or (nil) the connected role's own,
    /// computed once per statement on the server.
    mutating func appendInterpolation(tenant: TenantID?) {
        appendLiteral("coalesce(")
        appendInterpolation(tenant?.rawValue)
        appendLiteral(", (SELECT consult.current_tenant_id()))")
    }
}
