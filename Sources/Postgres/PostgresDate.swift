import Foundation

/// Reading and writing PostgreSQL's ISO date and time text without `DateFormatter`, which is
/// slow, locale-bound and drops microseconds.
///
/// The connection keeps `DateStyle` at `ISO` (see ``Connection``), so the server writes
/// `2026-11-23 02:55:39.123456+00` for a `timestamptz` (the offset is the session's
/// `TimeZone`, which the parser honours), `2026-11-23 02:55:39` for a `timestamp` (read as
/// UTC) and `2026-11-23` for a `date` (midnight UTC).
enum PostgresDate {
    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// `2026-11-23T02:55:39.123456Z`: accepted by `timestamptz`, `timestamp` and `date` input.
    static func format(_ date: Date) -> String {
        // Whole seconds and microseconds apart, so that rounding never carries into a wrong
        // second (…59.9999996 becomes the next second, not …59.1000000).
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let seconds = (micros / 1_000_000).rounded(.down)
        let fraction = Int(micros - seconds * 1_000_000)
        // 1583-01-01 to 9999-12-31 (the proleptic and Foundation's Gregorian calendars agree
        // there): the digits by hand. perf put String(format:) and Calendar at 9% of a rebuild's
        // client time, every timestamp of every row written going through here.
        if seconds >= -12_212_553_600, seconds < 253_402_300_800 {
            return civil(Int(seconds), fraction)
        }
        return foundationFormat(seconds, fraction)
    }

    /// The same text through Foundation's calendar: every date outside the range above.
    static func foundationFormat(_ seconds: Double, _ fraction: Int) -> String {
        let parts = utc.dateComponents(
            [.era, .year, .month, .day, .hour, .minute, .second],
            from: Date(timeIntervalSince1970: seconds))
        let year = parts.year ?? 1
        let bc = parts.era == 0
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", year, parts.month ?? 1, parts.day ?? 1,
            parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0, fraction) + (bc ? " BC" : "")
    }

    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ` from seconds since 1970 and microseconds (days to a civil
    /// date as in H. Hinnant's `civil_from_days`).
    static func civil(_ seconds: Int, _ micros: Int) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let time = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        var out = [UInt8](repeating: 0, count: 27)
        func put(_ value: Int, _ at: Int, _ width: Int) {
            var v = value
            for i in stride(from: at + width - 1, through: at, by: -1) {
                out[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
        }
        put(year, 0, 4)
        out[4] = UInt8(ascii: "-")
        put(month, 5, 2)
        out[7] = UInt8(ascii: "-")
        put(day, 8, 2)
        out[10] = UInt8(ascii: "T")
        put(time / 3600, 11, 2)
        out[13] = UInt8(ascii: ":")
        put(time / 60 % 60, 14, 2)
        out[16] = UInt8(ascii: ":")
        put(time % 60, 17, 2)
        out[19] = UInt8(ascii: ".")
        put(micros, 20, 6)
        out[26] = UInt8(ascii: "Z")
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses `YYYY-MM-DD[ HH:MM:SS[.ffffff][±HH[:MM[:SS]]]]`; nil for anything else
    /// (`infinity`, BC dates, other `DateStyle`s).
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Date? {
        var reader = Reader(bytes: bytes)
        guard let year = reader.digits(min: 4, max: 7), reader.take(UInt8(ascii: "-")),
            let month = reader.digits(min: 2, max: 2), reader.take(UInt8(ascii: "-")),
            let day = reader.digits(min: 2, max: 2),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var hour = 0
        var minute = 0
        var second = 0
        var micros = 0
        var offset = 0
        if reader.take(UInt8(ascii: " ")) || reader.take(UInt8(ascii: "T")) {
            guard let h = reader.digits(min: 2, max: 2), reader.take(UInt8(ascii: ":")),
                let m = reader.digits(min: 2, max: 2), reader.take(UInt8(ascii: ":")),
                let s = reader.digits(min: 2, max: 2), h <= 24, m < 60, s < 61
            else { return nil }
            (hour, minute, second) = (h, m, s)
            if reader.take(UInt8(ascii: ".")) {
                var scale = 100_000
                while let d = reader.digit() {
                    micros += d * scale
                    scale /= 10
                }
            }
            if let sign = reader.sign() {
                guard let oh = reader.digits(min: 2, max: 2) else { return nil }
                var om = 0
                var os = 0
                if reader.take(UInt8(ascii: ":")) {
                    guard let value = reader.digits(min: 2, max: 2) else { return nil }
                    om = value
                    if reader.take(UInt8(ascii: ":")) {
                        guard let value = reader.digits(min: 2, max: 2) else { return nil }
                        os = value
                    }
                }
                offset = sign * (oh * 3600 + om * 60 + os)
            } else if reader.take(UInt8(ascii: "Z")) {
                offset = 0
            }
        }
        guard reader.atEnd else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm),
    /// which is the calendar PostgreSQL uses.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        var atEnd: Bool { index == bytes.count }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func digit() -> Int? {
            guard index < bytes.count, (48...57).contains(bytes[index]) else { return nil }
            defer { index += 1 }
            return Int(bytes[index] - 48)
        }

        mutating func digits(min: Int, max: Int) -> Int? {
            var value = 0
            var count = 0
            while count < max, let d = digit() {
                value = value * 10 + d
                count += 1
            }
            return count >= min ? value : nil
        }

        mutating func sign() -> Int? {
            if take(UInt8(ascii: "+")) { return 1 }
            if take(UInt8(ascii: "-")) { return -1 }
            return nil
        }
    }
}
