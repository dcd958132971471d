import BackOffice
import Foundation
import Postgres

/// An objective found by name: its id, its engagement, and how to name it unambiguously.
public struct FoundObjective: Sendable, Equatable {
    public let id: UUID
    public let engagement: UUID
    /// `engagement/objective`.
    public let qualified: String
}

/// Objectives are named within their engagement (issue 16 item 7): `engagement/objective`
/// everywhere one is taken, the bare handle when only one engagement has it, `--engagement` to
/// scope a bare handle, or the id. Handles of objectives set before (tenant-wide, `followers-2`)
/// keep resolving: each objective's handle is in its `ObjectiveSet`, and the old handle streams
/// still point at them.
extension Recorder {
    /// The objective `text` names. `engagement` (an id) scopes a bare handle; an
    /// `engagement/objective` must agree with it. A bare handle two engagements use is refused
    /// (exit 1), naming each as `engagement/objective`; an unknown one with the closest names.
    public func objective(_ text: String, field: FieldKey, engagement scope: UUID? = nil) throws -> FoundObjective {
        let typed = text.trimmingCharacters(in: .whitespaces)
        if let id = UUID(uuidString: typed) {
            guard let found = try objectivesIndex().first(where: { $0.id == id }), scope == nil || found.engagement == scope else {
                throw CommandFailure(
                    "\(spell(field)): there is no objective with id \(typed)" + (scope == nil ? "" : " in that engagement"))
            }
            return found
        }
        if let slash = typed.firstIndex(of: "/") {
            let engagementText = String(typed[..<slash])
            let handle = Handle.slug(String(typed[typed.index(after: slash)...]))
            let engagement = try resolve(.engagement, engagementText, field: field).id
            if let scope, scope != engagement {
                throw CommandFailure(
                    "\(spell(field)): \"\(typed)\" names an objective of another engagement than --engagement", exitCode: 64)
            }
            return try objective(handle, typed: typed, in: engagement, field: field)
        }
        let handle = Handle.slug(typed)
        guard !handle.isEmpty else { throw noSuchObjective(typed, field: field, among: try objectivesIndex()) }
        if let scope { return try objective(handle, typed: typed, in: scope, field: field) }
        var found = try objectivesIndex().filter { $0.qualified.hasSuffix("/" + handle) }
        // An objective set before issue 16 holds its handle tenant-wide: the claim still names it,
        // even before the read models have it.
        if found.isEmpty, let holder = try load(HandleState.self, .handle(.objective, handle)).state.holder, let parent = holder.parent {
            found = [FoundObjective(id: holder.id, engagement: parent, qualified: "\(try engagementHandle(parent))/\(handle)")]
        }
        switch found.count {
        case 0: throw noSuchObjective(typed, field: field, among: try objectivesIndex())
        case 1: return found[0]
        default:
            // Each named, up to 8 (`objective list` has them all).
            let names = found.map(\.qualified).sorted()
            let shown = names.prefix(8).joined(separator: ", ") + (names.count > 8 ? " and \(names.count - 8) more" : "")
            throw CommandFailure(
                "\(spell(field)): \(found.count) engagements have an objective \"\(handle)\": \(shown)",
                advice: [
                    "say which, as engagement/objective (\"\(names[0])\"), or give --engagement"
                        + (names.count > 8 ? "; consult objective list shows them all" : "")
                ])
        }
    }

    /// The objective with `handle` in one engagement, from the engagement's own stream.
    private func objective(_ handle: String, typed: String, in engagement: UUID, field: FieldKey) throws -> FoundObjective {
        let (state, _) = try load(EngagementState.self, .entity(.engagement, engagement))
        let engagementHandle = state.started?.handle ?? engagement.uuidString.lowercased()
        guard let objective = state.objective(handle: handle) else {
            let own = state.objectives.values.map {
                FoundObjective(id: $0.set.objective, engagement: engagement, qualified: "\(engagementHandle)/\($0.set.handle)")
            }
            throw noSuchObjective(typed, field: field, among: own, in: engagementHandle)
        }
        return FoundObjective(id: objective.set.objective, engagement: engagement, qualified: "\(engagementHandle)/\(handle)")
    }

    private func engagementHandle(_ id: UUID) throws -> String {
        try load(EngagementState.self, .entity(.engagement, id)).state.started?.handle ?? id.uuidString.lowercased()
    }

    /// Every objective of the tenant with its engagement, from the read models (brought up to
    /// date first).
    func objectivesIndex() throws -> [FoundObjective] {
        catchUpReadModels()
        return try connection.execute(
            """
            SELECT b.objective_id, b.engagement_id, coalesce(e.handle, b.engagement_id::text) || '/' || b.handle
              FROM consult.objective_progress b
              LEFT JOIN consult.engagement_status e ON e.tenant_id = b.tenant_id AND e.engagement_id = b.engagement_id
             WHERE b.tenant_id = \(tenant.rawValue)
             ORDER BY 3
            """
        ).map {
            FoundObjective(
                id: try $0.decode(UUID.self, at: 0), engagement: try $0.decode(UUID.self, at: 1),
                qualified: try $0.decode(String.self, at: 2))
        }
    }

    /// "There is no objective …", with the closest names: the bare handle compared with the bare
    /// handles, each offered bare where that names one objective and `text` was bare, else as
    /// `engagement/objective`.
    func noSuchObjective(_ typed: String, field: FieldKey, among candidates: [FoundObjective], in engagement: String? = nil)
        -> CommandFailure
    {
        let qualifiedTyped = typed.contains("/")
        let bare = typed.split(separator: "/", maxSplits: 1).last.map(String.init) ?? typed
        let byHandle = Dictionary(grouping: candidates) { String($0.qualified.split(separator: "/", maxSplits: 1).last ?? "") }
        let closest = Handle.closest(to: bare, among: byHandle.keys).flatMap { handle in
            let found = byHandle[handle] ?? []
            return found.count == 1 && !qualifiedTyped ? [handle] : found.map(\.qualified).sorted()
        }
        return CommandFailure(
            "\(spell(field)): there is no objective with the handle \"\(typed)\"" + (engagement.map { " in the engagement \($0)" } ?? ""),
            advice: closest.isEmpty ? [] : ["did you mean \(closest.prefix(3).map { "\"\($0)\"" }.joined(separator: " or "))?"])
    }
}
