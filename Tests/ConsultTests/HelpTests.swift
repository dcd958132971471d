import Foundation
import TestSupport
import Testing

@Suite("help and completions")
struct HelpTests {
    /// Every leaf command, from ArgumentParser's own description of the tree.
    static func leafCommands() throws -> [[String]] {
        let output = try ConsultProcess.run(["--experimental-dump-help"])
        let root = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        var leaves: [[String]] = []
        func walk(_ command: [String: Any], _ path: [String]) {
            let subcommands = (command["subcommands"] as? [[String: Any]] ?? []).filter { $0["commandName"] as? String != "help" }
            if subcommands.isEmpty, !path.isEmpty { leaves.append(path) }
            for sub in subcommands { walk(sub, path + [sub["commandName"] as? String ?? "?"]) }
        }
        walk(root["command"] as? [String: Any] ?? [:], [])
        return leaves
    }

    @Test("`consult help <command>` shows an example for every command")
    func examples() throws {
        let leaves = try Self.leafCommands()
        #expect(leaves.count >= 45, "only \(leaves.count) commands found")
        for path in leaves {
            let help = try ConsultProcess.run(["help"] + path)
            #expect(help.status == 0, "\(path)")
            // Help text is wrapped at 80 columns: compare with the line breaks folded.
            let text = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(
                text.contains("Example") && text.contains("consult \(path.joined(separator: " "))"),
                "no example in the help of \(path.joined(separator: " "))")
        }
    }

    @Test("shell completions for bash and zsh name the commands", arguments: ["bash", "zsh"])
    func completions(_ shell: String) throws {
        let output = try ConsultProcess.run(["--generate-completion-script", shell])
        #expect(output.status == 0)
        for word in ["objective", "measure", "handover", "follow-up", "referral"] {
            #expect(output.stdout.contains(word), "\(shell) completions lack \(word)")
        }
    }

    @Test("a mistyped or shortened command is named, as git and kubectl do; exit 64, nothing on stdout")
    func didYouMean() throws {
        for (arguments, hint) in [
            (["obj", "list"], "did you mean 'consult objective'?"),
            (["engagment", "show", "x"], "did you mean 'consult engagement'?"),
            (["objective", "lst"], "did you mean 'consult objective list' or 'consult objective set'?"),
        ] {
            let output = try ConsultProcess.run(arguments)
            #expect(output.status == 64, "\(arguments)")
            #expect(output.stdout.isEmpty)
            #expect(output.stderr.hasSuffix("\(hint)\n"), "\(arguments): \(output.stderr)")
        }
        // Nothing close: ArgumentParser's words alone.
        let far = try ConsultProcess.run(["zzzz"])
        #expect(far.status == 64 && !far.stderr.contains("did you mean"), "\(far.stderr)")
    }
}
