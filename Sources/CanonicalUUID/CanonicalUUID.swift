import Foundation

extension UUID {
    /// The canonical text form, `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (hex digits in either
    /// case), read from its bytes without building a String. Foundation's `UUID(uuidString:)`
    /// parses with `sscanf`: perf put it at an eighth of a rebuild's time (UUIDs of rows, read by
    /// `Postgres`) and a tenth of an as-of report's (UUIDs in event bodies, read by `BackOffice`).
    /// nil for anything else; callers fall back to Foundation for forms it also accepts.
    public static func parseCanonical(_ text: UnsafeRawBufferPointer) -> UUID? {
        guard text.count == 36 else { return nil }
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c &- UInt8(ascii: "A") &+ 10
            default: nil
            }
        }
        let parsed = withUnsafeMutableBytes(of: &uuid) { out -> Bool in
            var i = 0
            for k in 0..<16 {
                if i == 8 || i == 13 || i == 18 || i == 23 {
                    guard text[i] == UInt8(ascii: "-") else { return false }
                    i += 1
                }
                guard let high = nibble(text[i]), let low = nibble(text[i + 1]) else { return false }
                out[k] = high << 4 | low
                i += 2
            }
            return true
        }
        return parsed ? UUID(uuid: uuid) : nil
    }

    /// `text` as a UUID: the canonical form by hand, any other form Foundation reads by
    /// Foundation (the same values; nil where Foundation gives nil).
    public static func parse(_ text: String) -> UUID? {
        var copy = text
        return copy.withUTF8 { parseCanonical(UnsafeRawBufferPointer($0)) } ?? UUID(uuidString: text)
    }
}
