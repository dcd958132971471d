import Foundation

/// Event bodies write their ids in lower case, as PostgreSQL prints a `uuid` and as every
/// column, report and `--format json` of consult shows them: so that in psql
/// `data->>'organisation' = organisation_id::text` matches. Foundation's `UUID.encode(to:)`
/// writes `uuidString`, which is upper case.
///
/// The synthesized `Encodable` conformances of this module pick these overloads over the
/// generic `encode(_:forKey:)` (as they pick UUIDDecoding.swift's for reading), so exactly the
/// fields typed `UUID`, `UUID?` and `[UUID]` are lower-cased: free text is never touched. Bodies
/// written before (upper case) still read: decoding accepts either case, and stored rows are
/// never rewritten.
extension KeyedEncodingContainer {
    mutating func encode(_ value: UUID, forKey key: Key) throws {
        try encode(value.lowercasedString, forKey: key)
    }

    mutating func encodeIfPresent(_ value: UUID?, forKey key: Key) throws {
        try encodeIfPresent(value?.lowercasedString, forKey: key)
    }

    mutating func encode(_ value: [UUID], forKey key: Key) throws {
        try encode(value.map(\.lowercasedString), forKey: key)
    }
}

extension UUID {
    /// `0b6f6c1e-5c3a-4d8e-9f21-6a7b8c9d0e11`: the form PostgreSQL prints.
    var lowercasedString: String { uuidString.lowercased() }
}
