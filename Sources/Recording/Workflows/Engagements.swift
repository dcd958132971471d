import BackOffice
import Foundation

extension Recorder {
    /// `engagement start`: an engagement with an organisation, in planning until its first
    /// objective (rule 1).
    public func startEngagement(organisation: String, terms: EngagementTerms, _ request: WriteRequest) throws -> Created {
        let (organisationID, _) = try resolve(.organisation, organisation, field: "organisation")
        let id = UUID()
        var handle = ""
        let recorded = try record(request) { _ in
            let plan = try Plans.startEngagement(self, id: id, organisation: organisationID, lead: nil, terms: terms)
            handle = plan.handle
            return plan.changes
        }
        return Created(id: id, handle: handle, recorded: recorded)
    }

    /// A command on one engagement's stream, built from its state (a checklist item named by
    /// handle, say) and people resolved through this recorder.
    public func onEngagement(
        _ engagement: String, _ request: WriteRequest, _ command: @escaping (Recorder, EngagementState) throws -> EngagementState.Command
    ) throws -> [Recorded] {
        let (id, _) = try resolve(.engagement, engagement, field: "engagement")
        return try record(request) { _ in
            [try Plans.change(self, EngagementState.self, .entity(.engagement, id)) { try $0.decide(try command(self, $0)) }]
        }
    }

    /// `objective set`: the objective in its engagement's stream, and its handle.
    public func setObjective(
        engagement: String, handle: String?, businessArea: String, statement: String, metric: String, unit: String?,
        direction: Direction, baseline: String, target: String, due: String, _ request: WriteRequest
    ) throws -> Created {
        let (engagementID, _) = try resolve(.engagement, engagement, field: "engagement")
        let baseline = try Self.number(baseline, field: "baseline")
        let target = try Self.number(target, field: "target")
        let due = try Self.day(due, field: "due")!
        let id = UUID()
        var claimed = ""
        let recorded = try record(request) { _ in
            let plan = try Plans.setObjective(
                self, engagement: engagementID, id: id, handle: handle, businessArea: businessArea, statement: statement, metric: metric,
                unit: unit, direction: direction, baseline: baseline, target: target, due: due)
            claimed = plan.handle
            return plan.changes
        }
        return Created(id: id, handle: claimed, recorded: recorded)
    }

    /// A command on an objective (`engagement/objective`, a bare handle, or an id; `engagement`
    /// scopes a bare handle), in its engagement's stream.
    public func onObjective(
        _ objective: String, engagement scope: String? = nil, _ request: WriteRequest,
        _ command: @escaping (UUID) throws -> EngagementState.Command
    ) throws -> [Recorded] {
        let scoped = try scope.map { try resolve(.engagement, $0, field: "engagement").id }
        let found = try self.objective(objective, field: "objective", engagement: scoped)
        let (id, engagement) = (found.id, found.engagement)
        return try record(request) { _ in
            [try Plans.change(self, EngagementState.self, .entity(.engagement, engagement)) { try $0.decide(try command(id)) }]
        }
    }

    /// A checklist item of an engagement's handover, by handle or id.
    public static func handoverItem(_ item: String, in state: EngagementState) throws -> UUID {
        if let id = UUID(uuidString: item) { return id }
        guard let id = state.handover?.itemHandles[Handle.slug(item)] else {
            throw CommandFailure("item: there is no checklist item \"\(item)\" on this handover")
        }
        return id
    }
}
