import Foundation

/// Text that came from a user (or from psql, or an import) made harmless where it is shown:
/// a terminal never receives a control sequence, a spreadsheet never runs a formula, a Markdown
/// page never carries live HTML. JSON needs nothing: its encoder escapes what it must.
public enum Neutralise {
    /// Characters that reorder text on screen (the "Trojan Source" overrides and isolates).
    static let bidiControls: Set<UInt32> = [0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069]

    /// For a terminal: C0 controls (but tab, and line breaks where `keepLineBreaks`), DEL and C1
    /// controls become their visible "control pictures" (ESC shows as ␛) or U+FFFD; bidi
    /// overrides and isolates become U+FFFD.
    public static func terminal(_ text: String, keepLineBreaks: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A where keepLineBreaks, 0x09: out.append(scalar)
            case 0x00...0x1F: out.append(Unicode.Scalar(0x2400 + scalar.value)!)
            case 0x7F: out.append("\u{2421}")
            case 0x80...0x9F: out.append("\u{FFFD}")
            case let value where bidiControls.contains(value): out.append("\u{FFFD}")
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 && scalar != "\t" || (0x7F...0x9F).contains(scalar.value) || bidiControls.contains(scalar.value)
    }

    /// A CSV text cell that a spreadsheet would read as a formula (it starts with `=`, `+`, `-`,
    /// `@`, a tab or a carriage return) gets a leading `'`, as OWASP advises; numbers are
    /// written as numbers and never need it.
    public static func csvCell(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) else { return text }
        return "'" + text
    }

    /// Markdown that renders as text, never as HTML: `&`, `<` and `>` escaped.
    public static func markdown(_ text: String) -> String {
        guard text.contains(where: { $0 == "&" || $0 == "<" || $0 == ">" }) else { return text }
        return text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
