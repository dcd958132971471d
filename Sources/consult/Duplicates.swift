import ArgumentParser
import Foundation
import Recording
import Reports

#if canImport(Glibc)
    import Glibc
#endif

/// Adding a name close to one the consultancy has (issue 16 item 6): on a terminal (standard
/// input and error both), a warning and a question, y/N; otherwise a refusal naming the records
/// found, unless `--yes`. Nothing is recorded when the answer is no.
enum Duplicates {
    static func vet(_ found: [SimilarRecord], adding name: String, kind: String, yes: Bool) throws {
        guard !found.isEmpty else { return }
        let listed = found.map { "\($0.name) (\($0.handle))" }.joined(separator: ", ")
        try confirm(
            "\"\(name)\" is close to the \(found.count == 1 ? kind : kind == "person" ? "people" : kind + "s") \(listed)",
            question: "Add anyway?",
            advice: "Use the existing handle if it is the same \(kind); if not, run the command again with --yes.", yes: yes)
    }

    /// A name that is likely a slip (`close` says of what): with `yes`, nothing to ask; on a
    /// terminal, `question` y/N; otherwise refused with `advice`. Nothing is recorded on a no.
    static func confirm(_ close: String, question: String, advice: String, yes: Bool) throws {
        guard !yes else { return }
        if onTerminal {
            try ask(close, question: question)
            return
        }
        throw CommandFailure("\(close); nothing was recorded", advice: [advice])
    }

    /// Whether a question can be asked: standard input and error both a terminal.
    static var onTerminal: Bool { isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1 }

    /// `consult: <what>. <question> [y/N]` on standard error; anything but y or yes refuses.
    static func ask(_ what: String, question: String) throws {
        FileHandle.standardError.write(Data(Neutralise.terminal("consult: \(what). \(question) [y/N] ").utf8))
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
        guard answer == "y" || answer == "yes" else { throw CommandFailure("\(what); nothing was recorded") }
    }
}
