import ArgumentParser
import BackOffice
import Foundation
import Recording

extension Consult {
    struct Person: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "person",
            abstract: "People at organisations: sponsors, champions, staff, referrers.",
            subcommands: [
                Add.self, Edit.self, Move.self, Leave.self, Merge.self, ListCommand<Listing.Person>.self, ShowCommand<Listing.Person>.self,
            ])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "add",
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
            @Flag(
                help:
                    "Add them even if someone at the same organisation has a close name (otherwise: asked on a terminal, refused when not on one)."
            )
            var yes = false

            func run() throws {
                let recorder = try global.recorder()
                if !yes, try !recorder.replays(write.request) {
                    try Duplicates.vet(try recorder.similarPeople(to: name, organisation: org), adding: name, kind: "person", yes: yes)
                }
                let created = try recorder.addPerson(
                    name: name, handle: handle, organisation: org, title: title, level: level, email: email, phone: phone, write.request)
                try recorder.confirm(created.recorded, write, "Added \(created.handle) (id \(created.id.uuidString.lowercased())).")
            }
        }

        struct Move: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "move",
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
                commandName: "leave",
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

extension Consult.Person {
    /// `person merge KEEP DUPLICATE` (issue 16 item 6).
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merge",
            abstract: "Fold a person added twice into the one kept: the duplicate's events count for them in every report.",
            discussion: """
                Recorded on the duplicate's stream (PersonMerged), nothing removed: the duplicate's handle names \
                the person kept from then on, and `--as-of` a date before the merge shows the two apart. \
                `consult undo` voids the merge. Refused for the same person twice, a forgotten person, a \
                duplicate merged already, and people at different organisations unless --yes.

                Example: consult person merge sam-o-neill sam-o-neill-2 --reason "added twice at the conference"
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var write: WriteOptions
        @Argument(help: "The person kept (handle or id).", completion: .handles(.person)) var person: String
        @Argument(help: "The duplicate, folded into the person kept (handle or id).", completion: .handles(.person)) var duplicate: String
        @Option(help: "Why: the log keeps it with the merge (default: the same person, added twice).") var reason: String?
        @Flag(help: "Merge even though they are at different organisations.") var yes = false

        func run() throws {
            let recorder = try global.recorder()
            let merged = try recorder.mergePerson(person, duplicate, reason: reason, acrossOrganisations: yes, write.request)
            try recorder.confirm(
                merged.recorded, write,
                "Merged \(duplicate) into \(person): the duplicate's events count for \(person) (undo: consult undo).")
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
                Address the person by handle or id; after this, by id only. On a terminal it asks \
                first (--yes does not); a script is not asked.

                Example: consult forget helen-carter --asked-by person
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var write: WriteOptions
        @Argument(help: "The person (handle or id).", completion: .handles(.person)) var person: String
        @Option(name: .customLong("asked-by"), help: "Who asked for it.") var askedBy: ForgetRequester
        @Flag(help: "Do not ask on a terminal.") var yes = false

        func run() throws {
            let recorder = try global.recorder()
            if !yes, Duplicates.onTerminal {
                // Nothing brings the details back: ask, once the person is known to exist.
                _ = try recorder.person(person, field: "person")
                try Duplicates.ask(
                    "forgetting \(person) destroys their name, e-mail and phone for good", question: "Forget them?")
            }
            let forgotten = try recorder.forget(person, askedBy: askedBy, write.request)
            try recorder.confirm(forgotten.recorded, write, "Forgot the details of person \(forgotten.id.uuidString.lowercased()).")
        }
    }
}
