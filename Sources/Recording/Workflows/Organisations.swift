import BackOffice
import Foundation

/// What a command that creates something recorded: the new entity's id and handle.
public struct Created: Sendable {
    public let id: UUID
    public let handle: String
    public let recorded: [Recorded]
}

extension Recorder {
    /// `org add`: registers an organisation and claims its handle (unique, rule 7).
    public func registerOrganisation(name: String, handle chosen: String? = nil, sector: String?, website: String?, _ request: WriteRequest)
        throws -> Created
    {
        let id = UUID()
        var handle = ""
        let recorded = try record(request) { _ in
            let plan = try Plans.registerOrganisation(self, id: id, name: name, handle: chosen, sector: sector, website: website)
            handle = plan.handle
            return plan.changes
        }
        return Created(id: id, handle: handle, recorded: recorded)
    }

    /// `org rename`: the handle follows the new name; the old handle still names it.
    public func renameOrganisation(_ organisation: String, to name: String, _ request: WriteRequest) throws -> (
        handle: String, recorded: [Recorded]
    ) {
        let (id, _) = try resolve(.organisation, organisation, field: "organisation")
        var handle = ""
        let recorded = try record(request) { _ in
            let plan = try Plans.renameOrganisation(self, id: id, name: name)
            handle = plan.handle ?? handle
            return plan.changes
        }
        return (handle, recorded)
    }
}
