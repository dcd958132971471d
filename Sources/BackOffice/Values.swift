import Foundation

/// The input a rule violation concerns, in the domain's words: `target`, `reason`, `at`,
/// `budgetHours`, `objective`. It names what was given, never how a front end asks for it: the
/// command line spells `target` as `--target` and an objective as its positional argument, and
/// it does so in one place (Sources/consult/FieldNames.swift). Multi-word keys are lower camel
/// case, as the events' fields are.
public struct FieldKey: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The key: `target`, `budgetHours`.
    public let name: String

    public init(_ name: String) {
        // A flag spelling here would come out as `----target`: the front end adds its own.
        assert(!name.hasPrefix("-"), "a field key is a domain word, not a flag: \(name)")
        self.name = name
    }

    public init(stringLiteral name: String) { self.init(name) }

    public var description: String { name }
}

/// A rule of the domain that a command would break: which rule (DOMAIN.md numbers them), the
/// field it concerns, and why, in the consultant's words.
///
/// ```swift
/// RuleViolation(rule: 1, field: "target", "the target must differ from the baseline")
/// // description: "target: the target must differ from the baseline (rule 1)"
/// // the command line: "--target: the target must differ from the baseline (rule 1)"
/// ```
public struct RuleViolation: Error, Equatable, Sendable, CustomStringConvertible {
    /// The rule's number in DOMAIN.md ("Rules"), or 0 for a plain input error.
    public let rule: Int
    /// The input at fault (`value`, `objective`, …), when there is one.
    public let field: FieldKey?
    public let message: String

    public init(rule: Int, field: FieldKey? = nil, _ message: String) {
        self.rule = rule
        self.field = field
        self.message = message
    }

    /// `target: the target must differ from the baseline (rule 1)`, the field named by its key.
    public var description: String { description(spelling: \.name) }

    /// The same line with the field spelled as a front end shows it: the command line passes
    /// its flag names (`--target`).
    public func description(spelling: (FieldKey) -> String) -> String {
        (field.map { "\(spelling($0)): " } ?? "") + message + (rule > 0 ? " (rule \(rule))" : "")
    }
}

/// Money as an integer number of minor units (pence, cents) and an ISO 4217 currency: no
/// floating point ever touches it (rule 7).
public struct Money: Codable, Hashable, Sendable, CustomStringConvertible {
    public let minorUnits: Int64
    public let currency: String

    public init(minorUnits: Int64, currency: String) throws(RuleViolation) {
        guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            throw RuleViolation(rule: 7, field: "currency", "\"\(currency)\" is not a currency code such as GBP, EUR or USD")
        }
        guard minorUnits >= 0 else {
            throw RuleViolation(rule: 7, field: "value", "money cannot be negative")
        }
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// The active ISO 4217 currency codes (2025; funds and units of account included, precious
    /// metals and testing codes not): what an amount may be in.
    public static let isoCurrencies: Set<String> = Set(
        """
        AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
        CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
        GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW
        KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN
        NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL
        SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES
        VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL
        """.split(whereSeparator: \.isWhitespace).map(String.init))

    /// The codes people mostly mean, for a suggestion when one is mistyped.
    static let commonCurrencies = [
        "GBP", "EUR", "USD", "CHF", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "JPY", "PLN", "CZK", "HUF", "INR", "ZAR", "SGD", "HKD",
        "AED", "BRL", "MXN", "CNY",
    ]

    /// `code` (upper case) when it is an ISO 4217 currency; otherwise a refusal naming `field`,
    /// with the code it most likely meant (`GPB` → GBP: the same letters, or one off a common one).
    public static func currency(_ code: String, field: FieldKey) throws(RuleViolation) -> String {
        let code = code.uppercased()
        guard !isoCurrencies.contains(code) else { return code }
        let letters = code.sorted()
        let likely =
            commonCurrencies.first { $0.sorted() == letters } ?? isoCurrencies.sorted().first { $0.sorted() == letters }
            ?? commonCurrencies.first { Handle.editDistance($0, code) == 1 }
        throw RuleViolation(
            rule: 7, field: field,
            "\"\(code)\" is not an ISO 4217 currency code such as GBP, EUR or USD" + (likely.map { " (did you mean \($0)?)" } ?? ""))
    }

    /// Currencies without minor units; every other has two decimals.
    public static let wholeUnitCurrencies: Set<String> = ["JPY", "KRW", "ISK", "CLP", "VND", "XOF", "XAF", "HUF"]

    public var decimals: Int { Self.wholeUnitCurrencies.contains(currency) ? 0 : 2 }

