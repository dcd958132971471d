import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

/// Issue 18, item 7: an export ends with a trailer (count and SHA-256 of its lines); an import
/// refuses a file that was cut or changed; a failed write is a message, not a trap.
@Suite("export trailer", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct ExportTrailerTests {
    let fixture: MonthFixture
    let exported: String

    init() throws {
        fixture = try MonthFixture()
        exported = try fixture.consult(["export"]).stdout
    }

    func emptyDatabase() throws -> (TestDatabase.Database, String) {
        let database = try TestDatabase.createMigrated("trailer")
        try database.connect().execute("SELECT consult.create_tenant('northwind')")
        return (database, try database.conninfo)
    }

    func importFile(_ text: String, _ extra: [String] = []) throws -> (ConsultProcess.Output, Int, String) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("consult-\(UUID().uuidString).jsonl")
        try text.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let (database, conninfo) = try emptyDatabase()
        let output = try ConsultProcess.run(["import", url.path, "--database", conninfo] + extra)
        return (output, try database.eventCount(), url.path)
    }

    var lines: [Substring] { exported.split(separator: "\n") }
    /// The events among them: neither the trailer nor the people's details after the events.
    var eventLines: Int { lines.filter { !$0.contains(#""attachment" : "#) }.count - 1 }

    @Test("an export ends with its count and SHA-256; the whole file imports")
    func whole() throws {
        let trailer = try #require(lines.last)
        let events = lines.count - 1
        #expect(trailer.hasPrefix(#"{"consult_export_trailer" : {"version" : 1, "events" : \#(events), "sha256" : ""#), "\(trailer)")
        let (output, count, _) = try importFile(exported)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout == "Imported \(eventLines) events.\n")
        #expect(count == eventLines)
    }

    @Test("a file cut after some of its lines, or in the middle of a line, imports nothing and says why")
    func truncated() throws {
        let events = lines.count - 1
        let cuts = [
            lines.prefix(events - 4).joined(separator: "\n") + "\n",  // the issue's 40 of 44 lines
            lines.prefix(events).joined(separator: "\n") + "\n",  // only the trailer gone
            String(exported.prefix(exported.count / 2)),  // in the middle of a line
        ]
        for cut in cuts {
            let (output, count, path) = try importFile(cut)
            #expect(output.status == 1, "\(output.stdout)")
            #expect(output.stderr.hasPrefix("consult: \(path), line "), "\(output.stderr)")
            #expect(output.stderr.hasSuffix("; nothing was imported\n"), "\(output.stderr)")
            #expect(count == 0)
        }
        let (output, _, _) = try importFile(lines.prefix(events - 4).joined(separator: "\n") + "\n")
        #expect(output.stderr.contains("the file ends without the trailer line of an export"), "\(output.stderr)")
    }

    @Test("a changed line, a dropped line or a wrong count is refused by the trailer")
    func changed() throws {
        var edited = lines.map(String.init)
        edited[3] = edited[3].replacingOccurrences(of: #""position" : 4,"#, with: #""position" : 4 ,"#)
        var dropped = lines.map(String.init)
        dropped.remove(at: 5)
        for (text, reason) in [
            (edited.joined(separator: "\n") + "\n", "do not match its checksum"),
            (dropped.joined(separator: "\n") + "\n", "the trailer counts \(lines.count - 1) events, the file has \(lines.count - 2)"),
        ] {
            let (output, count, _) = try importFile(text)
            #expect(output.status == 1)
            #expect(output.stderr.contains(reason), "\(output.stderr)")
            #expect(count == 0)
        }
    }

    @Test("an export written before trailers is refused with the reason, and imports with --without-trailer")
    func oldExport() throws {
        let old = lines.dropLast().joined(separator: "\n") + "\n"
        let (refused, none, _) = try importFile(old)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("written by a consult older than the trailer (if it is whole, import it with --without-trailer)"))
        #expect(none == 0)
        let (accepted, count, _) = try importFile(old, ["--without-trailer"])
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(count == eventLines)
    }

    @Test("consult export > /dev/full: a message and exit 1, not a trap")
    func fullDisk() throws {
        let process = Process()
        process.executableURL = ConsultProcess.executable
        process.arguments = ["export"]
        process.environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": NSTemporaryDirectory(),
            "DATABASE_URL": fixture.conninfo, "PGUSER": fixture.ann,
        ]
        process.standardOutput = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let err = Pipe()
        process.standardError = err
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 1)
        #expect(stderr.hasPrefix("consult: cannot write the export: "), "\(stderr)")
        #expect(!stderr.contains("Fatal error") && !stderr.contains("backtrace"), "\(stderr)")
    }

    @Test("SHA-256 gives the standard's answers, and the trailer's digest is sha256sum's over the covered bytes")
    func sha256() throws {
        func hex(_ text: String) -> String {
            var hasher = SHA256()
            hasher.update(Array(text.utf8))
            return hasher.hexDigest()
        }
        #expect(hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(hex(String(repeating: "a", count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // The same million bytes fed in pieces that start and end anywhere in a 64-byte block
        // (1, 63, 64, 65, 127 and 130 bytes, one byte alone, a slice that does not start at 0):
        // still FIPS 180-4's digest of a million "a".
        var pieces = SHA256()
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        var fed = 0
        var sizes = [1, 63, 64, 65, 127, 130, 0].cycled().makeIterator()
        while fed < million.count, let size = sizes.next() {
            let end = min(fed + size, million.count)
            if size == 0 {
                pieces.update(CollectionOfOne(million[fed]))
                fed += 1
            } else {
                pieces.update(million[fed..<end])
                fed = end
            }
        }
        #expect(pieces.hexDigest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // 55, 56 and 64 bytes: the padding fits the last block, just does not, and takes a
        // block of its own (digests from sha256sum).
        #expect(hex(String(repeating: "a", count: 55)) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        #expect(hex(String(repeating: "a", count: 56)) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
        #expect(hex(String(repeating: "a", count: 64)) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
        // The covered bytes of each line: from the comma after the tenant field on.
        let covered = lines.dropLast().map { $0.dropFirst(#"{"tenant" : "northwind""#.count) + "\n" }.joined()
        #expect(lines.last?.contains(hex(covered)) == true)
    }
}

extension Sequence {
    /// The elements again and again, without end.
    fileprivate func cycled() -> some Sequence<Element> {
        let elements = Array(self)
        return sequence(state: 0) { index -> Element? in
            defer { index = (index + 1) % elements.count }
            return elements[index]
        }
    }
}
