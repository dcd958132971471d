import BackOffice
import Foundation
import Testing

@Suite("exact numbers: metric values and hours")
struct QuantityTests {
    @Test(
        "a number is read as typed, never through a Double",
        arguments: [
            ("1.8", "1.8", 1), ("150", "150", 0), ("-2.40", "-2.4", 1), ("5.25", "5.25", 2), (".5", "0.5", 1), ("+3", "3", 0),
            ("1e3", "1000", 0), ("0.000001", "0.000001", 6), ("2240.0", "2240", 0),
            // 17 significant digits: a Double would keep 2.4000000000000004 at best.
            ("2.4000000000000001", "2.4000000000000001", 16),
            // Zero prints as 0 whatever it was written with; a trailing zero is not a decimal.
            ("0.000", "0", 0), ("-0.0", "0", 0), ("1.50e-3", "0.0015", 4), ("2.5e3", "2500", 0),
        ])
    func parses(_ text: String, _ exact: String, _ decimals: Int) throws {
        let value = try #require(Quantity.parse(text))
        #expect(value.description == exact)
        #expect(value.decimals == decimals)
    }

    @Test(
        "anything else is not a number", arguments: ["", "-", ".", "1.8abc", "2,240", "1 000", "NaN", "inf", "1e", "0x10", "1.2.3", "£5"])
    func refuses(_ text: String) {
        #expect(Quantity.parse(text) == nil)
    }

    @Test(
        "a person reads it grouped, at the precision asked for",
        arguments: [
            ("2240", 0, "2,240"), ("2240", 1, "2,240.0"), ("1.8", 2, "1.80"), ("-1234567.5", 1, "-1,234,567.5"),
            // Rounded half away from zero when asked for fewer decimals than it has.
            ("2.345", 2, "2.35"), ("-2.345", 2, "-2.35"), ("-0.04", 1, "0.0"),
        ])
    func formats(_ text: String, _ decimals: Int, _ shown: String) throws {
        #expect(try #require(Quantity.parse(text)).formatted(decimals: decimals) == shown)
    }

    @Test("a metric's precision is the most decimals among its values")
    func precision() throws {
        let values = try ["1.8", "3.5", "2.45", "2"].map { try #require(Quantity.parse($0)) }
        #expect(Quantity.precision(of: values) == 2)
        #expect(Quantity.precision(of: [Quantity]()) == 0)
    }

    @Test("arithmetic keeps the decimals a person counts in the result")
    func arithmeticDecimals() throws {
        func q(_ text: String) throws -> Quantity { try #require(Quantity.parse(text)) }
        // 2.5 + 2.5 = 5: none. 0.5 × 0.2 = 0.1: one. 1.25 − 0.25 = 1: none. 0.1 + 0.2 = 0.3: one.
        #expect((try q("2.5") + q("2.5")).decimals == 0)
        #expect(Quantity(try q("0.5").decimal * q("0.2").decimal).decimals == 1)
        #expect((try q("1.25") - q("0.25")).decimals == 0)
        #expect((try q("0.1") + q("0.2")).decimals == 1)
        // 1 / 3 to Decimal's 38 digits: 0.333…3, 38 of them after the point.
        #expect(Quantity(Decimal(1) / Decimal(3)).decimals == 38)
        // A body's 0.000 is zero: none.
        struct Body: Decodable { var value: Quantity }
        #expect(try JSONDecoder().decode(Body.self, from: Data(#"{"value": 0.000}"#.utf8)).value.decimals == 0)
    }

    @Test("numbers that bodies written from a Double hold read back as the value typed")
    func oldBodies() throws {
        struct Body: Decodable { var value: Quantity }
        // JSONEncoder wrote a Double as its shortest text: 2.4 as 2.4, 1e-07 as 1e-07.
        for (json, exact) in [("150", "150"), ("2.4", "2.4"), ("1802.5", "1802.5"), ("40.0", "40"), ("1e-07", "0.0000001")] {
            let body = try JSONDecoder().decode(Body.self, from: Data(#"{"value": \#(json)}"#.utf8))
            #expect(body.value.description == exact)
        }
    }
}
