/// Widths in terminal cells, the unit a terminal lays text out in: an East Asian wide or
/// fullwidth letter and an emoji take two cells, a combining mark, a zero-width joiner or a
/// variation selector none, everything else one.
///
/// Widths are summed scalar by scalar, as `wcwidth(3)` does: `Coders 👩‍💻` is 11 cells (the
/// woman and the laptop two each, the joiner none). A terminal that draws the joined emoji as
/// one picture shows it two cells narrower, so a line measured here is never wider on screen
/// than measured: a table fitted with these widths never overflows.
///
/// ```swift
/// Cells.width("北京茶馆")         // 8
/// Cells.width("Cafe\u{301}")     // 4: the accent combines
/// Cells.cut("北京茶馆", to: 6)    // "北京…" (5 cells; a wide letter is never split)
/// ```
public enum Cells {
    /// The cells `text` takes on a terminal.
    public static func width(_ text: some StringProtocol) -> Int {
        var total = 0
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            // VS16 asks for the emoji picture of the letter before it (❤ → ❤️): two cells.
            if scalar.value == 0xFE0F, let previous, previous.properties.isEmoji, width(previous) == 1 { total += 1 }
            total += width(scalar)
            previous = scalar
        }
        return total
    }

    /// The cells one scalar takes: 0, 1 or 2.
    public static func width(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value < 0x7F { return value < 0x20 ? 0 : 1 }  // ASCII, the common case
        if value < 0xA0 { return 0 }  // DEL and C1 controls
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark: return 0
        case .format: return value == 0xAD ? 1 : 0  // ZWJ, ZWSP, bidi marks; the soft hyphen shows
        default: break
        }
        if (0x1160...0x11FF).contains(value) || (0xD7B0...0xD7FF).contains(value) { return 0 }  // Hangul vowels and finals join
        if scalar.properties.isEmojiPresentation { return 2 }
        return wide.contains { $0.contains(value) } ? 2 : 1
    }

    /// East Asian Width W and F (Unicode 15, UAX #11) that are not emoji: CJK, kana, Hangul
    /// syllables, fullwidth forms. Emoji are found by their property instead.
    static let wide: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
        0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
        0x16FE0...0x16FE4, 0x17000...0x18CFF, 0x1AFF0...0x1B2FF, 0x1F200...0x1F2FF, 0x1F300...0x1F64F, 0x1F900...0x1F9FF,
        0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    /// `text` cut to at most `width` cells, ending in "…" when cut; never splits a letter from
    /// its marks, a wide letter in two, or a number or a date (`2027-01-15`, `1,000`, `45.9%`):
    /// the cut comes before it.
    public static func cut(_ text: String, to width: Int) -> String {
        guard Self.width(text) > width else { return text }
        guard width > 0 else { return "" }
        let characters = Array(text)
        var kept = 0
        var used = 0
        while kept < characters.count, used + Self.width(String(characters[kept])) <= width - 1 {
            used += Self.width(String(characters[kept]))
            kept += 1
        }
        // Back off to the start of a figure the cut would fall inside.
        func figure(_ c: Character) -> Bool { digit(c) || "-:./,%".contains(c) }
        func digit(_ c: Character) -> Bool { ("0"..."9").contains(c) }
        if kept > 0, kept < characters.count, figure(characters[kept]), figure(characters[kept - 1]) {
            var start = kept
            while start > 0, figure(characters[start - 1]) { start -= 1 }
            var end = kept
            while end < characters.count, figure(characters[end]) { end += 1 }
            if characters[start..<end].contains(where: digit) { kept = start }
        }
        var prefix = String(characters[..<kept])
        while prefix.last == " " { prefix.removeLast() }
        // "6,500 …", not "6,500…": a whole figure before the ellipsis must not look cut; with
        // no room for the space, the figure goes.
        if let last = prefix.last, digit(last) {
            if Self.width(prefix) + 2 <= width { return prefix + " …" }
            while let last = prefix.last, figure(last) { prefix.removeLast() }
            while prefix.last == " " { prefix.removeLast() }
        }
        return prefix + "…"
    }

    /// `text` padded with spaces to `width` cells, on the right (or the left for numbers).
    public static func pad(_ text: String, to width: Int, right: Bool = false) -> String {
        let pad = String(repeating: " ", count: max(0, width - Self.width(text)))
        return right ? pad + text : text + pad
    }

    /// `text` broken at spaces into lines of at most `width` cells; a word wider than that
    /// keeps its own line, whole.
    public static func wrap(_ text: String, to width: Int) -> [String] {
        guard Self.width(text) > width else { return [text] }
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            if !line.isEmpty, Self.width(line) + 1 + Self.width(word) > width {
                lines.append(line)
                line = String(word)
            } else {
                line = line.isEmpty ? String(word) : line + " " + word
            }
        }
        return lines + [line]
    }
}
