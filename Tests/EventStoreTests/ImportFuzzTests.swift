import Foundation
import Postgres
import TestSupport
import Testing

@testable import EventStore

/// Hostile import files: every mutation a damaged or forged file can carry (flipped bits, cut
/// lines, invalid UTF-8, NUL, huge and negative numbers, deep or enormous JSON, unknown event
/// types, fields of the wrong type) through the line parser, and through whole imports that
/// must write all of a file or none of it.
@Suite("import fuzz")
struct ImportFuzzTests {
    static func line(tenant: String, position: Int, stream: String = "engagement-1", type: String = "WorkLogged") -> String {
        let id = String(format: "00000000-0000-4000-8000-%012d", position)
        return
            #"{"tenant":"\#(tenant)","position":\#(position),"stream":"\#(stream)","stream_version":\#(position),"event_id":"\#(id)","type":"\#(type)","schema_version":1,"data":{"hours":2,"activity":"reporting","billable":true},"metadata":{"actor":"ann"},"command_id":null,"occurred_at":"2026-09-01T10:00:00+00:00","recorded_at":"2026-09-01T10:00:01.5+00:00"}"#
    }

    static let replacements: [(String, String)] = [
        (#""position":"#, #""position":-"#), (#""position":"#, #""position":99999999999999999999"#),
        (#""position":"#, #""position":1e400,"x":"#), (#""schema_version":1"#, #""schema_version":0"#),
        (#""stream":""#, #""stream":"\u0000"#), (#""type":"WorkLogged""#, #""type":"NoSuchEventType""#),
        (#""type":"WorkLogged""#, #""type":"""#), (#""data":{"#, #""data":["#), (#""data":{"#, #""data":null,"y":{"#),
        (#""occurred_at":"2026-09-01"#, #""occurred_at":"2026-02-30"#), (#""occurred_at":"2026"#, #""occurred_at":"10000"#),
        (#""occurred_at":"#, #""occurred_at":12,"z":"#), (#""event_id":"0"#, #""event_id":"g"#), (#""tenant":""#, #""tenant":1,"t":""#),
        ("'", "''"), (#"""#, ""), ("{", ""), ("}", "}}"),
    ]

    /// A mutated copy of a valid line, as bytes (some mutations are not UTF-8).
    static func mutate(_ line: String, _ random: inout SeededRandom) -> [UInt8] {
        var bytes = Array(line.utf8)
        switch random.next(upTo: 9) {
        case 0:  // flip bits
            for _ in 0...random.next(upTo: 4) { bytes[random.next(upTo: bytes.count)] ^= UInt8(1 << random.next(upTo: 8)) }
        case 1:  // cut
            bytes = Array(bytes.prefix(random.next(upTo: bytes.count)))
        case 2:  // invalid UTF-8 or NUL inserted
            bytes.insert(
                contentsOf: random.pick([[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0x00], [0xF4, 0x90, 0x80, 0x80]]),
                at: random.next(upTo: bytes.count))
        case 3:  // a known-bad field value
            let (from, to) = random.pick(replacements)
            bytes = Array(line.replacingOccurrences(of: from, with: to).utf8)
        case 4:  // deeply nested data
            let depth = 1 + random.next(upTo: 5000)
            bytes = Array(
                line.replacingOccurrences(
                    of: #""data":{"hours":2"#,
                    with: #""data":{"deep":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + #","hours":2"#
                ).utf8)
        case 5:  // an enormous body (over the 1 MiB limit half the time)
            let size = random.next(upTo: 2) == 0 ? 100_000 : 1_200_000
            bytes = Array(line.replacingOccurrences(of: "reporting", with: String(repeating: "r", count: size)).utf8)
        case 6:  // random bytes
            bytes = (0..<random.next(upTo: 300)).map { _ in UInt8(random.next(upTo: 256)) }
        case 7:  // a field dropped
            let field = random.pick(["tenant", "position", "stream", "stream_version", "event_id", "type", "data", "metadata"])
            bytes = Array(line.replacingOccurrences(of: #""\#(field)":"#, with: #""x_\#(field)":"#).utf8)
        default:  // valid: a different but well-formed activity
            bytes = Array(line.replacingOccurrences(of: "reporting", with: "reporting \(random.next(upTo: 1000))").utf8)
        }
        return bytes
    }

    @Test("20,000 mutated lines through the line parser: each parses or is refused with its line number; none crashes")
    func parser() {
        var random = SeededRandom(seed: 2026)
        var refused = 0
        for number in 1...20_000 {
            let bytes = Self.mutate(Self.line(tenant: "fuzz", position: number), &random)
            do {
                _ = try ExportLine.parse(bytes, line: number)
            } catch {
                #expect(error.line == number)
                #expect(!error.reason.isEmpty)
                refused += 1
            }
        }
        print("import fuzz: 20,000 mutated lines parsed; \(refused) refused with their line number, \(20_000 - refused) accepted")
        #expect(refused > 5_000)
    }

    @Test(
        "150 imports of 40 lines with one mutated line: all of a file or none of it, and a refusal names the line",
        .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
    func imports() throws {
        let database = try TestDatabase.createMigrated("importfuzz")
        let admin = try database.connect()
        var random = SeededRandom(seed: 1)
        var outcomes = (all: 0, none: 0)
        for file in 1...150 {
            let tenant = "fuzz-\(file)"
            _ = try database.createTenant(tenant)
            let bad = 1 + random.next(upTo: 40)
            let lines = (1...40).map { n in
                (
                    number: n,
                    bytes: n == bad
                        ? Self.mutate(Self.line(tenant: tenant, position: n), &random) : Array(Self.line(tenant: tenant, position: n).utf8)
                )
            }
            let before = try database.eventCount()
            do {
                let result = try Transfer(connection: admin).importLines(lines, requireTrailer: false)
                #expect(result.imported == 40)
                #expect(try database.eventCount() == before + 40)
                outcomes.all += 1
            } catch let error as Transfer.ImportError {
                // The line named is the damaged one; a position made equal to another's is
                // named at its second occurrence; line 0 is a contradiction with the log.
                #expect(error.line == bad || error.reason.contains("appears twice") || error.line == 0, "\(error)")
                #expect(try database.eventCount() == before, "a refused file wrote events")
                outcomes.none += 1
            } catch {
                #expect(try database.eventCount() == before, "a refused file wrote events: \(error)")
                outcomes.none += 1
            }
        }
        print("import fuzz: 150 files; \(outcomes.all) imported whole, \(outcomes.none) refused whole")
        #expect(outcomes.none > 50)
    }
}
