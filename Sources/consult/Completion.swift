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
        guard kind == .objective else { return handles.filter { $0.hasPrefix(prefix) }.sorted() }
        return objectives(handles, prefix: prefix, engagement: value(of: "--engagement"))
    }

    /// Objectives are offered as `engagement/objective` (issue 16 item 7), and by their bare
    /// handle where that is enough: only one engagement has it, or `--engagement` says which.
    static func objectives(_ qualified: [String], prefix: String, engagement: String?) -> [String] {
        let split = qualified.compactMap { name -> (engagement: String, handle: String)? in
            guard let slash = name.firstIndex(of: "/") else { return nil }
            return (String(name[..<slash]), String(name[name.index(after: slash)...]))
        }
        if let engagement { return split.filter { $0.engagement == engagement && $0.handle.hasPrefix(prefix) }.map(\.handle).sorted() }
        let counts = Dictionary(grouping: split, by: \.handle).mapValues(\.count)
        var offered = Set(qualified.filter { $0.hasPrefix(prefix) })
        for (handle, count) in counts where count == 1 && handle.hasPrefix(prefix) { offered.insert(handle) }
        return offered.sorted()
    }
}
