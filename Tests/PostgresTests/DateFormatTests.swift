import Foundation
import Testing

@testable import Postgres

/// Timestamps are written with their digits computed by hand (PostgresDate.civil) between 1583
/// and 9999, Foundation's calendar elsewhere: the text must be the same.
@Suite("timestamps written by hand as Foundation's calendar writes them")
struct DateFormatTests {
    @Test("the hand-written digits equal Foundation's for dates across the range and its edges")
    func sameText() {
        var seconds: [Double] = [
            0, -1, 86_399, 86_400, -86_400, -86_401, 951_782_400,  // 2000-02-29
            4_107_542_399, 4_107_542_400,  // 2100-02-28T23:59:59, 2100-03-01 (not a leap year)
            -12_212_553_600, 253_402_300_799, 1_798_761_599, 1_798_761_600,
        ]
        var random = SystemRandomNumberGenerator()
        for _ in 0..<20_000 { seconds.append(Double(Int.random(in: -12_212_553_600..<253_402_300_800, using: &random))) }
        for second in seconds {
            for micros in [0, 1, 999_999, Int.random(in: 0..<1_000_000, using: &random)] {
                #expect(PostgresDate.civil(Int(second), micros) == PostgresDate.foundationFormat(second, micros), "\(second) \(micros)")
            }
        }
        // Through format: a fraction that rounds up into the next second.
        #expect(PostgresDate.format(Date(timeIntervalSince1970: 59.9999996)) == "1970-01-01T00:01:00.000000Z")
        #expect(PostgresDate.format(Date(timeIntervalSince1970: 1_798_761_599.5)) == "2026-12-31T23:59:59.500000Z")
    }
}