    /// Reads `4000 GBP`, `4000.50 GBP`, `GBP 4000`, `4,000 GBP`; a bare `4000` is in
    /// `defaultCurrency` (the consultancy's), and refused when there is none.
    public static func parse(_ text: String, field: FieldKey = "value", defaultCurrency: String? = nil) throws(RuleViolation) -> Money {
        var parts = text.split(whereSeparator: { $0 == " " }).map(String.init)
        var typedCurrency = true
        if parts.count == 1, let defaultCurrency, parts[0].first.map({ !$0.isLetter }) == true {
            parts.append(defaultCurrency)
            typedCurrency = false
        }
        guard parts.count == 2 else {
            let hint =
                parts.count == 1 && defaultCurrency == nil
                ? " (or let the owner set the consultancy's currency: consult tenant edit NAME --currency GBP)" : ""
            throw RuleViolation(rule: 7, field: field, "\"\(text)\" is not an amount with a currency, such as \"4000 GBP\"\(hint)")
        }
        let (amount, typed) = parts[0].first!.isLetter ? (parts[1], parts[0]) : (parts[0], parts[1])
        // The consultancy's own currency was checked when its owner set it (a tenant made before
        // the ISO check keeps working); a typed one is checked here.
        let currency = typedCurrency ? try Self.currency(typed, field: field) : typed.uppercased()
        let cleaned = amount.replacingOccurrences(of: ",", with: "")
        guard !cleaned.hasPrefix("-") else { throw RuleViolation(rule: 7, field: field, "money cannot be negative") }
        let pieces = cleaned.split(separator: ".", omittingEmptySubsequences: false)
        let decimals = wholeUnitCurrencies.contains(currency) ? 0 : 2
        guard (1...2).contains(pieces.count), !pieces[0].isEmpty,
            pieces.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            pieces.count == 1 || (pieces[1].count <= decimals && !pieces[1].isEmpty),
            let whole = Int64(pieces[0])
        else {
            throw RuleViolation(rule: 7, field: field, "\"\(amount)\" is not an amount of \(currency) (at most \(decimals) decimals)")
        }
        var fraction: Int64 = 0
        if pieces.count == 2 {
            fraction = Int64(pieces[1].padding(toLength: decimals, withPad: "0", startingAt: 0)) ?? 0
        }
        let scale = Int64(decimals == 0 ? 1 : 100)
        let (scaled, overflow) = whole.multipliedReportingOverflow(by: scale)
        guard !overflow, scaled <= Int64.max - fraction else {
            throw RuleViolation(rule: 7, field: field, "\"\(amount)\" is too large")
        }
        return try Money(minorUnits: scaled + fraction, currency: currency)
    }

    /// `4,000.50 GBP`
    public var description: String {
        let scale = decimals == 0 ? 1 : 100
        let whole = Int(minorUnits) / scale
        let grouped = whole.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_GB")))
        if decimals == 0 { return "\(grouped) \(currency)" }
        let cents = Int(minorUnits) % scale
        return cents == 0 ? "\(grouped) \(currency)" : "\(grouped).\(String(format: "%02d", cents)) \(currency)"
    }
}

/// A calendar day, `2026-11-23`: due dates, expected closes, handover dates.
public struct Day: Codable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    public init(_ date: Date) {
        let parts = Day.calendar.dateComponents([.year, .month, .day], from: date)
        self.init(year: parts.year!, month: parts.month!, day: parts.day!)
    }

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// Reads `YYYY-MM-DD`, checking the date exists.
    public static func parse(_ text: String, field: FieldKey) throws(RuleViolation) -> Day {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), year >= 1900, year <= 2999
        else {
            throw RuleViolation(rule: 0, field: field, "\"\(text)\" is not a date: write it as YYYY-MM-DD")
        }
        let value = Day(year: year, month: month, day: day)
        guard let date = Day.calendar.date(from: DateComponents(year: year, month: month, day: day)), Day(date) == value else {
            throw RuleViolation(rule: 0, field: field, "\(text) is not a day of the calendar")
        }
        return value
    }

    /// Midnight UTC of this day.
    public var date: Date {
        Day.calendar.date(from: DateComponents(year: year, month: month, day: day))!
    }

    public func adding(days: Int) -> Day { Day(Day.calendar.date(byAdding: .day, value: days, to: date)!) }

    public static func < (a: Day, b: Day) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    /// `2026-09-30`. (Padded by hand: `String(format:)` showed in a rebuild's profile.)
    public var description: String {
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))"
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try Day.parse(text, field: "day")
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// When a command runs and what it says happened when: rule 7 allows at most a day ahead.
public struct Clock: Sendable {
    public let now: Date
    public init(now: Date = Date()) { self.now = now }

    /// Checks the date something happened (`at`, `on`): not more than a day in the future.
    public func check(happenedAt date: Date, field: FieldKey = "at") throws(RuleViolation) {
        guard date.timeIntervalSince(now) <= 86_400 else {
            throw RuleViolation(rule: 7, field: field, "\(Day(date)) is more than a day in the future: record things that happened")
        }
    }
}

