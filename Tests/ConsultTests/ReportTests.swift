import Foundation
import TestSupport
import Testing

/// The reports on the consultant's month: golden files of every report in every format, the
/// HTML page in a real browser, CSV read back by Python's csv module, and the edges.
@Suite("reports", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct ReportTests {
    static let fixture = Result { try MonthFixture() }

    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    /// Each report, as the golden files name it.
    static let reports: [(name: String, arguments: [String])] = [
        ("pipeline", ["pipeline", "--as-of", "2026-11-01"]),
        ("pipeline-open", ["pipeline", "--as-of", "2026-09-03"]),
        ("status", ["status", "libraries-on-twitter", "--as-of", "2026-09-20"]),
        ("referrals", ["referrals", "--as-of", "2026-11-01"]),
        ("handovers", ["handovers", "--as-of", "2026-11-01"]),
        ("case-study", ["case-study", "libraries-on-twitter", "--as-of", "2026-11-01"]),
        ("changes", ["changes", "--since", "2026-09-10", "--until", "2026-09-20"]),
        // The layout only: the month holds one piece of work (3 h on 09-09); TimeTests checks
        // the figures against hours worked out by hand.
        ("timesheet", ["timesheet", "--month", "2026-09", "--as-of", "2026-11-01"]),
    ]

    static var cases: [String] {
        reports.flatMap { report in ["table", "json", "csv", "markdown", "html"].map { "\(report.name).\($0)" } }
    }

    @Test("every report in every format matches its golden file", arguments: cases)
    func goldens(_ file: String) throws {
        let fixture = try Self.fixture.get()
        let name = String(file.split(separator: ".")[0])
        let format = String(file.split(separator: ".")[1])
        let arguments = Self.reports.first { $0.name == name }!.arguments + ["--format", format]
        let output = try fixture.consult(arguments)
        #expect(output.status == 0, "\(output.stderr)")
        // Every page carries the same inline stylesheet: it is checked once here, and the
        // goldens hold the page's layout without it.
        var actual = output.stdout
        if format == "html" {
            let style = try #require(actual.range(of: "<style>")?.upperBound)
            let end = try #require(actual.range(of: "</style>")?.lowerBound)
            #expect(actual[style..<end].hasPrefix(":root {"), "the page's stylesheet is inline")
            #expect(actual.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"))
            // The frame up to <body> is the same for every page but its title.
            let body = try #require(actual.range(of: "<body>\n")?.upperBound)
            let title = try #require(actual.range(of: "<title>")?.upperBound)
            let titleEnd = try #require(actual.range(of: "</title>")?.lowerBound)
            actual.replaceSubrange(actual.startIndex..<body, with: "<!-- the page's frame, titled \(actual[title..<titleEnd]) -->\n")
        }
        let url = Self.golden.appendingPathComponent(file)
        if ProcessInfo.processInfo.environment["CONSULT_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: url, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(actual == expected, "\(file) differs from its golden file; CONSULT_UPDATE_GOLDEN=1 rewrites them (read the diff first)")
    }

    @Test("CSV read back by Python's csv module gives the numbers the JSON gives")
    func csvMatchesJSON() throws {
        let fixture = try Self.fixture.get()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("consult-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var checked = 0
        for (report, section) in [
            ("pipeline", "open_leads"), ("pipeline", "sources"), ("status", "objectives"), ("referrals", "referrals"),
            ("handovers", "survival"),
        ] {
            let base = [report, "--as-of", report == "pipeline" ? "2026-09-03" : "2026-09-20"]
            let csv = try fixture.consult(base + ["--format", "csv", "--section", section])
            let json = try fixture.consult(base + ["--format", "json"])
            try csv.stdout.write(to: directory.appendingPathComponent("\(section).csv"), atomically: true, encoding: .utf8)
            try json.stdout.write(to: directory.appendingPathComponent("\(section).json"), atomically: true, encoding: .utf8)
            let script = """
                import csv, json, sys
                rows = list(csv.DictReader(open(sys.argv[1], newline='')))
                data = json.load(open(sys.argv[2]))['sections'][sys.argv[3]]
                assert len(rows) == len(data), (len(rows), len(data))
                numbers = 0
                for row, item in zip(rows, data):
                    assert set(row) == set(item), (set(row), set(item))
                    for key, value in item.items():
                        if isinstance(value, bool) or value is None:
                            continue
                        if isinstance(value, (int, float)):
                            assert abs(float(row[key]) - value) < 1e-9, (key, row[key], value)
                            numbers += 1
                        else:
                            assert row[key] == value, (key, row[key], value)
                print(numbers)
                """
            let python = Process()
            python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            python.arguments = [
                "python3", "-c", script, directory.appendingPathComponent("\(section).csv").path,
                directory.appendingPathComponent("\(section).json").path, section,
            ]
            let pipe = Pipe()
            python.standardOutput = pipe
            python.standardError = pipe
            try python.run()
            let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            python.waitUntilExit()
            #expect(python.terminationStatus == 0, "\(report) \(section): \(out)")
            checked += Int(out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }
        #expect(checked >= 20, "only \(checked) numbers compared")
    }

    @Test("a report as of a date before any event is empty, not an error; an unknown engagement is an error")
    func edges() throws {
        let fixture = try Self.fixture.get()
        let empty = try fixture.consult(["pipeline", "--as-of", "2000-01-01", "--format", "json"])
        #expect(empty.status == 0)
        let sections = (try JSONSerialization.jsonObject(with: Data(empty.stdout.utf8)) as? [String: Any])?["sections"] as? [String: [Any]]
        #expect(sections?.values.allSatisfy(\.isEmpty) == true)
        let status = try fixture.consult(["status", "--as-of", "2000-01-01"])
        #expect(status.status == 0)
        #expect(
            status.stdout
                == "Engagements\n  No open engagements.\n\nObjectives\n  No objectives.\n\nChannels and the objectives they serve\n  No channels.\n"
                + "\nHours in 2000-01 and to its end, against the budget\n  No open engagements.\n"
        )
        let unknown = try fixture.consult(["status", "no-such-engagement"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr == "consult: engagement: there is no engagement with the handle \"no-such-engagement\"\n")
        let study = try fixture.consult(["case-study", "no-such-engagement"])
        #expect(study.status == 1)
    }

    @Test("live reports and --as-of now give the same answer")
    func liveEqualsAsOf() throws {
        let fixture = try Self.fixture.get()
        for report in ["pipeline", "referrals", "handovers"] {
            let live = try fixture.consult([report, "--format", "csv"])
            let folded = try fixture.consult([report, "--format", "csv", "--as-of", "2099-01-01"])
            #expect(live.stdout == folded.stdout, "\(report)")
        }
    }

    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(
        "the HTML page opens in headless Chromium: a funnel bar per stage with the right counts, a chart per objective",
        .enabled(
            if: chromium != nil || ProcessInfo.processInfo.environment["CI"] == "true",
            "chromium is not installed (scripts/test installs it)"))
    func htmlInBrowser() throws {
        let fixture = try Self.fixture.get()
        let root = TestDatabase.migrationsDirectory.deletingLastPathComponent().deletingLastPathComponent()
        let artifacts = root.appendingPathComponent(".artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let page = artifacts.appendingPathComponent("report-test.html")
        let written = try fixture.consult(["report", "--html", page.path, "--as-of", "2026-09-20"])
        #expect(written.status == 0, "\(written.stderr)")

        let browser = try #require(Self.chromium, "chromium is not installed")
        func chrome(_ arguments: [String]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: browser)
            process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"] + arguments + ["file://\(page.path)"]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        let dom = try chrome(["--dump-dom"])
        // The funnel: one bar per stage, with the counts the JSON report gives.
        let bars = try NSRegularExpression(pattern: #"class="funnel-bar" data-stage="([a-z]+)" data-count="(\d+)""#)
            .matches(in: dom, range: NSRange(dom.startIndex..., in: dom))
            .map { (String(dom[Range($0.range(at: 1), in: dom)!]), Int(dom[Range($0.range(at: 2), in: dom)!])!) }
        #expect(bars.map(\.0) == ["new", "contacted", "qualified", "proposal", "won", "lost"])
        let json = try fixture.consult(["pipeline", "--as-of", "2026-09-20", "--format", "json"])
        let stages =
            ((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["sections"] as? [String: Any])?["stages"]
            as? [[String: Any]] ?? []
        for (stage, count) in bars {
            let expected = stages.filter { $0["stage"] as? String == stage }.compactMap { $0["leads"] as? Int }.reduce(0, +)
            #expect(count == expected, "\(stage)")
        }
        #expect(bars.map(\.1).reduce(0, +) == 1)
        // A chart per objective, each with its measurements.
        let charts = try NSRegularExpression(pattern: #"class="objective-chart" data-objective="([^"]+)" data-points="(\d+)""#)
            .matches(in: dom, range: NSRange(dom.startIndex..., in: dom))
            .map { (String(dom[Range($0.range(at: 1), in: dom)!]), Int(dom[Range($0.range(at: 2), in: dom)!])!) }
        #expect(charts.map(\.0) == ["Residents hear about library events", "Residents' questions are answered within the working day"])
        #expect(charts.map(\.1) == [2, 2])
        #expect(!dom.contains("http://") && !dom.contains("https://"), "the page fetches nothing")

        let screenshot = artifacts.appendingPathComponent("report-test.png")
        try? FileManager.default.removeItem(at: screenshot)
        _ = try chrome(["--window-size=1200,2400", "--screenshot=\(screenshot.path)"])
        #expect(FileManager.default.fileExists(atPath: screenshot.path))
    }
}
