import BackOffice
import Foundation

extension Recorder {
    /// `person add`: the person's stream in the log, their name, e-mail and phone in the
    /// person details, in one transaction.
    public func addPerson(
        name nameGiven: String, handle chosen: String? = nil, organisation: String?, title: String?, level: Level?,
        email emailGiven: String?, phone phoneGiven: String?,
        _ request: WriteRequest
    ) throws -> Created {
        let organisation = try organisation.map { try resolve(.organisation, $0, field: "org").id }
        let name: String
        let email: String?
        let phone: String?
        name = try Text.check(nameGiven, field: "name")
        email = try Text.checkIfPresent(emailGiven, field: "email")
        phone = try Text.checkIfPresent(phoneGiven, field: "phone", limit: 40)
        if let email, email.split(separator: "@").count != 2 || email.contains(" ") {
            throw RuleViolation(rule: 0, field: "email", "\"\(email)\" is not an e-mail address")
        }
        let id = UUID()
        var handle = ""
        let recorded = try record(
            request,
            before: { tx in
                try self.people.insert(id, PersonDirectory.Details(handle: handle, name: name, email: email, phone: phone), on: tx)
            },
            plan: { _ in
                handle = try people.freeHandle(for: chosen ?? name)
                return try Plans.addPerson(id: id, organisation: organisation, title: title, level: level)
            })
        return Created(id: id, handle: handle, recorded: recorded)
    }

    /// `consult forget`: destroys the person's details and records that they were forgotten.
    public func forget(_ person: String, askedBy: ForgetRequester, _ request: WriteRequest) throws -> (id: UUID, recorded: [Recorded]) {
        let facts = try self.person(person, field: "person")
        let recorded = try record(
            request, before: { tx in try self.people.erase(facts.id, on: tx) },
            plan: { _ in [try Plans.change(self, PersonState.self, .entity(.person, facts.id)) { try $0.decide(.forget(askedBy: askedBy)) }]
            }
        )
        return (facts.id, recorded)
    }

    /// A command on one person's stream (move, leave, introductions).
    public func onPerson(_ person: String, _ request: WriteRequest, _ command: @escaping (PersonFacts) throws -> PersonState.Command) throws
        -> [Recorded]
    {
        let facts = try self.person(person, field: "person")
        return try record(request) { _ in
            [try Plans.change(self, PersonState.self, .entity(.person, facts.id)) { try $0.decide(try command(facts)) }]
        }
    }
}
