import CanonicalUUID
import Foundation

/// A decoder specialised for event bodies, in place of `JSONDecoder` on the fold's path.
///
/// perf put `JSONDecoder` at the top of a rebuild's profile: a decoder object and its options
/// per body, the whole body scanned into a map, every value boxed. This one reads the body's
/// bytes in place: an object is scanned once into the ranges of its keys and values, and a
/// value is parsed only when the event's synthesized `init(from:)` asks for it. The events are
/// built by the same synthesized initialisers as before, so they are the same values.
///
/// It accepts a strict subset of JSON: the forms `JSONEncoder` writes (plain numbers, the usual
/// escapes, keys without escapes, no duplicate key). Anything else, and every error (a missing
/// key, a wrong type, a bad UUID, an unknown enum case), is handed to `JSONDecoder` as a whole:
/// it decodes what this one does not, and throws exactly its own errors, so an unusual body
/// still decodes and a malformed one is quarantined with the same reason.
/// Tests/BackOfficeTests/BodyDecoderTests.swift decodes every fixture and many malformed bodies
/// both ways and compares.
public enum BodyDecoder {
    /// Decodes `type` from a JSON body as `JSONDecoder().decode(type, from: data)` would.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        if let value = fast(type, from: data) { return value }
        return try JSONDecoder().decode(type, from: data)
    }

    /// The value when the fast path reads the body without any doubt; nil to ask `JSONDecoder`.
    static func fast<T: Decodable>(_ type: T.Type, from data: Data) -> T? {
        data.withUnsafeBytes { raw -> T? in
            guard raw.count > 0 else { return nil }
            let json = JSONBytes(raw)
            var at = json.skipSpace(0)
            guard let end = json.skipValue(at) else { return nil }
            guard json.skipSpace(end) == raw.count else { return nil }
            at = json.skipSpace(at)
            do {
                return try T(from: BodyValueDecoder(json: json, start: at, end: end))
            } catch {
                return nil
            }
        }
    }
}

/// Any reason to leave a body to `JSONDecoder`.
private struct Fallback: Error {}

