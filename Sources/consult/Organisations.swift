import ArgumentParser
import BackOffice
import EventStore
import Foundation
import Postgres

extension Consult {
    struct Org: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "org", abstract: "Organisations: clients and prospective clients.", subcommands: [Add.self, Rename.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Register an organisation. Its handle is a slug of its name, unique in the consultancy.",
                discussion: "Example: consult org add \"Haringey Libraries\" --sector \"public libraries\"")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The organisation's name.") var name: String
            @Option(help: "Its sector.") var sector: String?
            @Option(help: "Its website.") var website: String?

            func run() throws {
                let session = try Session(global)
                let id = UUID()
                var handle = ""
                let recorded = try session.record(write) { _ in
                    let registered = try OrganisationState().decide(.register(id: id, name: name, sector: sector, website: website))
                    let claim: Change
                    (handle, claim) = try session.claimHandle(.organisation, name: name, id: id, unique: true)
                    return [Change(stream: Session.stream(.organisation, id), expected: .noStream, events: registered), claim]
                }
                try session.confirm(recorded, write, "Registered organisation \(handle) (id \(id.uuidString.lowercased())).")
            }
        }

        struct Rename: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Rename an organisation; its handle follows the new name.",
                discussion: "Example: consult org rename haringey-libraries \"Haringey Library Service\"")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The organisation (handle or id).") var organisation: String
            @Argument(help: "The new name.") var name: String

            func run() throws {
                let session = try Session(global)
                let (id, _) = try session.resolve(.organisation, organisation, field: "organisation")
                var handle = ""
                let recorded = try session.record(write) { _ in
                    let stream = Session.stream(.organisation, id)
                    let (state, version) = try session.load(OrganisationState.self, stream)
                    let events = try state.decide(.rename(name: name))
                    guard let renamed = events.first as? OrganisationRenamed else { return [] }
                    handle = renamed.handle
                    var changes = [Change(stream: stream, expected: .exactly(version), events: events)]
                    if renamed.handle != state.handle {
                        let (_, claim) = try session.claimHandle(.organisation, name: name, id: id, unique: true)
                        changes.append(claim)
                        if let old = state.handle {
                            let oldStream = Session.handleStream(.organisation, old)
                            let (held, heldVersion) = try session.load(HandleState.self, oldStream)
                            changes.append(Change(stream: oldStream, expected: .exactly(heldVersion), events: try held.decide(.release)))
                        }
                    }
                    return changes
                }
                try session.confirm(recorded, write, "Renamed the organisation to \(name) (handle \(handle)).")
            }
        }
    }

    struct Person: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "People at organisations: sponsors, champions, staff, referrers.", subcommands: [Add.self, Move.self, Leave.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Add a person. Their name, e-mail and phone are kept out of the log, so they can be forgotten.",
                discussion:
                    "Example: consult person add \"Ann Smith\" --org haringey-libraries --title \"Assistant Director\" --level executive")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The person's name.") var name: String
            @Option(help: "Their organisation (handle or id).") var org: String?
            @Option(help: "Their role title.") var title: String?
            @Option(help: "Their level.") var level: Level?
            @Option(help: "Their e-mail address.") var email: String?
            @Option(help: "Their phone number.") var phone: String?

            func run() throws {
                let session = try Session(global)
                let organisation = try org.map { try session.resolve(.organisation, $0, field: "--org").id }
                let name: String
                let email: String?
                let phone: String?
                do {
                    name = try Text.check(self.name, field: "name")
                    email = try Text.checkIfPresent(self.email, field: "email")
                    phone = try Text.checkIfPresent(self.phone, field: "phone", limit: 40)
                } catch {
                    throw CommandFailure(error.cliMessage)
                }
                if let email, email.split(separator: "@").count != 2 || email.contains(" ") {
                    throw CommandFailure("--email: \"\(email)\" is not an e-mail address")
                }
                let id = UUID()
                var handle = ""
                let recorded = try session.record(
                    write,
                    before: { tx in
                        try tx.execute(
                            """
                            INSERT INTO consult.person_details (tenant_id, person_id, handle, name, email, phone)
                            VALUES (\(session.tenant?.rawValue), \(id), \(handle), \(name), \(email), \(phone))
                            """)
                    },
                    plan: { _ in
                        handle = try session.personHandle(for: name)
                        let events = try PersonState().decide(.add(id: id, organisation: organisation, title: title, level: level))
                        return [Change(stream: Session.stream(.person, id), expected: .noStream, events: events)]
                    })
                try session.confirm(recorded, write, "Added \(handle) (id \(id.uuidString.lowercased())).")
            }
        }

        struct Move: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Record that a person moved to another organisation.",
                discussion: "Example: consult person move ann-smith --to camden-libraries")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The person (handle or id).") var person: String
            @Option(help: "The organisation they joined (handle or id).") var to: String

            func run() throws {
                let session = try Session(global)
                let facts = try session.person(person, field: "person")
                let target = try session.resolve(.organisation, to, field: "--to").id
                let recorded = try session.record(write) { _ in
                    try session.change(PersonState.self, Session.stream(.person, facts.id)) { try $0.decide(.move(to: target)) }
                }
                try session.confirm(recorded, write, "Recorded that \(person) moved to \(to).")
            }
        }

        struct Leave: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Record that a person left their organisation (a risk if they were a sponsor or champion).",
                discussion: "Example: consult person leave ann-smith")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The person (handle or id).") var person: String

            func run() throws {
                let session = try Session(global)
                let facts = try session.person(person, field: "person")
                let recorded = try session.record(write) { _ in
                    try session.change(PersonState.self, Session.stream(.person, facts.id)) { try $0.decide(.leave) }
                }
                try session.confirm(recorded, write, "Recorded that \(person) left their organisation.")
            }
        }
    }
}

extension Level: ExpressibleByArgument {}
extension ForgetRequester: ExpressibleByArgument {}

extension Session {
    /// Loads a stream, decides on it, and returns the change at the version loaded.
    func change<D: Decider>(_ type: D.Type, _ stream: String, _ decide: (D) throws -> [any DomainEvent]) throws -> [Change] {
        let (state, version) = try load(D.self, stream)
        return [Change(stream: stream, expected: version == 0 ? .noStream : .exactly(version), events: try decide(state))]
    }
}

extension Consult.Person {
    /// `consult forget PERSON`.
    struct Forget: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "forget",
            abstract: "Make a person's name, e-mail and phone unrecoverable; the log keeps only their id.",
            discussion: """
                Deletes the person's details (they were never in the log) and records that they were \
                forgotten, with who asked and when, and no personal data. Reports then show "(erased)". \
                Address the person by handle or id; after this, by id only.

                Example: consult forget helen-carter --asked-by person
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var write: WriteOptions
        @Argument(help: "The person (handle or id).") var person: String
        @Option(name: .customLong("asked-by"), help: "Who asked for it.") var askedBy: ForgetRequester

        func run() throws {
            let session = try Session(global)
            let facts = try session.person(person, field: "person")
            let recorded = try session.record(
                write,
                before: { tx in
                    try tx.execute(
                        "DELETE FROM consult.person_details WHERE tenant_id = \(session.tenant?.rawValue) AND person_id = \(facts.id)")
                },
                plan: { _ in
                    try session.change(PersonState.self, Session.stream(.person, facts.id)) { try $0.decide(.forget(askedBy: askedBy)) }
                })
            try session.confirm(recorded, write, "Forgot the details of person \(facts.id.uuidString.lowercased()).")
        }
    }
}
