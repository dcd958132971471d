import Foundation

/// A number a consultant typed, kept exactly: a metric's baseline, target and measurements, and
/// hours of work. Decimal, never binary floating point: `1.8` is 1.8, not 1.8000000000000000444,
/// and `0.1 + 0.2` is 0.3 (rule 8: "values keep the decimals given").
///
/// It wraps Foundation's `Decimal` (38 significant digits, exact decimal arithmetic) because
/// `JSONEncoder` and `JSONDecoder` treat `Decimal` specially: they write and read the number's
/// decimal digits, never through a `Double`. So an event body holds `"value": 2.4`, a JSON number
/// as it always did, and a body written before this type existed (from a `Double`, whose
/// shortest text `JSONEncoder` wrote: `150`, `2.4`, `1802.5`) reads back as the same value: the
/// stored shape did not change, and no schema version was raised.
///
/// A value is kept, not its spelling: `3.50` and `3.5` are the same quantity and both are
/// stored and shown as `3.5` (`Decimal` drops trailing zeros, and so does the JSON).
/// ``decimals`` counts the digits after the point of that shortest exact form.
///
/// ```swift
/// let baseline = Quantity.parse("1.8")!   // 1.8, exactly
/// baseline.decimals                       // 1
/// baseline.formatted(decimals: 2)         // "1.80"
/// Quantity.parse("2,240")                 // nil: no grouping, no units, no "1.8abc"
/// ```
public struct Quantity: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The value.
    public let decimal: Decimal

    public init(_ decimal: Decimal) { self.decimal = decimal }

    public init(_ value: Int) { decimal = Decimal(value) }

    public init(integerLiteral value: Int) { self.init(value) }

    /// The most significant digits a quantity may have (`Decimal` holds 38).
    public static let maximumDigits = 38

    /// Reads a number as typed: an optional sign, digits with an optional decimal point
    /// (`2.4`, `-3`, `.5`, `150.`), and an optional exponent (`1e3`). Never through a `Double`.
    /// nil for anything else: grouping commas, units, spaces, `NaN`, `inf`, a trailing `abc`
    /// (which `Decimal(string:)` would silently drop), or more than 38 significant digits.
    public static func parse(_ text: String) -> Quantity? {
        var bytes = Array(text.utf8)[...]
        func digits() -> ArraySlice<UInt8> {
            let run = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            bytes = bytes.dropFirst(run.count)
            return run
        }
        if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        var mantissa = digits()
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            mantissa += digits()
        }
        guard !mantissa.isEmpty else { return nil }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
            let exponent = digits()
            guard !exponent.isEmpty, exponent.count <= 3 else { return nil }
        }
        guard bytes.isEmpty else { return nil }
        let significant = mantissa.drop { $0 == UInt8(ascii: "0") }.reversed().drop { $0 == UInt8(ascii: "0") }
        guard significant.count <= maximumDigits,
            let decimal = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), !decimal.isNaN
        else { return nil }
        return Quantity(decimal)
    }

    /// The exact digits, with a `.` for the point and no grouping: `1.8`, `150`, `-0.000001`.
    /// What JSON and CSV carry, and what PostgreSQL's `numeric` reads.
    public var description: String { decimal.description }

    /// How many digits follow the point in the exact form: `1.8` → 1, `150` → 0, `5.25` → 2.
    /// Read from the exponent, not the text: every `Decimal` that parsing, decoding or
    /// arithmetic makes is compact (no trailing zeros in its significand: `3.50` is 35 × 10⁻¹),
    /// so the digits after the point are minus the exponent. Zero keeps the exponent it was
    /// written with (`0.000` is 0 × 10⁻³) and prints `0`: no decimals. A rebuild asks this for
    /// every measurement, and `description` cost it 2 µs each.
    public var decimals: Int { decimal.isZero ? 0 : max(0, -decimal.exponent) }

    /// The most decimals among `values`: a metric's own precision (0 for none).
    public static func precision(of values: some Sequence<Quantity>) -> Int {
        values.map(\.decimals).max() ?? 0
    }

    /// The value rounded (half away from zero) to `decimals` places.
    public func rounded(decimals: Int) -> Quantity {
        var value = decimal
        var result = Decimal()
        NSDecimalRound(&result, &value, decimals, .plain)
        return Quantity(result)
    }

    /// The text a person reads: exactly `decimals` places (padded with zeros, rounded half away
    /// from zero when the value has more) and digits grouped in threes: `2,240.0`, `-1.80`.
    public func formatted(decimals: Int) -> String {
        var text = rounded(decimals: decimals).description
        let negative = text.hasPrefix("-")
        if negative { text.removeFirst() }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let whole = String(parts[0])
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        fraction += String(repeating: "0", count: max(0, decimals - fraction.count))
        var grouped = ""
        for (index, digit) in whole.enumerated() {
            if index > 0, (whole.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        let isZero = decimal == 0 || (grouped.allSatisfy { $0 == "0" || $0 == "," } && fraction.allSatisfy { $0 == "0" })
        return (negative && !isZero ? "-" : "") + grouped + (decimals > 0 ? "." + fraction : "")
    }

    /// The text a person reads at the value's own precision: `2,240`, `5.25`.
    public var formatted: String { formatted(decimals: decimals) }

    /// The value as a `Double` when it is a whole number that a `Double` holds exactly (at most
    /// 2^53 either side of zero); nil otherwise. Checked against the value itself, so it does not
    /// lean on how Foundation converts: `Decimal(Int64(x)) == decimal` is exact.
    var wholeDouble: Double? {
        let x = NSDecimalNumber(decimal: decimal).doubleValue
        guard x.isFinite, x.rounded() == x, abs(x) <= Double(1 << 53), Decimal(Int64(x)) == decimal else { return nil }
        return x
    }

    /// The nearest `Double`, for drawing a chart: never for a figure shown or stored.
    public var approximation: Double { Double(description) ?? 0 }

    public static func < (a: Quantity, b: Quantity) -> Bool { a.decimal < b.decimal }
    public static func + (a: Quantity, b: Quantity) -> Quantity { Quantity(a.decimal + b.decimal) }
    public static func - (a: Quantity, b: Quantity) -> Quantity { Quantity(a.decimal - b.decimal) }
    public static func += (a: inout Quantity, b: Quantity) { a = a + b }

    public static let zero = Quantity(0)

    public init(from decoder: any Decoder) throws {
        // JSONDecoder reads a `Decimal` from the number's digits (never through a `Double`).
        decimal = try decoder.singleValueContainer().decode(Decimal.self)
        guard !decimal.isNaN else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a number"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        // JSONEncoder writes a `Decimal` as its exact digits: `1.8`, not 1.8000000000000000444.
        var container = encoder.singleValueContainer()
        try container.encode(decimal)
    }
}

/// Rule 8: how far an objective has come from its baseline towards its target, 0–100 %,
/// whichever way the metric should move (complaint response time should go down).
///
/// The differences are exact; the ratio is a `Double` rounded once from the exact ratio: both
/// differences are scaled to whole numbers (×10^decimals), and when they fit in 2^53 (every
/// metric a consultant types) the one division of two exact `Double`s is correctly rounded.
/// Baseline 1.8, target 3.5, latest 2.4: 100 × 0.6 / 1.7 = 6000 / 170 = 35.294117647058826 %.
public func progress(baseline: Quantity, latest: Quantity, target: Quantity) -> Double {
    guard target != baseline else { return latest == target ? 100 : 0 }
    // Whole numbers for at most 18 decimals; beyond, 10^decimals could pass Decimal's exponent.
    let decimals = min(Quantity.precision(of: [baseline, latest, target]), 18)
    let scale = Decimal(sign: .plus, exponent: decimals, significand: 1)
    let gained = (latest.decimal - baseline.decimal) * scale * 100
    let needed = (target.decimal - baseline.decimal) * scale
    let share: Double
    if let gained = Quantity(gained).wholeDouble, let needed = Quantity(needed).wholeDouble {
        share = gained / needed
    } else {
        // Digits beyond a Double's: the exact quotient to 38 digits, then its nearest Double.
        share = Double((gained / needed).description) ?? 0
    }
    guard share.isFinite else { return 0 }
    return min(100, max(0, share))
}

/// Hours as a consultant types them, read exactly: the one parse of hours (`engagement work`,
/// `--budget-hours`, `--hours-per-month`).
///
/// `1.5` and `1.5h` (decimal hours), `1:30` (hours and two-digit minutes), `1h30m`, `1h`, `90m`.
/// Minutes become hours exactly or not at all: a number of minutes is an exact decimal of hours
/// only when it is a multiple of 3 (3 minutes = 0.05 h; 90m = 1.5, 45m = 0.75, 1:21 = 1.35), so
/// `1:20` (1⅓ h) is refused with the two nearest exact forms rather than stored as 1.333… or
/// rounded: hours are kept exactly as given, and a sum of them is exact.
///
/// ```swift
/// try Hours.parse("1:30")    // 1.5
/// try Hours.parse("1h15m")   // 1.25
/// try Hours.parse("1:20")    // RuleViolation: … write 1:18 (1.3 h) or 1:21 (1.35 h)
/// ```
public enum Hours {
    /// The forms every message names.
    public static let forms = "1.5, 1:30, 1h30m, 1h or 90m"

    /// Reads `text` as hours, or throws a violation of `field` that says why and what to write.
    public static func parse(_ text: String, field: FieldKey = "hours") throws(RuleViolation) -> Quantity {
        let typed = text.trimmingCharacters(in: .whitespaces)
        func refuse(_ why: String) -> RuleViolation { RuleViolation(rule: 0, field: field, why) }
        guard !typed.hasPrefix("-") else { throw refuse("\"\(text)\" is negative: hours of work are more than 0") }
        if let plain = Quantity.parse(typed) { return plain }
        let bytes = Array(typed.lowercased().utf8)
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        func whole(_ part: ArraySlice<UInt8>) -> Int? {
            part.isEmpty || part.count > 6 || !part.allSatisfy(isDigit) ? nil : Int(String(decoding: part, as: UTF8.self))
        }
        // H:MM
        if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
            guard let hours = whole(bytes[..<colon]), let minutes = whole(bytes[(colon + 1)...]), bytes.count - colon - 1 == 2 else {
                throw refuse("\"\(text)\" is not a number of hours: after the colon come two digits of minutes, as in 1:30 or 0:45")
            }
            guard minutes < 60 else {
                throw refuse("\"\(text)\" has \(minutes) minutes: an hour has 60, so write \(hours + 1):\(pad(minutes - 60))")
            }
            return try exact(minutes: hours * 60 + minutes, typed: text, field: field) { "\($0 / 60):\(pad($0 % 60))" }
        }
        // [Xh][Ym], X decimal only without minutes.
        var rest = bytes[...]
        var hoursPart: ArraySlice<UInt8>?
        if let h = rest.firstIndex(of: UInt8(ascii: "h")) {
            hoursPart = rest[..<h]
            rest = rest[(h + 1)...]
            while rest.first == UInt8(ascii: " ") { rest = rest.dropFirst() }
        }
        var minutesPart: ArraySlice<UInt8>?
        if rest.last == UInt8(ascii: "m") {
            minutesPart = rest.dropLast()
            rest = []
        }
        guard rest.isEmpty, hoursPart != nil || minutesPart != nil else {
            if hoursPart != nil, whole(rest) != nil {
                throw refuse("\"\(text)\" does not say what its last number counts: write \(typed)m (minutes) or use a colon, as in 1:30")
            }
            throw refuse("\"\(text)\" is not a number of hours: write it as \(forms)")
        }
        if let hoursPart, minutesPart == nil {
            guard let value = Quantity.parse(String(decoding: hoursPart, as: UTF8.self)), !hoursPart.contains(UInt8(ascii: "e")),
                !hoursPart.contains(UInt8(ascii: "+"))
            else { throw refuse("\"\(text)\" is not a number of hours: write it as \(forms)") }
            return value
        }
        let hours = hoursPart.map(whole) ?? 0
        guard let hours, let minutes = minutesPart.flatMap(whole) else {
            throw refuse(
                "\"\(text)\" is not a number of hours: whole hours and whole minutes, as in 1h30m or 90m (or decimal hours alone: 1.5h)")
        }
        guard hoursPart == nil || minutes < 60 else {
            throw refuse("\"\(text)\" has \(minutes) minutes: an hour has 60, so write \(hours + 1)h\(minutes - 60)m")
        }
        return try exact(minutes: hours * 60 + minutes, typed: text, field: field) { total in
            hoursPart == nil ? "\(total)m" : total % 60 == 0 ? "\(total / 60)h" : "\(total / 60)h\(total % 60)m"
        }
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// `minutes` as exact hours, or a refusal naming the nearest exact forms (spelled by `form`).
    private static func exact(minutes: Int, typed: String, field: FieldKey, form: (Int) -> String) throws(RuleViolation) -> Quantity {
        guard minutes % 3 == 0 else {
            let below = minutes - minutes % 3
            let above = below + 3
            func hours(_ m: Int) -> String { Quantity(Decimal(m) / 60).description }
            let whole = minutes / 60
            let fraction = minutes % 60
            let nearest = (below > 0 ? "\(form(below)) (\(hours(below)) h) or " : "") + "\(form(above)) (\(hours(above)) h)"
            throw RuleViolation(
                rule: 0, field: field,
                "\"\(typed)\" is \(whole > 0 ? "\(whole) h " : "")\(fraction) min, which no decimal number of hours holds exactly "
                    + "(hours are kept exactly as given): write \(nearest)")
        }
        return Quantity(Decimal(minutes) / 60)
    }
}
