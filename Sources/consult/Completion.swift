import ArgumentParser
import BackOffice
import Foundation
import Postgres
import Recording

extension CompletionKind {
    /// The tenant's handles of a kind. The shell asks `consult` itself (ArgumentParser's
    /// `---completion` call): read-only, one short query on the read models, and silent (no
    /// handle offered) on any error, so a shell never shows a database message.
    static func handles(_ kind: EntityKind) -> CompletionKind {
        .custom { words, _, prefix in HandleCompletion.handles(kind, words: words, prefix: prefix) }
    }
}

enum HandleCompletion {
    static func handles(_ kind: EntityKind, words: [String], prefix: String) -> [String] {
        func value(of flag: String) -> String? {
            if let index = words.firstIndex(of: flag), index + 1 < words.count { return words[index + 1] }
            return words.first { $0.hasPrefix(flag + "=") }.map { String($0.dropFirst(flag.count + 1)) }
        }
        let target = DatabaseTarget.resolve(option: value(of: "--database"))
        guard let connection = try? Database.connectBriefly(target, seconds: 2),
            let recorder = try? Recorder(connection: connection, tenant: value(of: "--tenant")),
            let handles = try? recorder.handles(of: kind)
        else { return [] }
        return handles.filter { $0.hasPrefix(prefix) }.sorted()
    }
}
