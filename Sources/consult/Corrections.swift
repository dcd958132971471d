import ArgumentParser
import BackOffice
import Foundation
import Recording
import Reports

// Corrections (issue 16 item 4): each records a new event that names what it corrects and why;
// `consult log` shows the original and the correction, reports the corrected state.

extension Consult.Person {
    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "edit",
            abstract: "Edit a person's name, title, level, e-mail or phone. The handle stays; a new name's handle names them too.",
            discussion: """
                Name, e-mail and phone are kept out of the log (so they can be forgotten): the log records \
                which of them changed, never their values. Title and level are recorded with their \
                earlier values, so `consult undo` can put them back.

                Example: consult person edit ann-smith --title "Director of Libraries" --level executive --email ann@haringey.gov.uk
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var write: WriteOptions
        @Argument(help: "The person (handle or id).", completion: .handles(.person)) var person: String
        @Option(help: "Their name.") var name: String?
        @Option(help: "Their role title.") var title: String?
        @Option(help: "Their level.") var level: Level?
        @Option(help: "Their e-mail address.") var email: String?
        @Option(help: "Their phone number.") var phone: String?

        func run() throws {
            let recorder = try global.recorder()
            let recorded = try recorder.editPerson(
                person, name: name, title: title, level: level, email: email, phone: phone, write.request)
            // A renamed person answers to their new name's handle too (issue 16 item 4).
            let second = try name.map { Handle.slug($0) }.flatMap { slug in
                try recorder.people.person(handle: slug) == recorder.person(person, field: "person").id ? slug : nil
            }
            try recorder.confirm(recorded, write, "Edited \(person)" + (second.map { " (it answers to \($0) too)" } ?? "") + ".")
        }
    }
}

extension Consult.Org {
    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "edit",
            abstract: "Edit an organisation's name or sector. A new name gives a new handle; the old one still names it.",
            discussion: "Example: consult org edit haringey-libraries --name \"Haringey Library Service\" --sector \"public libraries\"")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var write: WriteOptions
        @Argument(help: "The organisation (handle or id).", completion: .handles(.organisation)) var organisation: String
        @Option(help: "Its new name.") var name: String?
        @Option(help: "Its sector (\"\" clears it).") var sector: String?

        func run() throws {
            let recorder = try global.recorder()
            let edited = try recorder.editOrganisation(organisation, name: name, sector: sector, write.request)
            try recorder.confirm(
                edited.recorded, write, "Edited \(organisation)" + (edited.handle.map { " (handle now \($0))" } ?? "") + ".")
        }
    }
}

/// The reason every correction asks for.
struct ReasonOption: ParsableArguments {
    @Option(help: "Why: the log keeps it with the correction.") var reason: String
}

extension Consult.Engagement.Work {
    struct VoidEntry: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "void", abstract: "Void a work entry logged by mistake (its hours count no more; the log keeps both).",
            discussion: "Example: consult engagement work void 1234 --reason \"logged on the wrong engagement\"")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var write: WriteOptions
        @Argument(help: "The work entry: its number in `consult log` (# column) or its event id.") var entry: String
        @OptionGroup var why: ReasonOption

        func run() throws {
            let recorder = try global.recorder()
            try recorder.confirm(
                try recorder.correctWork(entry, hours: nil, reason: why.reason, write.request), write, "Voided work entry \(entry).")
        }
    }

    struct Correct: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "correct",
            abstract: "Correct a work entry's hours (0 voids it; never negative).",
            discussion: "Example: consult engagement work correct 1234 --hours 1.2 --reason \"typed 12 for 1.2\"")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var write: WriteOptions
        @Argument(help: "The work entry: its number in `consult log` (# column) or its event id.") var entry: String
        @Option(help: "The hours it should have been: \(Hours.forms).") var hours: String
        @OptionGroup var why: ReasonOption

        func run() throws {
            let recorder = try global.recorder()
            try recorder.confirm(
                try recorder.correctWork(entry, hours: hours, reason: why.reason, write.request), write,
                "Corrected work entry \(entry) to \(hours) h.")
        }
    }
}

extension Consult.Engagement.Session_ {
    struct VoidEntry: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "void", abstract: "Void a coaching session that did not take place (the log keeps both).",
            discussion: "Example: consult engagement session void 1240 --reason \"cancelled on the day\"")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var write: WriteOptions
        @Argument(help: "The session: its number in `consult log` (# column) or its event id.") var session: String
        @OptionGroup var why: ReasonOption

        func run() throws {
            let recorder = try global.recorder()
            try recorder.confirm(
                try recorder.correctSession(session, minutes: nil, reason: why.reason, write.request), write,
                "Voided coaching session \(session).")
        }
    }

    struct Correct: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "correct",
            abstract: "Correct a coaching session's length (0 voids it).",
            discussion: "Example: consult engagement session correct 1240 --minutes 60 --reason \"ended early\"")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var write: WriteOptions
        @Argument(help: "The session: its number in `consult log` (# column) or its event id.") var session: String
        @Option(help: "How long it was, in minutes.") var minutes: Int
        @OptionGroup var why: ReasonOption

        func run() throws {
            let recorder = try global.recorder()
            try recorder.confirm(
                try recorder.correctSession(session, minutes: minutes, reason: why.reason, write.request), write,
                "Corrected coaching session \(session) to \(minutes) minutes.")
        }
    }
}

extension Consult.Lead {
    /// `lead back`: the counterpart of `lead advance` (a lost lead comes back with `lead reopen`).
    struct Back: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "back",
            abstract: "Move an open lead back to an earlier stage, with a reason (a lost lead comes back with `lead reopen`).",
            discussion: "Example: consult lead back camden-libraries --to qualified --reason \"the budget holder asked to start again\"")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var write: WriteOptions
        @Argument(help: "The lead (handle or id).", completion: .handles(.lead)) var lead: String
        @Option(help: "The earlier stage: new, contacted, qualified.") var to: Stage
        @OptionGroup var why: ReasonOption

        func run() throws {
            try LeadRecording.apply(global, write, lead, "Moved \(lead) back to \(to.rawValue).") { .moveBack(to: to, reason: why.reason) }
        }
    }
}

extension Consult.Referral {
    struct Correct: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "correct",
            abstract: "Credit a referral to the person who really made it, or correct the value it brought (open or won).",
            discussion: """
                Examples:
                  consult referral correct camden-libraries --from raj-patel --reason "Raj made the introduction"
                  consult referral correct camden-libraries --value "5600 GBP" --reason "the fee agreed was 5,600"
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var write: WriteOptions
        @Argument(help: "The lead the referral brought (handle or id).", completion: .handles(.lead)) var lead: String
        @Option(help: "Who made the referral (person).", completion: .handles(.person)) var from: String?
        @Option(help: "Its value, with a currency: \"5600 GBP\".") var value: String?
        @OptionGroup var why: ReasonOption

