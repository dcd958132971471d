import ArgumentParser
import BackOffice
import Foundation
import Recording

extension Consult {
    struct Person: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "People at organisations: sponsors, champions, staff, referrers.",
            subcommands: [Add.self, Edit.self, Move.self, Leave.self, ListCommand<Listing.Person>.self, ShowCommand<Listing.Person>.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Add a person. Their name, e-mail and phone are kept out of the log, so they can be forgotten.",
                discussion:
                    "Example: consult person add \"Ann Smith\" --org haringey-libraries --title \"Assistant Director\" --level executive")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The person's name.") var name: String
            @Option(help: "Their organisation (handle or id).", completion: .handles(.organisation)) var org: String?
            @Option(help: "Their role title.") var title: String?
            @Option(help: "Their level.") var level: Level?
            @Option(help: "Their e-mail address.") var email: String?
            @Option(help: "Their phone number.") var phone: String?
            @Option(help: "The handle to address them by (default: a slug of their name, transliterated to Latin letters).") var handle:
                String?

            func run() throws {
                let recorder = try global.recorder()
                let created = try recorder.addPerson(
                    name: name, handle: handle, organisation: org, title: title, level: level, email: email, phone: phone, write.request)
                try recorder.confirm(created.recorded, write, "Added \(created.handle) (id \(created.id.uuidString.lowercased())).")
            }
        }

        struct Move: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Record that a person moved to another organisation.",
                discussion: "Example: consult person move ann-smith --to camden-libraries")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The person (handle or id).", completion: .handles(.person)) var person: String
            @Option(help: "The organisation they joined (handle or id).", completion: .handles(.organisation)) var to: String

            func run() throws {
                let recorder = try global.recorder()
                let target = try recorder.resolve(.organisation, to, field: "to").id
                let recorded = try recorder.onPerson(person, write.request) { _ in .move(to: target) }
                try recorder.confirm(recorded, write, "Recorded that \(person) moved to \(to).")
            }
        }

        struct Leave: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Record that a person left their organisation (a risk if they were a sponsor or champion).",
                discussion: "Example: consult person leave ann-smith")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The person (handle or id).", completion: .handles(.person)) var person: String

            func run() throws {
                let recorder = try global.recorder()
                let recorded = try recorder.onPerson(person, write.request) { _ in .leave }
                try recorder.confirm(recorded, write, "Recorded that \(person) left their organisation.")
            }
        }
    }
}

extension Level: ExpressibleByArgument {}
extension ForgetRequester: ExpressibleByArgument {}

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
        @Argument(help: "The person (handle or id).", completion: .handles(.person)) var person: String
        @Option(name: .customLong("asked-by"), help: "Who asked for it.") var askedBy: ForgetRequester

        func run() throws {
            let recorder = try global.recorder()
            let forgotten = try recorder.forget(person, askedBy: askedBy, write.request)
            try recorder.confirm(forgotten.recorded, write, "Forgot the details of person \(forgotten.id.uuidString.lowercased()).")
        }
    }
}
