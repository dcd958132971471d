import CanonicalUUID
import Foundation

/// Event bodies hold their ids as text. Foundation decodes a `UUID` through
/// `UUID(uuidString:)`, which parses with `sscanf`: perf put it at about 9% of an as-of report's
/// time, and every rebuild and catch-up decodes the same bodies. The synthesized `Decodable`
/// initialisers of this module pick these overloads over the generic ones, so every id of every
/// event is read here: the canonical 36-character form by hand (CanonicalUUID), anything else by
/// Foundation (the same values, the same errors).
extension KeyedDecodingContainer {
    func decode(_ type: UUID.Type, forKey key: Key) throws -> UUID {
        try UUID.decoded(from: decode(String.self, forKey: key), key: key, in: self)
    }

    func decodeIfPresent(_ type: UUID.Type, forKey key: Key) throws -> UUID? {
        try decodeIfPresent(String.self, forKey: key).map { try UUID.decoded(from: $0, key: key, in: self) }
    }
}

extension UUID {
    fileprivate static func decoded<K>(from text: String, key: K, in container: KeyedDecodingContainer<K>) throws -> UUID {
        if let uuid = parse(text) { return uuid }
        throw DecodingError.dataCorruptedError(
            forKey: key, in: container, debugDescription: "Attempted to decode UUID from invalid UUID string.")
    }
}