/// The body's bytes and the JSON scanning over them. Positions are byte offsets.
private struct JSONBytes {
    let bytes: UnsafeRawBufferPointer
    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    @inline(__always) func skipSpace(_ start: Int) -> Int {
        var i = start
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return i
            }
        }
        return i
    }

    /// The offset just after the value starting at `start` (after spaces), nil when it is not
    /// one of the forms accepted.
    func skipValue(_ start: Int) -> Int? {
        let i = skipSpace(start)
        guard i < bytes.count else { return nil }
        switch bytes[i] {
        case UInt8(ascii: "\""): return stringEnd(i)
        case UInt8(ascii: "{"):
            var j = skipSpace(i + 1)
            guard j < bytes.count else { return nil }
            if bytes[j] == UInt8(ascii: "}") { return j + 1 }
            while true {
                guard j < bytes.count, bytes[j] == UInt8(ascii: "\""), let keyEnd = stringEnd(j) else { return nil }
                j = skipSpace(keyEnd)
                guard j < bytes.count, bytes[j] == UInt8(ascii: ":"), let valueEnd = skipValue(j + 1) else { return nil }
                j = skipSpace(valueEnd)
                guard j < bytes.count else { return nil }
                if bytes[j] == UInt8(ascii: "}") { return j + 1 }
                guard bytes[j] == UInt8(ascii: ",") else { return nil }
                j = skipSpace(j + 1)
            }
        case UInt8(ascii: "["):
            var j = skipSpace(i + 1)
            guard j < bytes.count else { return nil }
            if bytes[j] == UInt8(ascii: "]") { return j + 1 }
            while true {
                guard let valueEnd = skipValue(j) else { return nil }
                j = skipSpace(valueEnd)
                guard j < bytes.count else { return nil }
                if bytes[j] == UInt8(ascii: "]") { return j + 1 }
                guard bytes[j] == UInt8(ascii: ",") else { return nil }
                j += 1
            }
        case UInt8(ascii: "t"): return literal(i, "true")
        case UInt8(ascii: "f"): return literal(i, "false")
        case UInt8(ascii: "n"): return literal(i, "null")
        default: return numberEnd(i)
        }
    }

    private func literal(_ i: Int, _ word: StaticString) -> Int? {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count else { return nil }
        for k in 0..<n where bytes[i + k] != word.utf8Start[k] { return nil }
        return i + n
    }

    /// After the closing quote of the string opening at `i`; nil for a control character or a
    /// string left open.
    func stringEnd(_ i: Int) -> Int? {
        var j = i + 1
        while j < bytes.count {
            let c = bytes[j]
            if c == UInt8(ascii: "\"") { return j + 1 }
            if c < 0x20 { return nil }
            j += c == UInt8(ascii: "\\") ? 2 : 1
        }
        return nil
    }

    /// After a number in JSON's grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    func numberEnd(_ i: Int) -> Int? {
        var j = i
        func digits() -> Int {
            let from = j
            while j < bytes.count, bytes[j] >= UInt8(ascii: "0"), bytes[j] <= UInt8(ascii: "9") { j += 1 }
            return j - from
        }
        if j < bytes.count, bytes[j] == UInt8(ascii: "-") { j += 1 }
        let first = j
        let whole = digits()
        guard whole > 0, whole == 1 || bytes[first] != UInt8(ascii: "0") else { return nil }
        if j < bytes.count, bytes[j] == UInt8(ascii: ".") {
            j += 1
            guard digits() > 0 else { return nil }
        }
        if j < bytes.count, bytes[j] == UInt8(ascii: "e") || bytes[j] == UInt8(ascii: "E") {
            j += 1
            if j < bytes.count, bytes[j] == UInt8(ascii: "+") || bytes[j] == UInt8(ascii: "-") { j += 1 }
            guard digits() > 0 else { return nil }
        }
        return j
    }

    /// The string value between `start` and `end` (its quotes included).
    func string(_ start: Int, _ end: Int) throws -> String {
        guard bytes[start] == UInt8(ascii: "\"") else { throw Fallback() }
        let body = UnsafeRawBufferPointer(rebasing: bytes[(start + 1)..<(end - 1)])
        var plain = true
        for c in body where c == UInt8(ascii: "\\") || c >= 0x80 {
            plain = false
            break
        }
        if plain { return String(decoding: body, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var i = 0
        func hex4(_ at: Int) throws -> UInt32 {
            guard at + 4 <= body.count else { throw Fallback() }
            var value: UInt32 = 0
            for k in 0..<4 {
                let c = body[at + k]
                let digit: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
                default: throw Fallback()
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while i < body.count {
            let c = body[i]
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < body.count else { throw Fallback() }
            switch body[i + 1] {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                // Only a scalar outside the surrogates: pairs (and lone halves) go to JSONDecoder.
                let value = try hex4(i + 2)
                guard let scalar = Unicode.Scalar(value) else { throw Fallback() }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
                i += 6
                continue
            default: throw Fallback()
            }
            i += 2
        }
        // Invalid UTF-8 is JSONDecoder's to refuse.
        guard let text = String(validating: out, as: UTF8.self) else { throw Fallback() }
        return text
    }

    func isNull(_ start: Int) -> Bool { bytes[start] == UInt8(ascii: "n") }

    /// The digits of a number value, or a fallback for anything else.
    func number(_ start: Int, _ end: Int) throws -> UnsafeRawBufferPointer {
        let c = bytes[start]
        guard c == UInt8(ascii: "-") || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) else { throw Fallback() }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    /// A whole number without fraction or exponent, within `Int64`.
    func integer(_ start: Int, _ end: Int) throws -> Int64 {
        let text = try number(start, end)
        var negative = false
        var i = 0
        if text[0] == UInt8(ascii: "-") {
            negative = true
            i = 1
        }
        guard i < text.count else { throw Fallback() }
        var value: Int64 = 0
        while i < text.count {
            let c = text[i]
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { throw Fallback() }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(Int64(c - UInt8(ascii: "0")))
            guard !o1, !o2 else { throw Fallback() }
            value = plus
            i += 1
        }
        return negative ? -value : value
    }

    func bool(_ start: Int) throws -> Bool {
        switch bytes[start] {
        case UInt8(ascii: "t"): return true
        case UInt8(ascii: "f"): return false
        default: throw Fallback()
        }
    }

    /// The members of the object between `start` and `end`: each key's bytes and its value's
    /// range. A key with an escape, or a key given twice, goes to JSONDecoder.
    func members(_ start: Int, _ end: Int) throws -> [Member] {
        guard bytes[start] == UInt8(ascii: "{") else { throw Fallback() }
        var members: [Member] = []
        members.reserveCapacity(8)
        var j = skipSpace(start + 1)
        if bytes[j] == UInt8(ascii: "}") { return members }
        while true {
            guard let keyEnd = stringEnd(j) else { throw Fallback() }
            for k in (j + 1)..<(keyEnd - 1) where bytes[k] == UInt8(ascii: "\\") { throw Fallback() }
            let valueStart = skipSpace(skipSpace(keyEnd) + 1)
            guard let valueEnd = skipValue(valueStart) else { throw Fallback() }
            let member = Member(keyStart: j + 1, keyEnd: keyEnd - 1, valueStart: valueStart, valueEnd: valueEnd)
            for other in members where sameKey(other, member) { throw Fallback() }
            members.append(member)
            j = skipSpace(valueEnd)
            if bytes[j] == UInt8(ascii: "}") { return members }
            j = skipSpace(j + 1)
        }
    }

    /// The values of the array between `start` and `end`, as ranges.
    func elements(_ start: Int, _ end: Int) throws -> [Range<Int>] {
        guard bytes[start] == UInt8(ascii: "[") else { throw Fallback() }
        var elements: [Range<Int>] = []
        var j = skipSpace(start + 1)
        if bytes[j] == UInt8(ascii: "]") { return elements }
        while true {
            guard let valueEnd = skipValue(j) else { throw Fallback() }
            elements.append(j..<valueEnd)
            j = skipSpace(valueEnd)
            if bytes[j] == UInt8(ascii: "]") { return elements }
            j = skipSpace(j + 1)
        }
    }

    private func sameKey(_ a: Member, _ b: Member) -> Bool {
        a.keyEnd - a.keyStart == b.keyEnd - b.keyStart
            && memcmp(bytes.baseAddress! + a.keyStart, bytes.baseAddress! + b.keyStart, a.keyEnd - a.keyStart) == 0
    }

    func find(_ members: [Member], _ key: String) -> Member? {
        var key = key
        return key.withUTF8 { name -> Member? in
            for member in members where member.keyEnd - member.keyStart == name.count {
                if name.count == 0 || memcmp(bytes.baseAddress! + member.keyStart, name.baseAddress!, name.count) == 0 { return member }
            }
            return nil
        }
    }

    /// A value of one of the types that a generic `decode` must not build through its own
    /// `init(from:)` here: `Decimal` (JSONDecoder reads its digits; its own `Decodable` reads
    /// a keyed form) and `UUID` (parsed by hand, as UUIDDecoding.swift does for keyed ids).
    func special<T>(_ type: T.Type, _ start: Int, _ end: Int) throws -> T? {
        if type == UUID.self {
            let text = try string(start, end)
            guard let uuid = UUID.parse(text) else {
                throw Fallback()
            }
            return (uuid as! T)
        }
        if type == Decimal.self {
            let text = try number(start, end)
            // Plain digits and a point, at most 38 significant: exactly what Decimal(string:) reads.
            var digits = 0
            for c in text {
                if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { throw Fallback() }
                if c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { digits += 1 }
            }
            guard digits <= 38, let decimal = Decimal(string: String(decoding: text, as: UTF8.self), locale: nil) else {
                throw Fallback()
            }
            return (decimal as! T)
        }
        return nil
    }
}

private struct Member {
    let keyStart: Int
    let keyEnd: Int
    let valueStart: Int
    let valueEnd: Int
}

private struct BodyValueDecoder: Decoder {
    let json: JSONBytes
    let start: Int
    let end: Int

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(BodyKeyedContainer<Key>(json: json, members: try json.members(start, end)))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        BodyUnkeyedContainer(json: json, elements: try json.elements(start, end))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { BodySingleValue(json: json, start: start, end: end) }
}

/// Decoding one value from its range: shared by the three kinds of container.
private protocol BodyValueReader {
    var json: JSONBytes { get }
}

extension BodyValueReader {
    func readBool(_ r: Range<Int>) throws -> Bool { try json.bool(r.lowerBound) }
    func readString(_ r: Range<Int>) throws -> String { try json.string(r.lowerBound, r.upperBound) }
    func readDouble(_ r: Range<Int>) throws -> Double {
        let text = try json.number(r.lowerBound, r.upperBound)
        guard let value = Double(String(decoding: text, as: UTF8.self)), value.isFinite else { throw Fallback() }
        return value
    }
    func readInteger<I: FixedWidthInteger>(_ type: I.Type, _ r: Range<Int>) throws -> I {
        guard let value = I(exactly: try json.integer(r.lowerBound, r.upperBound)) else { throw Fallback() }
        return value
    }
    func readValue<T: Decodable>(_ type: T.Type, _ r: Range<Int>) throws -> T {
        if let value = try json.special(type, r.lowerBound, r.upperBound) { return value }
        if type == String.self { return try readString(r) as! T }
        if type == Bool.self { return try readBool(r) as! T }
        if type == Int.self { return try readInteger(Int.self, r) as! T }
        if type == Double.self { return try readDouble(r) as! T }
        if type == Int64.self { return try readInteger(Int64.self, r) as! T }
        return try T(from: BodyValueDecoder(json: json, start: r.lowerBound, end: r.upperBound))
    }
}

private struct BodyKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol, BodyValueReader {
    let json: JSONBytes
    let members: [Member]

    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] {
        members.compactMap {
            Key(stringValue: String(decoding: UnsafeRawBufferPointer(rebasing: json.bytes[$0.keyStart..<$0.keyEnd]), as: UTF8.self))
        }
    }

    func contains(_ key: Key) -> Bool { json.find(members, key.stringValue) != nil }

    /// The value's range; a missing key or a null goes to JSONDecoder (which names the error).
    private func range(_ key: Key) throws -> Range<Int> {
        guard let member = json.find(members, key.stringValue), !json.isNull(member.valueStart) else { throw Fallback() }
        return member.valueStart..<member.valueEnd
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let member = json.find(members, key.stringValue) else { throw Fallback() }
        return json.isNull(member.valueStart)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try readBool(range(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try readString(range(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try readDouble(range(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { throw Fallback() }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try readInteger(type, range(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try readInteger(type, range(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try readInteger(type, range(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try readInteger(type, range(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try readInteger(type, range(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try readInteger(type, range(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try readInteger(type, range(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try readInteger(type, range(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try readInteger(type, range(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try readInteger(type, range(key)) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try readValue(type, range(key)) }

    /// Absent or null: nil; otherwise the value.
    private func present(_ key: Key) -> Range<Int>? {
        guard let member = json.find(members, key.stringValue), !json.isNull(member.valueStart) else { return nil }
        return member.valueStart..<member.valueEnd
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try present(key).map { try readBool($0) } }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try present(key).map { try readString($0) } }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try present(key).map { try readDouble($0) } }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try present(key).map { try readInteger(type, $0) } }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try present(key).map { try readInteger(type, $0) } }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try present(key).map { try readValue(type, $0) } }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let r = try range(key)
        return KeyedDecodingContainer(BodyKeyedContainer<NestedKey>(json: json, members: try json.members(r.lowerBound, r.upperBound)))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let r = try range(key)
        return BodyUnkeyedContainer(json: json, elements: try json.elements(r.lowerBound, r.upperBound))
    }

    func superDecoder() throws -> any Decoder { throw Fallback() }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw Fallback() }
}

private struct BodyUnkeyedContainer: UnkeyedDecodingContainer, BodyValueReader {
    let json: JSONBytes
    let elements: [Range<Int>]
    var currentIndex = 0

    init(json: JSONBytes, elements: [Range<Int>]) {
        self.json = json
        self.elements = elements
    }

    var codingPath: [any CodingKey] { [] }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    /// The next value's range; nulls and reading past the end go to JSONDecoder.
    private mutating func next() throws -> Range<Int> {
        guard currentIndex < elements.count, !json.isNull(elements[currentIndex].lowerBound) else { throw Fallback() }
        defer { currentIndex += 1 }
        return elements[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        guard currentIndex < elements.count else { throw Fallback() }
        if json.isNull(elements[currentIndex].lowerBound) {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try readBool(next()) }
    mutating func decode(_ type: String.Type) throws -> String { try readString(next()) }
    mutating func decode(_ type: Double.Type) throws -> Double { try readDouble(next()) }
    mutating func decode(_ type: Float.Type) throws -> Float { throw Fallback() }
    mutating func decode(_ type: Int.Type) throws -> Int { try readInteger(type, next()) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try readInteger(type, next()) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try readInteger(type, next()) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try readInteger(type, next()) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try readInteger(type, next()) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try readInteger(type, next()) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try readInteger(type, next()) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try readInteger(type, next()) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try readInteger(type, next()) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try readInteger(type, next()) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try readValue(type, next()) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let r = try next()
        return KeyedDecodingContainer(BodyKeyedContainer<NestedKey>(json: json, members: try json.members(r.lowerBound, r.upperBound)))
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let r = try next()
        return BodyUnkeyedContainer(json: json, elements: try json.elements(r.lowerBound, r.upperBound))
    }

    mutating func superDecoder() throws -> any Decoder { throw Fallback() }
}

private struct BodySingleValue: SingleValueDecodingContainer, BodyValueReader {
    let json: JSONBytes
    let start: Int
    let end: Int

    var codingPath: [any CodingKey] { [] }
    private var r: Range<Int> { start..<end }

    func decodeNil() -> Bool { json.isNull(start) }
    /// A null where a value is wanted goes to JSONDecoder.
    private func value() throws -> Range<Int> {
        guard !json.isNull(start) else { throw Fallback() }
        return r
    }
    func decode(_ type: Bool.Type) throws -> Bool { try readBool(value()) }
    func decode(_ type: String.Type) throws -> String { try readString(value()) }
    func decode(_ type: Double.Type) throws -> Double { try readDouble(value()) }
    func decode(_ type: Float.Type) throws -> Float { throw Fallback() }
    func decode(_ type: Int.Type) throws -> Int { try readInteger(type, value()) }
    func decode(_ type: Int8.Type) throws -> Int8 { try readInteger(type, value()) }
    func decode(_ type: Int16.Type) throws -> Int16 { try readInteger(type, value()) }
    func decode(_ type: Int32.Type) throws -> Int32 { try readInteger(type, value()) }
    func decode(_ type: Int64.Type) throws -> Int64 { try readInteger(type, value()) }
    func decode(_ type: UInt.Type) throws -> UInt { try readInteger(type, value()) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try readInteger(type, value()) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try readInteger(type, value()) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try readInteger(type, value()) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try readInteger(type, value()) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try readValue(type, value()) }
}
