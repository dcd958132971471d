import EventStore
import Foundation
import Postgres
import Projections
import TestSupport
import Testing

/// Hostile input through every kind of command: SQL metacharacters, shell and format strings,
/// huge, negative and malformed numbers, impossible dates, control characters, long and
/// right-to-left text, and option look-alikes, mixed with seeded random text. Each run must
/// end with 0 (stored, verbatim apart from trimmed blanks), 1 or 64 (refused with a message on
/// stderr, nothing written); never a crash, never a partial write.
@Suite("hostile input", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct HostileInputTests {
    static let adversarial = [
        "'; DROP TABLE consult.events; --", "\" OR 1=1 --", "Robert'); DELETE FROM consult.tenants; --", "$1", "$$ $$", "\\",
        "\\x00", "%s%s%s%n", "%@", "{{7*7}}", "${HOME}", "`id`", "$(reboot)", "../../etc/passwd", "😀 Café Ünïcödé", "مرحبا بالعالم",
        "\u{202E}txt.exe", "line\nbreak", "tab\there", "bell\u{07}", "esc\u{1B}[31m", " padded ", "", " ", "\u{FEFF}",
        String(repeating: "x", count: 10_000), String(repeating: "é", count: 201), String(repeating: "👍🏽", count: 150),
        "-1", "-0", "0", "1e308", "1e309", "NaN", "inf", "-inf", "9223372036854775807", "9223372036854775808",
        "-9223372036854775809", "0x10", "1,5", "١٢٣", "00000000000000000000042", "1.0000000000000000000001",
        "2026-02-30", "0000-01-01", "9999-12-31", "10000-01-01", "2026-13-01", "-2026-01-01", "2026-09-01T25:00", "yesterday",
        "1970-01-01", "2038-01-19T03:14:08Z", "100000000000000 GBP", "-5 GBP", "5 gbp", "5 XXXX", "5.123 GBP", "GBP", "5",
        "--help", "--", "-", "--tenant", "--tenant=elsewhere", "-h",
    ]

    /// A template, and whether a success must have stored the value verbatim (the query reads
    /// it back from the newest event of that type).
    struct Template: Sendable {
        let arguments: @Sendable (String, Int) -> [String]
        let readBack: (type: String, field: String)?
        let writes: Bool
    }

    static let templates: [Template] = [
        Template(arguments: { v, _ in ["org", "add", v] }, readBack: ("OrganisationRegistered", "name"), writes: true),
        Template(
            arguments: { v, n in ["org", "add", "Org \(n)", "--sector", v] }, readBack: ("OrganisationRegistered", "sector"), writes: true),
        Template(arguments: { v, n in ["org", "add", "Site \(n)", "--website", v] }, readBack: nil, writes: true),
        Template(
            arguments: { v, _ in ["org", "rename", "camden-arts-trust", v] }, readBack: ("OrganisationRenamed", "name"), writes: true),
        Template(
            arguments: { v, _ in ["person", "add", v, "--org", "northbridge-libraries"] }, readBack: nil, writes: true),
        Template(
            arguments: { v, n in ["person", "add", "Person \(n)", "--org", "northbridge-libraries", "--title", v] },
            readBack: ("PersonAdded", "title"), writes: true),
        Template(
            arguments: { v, n in ["person", "add", "Mail \(n)", "--org", "northbridge-libraries", "--email", v] }, readBack: nil,
            writes: true),
        Template(arguments: { v, _ in ["engagement", "work", "second-round", v, "tidying up"] }, readBack: nil, writes: true),
        Template(
            arguments: { v, _ in ["engagement", "work", "second-round", "2", v] }, readBack: ("WorkLogged", "activity"), writes: true),
        Template(arguments: { v, _ in ["objective", "measure", "visits", v] }, readBack: nil, writes: true),
        Template(arguments: { v, _ in ["objective", "measure", "visits", "5", "--at", v] }, readBack: nil, writes: true),
        Template(
            arguments: { v, _ in ["objective", "measure", "visits", "5", "--note", v] }, readBack: ("MeasurementRecorded", "note"),
            writes: true),
        Template(
            arguments: { v, _ in ["referral", "receive", "camden-arts-trust", "--from", "helen-carter", "--value", v] }, readBack: nil,
            writes: true),
        Template(arguments: { v, _ in ["lead", "lose", "camden-arts-trust", "--reason", v] }, readBack: nil, writes: true),
        Template(arguments: { v, _ in ["log", "--engagement", v] }, readBack: nil, writes: false),
        Template(arguments: { v, _ in ["pipeline", "--as-of", v] }, readBack: nil, writes: false),
        Template(arguments: { v, _ in ["pipeline", "--stage", v] }, readBack: nil, writes: false),
        Template(arguments: { v, _ in ["status", v] }, readBack: nil, writes: false),
        Template(arguments: { v, _ in ["export", "--since", v] }, readBack: nil, writes: false),
    ]

    /// Seeded random text: printable ASCII, SQL and shell punctuation, and any Unicode scalar.
    static func randomText(_ random: inout SeededRandom) -> String {
        let alphabet = Array("abcXYZ019 '\";--/*%$\\`(){}[]<>|&!?\t")
        var text = ""
        for _ in 0..<random.next(upTo: 40) {
            if random.next(upTo: 4) == 0 {
                let scalar = Unicode.Scalar(UInt32(random.next(upTo: 0x2FFFF))) ?? "?"
                text.unicodeScalars.append(scalar == "\0" ? "?" : scalar)
            } else {
                text.append(alphabet[random.next(upTo: alphabet.count)])
            }
        }
        return text
    }

    @Test("600 hostile and random values through 19 commands: stored verbatim or refused clearly, never a crash or a partial write")
    func commands() throws {
        let fixture = try MonthFixture()
        let setup = [
            ["engagement", "start", "northbridge-libraries", "--title", "Second round"],
            [
                "objective", "set", "second-round", "--handle", "visits", "--area", "awareness", "--statement", "s", "--metric", "visits",
                "--baseline", "0", "--target", "10", "--due", "2027-01-01",
            ],
        ]
        for arguments in setup { #expect(try fixture.consult(arguments).status == 0) }
        let admin = try fixture.database.connect()
        var random = SeededRandom(seed: 8)
        var outcomes: [Int32: Int] = [:]
        var count = try fixture.eventCount()
        var helps = 0
        for n in 0..<600 {
            let template = Self.templates[n % Self.templates.count]
            let value = n < Self.adversarial.count * 2 ? Self.adversarial[n % Self.adversarial.count] : Self.randomText(&random)
            let arguments = template.arguments(value, n)
            let output = try fixture.consult(arguments)
            outcomes[output.status, default: 0] += 1
            let label = "\(arguments.map { $0.count > 60 ? String($0.prefix(60)) + "…" : $0 })"
            #expect([0, 1, 64].contains(output.status), "\(label): exit \(output.status): \(output.stderr)")
            let after = try fixture.eventCount()
            if output.status == 0 && value.hasPrefix("-") && output.stdout.contains("USAGE:") {
                // An option look-alike ("-h", "--help") is read as the option, as in every
                // command line: help is printed and nothing is written (`-- -h` stores it).
                #expect(after == count, "\(label) printed help and wrote")
                helps += 1
            } else if output.status == 0 {
                if template.writes {
                    #expect(after > count, "\(label) succeeded and wrote nothing")
                } else {
                    #expect(after == count, "\(label) is read-only and wrote")
                }
                if let (type, field) = template.readBack {
                    let stored = try admin.execute(
                        "SELECT data->>\(field) FROM consult.events WHERE type = \(type) ORDER BY tenant_id, position DESC LIMIT 1"
                    )[0].decode(String?.self, at: 0)
                    #expect(stored == value.trimmingCharacters(in: .whitespacesAndNewlines), "\(label)")
                }
            } else {
                #expect(after == count, "\(label) was refused but wrote \(after - count) events")
                #expect(!output.stderr.isEmpty, "\(label) was refused in silence")
                #expect(
                    output.stderr.hasPrefix("consult: ") || output.stderr.hasPrefix("Error: ") || output.stderr.hasPrefix("Usage: "),
                    "\(label): \(output.stderr)")
            }
            count = after
        }
        let codes = outcomes.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        print("hostile input: 600 command runs; exit codes \(codes), \(helps) of the 0s printed help")
        #expect(try Projector(connection: admin, tenant: fixture.tenant).verify().drift == false)
    }
}
