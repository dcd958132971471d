import Foundation
import Testing

@testable import BackOffice

/// The fold decodes bodies with ``BodyDecoder`` in place of `JSONDecoder`: it must build the
/// same events from every body, and fail exactly as `JSONDecoder` fails on every other (the
/// quarantine records the decoder's reason).
@Suite("the event body decoder against JSONDecoder")
struct BodyDecoderTests {
    /// Both ways: the same event (compared as values and as the bytes it encodes to, so a
    /// `Decimal` of another spelling would show), or the same error, described alike.
    static func compare(_ type: any DomainEvent.Type, _ data: Data, fastPath: Bool? = nil) throws {
        func reference<T: DomainEvent>(_ t: T.Type) -> Result<any DomainEvent, any Error> {
            Result { try JSONDecoder().decode(t, from: data) }
        }
        func ours<T: DomainEvent>(_ t: T.Type) -> Result<any DomainEvent, any Error> {
            Result { try BodyDecoder.decode(t, from: data) }
        }
        func fast<T: DomainEvent>(_ t: T.Type) -> Bool { BodyDecoder.fast(t, from: data) != nil }
        let text = String(decoding: data, as: UTF8.self)
        switch (reference(type), ours(type)) {
        case (.success(let a), .success(let b)):
            #expect(try EventTypes.encode(a) == EventTypes.encode(b), "\(text)")
            #expect(a.isEqual(to: b), "\(text)")
        case (.failure(let a), .failure(let b)):
            #expect("\(a)" == "\(b)", "\(text)")
        case (let a, let b):
            Issue.record("JSONDecoder: \(a); BodyDecoder: \(b) for \(text)")
        }
        if let fastPath { #expect(fast(type) == fastPath, "fast path for \(text)") }
    }

    @Test("every stored body decodes on the fast path into the same event as JSONDecoder's", arguments: try StoredEventFixture.all())
    func fixtures(_ fixture: StoredEventFixture) throws {
        let type = try #require(EventTypes.byName[fixture.type])
        try Self.compare(type, fixture.data, fastPath: true)
        // As written now (ids in lower case, keys sorted), and as the fixture file spells it.
        let event = try EventTypes.decode(type: fixture.type, data: fixture.data)
        try Self.compare(type, EventTypes.encode(event), fastPath: true)
        let spaced = try JSONSerialization.data(withJSONObject: JSONSerialization.jsonObject(with: fixture.data), options: [.prettyPrinted])
        try Self.compare(type, spaced, fastPath: true)
    }

    @Test(
        "a body missing a key, with a null, a value of another type or an extra key: the same result",
        arguments: try StoredEventFixture.all())
    func mutations(_ fixture: StoredEventFixture) throws {
        let type = try #require(EventTypes.byName[fixture.type])
        guard case .object(let fields) = fixture.body else { throw FixtureError.notAnObject(fixture.type) }
        for key in fields.keys.sorted() {
            var without = fields
            without[key] = nil
            try Self.compare(type, JSONEncoder().encode(JSONValue.object(without)))
            for replacement: JSONValue in [
                .null, .string("x"), .number(7), .number(-2.5), .bool(true), .array([]), .object([:]),
                .array([.string("0B6F6C1E-5C3A-4D8E-9F21-6A7B8C9D0E11")]), .string("2026-13-40"), .string("0B6F6C1E-5C3A-4D8E-9F21"),
            ] {
                var changed = fields
                changed[key] = replacement
                try Self.compare(type, JSONEncoder().encode(JSONValue.object(changed)))
            }
        }
        var extra = fields
        extra["unknownKey"] = .string("ignored")
        try Self.compare(type, JSONEncoder().encode(JSONValue.object(extra)), fastPath: true)
    }

    @Test("malformed JSON, unusual spellings and escapes: the same event or the same error")
    func spellings() throws {
        let recorded = MeasurementRecorded.self
        let id = "\"objective\": \"0B6F6C1E-5C3A-4D8E-9F21-6A7B8C9D0E11\", \"measurement\": \"0b6f6c1e-5c3a-4d8e-9f21-6a7b8c9d0e12\""
        let bodies: [(String, Bool?)] = [
            ("{\(id), \"value\": 2.4}", true),
            ("{\(id), \"value\": 2.40, \"note\": \"a \\\"quoted\\\" note\\n\\t\\\\ / \\/ \\u00e9 \\u20ac caf\u{e9}\"}", true),
            ("{\(id), \"value\": 1e3}", false),  // an exponent: JSONDecoder's
            ("{\(id), \"value\": 2.4E-2}", false),
            ("{\(id), \"value\": -0}", true),
            ("{\(id), \"value\": 012}", false),  // not JSON
            ("{\(id), \"value\": 2.}", false),
            ("{\(id), \"value\": \"2.4\"}", false),
            ("{\(id), \"value\": 2.4, \"value\": 3}", false),  // a duplicate key
            ("{\(id), \"value\": 2.4, \"note\": \"\\ud83d\\ude00\"}", false),  // a surrogate pair
            ("{\(id), \"value\": 2.4, \"note\": \"\\ud83d\"}", false),  // a lone surrogate
            ("{\(id), \"value\": 2.4, \"note\": \"\\x\"}", false),
            ("{\(id), \"value\": 2.4, \"note\": \"tab\there\"}", false),  // a raw control character
            ("{\(id), \"value\": 2.4} trailing", false),
            ("{\(id), \"value\": 2.4", false),
            ("{\(id), \"value\": 2.4,}", false),
            (
                "{\"obj\\u0065ctive\": \"0B6F6C1E-5C3A-4D8E-9F21-6A7B8C9D0E11\", \"measurement\": \"0b6f6c1e-5c3a-4d8e-9f21-6a7b8c9d0e12\", \"value\": 1}",
                false
            ),
            ("{\(id), \"value\": 123456789012345678901234567890123456789}", false),  // 39 digits
            ("{\(id), \"value\": 12345678901234567890123456789012345678}", true),
            ("[]", false), ("", false), ("null", false), ("  {\(id) ,\"value\" : 5 }  ", true),
            (
                "{\"objective\": \"0b6f6c1e5c3a4d8e9f216a7b8c9d0e11\", \"measurement\": \"0b6f6c1e-5c3a-4d8e-9f21-6a7b8c9d0e12\", \"value\": 1}",
                false
            ),
        ]
        for (body, fast) in bodies { try Self.compare(recorded, Data(body.utf8), fastPath: fast) }
        // Invalid UTF-8 inside a string.
        var bytes = Array("{\(id), \"value\": 1, \"note\": \"".utf8)
        bytes += [0xC3, 0x28]
        bytes += Array("\"}".utf8)
        try Self.compare(recorded, Data(bytes), fastPath: false)
        // Integers, doubles, booleans and arrays of ids.
        let held = CoachingSessionHeld.self
        let attendees = "\"attendees\": [\"0B6F6C1E-5C3A-4D8E-9F21-6A7B8C9D0E11\", \"61cf7082-93a4-4fb0-91c2-435e6f708177\"]"
        for (body, fast) in [
            ("{\(attendees), \"topics\": [\"a\", \"b\"], \"minutes\": 45}", true),
            ("{\(attendees), \"topics\": [], \"minutes\": 45.0}", false), ("{\(attendees), \"topics\": [null], \"minutes\": 45}", false),
            ("{\(attendees), \"topics\": [\"a\"], \"minutes\": 99999999999999999999}", false),
            ("{\(attendees), \"topics\": [\"a\"], \"minutes\": -3}", true),
            ("{\(attendees), \"topics\": [\"a\"], \"minutes\": true}", false),
        ] as [(String, Bool?)] {
            try Self.compare(held, Data(body.utf8), fastPath: fast)
        }
    }

    @Test("an unknown type is still UnknownEventType")
    func unknownType() {
        #expect(throws: UnknownEventType(type: "NoSuchEvent")) { try EventTypes.decode(type: "NoSuchEvent", data: Data("{}".utf8)) }
    }
}

extension DomainEvent {
    fileprivate func isEqual(to other: any DomainEvent) -> Bool { (other as? Self) == self }
}
