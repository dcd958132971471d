import Foundation
import Reports
import TestSupport
import Testing

/// Tables that fit: with COLUMNS set, every report, the log and the lists fit that many
/// terminal cells, a date or a number is never cut, and --wide shows every column. The
/// consultant's month gains a Beijing tea house and a coding school with an emoji in its name,
/// so widths are counted in cells, not characters.
@Suite("tables that fit", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct TablesTests {
    static let fixture = Result { () throws -> MonthFixture in
        let fixture = try MonthFixture()
        let steps: [[String]] = [
            ["org", "add", "北京茶馆", "--sector", "茶馆与社区活动", "--handle", "beijing-teahouse", "--at", "2026-09-01"],
            ["person", "add", "王小明", "--org", "beijing-teahouse", "--title", "经理", "--level", "executive", "--at", "2026-09-01"],
            [
                "referral", "receive", "beijing-teahouse", "--from", "priya-shah", "--value", "8000 GBP", "--expected-close", "2026-10-15",
                "--need", "在微博上与社区居民交流，每周三次", "--at", "2026-09-02",
            ],
            ["org", "add", "Coders 👩‍💻", "--sector", "coding school 👩‍💻🎉", "--handle", "coders", "--at", "2026-09-01"],
            [
                "lead", "capture", "coders", "--source", "inbound", "--value", "12000 GBP", "--expected-close", "2026-09-20", "--at",
                "2026-09-02",
            ],
            ["lead", "win", "coders", "--title", "Coders 👩‍💻 on Mastodon", "--kind", "launch", "--fee", "12000 GBP", "--at", "2026-09-04"],
            [
                "objective", "set", "coders-on-mastodon", "--handle", "signups", "--area", "招生 👩‍💻", "--statement",
                "More sign-ups from the fediverse", "--metric", "sign-ups a week 👩‍💻", "--baseline", "3", "--target", "30", "--due",
                "2027-01-15", "--at", "2026-09-05",
            ],
            ["objective", "measure", "signups", "9", "--at", "2026-09-12"],
        ]
        for step in steps {
            let output = try fixture.consult(step)
            guard output.status == 0 else { throw Failure("\(step.joined(separator: " ")): \(output.stderr)") }
        }
        return fixture
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Every command that prints a table.
    static let commands: [[String]] = [
        ["status", "--as-of", "2026-09-20"], ["status", "coders-on-mastodon", "--as-of", "2026-09-20"],
        ["pipeline", "--as-of", "2026-09-03"], ["pipeline", "--as-of", "2026-11-01"], ["referrals", "--as-of", "2026-11-01"],
        ["handovers", "--as-of", "2026-11-01"], ["changes", "--since", "2026-09-01", "--until", "2026-09-30"],
        ["case-study", "libraries-on-twitter", "--as-of", "2026-11-01"], ["case-study", "coders-on-mastodon", "--as-of", "2026-11-01"],
        ["due", "--as-of", "2026-09-20"], ["log"], ["org", "list"], ["person", "list"], ["lead", "list"], ["engagement", "list"],
        ["objective", "list"], ["referrer", "list"], ["org", "show", "coders"], ["search", "coders"],
        ["timesheet", "--month", "2026-09"], ["status", "--month", "2026-09", "--as-of", "2026-09-20"],
        ["status", "--as-of", "2026-10-03"],
    ]

    /// A date cut short: four digits, a hyphen, then fewer than the full date before "…".
    static var cutDate: Regex<AnyRegexOutput> { try! Regex(#"\d{4}-(\d{0,2}|\d{2}-\d?)…"#) }
    /// A number cut short: a digit right before "…".
    static var cutNumber: Regex<AnyRegexOutput> { try! Regex(#"\d…"#) }

    func run(_ arguments: [String], columns: Int?) throws -> String {
        let fixture = try Self.fixture.get()
        var environment = ["DATABASE_URL": fixture.conninfo, "PGUSER": fixture.ann]
        if let columns { environment["COLUMNS"] = String(columns) }
        let output = try ConsultProcess.run(arguments, environment: environment)
        #expect(output.status == 0, "\(arguments): \(output.stderr)")
        return output.stdout
    }

    @Test("cell widths: wide letters and emoji two, joiners and marks none")
    func widths() {
        #expect(Cells.width("北京茶馆") == 8)
        #expect(Cells.width("Coders 👩‍💻") == 11)
        #expect(Cells.width("Cafe\u{301}") == 4)
        #expect(Cells.width("❤\u{FE0F}") == 2)
        #expect(Cells.width("ｆｕｌｌ") == 8)
        #expect(Cells.width("한국") == 4)
        #expect(Cells.cut("北京茶馆", to: 6) == "北京…")
        #expect(Cells.cut("Coders 👩‍💻 on Mastodon", to: 9) == "Coders…")
        #expect(Cells.cut("due on 2026-09-25 today", to: 14) == "due on…")
        #expect(Cells.cut("at 1,000 followers", to: 6) == "at…")
        #expect(Cells.cut("a proposal of 6,500 GBP", to: 21) == "a proposal of 6,500 …")
        #expect(Cells.cut("a proposal of 6,500 GBP", to: 20) == "a proposal of…")
    }

    @Test("COLUMNS=80: every line fits 80 cells, no date or number cut", arguments: commands)
    func fits(_ arguments: [String]) throws {
        let output = try run(arguments, columns: 80)
        let lines = output.split(separator: "\n").map(String.init)
        #expect(!lines.isEmpty)
        for line in lines {
            #expect(Cells.width(line) <= 80, "\(arguments): \(Cells.width(line)) cells: \(line)")
            #expect(line.firstMatch(of: Self.cutDate) == nil, "\(arguments): a date cut: \(line)")
            #expect(line.firstMatch(of: Self.cutNumber) == nil, "\(arguments): a number cut: \(line)")
        }
    }

    @Test("a narrow status drops columns with a note; --wide and piping show every column whole")
    func wide() throws {
        let narrow = try run(["status", "--as-of", "2026-09-20"], columns: 80)
        #expect(narrow.contains(TextTable.droppedNote(1)) || narrow.contains("columns: --wide"))
        #expect(!narrow.contains("Budget source"))
        #expect(narrow.contains("Coders 👩‍💻") || narrow.contains("Coders…"))
        for output in [
            try run(["status", "--as-of", "2026-09-20", "--wide"], columns: 80),
            try run(["status", "--as-of", "2026-09-20"], columns: nil),
        ] {
            #expect(!output.contains("--wide"))
            #expect(!output.contains("…"))
            for title in ["Budget source", "Receiving owners", "Hours a month", "Last measured", "Serves objectives", "Coders 👩‍💻"] {
                #expect(output.contains(title), "\(title)")
            }
        }
        // The log: when and what always; the summary shrinks.
        let log = try run(["log", "--no-pager"], columns: 60)
        #expect(log.split(separator: "\n").allSatisfy { Cells.width($0) <= 60 })
        #expect(log.contains("beijing-teahouse"))
    }

    @Test("aligned in cells: a row with wide letters lines up with the header")
    func aligned() throws {
        let output = try run(["org", "list"], columns: 120)
        let lines = output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("  ") }
        let header = try #require(lines.first { $0.contains("Registered") })
        let column = Cells.width(String(header[..<header.range(of: "Registered")!.lowerBound]))
        for line in lines.dropFirst() {
            let date = try #require(line.firstMatch(of: try Regex(#"\d{4}-\d{2}-\d{2}"#)))
            #expect(Cells.width(String(line[..<date.range.lowerBound])) == column, "\(line)")
        }
    }

    /// Runs consult on a pseudo-terminal of 10 rows and 100 columns (util-linux `script`).
    func onTerminal(_ arguments: [String], environment: [String: String]) throws -> String {
        let fixture = try Self.fixture.get()
        let command = "stty rows 10 cols 100; exec '\(ConsultProcess.executable.path)' " + arguments.joined(separator: " ")
        let output = try ConsultProcess.run(
            executable: URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"],
            environment: environment.merging(["DATABASE_URL": fixture.conninfo, "PGUSER": fixture.ann]) { $1 })
        #expect(output.status == 0, "\(arguments): \(output.stderr)")
        return output.stdout.replacingOccurrences(of: "\r\n", with: "\n")
    }

    @Test(
        "long output goes through $PAGER on a terminal, never when piped or with --no-pager; the terminal's width fits",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func pager() throws {
        let pager = ["PAGER": "sed s/^/paged:/"]
        let paged = try onTerminal(["log"], environment: pager)
        // Each line is the entry's number (`#`) and then when it happened.
        #expect(paged.split(separator: "\n").contains { $0.hasPrefix("paged:") && $0.contains(" 2026-09-01 00:00 ") }, "\(paged)")
        #expect(paged.split(separator: "\n").allSatisfy { Cells.width($0) <= 100 + "paged:".count })
        #expect(paged.contains("…"), "fitted to the terminal's 100 columns")
        let direct = try onTerminal(["log", "--no-pager"], environment: pager)
        #expect(!direct.contains("paged:") && direct.contains("2026-09-01 00:00"))
        let short = try onTerminal(["referrer", "list"], environment: pager)
        #expect(!short.contains("paged:"), "shorter than the screen: not paged")
        let fixture = try Self.fixture.get()
        let piped = try ConsultProcess.run(
            ["log"], environment: pager.merging(["DATABASE_URL": fixture.conninfo, "PGUSER": fixture.ann]) { $1 })
        #expect(!piped.stdout.contains("paged:") && !piped.stdout.contains("…"))
    }

    @Test("the log at 80 columns: who recorded it gives way, what happened keeps at least 30 cells")
    func narrowLog() throws {
        let lines = try run(["log", "--no-pager"], columns: 80).split(separator: "\n").map(String.init)
        let header = try #require(lines.first)
        #expect(!header.contains("WHO") && header.contains("ABOUT") && header.hasSuffix("WHAT"), "\(header)")
        // WHAT starts where its header does: at most 80 − 30 = 50 cells in (the columns before
        // it: #, WHEN (UTC), ABOUT at its 20 or more, two cells between each).
        let start = try #require(header.range(of: "WHAT")).lowerBound
        #expect(header.distance(from: header.startIndex, to: start) <= 50, "\(header)")
        #expect(lines.allSatisfy { Cells.width($0) <= 80 })
    }
}
