internal import CLibPQ
import Foundation

/// Keeps passwords out of error text.
///
/// libpq's messages can quote parts of a malformed connection string, and a URI such as
/// `postgresql://ann:s3cret@host/db` carries its password inline. Before any message leaves
/// this module, every password we can find is replaced by `***`.
struct Secrets: Sendable {
    private(set) var passwords: [String] = []

    /// The passwords in a conninfo string or URI: read with libpq's own parser when it can
    /// parse it, and by pattern when it cannot (a malformed string is exactly when libpq
    /// quotes it back).
    init(conninfo: String?, environment: [String: String] = [:]) {
        if let pass = environment["PGPASSWORD"], !pass.isEmpty { passwords.append(pass) }
        guard let conninfo, !conninfo.isEmpty else { return }
        var error: UnsafeMutablePointer<CChar>?
        if let options = PQconninfoParse(conninfo, &error) {
            var option = options
            while let keyword = option.pointee.keyword {
                if String(cString: keyword) == "password", let value = option.pointee.val {
                    passwords.append(String(cString: value))
                }
                option += 1
            }
            PQconninfoFree(options)
        }
        if let error { PQfreemem(error) }
        passwords += Self.guessPasswords(in: conninfo)
        passwords = Array(Set(passwords.filter { !$0.isEmpty })).sorted { $0.count > $1.count }
    }

    mutating func add(_ password: String?) {
        guard let password, !password.isEmpty, !passwords.contains(password) else { return }
        passwords.append(password)
        passwords.sort { $0.count > $1.count }
    }

    /// The text with every known password replaced by `***`.
    func redact(_ text: String) -> String {
        passwords.reduce(text) { $0.replacingOccurrences(of: $1, with: "***") }
    }

    /// `scheme://user:PASSWORD@host…`, and `password=VALUE` / `password = 'VALUE'` in a
    /// key-value string or a URI query.
    static func guessPasswords(in conninfo: String) -> [String] {
        var found: [String] = []
        if let scheme = conninfo.range(of: "://") {
            let rest = conninfo[scheme.upperBound...]
            if let at = rest.lastIndex(of: "@") {
                let userinfo = rest[..<at]
                if let colon = userinfo.firstIndex(of: ":") {
                    let password = String(userinfo[userinfo.index(after: colon)...])
                    found.append(password)
                    found.append(password.removingPercentEncoding ?? password)
                }
            }
        }
        var search = conninfo[...]
        while let key = search.range(of: "password", options: .caseInsensitive) {
            var rest = search[key.upperBound...].drop { $0 == " " }
            guard rest.first == "=" else {
                search = search[key.upperBound...]
                continue
            }
            rest = rest.dropFirst().drop { $0 == " " }
            let value: Substring
            if rest.first == "'" {
                value = rest.dropFirst().prefix { $0 != "'" }
            } else {
                value = rest.prefix { $0 != " " && $0 != "&" }
            }
            found.append(String(value))
            found.append(String(value).removingPercentEncoding ?? String(value))
            search = rest
        }
        return found.filter { !$0.isEmpty }
    }
}
