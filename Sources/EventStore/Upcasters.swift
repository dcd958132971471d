import Foundation

/// Brings stored event bodies to today's shape as they are read; stored rows are never
/// rewritten.
///
/// An upcaster is a pure function from one schema version of a type's body to the next:
///
/// ```swift
/// var upcasters = Upcasters()
/// upcasters.register("ObjectiveSet", from: 1) { body in   // v1 had "goal", v2 says "statement"
///     var body = body
///     body["statement"] = body.removeValue(forKey: "goal")
///     return body
/// }
/// ```
/// Reading a v1 `ObjectiveSet` then hands out the v2 shape, whatever version was stored.
public struct Upcasters: Sendable {
    public typealias JSONObject = [String: Any]
    public typealias Upcaster = @Sendable (JSONObject) throws -> JSONObject

    private var steps: [String: [Int: Upcaster]] = [:]

    public init() {}

    /// Registers the step from `version` to `version + 1` of `type`.
    public mutating func register(_ type: String, from version: Int, _ upcaster: @escaping Upcaster) {
        steps[type, default: [:]][version] = upcaster
    }

    /// The latest version of `type` the registry can produce from `version`.
    public func latestVersion(of type: String, from version: Int) -> Int {
        var version = version
        while steps[type]?[version] != nil { version += 1 }
        return version
    }

    /// Applies every step from the stored version on; returns the body and its new version.
    public func upcast(type: String, version: Int, data: Data) throws -> (Data, Int) {
        guard let chain = steps[type], chain[version] != nil else { return (data, version) }
        guard var object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw EventStoreError(.upcastFailed, "\(type) v\(version): the stored body is not a JSON object")
        }
        var current = version
        while let step = chain[current] {
            do {
                object = try step(object)
            } catch {
                throw EventStoreError(.upcastFailed, "\(type) v\(current) → v\(current + 1): \(error)")
            }
            current += 1
        }
        return (try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), current)
    }
}
