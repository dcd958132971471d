import EventStore
import Foundation
import Postgres
import Projections
import TestSupport
import Testing

@Suite("export, import and forget", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct TransferTests {
    /// A fresh migrated database with an empty tenant named like the fixture's.
    func emptyDatabase() throws -> (TestDatabase.Database, String) {
        let database = try TestDatabase.createMigrated("import")
        let admin = try database.connect()
        try admin.execute("SELECT consult.create_tenant('northwind')")
        return (database, try database.conninfo)
    }

    func write(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("consult-\(UUID().uuidString).jsonl")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test("export → import into an empty database → export gives the same bytes, and the rebuilt projections are identical")
    func roundTrip() throws {
        let fixture = try MonthFixture()
        let exported = try fixture.consult(["export"])
        #expect(exported.status == 0)
        // The last line is the export's trailer; the month's four people's details follow its events.
        let all = exported.stdout.split(separator: "\n").dropLast()
        let lines = all.filter { !$0.contains(#""attachment" : "person_details""#) }
        #expect(all.count - lines.count == 4)
        #expect(lines.count == (try fixture.eventCount()))
        let file = try write(exported.stdout)
        defer { try? FileManager.default.removeItem(at: file) }

        let (target, conninfo) = try emptyDatabase()
        let imported = try ConsultProcess.run(["import", file.path, "--database", conninfo])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout == "Imported \(lines.count) events.\n")
        let again = try ConsultProcess.run(["import", file.path, "--database", conninfo])
        #expect(again.stdout == "Imported 0 events (\(lines.count) already present).\n")
        #expect(try target.eventCount() == lines.count)

        let reexported = try ConsultProcess.run(["export", "--tenant", "northwind", "--database", conninfo])
        #expect(reexported.stdout == exported.stdout)

        let source = Projector(connection: try fixture.database.connect(), tenant: fixture.tenant)
        let copy = Projector(connection: try target.connect(), tenant: TenantID(1))
        try copy.rebuild()
        #expect(try copy.readModel().sameRows(as: source.readModel()))
        #expect(try !copy.verify().drift)
    }

    @Test("the tenant travels whole: every report's JSON, names included, is the same after export → fresh database → import")
    func everyReportTravels() throws {
        let fixture = try MonthFixture()
        // A person forgotten before the export stays forgotten after the import.
        #expect(try fixture.consult(["person", "add", "Zelda Secretname", "--org", "camden-arts-trust"]).status == 0)
        #expect(try fixture.consult(["forget", "zelda-secretname", "--asked-by", "person"]).status == 0)
        let exported = try fixture.consult(["export"])
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(!exported.stdout.contains("Zelda"))
        let copy = try ImportedCopy(exported.stdout, name: "travel")
        let target = copy.database
        func there(_ arguments: [String]) throws -> ConsultProcess.Output { try copy.consult(arguments) }
        for arguments in [
            ["pipeline", "--as-of", "2026-11-01"], ["status", "--as-of", "2026-09-20"], ["referrals", "--as-of", "2026-11-01"],
            ["handovers", "--as-of", "2026-11-01"], ["case-study", "libraries-on-twitter", "--as-of", "2026-11-01"],
            ["changes", "--since", "2026-09-10", "--until", "2026-09-20"], ["log"], ["person", "show", "helen-carter"],
            ["lead", "show", "northbridge-libraries"],
        ] {
            let here = try fixture.consult(arguments + ["--format", "json"])
            let copy = try there(arguments + ["--format", "json"])
            #expect(here.status == 0 && copy.status == 0, "\(arguments): \(here.stderr) \(copy.stderr)")
            // `show` answers as of now: its as_of is the moment it ran.
            func comparable(_ text: String) -> String {
                text.split(separator: "\n").filter { !$0.contains(#""as_of" : "20"#) || !arguments.contains("show") }.joined(
                    separator: "\n")
            }
            #expect(comparable(copy.stdout) == comparable(here.stdout), "\(arguments) differs after the round trip")
        }
        // Names came along: the case study names the sponsor, the people list has the month's four.
        #expect(try there(["case-study", "libraries-on-twitter", "--format", "json"]).stdout.contains("Helen Carter"))
        let people = try there(["person", "list", "--format", "json"]).stdout
        #expect(["Priya Shah", "Helen Carter", "Tom Reid", "Grace Obi"].allSatisfy { people.contains($0) })
        #expect(!people.contains("Zelda"))
        // And the copy exports the same bytes.
        let reexported = try ConsultProcess.run(["export", "--tenant", "northwind", "--database", try target.conninfo])
        #expect(reexported.stdout == exported.stdout)
    }

    @Test(
        "import --no-catch-up leaves the read models to a rebuild; rebuild --all-tenants --jobs 2 gives every tenant the rows of --jobs 1")
    func parallelRebuild() throws {
        let fixture = try MonthFixture()
        let exported = try fixture.consult(["export"]).stdout
        let database = try TestDatabase.createMigrated("jobs")
        let admin = try database.connect()
        let names = ["alpha", "bravo", "charlie"]
        var file = ""
        for name in names {
            _ = try admin.execute("SELECT consult.create_tenant(\(name))")
            for line in exported.split(separator: "\n") {
                file += line.replacingOccurrences(of: #"{"tenant" : "northwind","#, with: #"{"tenant" : "\#(name)","#) + "\n"
            }
        }
        let url = try write(file)
        defer { try? FileManager.default.removeItem(at: url) }
        let conninfo = try database.conninfo
        let imported = try ConsultProcess.run(["import", url.path, "--no-catch-up", "--database", conninfo])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try admin.execute("SELECT count(*) FROM consult.pipeline")[0].decode(Int.self, at: 0) == 0)

        let rebuilt = try ConsultProcess.run(["projections", "rebuild", "--all-tenants", "--jobs", "2", "--database", conninfo])
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        #expect(rebuilt.stdout.split(separator: "\n").count == names.count)
        let source = try Projector(connection: try fixture.database.connect(), tenant: fixture.tenant).readModel()
        for id in 1...Int64(names.count) {
            let copy = Projector(connection: try database.connect(), tenant: TenantID(id))
            #expect(try copy.readModel().sameRows(as: source))
            #expect(try !copy.verify().drift)
        }
        let refused = try ConsultProcess.run(["projections", "rebuild", "--all-tenants", "--jobs", "0", "--database", conninfo])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("--jobs"))
    }

    @Test(
        "a file with one bad line imports nothing and names the line and the reason",
        arguments: [
            (5, #"{"tenant": "northwind"}"#, "line 5: the field \"position\" is missing"),
            (3, "not json at all", "line 3: not a JSON object"),
            (7, #"{"tenant": "northwind", "position": "seven"}"#, "line 7: the field \"position\" has the wrong type"),
        ])
    func badLine(_ number: Int, _ replacement: String, _ message: String) throws {
        let fixture = try MonthFixture()
        var lines = try fixture.consult(["export"]).stdout.split(separator: "\n").map(String.init)
        lines[number - 1] = replacement
        let file = try write(lines.joined(separator: "\n") + "\n")
        defer { try? FileManager.default.removeItem(at: file) }
        let (target, conninfo) = try emptyDatabase()
        let output = try ConsultProcess.run(["import", file.path, "--database", conninfo])
        #expect(output.status == 1)
        #expect(output.stderr == "consult: \(file.path), \(message); nothing was imported\n")
        #expect(try target.eventCount() == 0)
    }

    @Test("invalid UTF-8 in an import file is refused with its line, and nothing is imported")
    func invalidUTF8() throws {
        let fixture = try MonthFixture()
        var data = Data(try fixture.consult(["export"]).stdout.utf8)
        let secondLine = data.firstIndex(of: 0x0A)! + 1
        data.insert(contentsOf: [0xC3, 0x28], at: secondLine + 20)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("consult-\(UUID().uuidString).jsonl")
        try data.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let (target, conninfo) = try emptyDatabase()
        let output = try ConsultProcess.run(["import", file.path, "--database", conninfo])
        #expect(output.status == 1)
        #expect(output.stderr == "consult: \(file.path), line 2: not valid UTF-8; nothing was imported\n")
        #expect(try target.eventCount() == 0)
    }

    /// The whole database as pg_dump writes it.
    func dump(_ database: TestDatabase.Database) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["pg_dump", "--dbname=\(try database.conninfo)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self)
    }

    @Test("after consult forget, no byte of the person's name, e-mail or handle is left in the database, and every report runs")
    func forget() throws {
        let fixture = try MonthFixture()
        let traces = ["Helen Carter", "helen.carter@northbridge.example", "helen-carter"]
        let before = try dump(fixture.database)
        #expect(traces.allSatisfy { before.contains($0) }, "the dump should hold the details before forgetting")

        let forgotten = try fixture.consult(["forget", "helen-carter", "--asked-by", "person"])
        #expect(forgotten.status == 0, "\(forgotten.stderr)")
        let after = try dump(fixture.database)
        for trace in traces { #expect(!after.contains(trace), "\"\(trace)\" is still in the database") }

        for report in [
            ["pipeline"], ["status", "--all"], ["status", "libraries-on-twitter"], ["referrals"], ["handovers"],
            ["case-study", "libraries-on-twitter"], ["changes", "--since", "2026-09-01"], ["log"], ["export"],
            ["projections", "rebuild", "--verify"],
        ] {
            let output = try fixture.consult(report)
            #expect(output.status == 0, "\(report): \(output.stderr)")
            #expect(!traces.contains { output.stdout.contains($0) }, "\(report) still shows the person")
        }
        #expect(try fixture.consult(["status", "libraries-on-twitter"]).stdout.contains("  (erased)  "))
        #expect(try fixture.consult(["log", "--format", "json"]).stdout.contains("\"type\" : \"PersonForgotten\""))
    }
}
