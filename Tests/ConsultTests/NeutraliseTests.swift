import EventStore
import Foundation
import TestSupport
import Testing

/// Issue 18, item 8: what a spreadsheet, a Markdown page or a terminal is given is never live.
@Suite("output neutralised, hidden characters refused", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct NeutraliseTests {
    @Test("a formula stays text in CSV, HTML stays text in Markdown, numbers stay numbers")
    func csvAndMarkdown() throws {
        let fixture = try MonthFixture()
        for name in ["=cmd|' /C calc'!A0", "+1 Formula", "@SUM(A1)", "<script>alert(1)</script> Ltd"] {
            let added = try fixture.consult(["org", "add", name])
            #expect(added.status == 0, "\(added.stderr)")
        }
        let csv = try fixture.consult(["org", "list", "--format", "csv"]).stdout
        // OWASP: a leading ' makes the cell text in every spreadsheet.
        #expect(csv.contains("\r\n1-formula,'+1 Formula,"))
        #expect(csv.contains(",'=cmd|' /C calc'!A0,"))
        #expect(csv.contains(",'@SUM(A1),"))
        #expect(!csv.contains(",=") && !csv.contains(",+") && !csv.contains(",@"))
        let markdown = try fixture.consult(["org", "list", "--format", "markdown"]).stdout
        #expect(markdown.contains("&lt;script&gt;alert(1)&lt;/script&gt; Ltd"))
        #expect(!markdown.contains("<script>"))
    }

    @Test("text that arrived around the CLI reaches the terminal without its escape sequences")
    func terminal() throws {
        let fixture = try MonthFixture()
        let owner = try fixture.database.connect()
        defer { owner.close() }
        // As if imported or appended with psql: a name that sets the terminal's title and colours.
        let id = UUID()
        let name = "\u{1B}]0;pwned\u{07}\u{1B}[31mEvil\u{9B}Co"
        let body = try JSONSerialization.data(withJSONObject: ["organisation": id.uuidString, "handle": "evil-co", "name": name])
        _ = try EventStore(connection: owner, tenant: fixture.tenant).append(
            [NewEvent(stream: "organisation-\(id.uuidString.lowercased())", type: "OrganisationRegistered", data: body)],
            to: "organisation-\(id.uuidString.lowercased())", expecting: .noStream)
        for arguments in [["org", "list"], ["org", "show", id.uuidString], ["log", "--org", id.uuidString], ["search", "Evil"]] {
            let output = try fixture.consult(arguments)
            #expect(output.status == 0, "\(arguments): \(output.stderr)")
            #expect(
                !output.stdout.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || (0x7F...0x9F).contains($0.value) }, "\(arguments)"
            )
            // ESC and BEL shown as their control pictures, the C1 CSI as U+FFFD.
            #expect(output.stdout.contains("␛]0;pwned␇␛[31mEvil\u{FFFD}Co"), "\(arguments): \(output.stdout)")
        }
        // An error message quoting such text is neutralised too.
        let refused = try fixture.consult(["org", "show", "\u{1B}[2Jgone"])
        #expect(refused.status == 1)
        #expect(!refused.stderr.contains("\u{1B}"))
    }

    @Test("names with bidi overrides, isolates, zero-width spaces or separators are refused, nothing recorded")
    func hiddenCharacters() throws {
        let fixture = try MonthFixture()
        let before = try fixture.eventCount()
        for (name, what) in [
            ("Invoice\u{202E}fdp.exe", "a bidi override (U+202E)"), ("A\u{2066}B\u{2069}", "a bidi isolate (U+2066)"),
            ("Zero\u{200B}Width", "a zero-width space (U+200B)"), ("Line\u{2028}Sep", "a line separator (U+2028)"),
        ] {
            let output = try fixture.consult(["org", "add", name])
            #expect(output.status == 1)
            #expect(output.stderr == "consult: name: contains \(what), which would hide or reorder what is shown\n")
        }
        #expect(try fixture.eventCount() == before)
        // Joiners that scripts and emoji need still pass.
        let emoji = try fixture.consult(["org", "add", "Coders 👩‍💻 Café"])
        #expect(emoji.status == 0, "\(emoji.stderr)")
    }
}
