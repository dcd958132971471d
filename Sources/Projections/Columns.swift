import BackOffice
import CanonicalUUID
import Foundation
import Postgres

// How a read-model table is described: once, as a list of columns that each name the row's
// field they hold, how it is written (a bound value, whose bytes are also the COPY field and
// what verify hashes) and how it is read back. Nothing else lists a table's columns.

/// A stored value of a read-model table that does not decode: a row changed by hand, or a
/// value this version does not know. Names the table, the column and the row's key, so an
/// operator can find it with psql; a rebuild writes the row afresh.
public struct ReadModelDecodingError: Error, CustomStringConvertible {
    public let table: String
    public let column: String
    /// The row's key columns as stored, joined by "/".
    public let key: String
    public let reason: String

    public var description: String { "consult.\(table), row \(key), column \(column): \(reason)" }
}

/// Why one cell does not decode; ``TableSchema`` turns it into a ``ReadModelDecodingError``.
struct StoredValueError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A Swift value a read-model column holds.
protocol StoredValue: Sendable {
    /// The value bound for the column (its bytes are also the COPY text field).
    var stored: PostgresValue { get }
    /// NULL of the column's type.
    static var storedNull: PostgresValue { get }
    /// Reads the cell at `index`; NULL is an error unless the value is optional.
    static func read(_ row: Row, at index: Int) throws -> Self
}

extension Optional: StoredValue where Wrapped: StoredValue {
    var stored: PostgresValue { self?.stored ?? Wrapped.storedNull }
    static var storedNull: PostgresValue { Wrapped.storedNull }
    static func read(_ row: Row, at index: Int) throws -> Self {
        row.isNull(at: index) ? nil : try Wrapped.read(row, at: index)
    }
}

extension UUID: StoredValue {
    var stored: PostgresValue { postgresValue }
    static var storedNull: PostgresValue { .null(.uuid) }
    static func read(_ row: Row, at index: Int) throws -> UUID { try row.decode(UUID.self, at: index) }
}

extension String: StoredValue {
    var stored: PostgresValue { .text(self) }
    static var storedNull: PostgresValue { .null(.text) }
    static func read(_ row: Row, at index: Int) throws -> String { try row.decode(String.self, at: index) }
}

extension Int: StoredValue {
    var stored: PostgresValue { postgresValue }
    static var storedNull: PostgresValue { .null(.int8) }
    static func read(_ row: Row, at index: Int) throws -> Int { try row.decode(Int.self, at: index) }
}

extension Int64: StoredValue {
    var stored: PostgresValue { postgresValue }
    static var storedNull: PostgresValue { .null(.int8) }
    static func read(_ row: Row, at index: Int) throws -> Int64 { try row.decode(Int64.self, at: index) }
}

extension Double: StoredValue {
    var stored: PostgresValue { postgresValue }
    static var storedNull: PostgresValue { .null(.float8) }
    static func read(_ row: Row, at index: Int) throws -> Double { try row.decode(Double.self, at: index) }
}

/// `numeric`: the exact digits both ways (PostgreSQL's `numeric` keeps them; `1.8` reads back
/// as `1.8`, never through a `float8`).
extension Quantity: StoredValue {
    var stored: PostgresValue { .text(description, as: .numeric) }
    static var storedNull: PostgresValue { .null(.numeric) }
    static func read(_ row: Row, at index: Int) throws -> Quantity {
        let text = try row.decode(String.self, at: index)
        guard let value = Quantity.parse(text) else { throw StoredValueError("\"\(text)\" is not a number") }
        return value
    }
}

extension Bool: StoredValue {
    var stored: PostgresValue { postgresValue }
    static var storedNull: PostgresValue { .null(.bool) }
    static func read(_ row: Row, at index: Int) throws -> Bool { try row.decode(Bool.self, at: index) }
}

