import BackOffice
import Foundation
import Reports

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
    /// The duplicates merged into them are the same person: forgotten with them (issue 16
    /// item 6), or their details would outlive the forgetting, out of reach of any handle.
    public func forget(_ person: String, askedBy: ForgetRequester, _ request: WriteRequest) throws -> (id: UUID, recorded: [Recorded]) {
        let facts = try self.person(person, field: "person")
        let merged = try merges()
        let duplicates = merged.keys.filter { $0 != facts.id && ReportInput.canonical($0, merged) == facts.id }
            .sorted { $0.uuidString < $1.uuidString }
        let recorded = try record(
            request,
            before: { tx in
                for id in [facts.id] + duplicates { try self.people.erase(id, on: tx) }
            },
            plan: { _ in
                try ([facts.id] + duplicates).compactMap { id in
                    let (state, _) = try self.load(PersonState.self, .entity(.person, id))
                    // A duplicate forgotten on its own before the merge was undone stays as it is.
                    guard id == facts.id || !state.forgotten else { return nil }
                    return try Plans.change(self, PersonState.self, .entity(.person, id)) { try $0.decide(.forget(askedBy: askedBy)) }
                }
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
