import Foundation

/// A SQL statement and its bound parameters.
///
/// Every interpolated value becomes a placeholder (`$1`, `$2`, …) and travels separately from
/// the SQL text, so no value can change what the statement means:
///
/// ```swift
/// let name = "'; DROP TABLE organisations; --"
/// try connection.execute("INSERT INTO organisations (name) VALUES (\(name))")
/// // sends: INSERT INTO organisations (name) VALUES ($1)   with $1 = the string, verbatim
/// ```
///
/// A string *literal* is trusted SQL. Text assembled at run time must be spelled
/// ``init(unsafeSQL:binds:)`` so that it stands out in review; identifiers built at run time
/// go through `\(identifier: name)`, which quotes them.
public struct Query: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The SQL text with `$n` placeholders.
    public private(set) var sql: String
    /// The values bound to `$1`, `$2`, … in order.
    public private(set) var binds: [PostgresValue]
    /// An error met while encoding an interpolated value (a JSON encoding failure); thrown when
    /// the query is executed, since interpolation itself cannot throw.
    var encodingError: PostgresError?

    /// SQL assembled at run time. Nothing in `unsafeSQL` is escaped: never put a value in it.
    public init(unsafeSQL: String, binds: [PostgresValue] = []) {
        self.sql = unsafeSQL
        self.binds = binds
    }

    public init(stringLiteral value: String) {
        self.init(unsafeSQL: value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.binds = stringInterpolation.binds
        self.encodingError = stringInterpolation.encodingError
    }

    /// The SQL text only: bound values are never printed.
    public var description: String { sql }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var binds: [PostgresValue] = []
        var encodingError: PostgresError?

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        /// Binds a value: appends `$n` to the SQL.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            bind(value.postgresValue)
        }

        /// Binds an optional value: NULL (typed as `Value`) when nil.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            bind(value.postgresValue)
        }

        /// Binds a value already encoded.
        public mutating func appendInterpolation(_ value: PostgresValue) {
            bind(value)
        }

        /// Binds a value encoded as JSON with `JSONEncoder`, as `jsonb`.
        public mutating func appendInterpolation<Value: Encodable>(json value: Value) {
            do {
                bind(.jsonb(try JSONEncoder().encode(value)))
            } catch {
                encodingError = PostgresError(.usage, message: "cannot encode \(Value.self) as JSON: \(error)")
                bind(.null(.jsonb))
            }
        }

        /// Appends an identifier (a table, column, role or channel name), quoted so that any
        /// text is taken as a name and nothing else: `"weird ""name"""`.
        public mutating func appendInterpolation(identifier: String) {
            sql += quoteIdentifier(identifier)
        }

        /// Appends SQL text as it is. Never put a value here: bind it instead.
        public mutating func appendInterpolation(unsafeSQL: String) {
            sql += unsafeSQL
        }

        private mutating func bind(_ value: PostgresValue) {
            binds.append(value)
            sql += "$\(binds.count)"
        }
    }
}

/// Quotes an identifier the way PostgreSQL reads it: in double quotes, with `"` doubled. The
/// connection's encoding is always UTF-8 (see ``Connection``), so no multibyte sequence can end
/// in a quote character; a NUL, which PostgreSQL cannot store in a name, is dropped.
func quoteIdentifier(_ name: String) -> String {
    "\"" + name.replacingOccurrences(of: "\"", with: "\"\"").replacingOccurrences(of: "\0", with: "") + "\""
}

// MARK: - Types

/// A PostgreSQL type, by its OID (`pg_type.oid`). Built-in OIDs never change between versions.
public struct PostgresType: Hashable, Sendable, CustomStringConvertible {
    public let oid: UInt32
    public init(oid: UInt32) { self.oid = oid }

