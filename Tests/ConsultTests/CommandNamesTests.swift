import Foundation
import Testing

/// Every command names itself (`CommandConfiguration(commandName:)`). ArgumentParser builds the
/// whole command tree at every start, and names a command without one by
/// `String(describing: Self.self)`: a dynamic cast of the metatype to three or four protocols,
/// each a scan of every protocol conformance record in the binary (about 7,200 in the release
/// build). Across 80 commands that was a third of `consult --version`'s CPU in perf (issue 19
/// target 7), paid by every command before it runs.
@Suite("command names")
struct CommandNamesTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/consult")

    @Test("every ParsableCommand of the CLI names itself in its configuration")
    func explicitNames() throws {
        let files = try FileManager.default.contentsOfDirectory(at: Self.sources, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "swift" }
        var commands = 0
        var unnamed: [String] = []
        let command = try Regex(
            #"struct (\w+): ParsableCommand \{\s*(?:static let version[^\n]*\s*)?static let configuration = CommandConfiguration\(\s*(commandName:)?"#
        )
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: command) {
                commands += 1
                if match.output[2].substring == nil {
                    unnamed.append("\(file.lastPathComponent): \(match.output[1].substring.map(String.init) ?? "?")")
                }
            }
            // A command without a configuration would be named by its type too.
            let declared = text.matches(of: try Regex(#"struct \w+: ParsableCommand \{"#)).count
            let configured = text.matches(of: command).count
            #expect(declared == configured, "\(file.lastPathComponent): a ParsableCommand without `static let configuration` first")
        }
        // 105 commands when this test was written: the scan found them.
        #expect(commands >= 100)
        #expect(unnamed.isEmpty, "commands named by their type: \(unnamed)")
    }
}
