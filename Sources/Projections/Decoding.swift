import BackOffice
import EventStore
import Foundation

/// An event of the log that this version cannot turn into a domain event: an unknown stored
/// type, or a body that does not fit its type. Names where it is, so that an operator can find
/// it (`consult log`, psql) instead of a read model silently leaving it out.
public struct EventDecodingError: Error, CustomStringConvertible {
    public let tenant: TenantID
    public let position: Int64
    public let stream: String
    public let type: String
    /// ``UnknownEventType``, or the decoder's error.
    public let underlying: any Error

    public var description: String {
        let what = underlying is UnknownEventType ? "has an unknown event type" : "does not decode: \(reason)"
        return "event \(position) of tenant \(tenant.rawValue) (\(type) in \(stream)) \(what)"
    }

    /// Why, in a line an operator can act on: the key and what was wrong with it, rather than
    /// the decoder's nested description.
    public var reason: String {
        func at(_ context: DecodingError.Context) -> String {
            context.codingPath.isEmpty ? "the body" : "the key \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\""
        }
        switch underlying {
        case let unknown as UnknownEventType: return unknown.description
        case DecodingError.typeMismatch(let type, let context): return "\(at(context)) is not a \(type)"
        case DecodingError.valueNotFound(let type, let context): return "\(at(context)) is null, not a \(type)"
        case DecodingError.keyNotFound(let key, let context):
            return "the key \"\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))\" is missing"
        case DecodingError.dataCorrupted(let context): return "\(at(context)): \(context.debugDescription)"
        default: return "\(underlying)"
        }
    }
}

extension RecordedEvent {
    /// The domain event this row holds.
    /// - Throws: ``EventDecodingError`` naming the type, tenant and position.
    public func domainEvent() throws -> any DomainEvent {
        do {
            return try EventTypes.decode(type: type, data: data)
        } catch {
            throw EventDecodingError(tenant: tenant, position: position, stream: stream, type: type, underlying: error)
        }
    }
}