    /// No type: the server infers it from the context (`$1::date`, the column inserted into).
    public static let unspecified = PostgresType(oid: 0)
    public static let bool = PostgresType(oid: 16)
    public static let bytea = PostgresType(oid: 17)
    public static let int8 = PostgresType(oid: 20)
    public static let int2 = PostgresType(oid: 21)
    public static let int4 = PostgresType(oid: 23)
    public static let text = PostgresType(oid: 25)
    public static let oidType = PostgresType(oid: 26)
    public static let json = PostgresType(oid: 114)
    public static let float4 = PostgresType(oid: 700)
    public static let float8 = PostgresType(oid: 701)
    public static let varchar = PostgresType(oid: 1043)
    public static let date = PostgresType(oid: 1082)
    public static let timestamp = PostgresType(oid: 1114)
    public static let timestamptz = PostgresType(oid: 1184)
    public static let numeric = PostgresType(oid: 1700)
    public static let uuid = PostgresType(oid: 2950)
    public static let jsonb = PostgresType(oid: 3802)
    public static let xid8 = PostgresType(oid: 5069)
    public static let name = PostgresType(oid: 19)

    private static let names: [UInt32: String] = [
        0: "unknown", 16: "bool", 17: "bytea", 19: "name", 20: "int8", 21: "int2", 23: "int4",
        25: "text", 26: "oid", 114: "json", 700: "float4", 701: "float8", 1043: "varchar",
        1042: "bpchar", 1082: "date", 1114: "timestamp", 1184: "timestamptz", 1700: "numeric",
        2950: "uuid", 3802: "jsonb", 5069: "xid8",
    ]

    /// The type's name for the built-in types this module knows, `oid 1234` otherwise.
    public var description: String { Self.names[oid] ?? "oid \(oid)" }
}

/// A value ready to bind: its bytes (nil for NULL), its type, and whether the bytes are
/// PostgreSQL's text or binary representation.
public struct PostgresValue: Sendable, Equatable {
    public var bytes: [UInt8]?
    public var type: PostgresType
    public var isBinary: Bool

    public init(bytes: [UInt8]?, type: PostgresType, isBinary: Bool = false) {
        self.bytes = bytes
        self.type = type
        self.isBinary = isBinary
    }

    /// Text in PostgreSQL's input syntax for `type`.
    public static func text(_ text: String, as type: PostgresType = .unspecified) -> PostgresValue {
        PostgresValue(bytes: Array(text.utf8), type: type)
    }

    /// SQL NULL, typed so that the server need not guess.
    public static func null(_ type: PostgresType = .unspecified) -> PostgresValue {
        PostgresValue(bytes: nil, type: type)
    }

    /// A JSON document (UTF-8 bytes), bound as `jsonb`.
    public static func jsonb(_ json: some Collection<UInt8>) -> PostgresValue {
        PostgresValue(bytes: Array(json), type: .jsonb)
    }
}

/// A Swift value that can be bound as a parameter.
public protocol PostgresEncodable {
    /// The type the value is sent as (also the type of its NULL, for optionals).
    static var postgresType: PostgresType { get }
    /// The value encoded for the server.
    var postgresValue: PostgresValue { get }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public static var postgresType: PostgresType { Wrapped.postgresType }
    public var postgresValue: PostgresValue {
        self?.postgresValue ?? .null(Wrapped.postgresType)
    }
}

extension String: PostgresEncodable {
    /// Strings go untyped, so the server reads them as whatever the context needs (text,
    /// varchar, a date, an enum, jsonb): exactly as a literal in psql would be.
    public static var postgresType: PostgresType { .unspecified }
    public var postgresValue: PostgresValue { .text(self) }
}

extension Substring: PostgresEncodable {
    public static var postgresType: PostgresType { .unspecified }
    public var postgresValue: PostgresValue { .text(String(self)) }
}

extension Int: PostgresEncodable {
    public static var postgresType: PostgresType { .int8 }
    public var postgresValue: PostgresValue { .text(String(self), as: .int8) }
}

extension Int64: PostgresEncodable {
    public static var postgresType: PostgresType { .int8 }
    public var postgresValue: PostgresValue { .text(String(self), as: .int8) }
}