extension Date: StoredValue {
    var stored: PostgresValue { postgresValue }
    static var storedNull: PostgresValue { .null(.timestamptz) }
    static func read(_ row: Row, at index: Int) throws -> Date { try row.decode(Date.self, at: index) }
}

extension Day: StoredValue {
    var stored: PostgresValue { .text(description, as: .date) }
    static var storedNull: PostgresValue { .null(.date) }
    static func read(_ row: Row, at index: Int) throws -> Day { Day(try row.decode(Date.self, at: index)) }
}

/// A closed set of words stored as text (`stage`, `direction`): a word this version does not
/// know is an error, never a default.
protocol StoredWord: StoredValue, RawRepresentable<String> {}

extension StoredWord {
    var stored: PostgresValue { .text(rawValue) }
    static var storedNull: PostgresValue { .null(.text) }
    static func read(_ row: Row, at index: Int) throws -> Self {
        let text = try row.decode(String.self, at: index)
        guard let value = Self(rawValue: text) else { throw StoredValueError("\"\(text)\" is not a \(Self.self)") }
        return value
    }
}

extension Stage: StoredWord {}
extension Direction: StoredWord {}

/// `uuid[]` and `text[]` of simple values, as the server writes them: `{a,b,"c d"}`.
extension Array: StoredValue where Element: StoredArrayElement {
    var stored: PostgresValue { .array(self) }
    static var storedNull: PostgresValue { .null(.unspecified) }
    static func read(_ row: Row, at index: Int) throws -> [Element] {
        let text = try row.decode(String.self, at: index)
        guard text.hasPrefix("{"), text.hasSuffix("}") else { throw StoredValueError("\"\(text)\" is not an array") }
        guard text.count > 2 else { return [] }
        return try text.dropFirst().dropLast().split(separator: ",").map { part in
            var value = String(part)
            if value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
                    .replacingOccurrences(of: "\\\\", with: "\\")
            }
            guard let element = Element(arrayElement: value) else {
                throw StoredValueError("the element \"\(value)\" is not a \(Element.self)")
            }
            return element
        }
    }
}

/// What an array column may hold.
protocol StoredArrayElement: PostgresEncodable, Sendable {
    init?(arrayElement text: String)
}

extension UUID: StoredArrayElement {
    init?(arrayElement text: String) {
        guard let uuid = UUID.parse(text) else { return nil }
        self = uuid
    }
}

extension String: StoredArrayElement {
    init?(arrayElement text: String) { self = text }
}

// MARK: - Columns and tables

/// One column of a read-model table: its name, how a row's field is written to it, and how it
/// is read back into the row.
public struct ColumnSpec<R>: Sendable {
    public let name: String
    let encode: @Sendable (R) -> PostgresValue
    /// Sets the row's field from the cell at the index (the columns are selected in order).
    let decode: @Sendable (inout R, Row, Int) throws -> Void

    init(
        _ name: String, encode: @escaping @Sendable (R) -> PostgresValue, decode: @escaping @Sendable (inout R, Row, Int) throws -> Void
    ) {
        self.name = name
        self.encode = encode
        self.decode = decode
    }

    /// A column holding one field.
    static func column<V: StoredValue>(_ name: String, _ field: WritableKeyPath<R, V> & Sendable) -> ColumnSpec {
        ColumnSpec(
            name, encode: { $0[keyPath: field].stored }, decode: { row, cells, index in row[keyPath: field] = try V.read(cells, at: index) }
        )
    }

    /// A jsonb column holding one field, its keys sorted so that the text (and verify's hash)
    /// is the same from every path.
    static func json<V: Codable & Sendable>(_ name: String, _ field: WritableKeyPath<R, V> & Sendable) -> ColumnSpec {
        ColumnSpec(
            name, encode: { Self.jsonValue($0[keyPath: field]) },
            decode: { row, cells, _ in row[keyPath: field] = try cells.decodeJSON(V.self, name) })
    }

