import Foundation
import Testing

@testable import EventStore

/// The import hashes its lines on a thread of its own (``Transfer/BackgroundDigest``), a
/// megabyte at a time: its trailers must be those of the lines in order, section by section,
/// however the batches fall.
@Suite("the import's background digest")
struct BackgroundDigestTests {
    /// `count` event lines of about 700 bytes, as an export writes them (the tenant first).
    func lines(_ count: Int, section: Int) -> [[UInt8]] {
        (0..<count).map { i in
            let padding = String(repeating: "x", count: 600 + i % 97)
            return Array(#"{"tenant" : "northwind", "position" : \#(i + 1), "section" : \#(section), "pad" : "\#(padding)"}"#.utf8)
        }
    }

    @Test("three sections of several megabytes each: each trailer is sha256sum's over its covered bytes")
    func sections() throws {
        let digest = Transfer.BackgroundDigest()
        // 5,000 lines of 600-700 bytes: about 3.3 MB a section, so batches of 1 MB, and the
        // hasher kept at most four of them behind.
        for section in 1...3 {
            let lines = lines(5_000, section: section)
            for line in lines { digest.add(line) }
            let trailer = digest.endSection()
            #expect(trailer.events == 5_000)
            // The covered bytes: each line from the comma after its tenant field on, and a line
            // feed. The digest comes from coreutils, not from this program.
            let covered = lines.flatMap { $0.dropFirst(#"{"tenant" : "northwind""#.utf8.count) + [0x0A] }
            #expect(trailer.sha256 == (try sha256sum(covered)), "section \(section)")
        }
        // A section with no line: the empty digest.
        #expect(digest.endSection() == ExportTrailer(events: 0, sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
    }

    func sha256sum(_ bytes: [UInt8]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        // Written from another thread: the pipe holds 64 kB, and sha256sum answers at the end.
        let writer = Thread {
            input.fileHandleForWriting.write(Data(bytes))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(text.prefix(64))
    }
}
