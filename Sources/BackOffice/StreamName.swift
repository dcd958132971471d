import CanonicalUUID
import Foundation

/// The name of a stream in the log: the one place that spells or parses one.
///
/// An entity's events live in `KIND-<lower-case uuid>` (`engagement-6f1c…`); the claim on a
/// handle lives in `handle-KIND-<slug>`, so that two entities can never take the same handle
/// (the stream's version key makes the second claim a conflict).
public struct StreamName: Hashable, Sendable, CustomStringConvertible {
    /// What a stream holds.
    public enum Category: Hashable, Sendable {
        /// The events of one organisation, person, lead or engagement.
        case entity(EntityKind, UUID)
        /// The claim on a handle of a kind.
        case handle(EntityKind, String)
    }

    public let category: Category

    public init(_ category: Category) { self.category = category }

    /// The stream of an entity's events.
    public static func entity(_ kind: EntityKind, _ id: UUID) -> StreamName { StreamName(.entity(kind, id)) }
    /// The stream that holds the claim on `handle`.
    public static func handle(_ kind: EntityKind, _ handle: String) -> StreamName { StreamName(.handle(kind, handle)) }

    /// The stored name.
    public var description: String {
        switch category {
        case .entity(let kind, let id): "\(kind.rawValue)-\(id.uuidString.lowercased())"
        case .handle(let kind, let handle): "handle-\(kind.rawValue)-\(handle)"
        }
    }

    /// Parses a stored name; nil for a name this version of the domain never writes.
    public init?(parsing name: String) {
        if name.hasPrefix("handle-") {
            let rest = name.dropFirst("handle-".count)
            guard let dash = rest.firstIndex(of: "-"), let kind = EntityKind(rawValue: String(rest[..<dash])) else { return nil }
            self.init(.handle(kind, String(rest[rest.index(after: dash)...])))
            return
        }
        guard let dash = name.firstIndex(of: "-"), let kind = EntityKind(rawValue: String(name[..<dash])),
            // By hand, not through sscanf: a rebuild parses the stream name of every event.
            let id = UUID.parse(String(name[name.index(after: dash)...]))
        else { return nil }
        self.init(.entity(kind, id))
    }

    /// The entity a stream of events belongs to; nil for a handle's stream.
    public var entity: (kind: EntityKind, id: UUID)? {
        if case .entity(let kind, let id) = category { return (kind, id) }
        return nil
    }

    /// Whether a stored name is a handle's stream (bookkeeping, not a fact a consultant recorded).
    public static func isHandle(_ name: String) -> Bool { name.hasPrefix("handle-") }
}
