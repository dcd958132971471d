import Foundation

/// A tenant (a consultancy): every event, stream and read model belongs to exactly one.
public struct TenantID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
}

/// An event about to be appended. The store knows nothing of the domain: a stream name, a
/// stable type name, the schema version of the body's shape, and the body as JSON.
public struct NewEvent: Sendable, Equatable {
    public var stream: String
    public var type: String
    public var schemaVersion: Int
    /// The body: a JSON object, at most ``EventStore/maximumBodySize`` bytes.
    public var data: Data
    public var id: UUID
    /// When it happened (a consultant logs yesterday's meeting today); now when nil.
    public var occurredAt: Date?

    public init(stream: String, type: String, schemaVersion: Int = 1, data: Data, id: UUID = UUID(), occurredAt: Date? = nil) {
        self.stream = stream
        self.type = type
        self.schemaVersion = schemaVersion
        self.data = data
        self.id = id
        self.occurredAt = occurredAt
    }

    /// An event whose body is `body` encoded with `JSONEncoder` (keys sorted, so the same body
    /// is always the same bytes).
    public init(stream: String, type: String, schemaVersion: Int = 1, body: some Encodable, id: UUID = UUID(), occurredAt: Date? = nil)
        throws
    {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        self.init(stream: stream, type: type, schemaVersion: schemaVersion, data: try encoder.encode(body), id: id, occurredAt: occurredAt)
    }
}

/// What the appender expects a stream's version to be.
public enum ExpectedVersion: Sendable, Hashable {
    /// The stream must not exist yet (its version is 0).
    case noStream
    /// The stream must be at exactly this version (its last event's version).
    case exactly(Int64)
    /// No check.
    case any

    var number: Int64? {
        switch self {
        case .noStream: 0
        case .exactly(let version): version
        case .any: nil
        }
    }
}

/// Where an append put its events.
public struct AppendResult: Sendable, Equatable {
    public struct Position: Sendable, Equatable {
        public let position: Int64
        public let stream: String
        public let streamVersion: Int64
    }
    /// One entry per event, in order.
    public let events: [Position]
    /// True when the command id had been recorded before: these are the first call's
    /// positions, and nothing new was written.
    public let replayed: Bool

    public var positions: [Int64] { events.map(\.position) }
    /// The last position written (the one to wait for when reading your own writes).
    public var lastPosition: Int64 { events.last?.position ?? 0 }
}

/// An event as the log holds it.
public struct RecordedEvent: Sendable, Equatable {
    public let tenant: TenantID
    /// The tenant's log position: 1, 2, 3 … with no hole.
    public let position: Int64
    public let stream: String
    public let streamVersion: Int64
    public let id: UUID
    public let type: String
    /// The schema version of ``data`` *after* upcasting (today's shape).
    public let schemaVersion: Int
    /// The schema version the event was stored with.
    public let storedSchemaVersion: Int
    public let data: Data
    public let metadata: Metadata

    public struct Metadata: Sendable, Equatable {
        public let occurredAt: Date
        public let recordedAt: Date
        public let commandID: UUID?
        /// The whole metadata document.
        public let json: Data

        /// The login role that recorded it, as the database saw it.
        public var actor: String { envelope?.actor ?? "" }
        public var correlationID: UUID? { envelope?.correlation_id }
        public var causationID: UUID? { envelope?.causation_id }
        /// The command that recorded it, as the words that name it (`engagement work`); nil for
        /// events recorded before the envelope carried it, or by the API without one.
        public var command: String? { envelope?.command }

        /// Read from the document when asked: folds never need it, and decoding it for every
        /// event cost a rebuild a tenth of its time.
        private var envelope: Envelope? { try? JSONDecoder().decode(Envelope.self, from: json) }

        private struct Envelope: Decodable {
            let actor: String?
            let correlation_id: UUID?
            let causation_id: UUID?
            let command: String?
        }
    }

    /// Decodes the body with `JSONDecoder`.
    public func decode<Body: Decodable>(_ type: Body.Type) throws -> Body {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(Body.self, from: data)
    }
}
