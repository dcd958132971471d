import BackOffice
import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

/// Issue 18, item 3: the database's register of event types (consult.event_types, migration
/// 0026) and the Swift types of BackOffice must never disagree: a body Swift encodes must pass
/// the database's check, and a body the database accepts as complete must decode in Swift.
@Suite("event types: the database and the domain agree", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct EventSchemaTests {
    struct Registered {
        let type: String
        let version: Int
        let required: [String: Any]
        let optional: [String: Any]
    }

    let connection: Connection
    let registered: [Registered]

    init() throws {
        connection = try TestDatabase.createMigrated("eventtypes").connect()
        registered = try connection.execute(
            "SELECT type, schema_version, required::text, optional::text FROM consult.event_types ORDER BY 1"
        )
        .map { row in
            func object(_ index: Int) throws -> [String: Any] {
                try JSONSerialization.jsonObject(with: Data(try row.decode(String.self, at: index).utf8)) as? [String: Any] ?? [:]
            }
            return Registered(
                type: try row.decode(String.self, at: 0), version: try row.decode(Int.self, at: 1), required: try object(2),
                optional: try object(3))
        }
    }

    /// A value of a shape, as JSON.
    func sample(_ shape: Any) -> Any {
        if let values = shape as? [String] { return values[0] }
        switch shape as? String {
        case "string": return "text"
        case "number": return 1.5
        case "integer": return 3
        case "boolean": return true
        case "uuid": return "5b1e4f5c-8a51-4f0e-9a53-0d4a5b0f3f11"
        case "day": return "2026-09-01"
        case "money": return ["minorUnits": 400_000, "currency": "GBP"]
        case "uuid[]": return ["5b1e4f5c-8a51-4f0e-9a53-0d4a5b0f3f11"]
        case "string[]": return ["text"]
        default: return NSNull()
        }
    }

    /// The raw values of a Swift enum, when `value` (or the value inside an optional) is one.
    static func rawValues(of value: Any) -> [String]? {
        func all<T: CaseIterable & RawRepresentable>(_: T.Type) -> [String] { T.allCases.map { "\($0.rawValue)" } }
        var value = value
        if Mirror(reflecting: value).displayStyle == .optional {
            guard let wrapped = Mirror(reflecting: value).children.first?.value else { return nil }
            value = wrapped
        }
        guard let type = type(of: value) as? any (CaseIterable & RawRepresentable).Type else { return nil }
        return all(type)
    }

    /// What the database says of a body: nil when it is a valid event of its type.
    func problem(_ type: String, _ body: Data) throws -> String? {
        try connection.execute(
            "SELECT consult.event_body_problem(\(type), 1, \(String(decoding: body, as: UTF8.self))::jsonb)"
        )[0].decode(String?.self, at: 0)
    }

    @Test("every type of EventTypes.all is registered at its schema version, and nothing else")
    func sameTypes() {
        let swift = Set(EventTypes.all.map { "\($0.typeName) \($0.schemaVersion)" })
        let database = Set(registered.map { "\($0.type) \($0.version)" })
        #expect(swift == database, "only in Swift: \(swift.subtracting(database)); only in the database: \(database.subtracting(swift))")
        // 47 + the 9 corrections of issue 16 (0032) + HandoverItemCorrected (0037) + PersonMerged, PersonUnmerged (0040).
        #expect(registered.count == 59)
    }

    /// 0056 finds a type by halving the sorted register: every registered type must reach its own
    /// checks, and every name beside one (a letter more, a letter less, other case, the next
    /// version) must fall out of the tree as unregistered. 0066 moved each type's checks into a
    /// function of its own and wrote the same dispatch as one SQL expression for the import
    /// (consult.body_problem_inline): both must answer alike.
    @Test(
        "every registered type reaches its own checks; the names beside each are unregistered",
        arguments: ["consult.event_body_problem", "consult.body_problem_inline"])
    func dispatch(function: String) throws {
        func problem(_ type: String, _ version: Int, _ body: String) throws -> String? {
            try connection.execute(
                "SELECT \(unsafeSQL: function)(\(type), \(version)::integer, \(body)::jsonb)"
            )[0].decode(String?.self, at: 0)
        }
        for entry in registered {
            for key in entry.required.keys {
                // A body with every required key but this one: the message names this type and key.
                let body = entry.required.filter { $0.key != key }.mapValues(sample)
                let json = String(decoding: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]), as: UTF8.self)
                #expect(try problem(entry.type, entry.version, json)?.hasPrefix("\(entry.type) needs the key \"\(key)\"") == true)
            }
            for near in [entry.type + "x", String(entry.type.dropLast()), entry.type.lowercased(), entry.type.uppercased()]
            where !registered.contains(where: { $0.type == near }) {
                #expect(try problem(near, entry.version, "{}") == "\(near) version \(entry.version) is not a registered event type")
            }
            if !registered.contains(where: { $0.type == entry.type && $0.version == entry.version + 1 }) {
                #expect(
                    try problem(entry.type, entry.version + 1, "{}")
                        == "\(entry.type) version \(entry.version + 1) is not a registered event type")
            }
        }
    }

    @Test("for every type: the database's keys are the Swift properties, optional where Swift's are; Swift's encoding passes the check")
    func sameShapes() throws {
        var checked = 0
        var enumerated = Set<String>()
        for entry in registered {
            let complete = (entry.required.merging(entry.optional) { a, _ in a }).mapValues(sample)
            let minimal = entry.required.mapValues(sample)
            for body in [complete, minimal] {
                let json = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
                let event: any DomainEvent
                do {
                    event = try EventTypes.decode(type: entry.type, data: json)
                } catch {
                    Issue.record("\(entry.type): a body the database accepts does not decode: \(error)")
                    continue
                }
                // The Swift value's properties: optional ones exactly where the database says so.
                let properties = Mirror(reflecting: event).children.compactMap { child in
                    child.label.map { ($0, Mirror(reflecting: child.value).displayStyle == .optional) }
                }
                #expect(Set(properties.filter { !$0.1 }.map(\.0)) == Set(entry.required.keys), "\(entry.type): required keys")
                #expect(Set(properties.filter { $0.1 }.map(\.0)) == Set(entry.optional.keys), "\(entry.type): optional keys")
                // An enumerated key lists exactly the Swift enum's raw values.
                for child in Mirror(reflecting: event).children {
                    guard let label = child.label, let cases = Self.rawValues(of: child.value) else { continue }
                    let listed = (entry.required[label] ?? entry.optional[label]) as? [String]
                    enumerated.insert("\(entry.type).\(label)")
                    #expect(listed.map(Set.init) == Set(cases), "\(entry.type).\(label): \(cases) in Swift, \(listed ?? []) registered")
                }
                let encoded = try EventTypes.encode(event)
                #expect(try problem(entry.type, encoded) == nil, "\(entry.type): \(String(decoding: encoded, as: UTF8.self))")
                checked += 1
            }
            // Every value the database allows for an enumerated key decodes in Swift.
            for (key, shape) in entry.required.merging(entry.optional, uniquingKeysWith: { a, _ in a }) {
                guard let values = shape as? [String] else { continue }
                for value in values {
                    var body = complete
                    body[key] = value
                    let json = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
                    #expect(throws: Never.self, "\(entry.type).\(key) = \(value)") {
                        _ = try EventTypes.decode(type: entry.type, data: json)
                    }
                }
            }
        }
        // Every key registered as a list of values is a Swift enum, and was compared.
        let listedKeys = registered.flatMap { entry in
            entry.required.merging(entry.optional) { a, _ in a }.filter { $0.value is [String] }.map { "\(entry.type).\($0.key)" }
        }
        #expect(enumerated == Set(listedKeys))
        print(
            "event types: \(registered.count) registered, \(checked) Swift-encoded bodies passed the database's check, "
                + "\(enumerated.count) enumerated keys equal to their Swift enums")
    }
}
