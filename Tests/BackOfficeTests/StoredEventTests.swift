import BackOffice
import Foundation
import Testing

/// The log keeps every event ever written, under the type name and schema version it was written
/// with. These tests hold one stored body per event type, as the log holds them (Fixtures/events.json,
/// written before issue 15: ids in upper case, numbers from Doubles), and fail when a type's stored name, its schema version or the shape of
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

    @Test(
        "a body stored before decodes under its stored name and encodes back to the same JSON, ids in lower case",
        arguments: try StoredEventFixture.all())
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
        // The fixtures are bodies as the log held them before issue 15, ids in upper case as
        // JSONEncoder wrote them; a body written now has them in lower case (UUIDEncoding.swift).
        // Exactly the fields typed UUID, UUID? and [UUID] change; every other value, numbers
        // included, is the same.
        let ids = Set(Self.idFields(of: event))
        #expect(encoded == fixture.body.lowercasingStrings(in: ids))
        #expect(encoded.strings(in: ids).allSatisfy { $0 == $0.lowercased() && UUID(uuidString: $0) != nil })
    }

    @Test("a body written now decodes and encodes to the same bytes", arguments: try StoredEventFixture.all())
    func writtenNow(_ fixture: StoredEventFixture) throws {
        let event = try EventTypes.decode(type: fixture.type, data: fixture.data)
        let written = try EventTypes.encode(event)
        #expect(try EventTypes.encode(EventTypes.decode(type: fixture.type, data: written)) == written)
    }

    @Test("metric values, hours and ids are written as consult shows them: the digits typed, ids in lower case")
    func writtenExactly() throws {
        func q(_ text: String) throws -> Quantity { try #require(Quantity.parse(text)) }
        let engagement = UUID(uuidString: "50BE6F71-8293-4EAF-80B1-324D5E6F7066")!
        let objective = UUID(uuidString: "61CF7082-93A4-4FB0-91C2-435E6F708177")!
        var state = EngagementState()
        func decide(_ command: EngagementState.Command) throws -> String {
            let events = try state.decide(command)
            state = state.apply(events)
            return try events.map { String(decoding: try EventTypes.encode($0), as: UTF8.self) }.joined()
        }
        _ = try decide(
            .start(
                id: engagement, handle: "answers", organisation: UUID(), lead: nil, title: "Answers", kind: .retainer, fee: nil,
                budgetHours: try q("40.5"), hoursPerMonth: try q("6.25"), plannedHandover: nil))
        let set = try decide(
            .setObjective(
                id: objective, handle: "answer-rate", businessArea: "complaint handling", statement: "Answer more", metric: "answer rate",
                unit: nil, direction: .up, baseline: try q("1.8"), target: try q("3.5"), due: Day(year: 2027, month: 3, day: 31)))
        #expect(set.contains(#""baseline":1.8,"#) && set.contains(#""target":3.5}"#), "\(set)")
        #expect(set.contains(#""objective":"61cf7082-93a4-4fb0-91c2-435e6f708177""#), "\(set)")
        // A Double would have made 0.1 + 0.2 into 0.30000000000000004.
        let measured = try decide(
            .recordMeasurement(objective: objective, measurement: objective, value: try q("0.1") + q("0.2"), source: nil, note: nil))
        #expect(measured.hasSuffix(#""value":0.3}"#), "\(measured)")
        #expect(
            try decide(.logWork(hours: try q("5.25"), activity: "calls", billable: true))
                == #"{"activity":"calls","billable":true,"hours":5.25}"#)
    }

    /// The names of an event's fields that hold ids (`UUID`, `UUID?` set, `[UUID]`).
    static func idFields(of event: any DomainEvent) -> [String] {
        Mirror(reflecting: event).children.compactMap { child in
            switch child.value {
            case is UUID, is [UUID]: child.label
            case let optional as UUID?: optional == nil ? nil : child.label
            default: nil
            }
        }
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

    /// The same JSON with the strings of these top-level fields (and of their arrays) lower-cased.
    func lowercasingStrings(in fields: Set<String>) -> JSONValue {
        guard case .object(let object) = self else { return self }
        func lowered(_ value: JSONValue) -> JSONValue {
            switch value {
            case .string(let text): .string(text.lowercased())
            case .array(let items): .array(items.map(lowered))
            default: value
            }
        }
        return .object(object.reduce(into: [:]) { $0[$1.key] = fields.contains($1.key) ? lowered($1.value) : $1.value })
    }

    /// The strings of these top-level fields (and of their arrays).
    func strings(in fields: Set<String>) -> [String] {
        guard case .object(let object) = self else { return [] }
        func strings(_ value: JSONValue) -> [String] {
            switch value {
            case .string(let text): [text]
            case .array(let items): items.flatMap(strings)
            default: []
            }
        }
        return object.filter { fields.contains($0.key) }.flatMap { strings($0.value) }
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
