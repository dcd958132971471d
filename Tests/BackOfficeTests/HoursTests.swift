import BackOffice
import Foundation
import Testing

/// Hours as typed: decimal hours, H:MM, XhYm, Xh and Ym, each read exactly; minutes only when
/// they make an exact decimal of hours (a multiple of 3 minutes), and never rounded.
@Suite("hours as typed")
struct HoursTests {
    @Test(
        "every form reads as exact hours",
        arguments: [
            // 90 / 60 = 1.5; 45 / 60 = 0.75; 1:21 = 81 / 60 = 1.35; 1h15m = 75 / 60 = 1.25;
            // 3m = 3 / 60 = 0.05; 0:06 = 0.1; 24:00 = 24.
            ("1.5", "1.5"), ("1:30", "1.5"), ("1h30m", "1.5"), ("1h", "1"), ("90m", "1.5"), ("45m", "0.75"), ("0:45", "0.75"),
            ("1:21", "1.35"), ("1h15m", "1.25"), ("1h 15m", "1.25"), ("1.25h", "1.25"), ("3m", "0.05"), ("0:06", "0.1"),
            ("24:00", "24"), ("2.5", "2.5"), (" 1:30 ", "1.5"), ("1H30M", "1.5"), ("120m", "2"),
        ])
    func reads(_ text: String, _ exact: String) throws {
        #expect(try Hours.parse(text).description == exact)
    }

    @Test(
        "minutes that make no exact decimal are refused with the nearest that do, never rounded",
        arguments: [
            // 80 min = 1.333… h: 78 min = 1.3 h and 81 min = 1.35 h are the neighbours.
            ("1:20", "write 1:18 (1.3 h) or 1:21 (1.35 h)"), ("1h20m", "write 1h18m (1.3 h) or 1h21m (1.35 h)"),
            // 20 min = 0.333… h: 18 min = 0.3 h, 21 min = 0.35 h.
            ("20m", "write 18m (0.3 h) or 21m (0.35 h)"),
            // 1 min: nothing exact below it but nothing; 3 min = 0.05 h above.
            ("1m", "write 3m (0.05 h)"),
        ])
    func inexact(_ text: String, _ advice: String) {
        #expect {
            try Hours.parse(text)
        } throws: { error in
            let message = (error as? RuleViolation)?.message ?? ""
            return message.contains("which no decimal number of hours holds exactly") && message.hasSuffix(advice)
        }
    }

    @Test(
        "bad forms say what is wrong",
        arguments: [
            ("1:75", "has 75 minutes: an hour has 60, so write 2:15"), ("1h75m", "has 75 minutes: an hour has 60, so write 2h15m"),
            ("-1h", "is negative"), ("-1.5", "is negative"), ("1h30", "write 1h30m (minutes) or use a colon"),
            ("abc", "is not a number of hours: write it as 1.5, 1:30, 1h30m, 1h or 90m"), ("1:5", "two digits of minutes"),
            (":30", "two digits of minutes"), ("1.5h30m", "whole hours and whole minutes"), ("1.5m", "whole hours and whole minutes"),
            ("h", "is not a number of hours"), ("", "is not a number of hours"), ("1e2h", "is not a number of hours"),
        ])
    func refuses(_ text: String, _ says: String) {
        #expect {
            try Hours.parse(text, field: "hours")
        } throws: { error in
            guard let violation = error as? RuleViolation else { return false }
            return violation.field == "hours" && violation.message.contains(says)
        }
    }
}
