import ArgumentParser
import BackOffice
import EventStore
import Foundation
import Recording

extension Consult {
    struct Org: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "org", abstract: "Organisations: clients and prospective clients.",
            subcommands: [Add.self, Edit.self, Rename.self, ListCommand<Listing.Org>.self, ShowCommand<Listing.Org>.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "add",
                abstract: "Register an organisation. Its handle is a slug of its name, unique in the consultancy.",
                discussion: "Example: consult org add \"Haringey Libraries\" --sector \"public libraries\"")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The organisation's name.") var name: String
            @Option(help: "Its sector.") var sector: String?
            @Option(help: "Its website.") var website: String?
            @Option(help: "The handle to address it by (default: a slug of its name, transliterated to Latin letters).") var handle: String?
            @Flag(help: "Register it even if an organisation has a close name (otherwise: asked on a terminal, refused when not on one).")
            var yes = false

            func run() throws {
                let recorder = try global.recorder()
                if !yes, try !recorder.replays(write.request) {
                    try Duplicates.vet(
                        try recorder.similarOrganisations(to: name, handle: handle), adding: name, kind: "organisation", yes: yes)
                }
                let created = try recorder.registerOrganisation(name: name, handle: handle, sector: sector, website: website, write.request)
                try recorder.confirm(
                    created.recorded, write, "Registered organisation \(created.handle) (id \(created.id.uuidString.lowercased())).")
            }
        }

        struct Rename: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "rename",
                abstract: "Rename an organisation; its handle follows the new name.",
                discussion: "Example: consult org rename haringey-libraries \"Haringey Library Service\"")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var write: WriteOptions
            @Argument(help: "The organisation (handle or id).", completion: .handles(.organisation)) var organisation: String
            @Argument(help: "The new name.") var name: String

            func run() throws {
                let recorder = try global.recorder()
                let renamed = try recorder.renameOrganisation(organisation, to: name, write.request)
                try recorder.confirm(renamed.recorded, write, "Renamed the organisation to \(name) (handle \(renamed.handle)).")
            }
        }
    }
}