extension Int32: PostgresEncodable {
    public static var postgresType: PostgresType { .int4 }
    public var postgresValue: PostgresValue { .text(String(self), as: .int4) }
}

extension Int16: PostgresEncodable {
    public static var postgresType: PostgresType { .int2 }
    public var postgresValue: PostgresValue { .text(String(self), as: .int2) }
}

extension Double: PostgresEncodable {
    public static var postgresType: PostgresType { .float8 }
    public var postgresValue: PostgresValue {
        // Swift prints the shortest text that reads back to the same bits; PostgreSQL's
        // float8 input accepts it, and spells the specials its own way.
        if isNaN { return .text("NaN", as: .float8) }
        if isInfinite { return .text(self < 0 ? "-Infinity" : "Infinity", as: .float8) }
        return .text(String(self), as: .float8)
    }
}

extension Bool: PostgresEncodable {
    public static var postgresType: PostgresType { .bool }
    public var postgresValue: PostgresValue { .text(self ? "t" : "f", as: .bool) }
}

extension UUID: PostgresEncodable {
    public static var postgresType: PostgresType { .uuid }
    public var postgresValue: PostgresValue { .text(uuidString.lowercased(), as: .uuid) }
}

extension Date: PostgresEncodable {
    /// Sent as `timestamptz`, in UTC, to the microsecond (PostgreSQL's precision).
    public static var postgresType: PostgresType { .timestamptz }
    public var postgresValue: PostgresValue { .text(PostgresDate.format(self), as: .timestamptz) }
}

extension Array: PostgresEncodable where Element == UInt8 {
    /// Raw bytes, sent in binary as `bytea`.
    public static var postgresType: PostgresType { .bytea }
    public var postgresValue: PostgresValue { PostgresValue(bytes: self, type: .bytea, isBinary: true) }
}

extension Data: PostgresEncodable {
    public static var postgresType: PostgresType { .bytea }
    public var postgresValue: PostgresValue { PostgresValue(bytes: Array(self), type: .bytea, isBinary: true) }
}

// MARK: - Arrays

extension Query.StringInterpolation {
    /// Binds a Swift array as one PostgreSQL array parameter (`text[]`, `int8[]`, `uuid[]`, …),
    /// for `= ANY(\(array: ids))` or for passing many rows to a function in one round trip.
    public mutating func appendInterpolation<Element: PostgresEncodable>(array elements: [Element]) {
        appendInterpolation(PostgresValue.array(elements))
    }
}

extension PostgresValue {
    /// An array parameter in PostgreSQL's array text syntax: every element double-quoted with
    /// `"` and `\` escaped, NULL spelled bare.
    public static func array<Element: PostgresEncodable>(_ elements: [Element]) -> PostgresValue {
        var text: [UInt8] = [UInt8(ascii: "{")]
        for (index, element) in elements.enumerated() {
            if index > 0 { text.append(UInt8(ascii: ",")) }
            guard let bytes = element.postgresValue.bytes else {
                text += Array("NULL".utf8)
                continue
            }
            text.append(UInt8(ascii: "\""))
            for byte in bytes {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { text.append(UInt8(ascii: "\\")) }
                text.append(byte)
            }
            text.append(UInt8(ascii: "\""))
        }
        text.append(UInt8(ascii: "}"))
        return PostgresValue(bytes: text, type: Element.postgresType.arrayType)
    }
}

extension PostgresType {
    /// The array type of this element type (`text` → `text[]`); `text[]` for untyped strings.
    public var arrayType: PostgresType {
        let arrays: [UInt32: UInt32] = [
            0: 1009, 25: 1009, 1043: 1015, 16: 1000, 20: 1016, 21: 1005, 23: 1007, 701: 1022, 700: 1021,
            2950: 2951, 1184: 1185, 1114: 1115, 1082: 1182, 3802: 3807, 114: 199, 1700: 1231,
        ]
        return PostgresType(oid: arrays[oid] ?? 1009)
    }
}
