import BackOffice
import Foundation

extension Recorder {
    /// `lead capture` and `referral receive`: a lead with an organisation, and its handle.
    public func captureLead(
        organisation: String, source: LeadSource, value: String?, expectedClose: String?, need: String?,
        referral: LeadState.Referral? = nil, _ request: WriteRequest
    ) throws -> Created {
        let (organisationID, _) = try resolve(.organisation, organisation, field: "organisation")
        let value = try money(value, field: "value")
        let close = try Self.day(expectedClose, field: "expectedClose")
        let id = UUID()
        var handle = ""
        let recorded = try record(request) { _ in
            let plan = try Plans.captureLead(
                self, id: id, organisation: organisationID, source: source, value: value, expectedClose: close, need: need,
                referral: referral)
            handle = plan.handle
            return plan.changes
        }
        return Created(id: id, handle: handle, recorded: recorded)
    }

    /// `referral receive`: a lead from an introduction, naming who made it (rule 6).
    public func receiveReferral(
        organisation: String, from referrer: String, via: String?, warmth: String?, value: String?, expectedClose: String?,
        need: String?, _ request: WriteRequest
    ) throws -> Created {
        let referrer = try person(referrer, field: "from")
        let via = try via.map { try resolve(.engagement, $0, field: "via").id }
        return try captureLead(
            organisation: organisation, source: .referral, value: value, expectedClose: expectedClose, need: need,
            referral: LeadState.Referral(referrer: referrer, via: via, warmth: warmth), request)
    }

    /// A command on one lead's stream.
    public func onLead(_ lead: String, _ request: WriteRequest, _ command: @escaping () throws -> LeadState.Command) throws -> [Recorded] {
        let (id, _) = try resolve(.lead, lead, field: "lead")
        return try record(request) { _ in
            [try Plans.change(self, LeadState.self, .entity(.lead, id)) { try $0.decide(try command()) }]
        }
    }

    /// `lead win`: wins the lead and starts its engagement in one atomic append (rule 5).
    public func winLead(_ lead: String, terms: EngagementTerms, _ request: WriteRequest) throws -> Created {
        let (leadID, _) = try resolve(.lead, lead, field: "lead")
        let engagementID = UUID()
        var handle = ""
        let recorded = try record(request) { _ in
            let plan = try Plans.winLead(self, lead: leadID, engagement: engagementID, terms: terms)
            handle = plan.handle
            return plan.changes
        }
        return Created(id: engagementID, handle: handle, recorded: recorded)
    }
}