    /// An amount of money in two columns, minor units and currency: both set, or both NULL.
    static func money(_ minor: String, _ currency: String, _ field: WritableKeyPath<R, Money?> & Sendable) -> [ColumnSpec] {
        [
            ColumnSpec(minor, encode: { $0[keyPath: field]?.minorUnits.stored ?? Int64.storedNull }, decode: { _, _, _ in }),
            ColumnSpec(
                currency, encode: { $0[keyPath: field]?.currency.stored ?? String.storedNull },
                decode: { row, cells, index in
                    switch (try Int64?.read(cells, at: index - 1), try String?.read(cells, at: index)) {
                    case (nil, nil): row[keyPath: field] = nil
                    case (let units?, let code?): row[keyPath: field] = try Money(minorUnits: units, currency: code)
                    default: throw StoredValueError("\(minor) and \(currency) are both set or both NULL")
                    }
                }),
        ]
    }

    static func jsonValue(_ value: some Encodable) -> PostgresValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return .jsonb(try encoder.encode(value))
        } catch {
            // Only a non-finite number can fail here, and the domain refuses those.
            preconditionFailure("a read-model value does not encode as JSON: \(error)")
        }
    }
}

/// A read-model table in schema `consult`: its name and its columns after `tenant_id`, the
/// key's first. The one description of the table: the sink, COPY, verify and the reading of
/// rows all go by it.
public struct TableSchema<R: ProjectedRow>: Sendable {
    public let name: String
    public let keyColumns: Int
    let columns: [ColumnSpec<R>]
    /// The row decoding starts from; every column then sets its field, or decoding throws.
    let blank: R

    init(_ name: String, keyColumns: Int = 1, blank: R, _ columns: [ColumnSpec<R>]) {
        self.name = name
        self.keyColumns = keyColumns
        self.blank = blank
        self.columns = columns
    }

    public var columnNames: [String] { columns.map(\.name) }

    /// A row's values, in column order.
    func values(of row: R) -> [PostgresValue] { columns.map { $0.encode(row) } }

    /// Reads a row selected as ``columnNames``, in order.
    /// - Throws: ``ReadModelDecodingError`` naming the table, the column and the row's key.
    func decode(_ cells: Row) throws -> R {
        var row = blank
        for (index, column) in columns.enumerated() {
            do {
                try column.decode(&row, cells, index)
            } catch {
                let key = (0..<keyColumns).map { (try? cells.decode(String?.self, at: $0)).flatMap { $0 } ?? "NULL" }
                throw ReadModelDecodingError(table: name, column: column.name, key: key.joined(separator: "/"), reason: "\(error)")
            }
        }
        return row
    }
}

/// A row of a read-model table. `tenant_id` is implied: every statement names it first.
/// Codable for the snapshots as-of reports start from (Snapshots.swift).
public protocol ProjectedRow: Sendable, Equatable, Codable {
    associatedtype Key: Hashable & Sendable
    /// The table and its columns.
    static var schema: TableSchema<Self> { get }
    var key: Key { get }
}

extension ProjectedRow {
    /// The table in schema `consult`.
    public static var table: String { schema.name }
    /// The columns after `tenant_id`, the key's first.
    public static var columns: [String] { schema.columnNames }
    public static var keyColumns: Int { schema.keyColumns }
    /// The values of ``columns``, in order.
    public var values: [PostgresValue] { Self.schema.values(of: self) }
    /// Reads a row selected as ``columns``, in order.
    public init(row: Row) throws { self = try Self.schema.decode(row) }

    /// The values as COPY text fields.
    var copyFields: [String?] {
        values.map { $0.bytes.map { String(decoding: $0, as: UTF8.self) } }
    }
}

/// Placeholders of a blank row: never read, since decoding sets every column or throws.
enum Blank {
    static let id = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
    static let date = Date(timeIntervalSince1970: 0)
    static let day = Day(date)
}
