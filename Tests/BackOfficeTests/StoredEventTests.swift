import BackOffice
import Foundation
import Testing

/// The log keeps every event ever written, under the type name and schema version it was written
/// with. These tests hold one stored body per event type, as consult writes it today
/// (Fixtures/events.json), and fail when a type's stored name, its schema version or the shape of
/// its body drifts from that: a renamed struct, a renamed, removed or retyped field. A change
/// that is meant must come with a new schema version and an upcaster, and a new fixture beside
/// the old one.
@Suite("stored event names and bodies")
struct StoredEventTests {
    @Test("every event type has a stored name of its own")
    func uniqueNames() {
        var seen: [String: Int] = [:]
        for type in EventTypes.all { seen[type.typeName, default: 0] += 1 }
        #expect(seen.filter { $0.value > 1 }.keys.sorted() == [])
        #expect(EventTypes.all.allSatisfy { !$0.typeName.isEmpty && $0.schemaVersion >= 1 })
    }

    @Test("every registered event type has a stored body in the fixtures, and only one")
    func everyTypeHasAFixture() throws {
        let fixtures = try StoredEventFixture.all()
        let stored = fixtures.map(\.type)
        #expect(Set(EventTypes.all.map { $0.typeName }).subtracting(stored).sorted() == [])
        #expect(Set(stored).count == stored.count, "a type has two fixtures")
    }

    @Test("a body stored today decodes under its stored name and encodes back to the same JSON", arguments: try StoredEventFixture.all())
    func storedBody(_ fixture: StoredEventFixture) throws {
        let type = try #require(EventTypes.all.first { $0.typeName == fixture.type }, "no event type is stored as \(fixture.type)")
        #expect(type.schemaVersion == fixture.schemaVersion)
        let event = try EventTypes.decode(type: fixture.type, data: fixture.data)
        #expect(Swift.type(of: event) == type)
        // Every stored property has a value in the fixture, optional ones included, so a field
        // renamed or dropped in the code is missed by no fixture.
        let properties = Mirror(reflecting: event).children.compactMap(\.label)
        guard case .object(let fields) = fixture.body else { throw FixtureError.notAnObject(fixture.type) }
        #expect(Set(properties) == Set(fields.keys))
        let encoded = try JSONDecoder().decode(JSONValue.self, from: EventTypes.encode(event))
        #expect(encoded == fixture.body)
    }
}

/// One stored event: what the log's `type`, `schema_version` and `data` columns hold.
struct StoredEventFixture: Decodable, Sendable, CustomTestStringConvertible {
    let type: String
    let schemaVersion: Int
    let body: JSONValue
    /// The body as bytes, as the log would hand them to `EventTypes.decode`.
    var data: Data { get throws { try JSONEncoder().encode(body) } }

    var testDescription: String { type }

    /// Read by path, like ConsultTests' Golden folder: the fixtures are not a resource of the
    /// target (Package.swift excludes them).
    static func all() throws -> [StoredEventFixture] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/events.json")
        return try JSONDecoder().decode([StoredEventFixture].self, from: Data(contentsOf: url))
    }
}

enum FixtureError: Error {
    case notAnObject(String)
}

/// Parsed JSON, compared by value: key order, spacing and `40` against `40.0` do not matter, a
/// missing, renamed or retyped field does.
enum JSONValue: Codable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