        func validate() throws {
            // One correction a command, so each is undone on its own.
            guard (from == nil) != (value == nil) else { throw ValidationError("give one of --from or --value") }
        }

        func run() throws {
            let recorder = try global.recorder()
            let referrer = try from.map { try recorder.person($0, field: "from") }
            let value = try recorder.money(value, field: "value")
            let all = try recorder.onLead(lead, write.request) {
                if let referrer { return .correctReferrer(referrer, reason: why.reason) }
                return .correctValue(to: value!, reason: why.reason)
            }
            try recorder.confirm(all, write, "Corrected the referral of \(lead).")
        }
    }
}

extension Consult.HandoverCommand.Item {
    struct Reopen: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reopen",
            abstract: "Reopen a checklist item marked completed or waived by mistake (before the handover completes).",
            discussion: "Example: consult handover item reopen libraries-on-twitter passwords --reason \"the vault is not shared yet\"")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var write: WriteOptions
        @Argument(help: "The engagement (handle or id).", completion: .handles(.engagement)) var engagement: String
        @Argument(help: "The checklist item (handle or id).") var item: String
        @OptionGroup var why: ReasonOption

        func run() throws {
            try EngagementRecording.apply(global, write, engagement, "Reopened checklist item \(item).") { _, state in
                .reopenHandoverItem(try Recorder.handoverItem(item, in: state), reason: why.reason)
            }
        }
    }
}

extension Consult.HandoverCommand.FollowUp {
    struct Correct: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "correct",
            abstract: "Correct a follow-up check's figures.",
            discussion:
                "Example: consult handover follow-up correct 1302 --active --posts-per-week 4 --reason \"looked at the wrong account\"")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var write: WriteOptions
        @Argument(help: "The check: its number in `consult log` (# column) or its event id.") var check: String
        @Flag(inversion: .prefixedNo, help: "Whether the account is active.") var active: Bool
        @Option(name: .customLong("posts-per-week"), help: "How often it posts.") var postsPerWeek: Double?
        @OptionGroup var why: ReasonOption

        func run() throws {
            let recorder = try global.recorder()
            try recorder.confirm(
                try recorder.correctFollowUp(check, accountActive: active, postsPerWeek: postsPerWeek, reason: why.reason, write.request),
                write, "Corrected follow-up check \(check).")
        }
    }
}

extension Consult {
    struct Undo: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "undo",
            abstract: "Revert your last command (or --command ID) by recording compensating events; undo is itself undoable.",
            discussion: """
                Nothing is removed from the log: a work entry is voided, a correction corrected back, a \
                stage moved back, each naming the command undone. A command is undone once; undo the \
                undo to bring it back. Refused, saying why, where nothing can revert a fact (a forgotten \
                person, a won lead, personal details edited).

                Examples:
                  consult undo
                  consult undo --command 3f0c9d2e-8a41-4e57-9a0e-2b6c1d7e9f10
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var write: WriteOptions
        @Option(help: ArgumentHelp("The command to undo (any member's; default: your last).", valueName: "uuid")) var command: String?

        func run() throws {
            let recorder = try global.recorder()
            let undone = try recorder.undo(command: command, write.request)
            if write.format == .text, recorder.replayedCommand == nil {
                print("Undid command \(undone.command.uuidString.lowercased()):")
                for line in undone.reverted { print("  " + Neutralise.terminal(line)) }
            }
            try recorder.confirm(
                undone.recorded, write, "Recorded \(undone.recorded.count) compensating event\(undone.recorded.count == 1 ? "" : "s").")
        }
    }
}