/// Text a consultant types: a name, a title, a note. Checked once, at the edge.
public enum Text {
    /// Trims it and refuses empty text, control characters (NUL, newlines in names) and text
    /// longer than `limit` characters.
    public static func check(_ text: String, field: FieldKey, limit: Int = 200, multiline: Bool = false) throws(RuleViolation) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw RuleViolation(rule: 0, field: field, "is empty") }
        guard trimmed.count <= limit else {
            throw RuleViolation(rule: 0, field: field, "is \(trimmed.count) characters long; the limit is \(limit)")
        }
        let forbidden = trimmed.unicodeScalars.first {
            $0.properties.generalCategory == .control && !(multiline && ($0 == "\n" || $0 == "\t"))
        }
        if let hidden = trimmed.unicodeScalars.first(where: { invisible.keys.contains($0.value) }) {
            throw RuleViolation(
                rule: 0, field: field,
                "contains \(invisible[hidden.value]!) (U+\(String(hidden.value, radix: 16, uppercase: true))), which would hide or reorder what is shown"
            )
        }
        if let forbidden {
            let name =
                forbidden == "\0"
                ? "a NUL byte"
                : forbidden == "\n" ? "a line break" : "a control character (U+\(String(forbidden.value, radix: 16, uppercase: true)))"
            throw RuleViolation(rule: 0, field: field, "contains \(name)")
        }
        return trimmed
    }

    /// Invisible characters refused in what a consultant types: bidi overrides and isolates
    /// (they reorder text on screen: "Trojan Source"), zero-width spaces and joiners that are not
    /// part of a script or an emoji, the byte-order mark, and line and paragraph separators.
    /// Zero-width (non-)joiners stay: Persian, Indic scripts and emoji sequences need them.
    static let invisible: [UInt32: String] = [
        0x202A: "a bidi embedding", 0x202B: "a bidi embedding", 0x202C: "a bidi pop", 0x202D: "a bidi override",
        0x202E: "a bidi override", 0x2066: "a bidi isolate", 0x2067: "a bidi isolate", 0x2068: "a bidi isolate",
        0x2069: "a bidi isolate", 0x200B: "a zero-width space", 0x2060: "a word joiner", 0xFEFF: "a byte-order mark",
        0x2028: "a line separator", 0x2029: "a paragraph separator",
    ]

    /// Checks optional text.
    public static func checkIfPresent(_ text: String?, field: FieldKey, limit: Int = 200, multiline: Bool = false) throws(RuleViolation)
        -> String?
    {
        guard let text else { return nil }
        return try check(text, field: field, limit: limit, multiline: multiline)
    }
}

/// A short handle from a name: lowercase ASCII letters, digits and hyphens (`Haringey Libraries`
/// → `haringey-libraries`, `Zoë & Co.` → `zoe-co`). Names are unique in a tenant through their
/// handle, so uniqueness ignores case, accents and punctuation (rule 7, a little stricter).
public enum Handle {
    /// A handle made from a name: lower-case ASCII letters and digits joined by single hyphens,
    /// at most 48 characters. Accents are folded (`Café Zoë` → `cafe-zoe`); other scripts are
    /// transliterated to Latin where the platform can (`Пекарня Москва` → `pekarna-moskva`,
    /// `北京茶馆` → `bei-jing-cha-guan`), and their letters are kept where it cannot.
    public static func slug(_ name: String) -> String {
        let folded = name.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: Locale(identifier: "en"))
        let ascii =
            folded.unicodeScalars.allSatisfy(\.isASCII)
            ? folded : (folded.applyingTransform(StringTransform("Any-Latin; Latin-ASCII"), reverse: false) ?? folded)
        let slug = join(ascii) { $0.isASCII && CharacterSet.alphanumerics.contains($0) }
        return slug.isEmpty ? join(folded) { CharacterSet.alphanumerics.contains($0) } : slug
    }

    /// The scalars `keep` accepts, lower-cased, runs of others made one hyphen.
    private static func join(_ text: String, keep: (Unicode.Scalar) -> Bool) -> String {
        var slug = ""
        var pendingHyphen = false
        for scalar in text.unicodeScalars {
            if keep(scalar) {
                if pendingHyphen, !slug.isEmpty { slug.append("-") }
                slug.unicodeScalars.append(scalar)
                pendingHyphen = false
            } else {
                pendingHyphen = true
            }
        }
        return String(slug.lowercased().prefix(48)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }

    /// The handles among `candidates` a mistyped `text` most likely meant, best first: the same
    /// handle with a suffix or prefix (`harbour-bakery` → `harbour-bakery-co`), or within a few
    /// edits (`harbor-bakery`). At most `limit`.
    public static func closest(to text: String, among candidates: some Sequence<String>, limit: Int = 3) -> [String] {
        let typed = slug(text)
        guard !typed.isEmpty else { return [] }
        let allowed = max(2, typed.count / 3)
        var scored: [(String, Int)] = []
        for candidate in Set(candidates) {
            if candidate.hasPrefix(typed) || typed.hasPrefix(candidate) || candidate.contains(typed) {
                scored.append((candidate, 0))
            } else {
                let distance = editDistance(typed, candidate)
                if distance <= allowed { scored.append((candidate, distance)) }
            }
        }
        return scored.sorted { ($0.1, $0.0.count, $0.0) < ($1.1, $1.0.count, $1.0) }.prefix(limit).map(\.0)
    }

    /// Levenshtein distance over characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
