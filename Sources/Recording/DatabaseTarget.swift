import Foundation

/// Where this invocation's database is, and how it was chosen.
///
/// The order is the one users of PostgreSQL tools expect: an explicit flag, then
/// `DATABASE_URL` (the convention of hosted platforms), then libpq's own `PG*` variables and
/// service file, then the project's embedded cluster, and last libpq's built-in defaults.
public struct DatabaseTarget: Equatable {
    public enum Source: Equatable {
        case option
        case databaseURL
        case libpqEnvironment
        case embedded(socketDirectory: String)
        case libpqDefaults
    }

    /// What libpq connects with; nil lets libpq read its environment and defaults.
    public var conninfo: String?
    public var source: Source

    /// A short description for messages, with any password removed.
    public var summary: String {
        switch source {
        case .option: "the database given by --database (\(Self.redacted(conninfo)))"
        case .databaseURL: "the database in DATABASE_URL (\(Self.redacted(conninfo)))"
        case .libpqEnvironment: "the database named by the PG* environment variables"
        case .embedded(let directory): "the embedded cluster (socket in \(directory))"
        case .libpqDefaults: "libpq's default database (no --database, DATABASE_URL, PGHOST or embedded cluster found)"
        }
    }

    public static let embeddedDatabase = "consult"
    public static let embeddedUser = "postgres"

    public static func resolve(
        option: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: String = FileManager.default.currentDirectoryPath,
        executable: String = Locations.executablePath
    ) -> DatabaseTarget {
        if let option, !option.isEmpty { return DatabaseTarget(conninfo: option, source: .option) }
        if let url = environment["DATABASE_URL"], !url.isEmpty {
            return DatabaseTarget(conninfo: url, source: .databaseURL)
        }
        let libpqVariables = ["PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGSERVICE"]
        if libpqVariables.contains(where: { !(environment[$0] ?? "").isEmpty }) {
            return DatabaseTarget(conninfo: nil, source: .libpqEnvironment)
        }
        if let directory = embeddedSocketDirectory(environment: environment, from: [workingDirectory, executable]) {
            // PGUSER picks the role (a member, say); otherwise the cluster's superuser.
            let user = (environment["PGUSER"] ?? "").isEmpty ? " user=\(embeddedUser)" : ""
            let conninfo = "host='\(escape(directory))' dbname=\(embeddedDatabase)\(user)"
            return DatabaseTarget(conninfo: conninfo, source: .embedded(socketDirectory: directory))
        }
        return DatabaseTarget(conninfo: nil, source: .libpqDefaults)
    }

    /// The socket folder of the embedded cluster: `$CONSULT_HOME/.consult/run`, or the first
    /// `.consult/run` found walking up from the working directory, then from the executable
    /// (so `.build/debug/consult` finds its project's cluster from anywhere).
    public static func embeddedSocketDirectory(environment: [String: String], from starts: [String]) -> String? {
        let fileManager = FileManager.default
        if let home = environment["CONSULT_HOME"], !home.isEmpty {
            return URL(fileURLWithPath: home).appendingPathComponent(".consult/run").path
        }
        for start in starts where !start.isEmpty {
            var url = URL(fileURLWithPath: start).standardizedFileURL
            while true {
                let candidate = url.appendingPathComponent(".consult/run")
                var isDirectory: ObjCBool = false
                if fileManager.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue {
                    return candidate.path
                }
                let parent = url.deletingLastPathComponent()
                if parent.path == url.path { break }
                url = parent
            }
        }
        return nil
    }

    /// Quotes a value for a conninfo string: backslash and single quote escaped.
    private static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
    }

    /// The conninfo with its password hidden.
    public static func redacted(_ conninfo: String?) -> String {
        guard let conninfo else { return "" }
        var text = conninfo
        // postgresql://user:secret@host → postgresql://user:***@host
        if let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].lastIndex(of: "@"),
            let colon = text[scheme.upperBound..<at].firstIndex(of: ":")
        {
            text.replaceSubrange(text.index(after: colon)..<at, with: "***")
        }
        // password=secret (key-value form or URI query), by hand: an NSRegularExpression cost
        // every command given --database about 2 ms to start ICU (perf, issue 19 target 7).
        return redactingPasswordValues(text)
    }

    /// `password = value` (any case, spaces around `=`) with the value replaced by `***`: a
    /// value in single quotes runs to the closing quote (backslash escapes the next
    /// character); otherwise to the next space or `&`.
    static func redactingPasswordValues(_ text: String) -> String {
        let characters = Array(text)
        let key = "password"
        var out = ""
        var i = 0
        while i < characters.count {
            guard i + key.count <= characters.count, String(characters[i..<i + key.count]).lowercased() == key else {
                out.append(characters[i])
                i += 1
                continue
            }
            var j = i + key.count
            while j < characters.count, characters[j].isWhitespace { j += 1 }
            guard j < characters.count, characters[j] == "=" else {
                out.append(characters[i])
                i += 1
                continue
            }
            j += 1
            while j < characters.count, characters[j].isWhitespace { j += 1 }
            out += String(characters[i..<j]) + "***"
            if j < characters.count, characters[j] == "'" {
                j += 1
                while j < characters.count, characters[j] != "'" { j += characters[j] == "\\" ? 2 : 1 }
                j = min(j + 1, characters.count)
            } else {
                while j < characters.count, !characters[j].isWhitespace, characters[j] != "&" { j += 1 }
            }
            i = j
        }
        return out
    }
}

/// Where to look for the project's folders: the working directory, then the executable's.
public enum Locations {
    public static var searchStarts: [String] {
        [FileManager.default.currentDirectoryPath, executablePath]
    }

    /// The running executable, symlinks resolved (`/proc/self/exe` on Linux).
    public static var executablePath: String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().path
    }
}
