import Foundation
import Postgres
import TestSupport
import Testing

/// Every supported type goes to the server as a bound parameter and comes back unchanged.
@Suite("values round-trip through bound parameters", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct RoundTripTests {
    let database: TestDatabase.Database
    let connection: Connection

    init() throws {
        database = try TestDatabase.create("roundtrip")
        connection = try database.connect()
    }

    /// Sends `value` as `$1`, casts it to `type` on the server, and decodes what comes back.
    func echo<Value: PostgresEncodable & PostgresDecodable>(_ value: Value, as type: String) throws -> Value {
        let rows = try connection.execute("SELECT \(value)::\(unsafeSQL: type) AS v")
        return try rows[0].decode(Value.self, "v")
    }

    static let hostileStrings = [
        "", " ", "plain", "unicode: Zoë, Łódź, Привет, 日本語, عربى", "emoji: 👩🏽‍💻🚀🇬🇧",
        "'; DROP TABLE x; --", "\" OR 1=1 --", "$1", "\\x00\\", "back\\slash", "tab\tnew\nline\rcr",
        "Robert'); DROP TABLE students;--", "%s%n%x", "NULL", "\\N",
    ]

    @Test("strings arrive verbatim, whatever they contain", arguments: hostileStrings)
    func strings(_ value: String) throws {
        #expect(try echo(value, as: "text") == value)
        #expect(try echo(value, as: "varchar") == value)
    }

    @Test("an attacker's string is stored as data and runs nothing")
    func injection() throws {
        try connection.execute("CREATE TABLE x (id int PRIMARY KEY, body text)")
        let attack = "'; DROP TABLE x; --"
        try connection.execute("INSERT INTO x VALUES (1, \(attack))")
        let rows = try connection.execute("SELECT body FROM x WHERE body = \(attack)")
        #expect(rows.count == 1)
        #expect(try rows[0].decode(String.self, "body") == attack)
        #expect(try connection.execute("SELECT to_regclass('x') IS NOT NULL AS present")[0].decode(Bool.self, "present"))
    }

    @Test("one megabyte of text round-trips")
    func megabyte() throws {
        let big = String(repeating: "0123456789abcdeé", count: 1024 * 1024 / 17)
        #expect(try echo(big, as: "text") == big)
    }

    @Test("integers keep their extremes", arguments: [Int.min, -1, 0, 1, 42, Int.max])
    func integers(_ value: Int) throws {
        #expect(try echo(value, as: "int8") == value)
        #expect(try echo(Int64(value), as: "int8") == Int64(value))
    }

    @Test("32-bit integers", arguments: [Int32.min, 0, Int32.max])
    func int32(_ value: Int32) throws {
        #expect(try echo(value, as: "int4") == value)
    }

    @Test(
        "doubles keep every bit, and the special values",
        arguments: [0.0, -1.5, 0.1, 1e-300, 1.7976931348623157e308, .pi, .infinity, -.infinity])
    func doubles(_ value: Double) throws {
        #expect(try echo(value, as: "float8") == value)
    }

    @Test("NaN stays NaN")
    func notANumber() throws {
        #expect(try echo(Double.nan, as: "float8").isNaN)
    }

    @Test("booleans", arguments: [true, false])
    func booleans(_ value: Bool) throws {
        #expect(try echo(value, as: "bool") == value)
    }

    @Test("UUIDs")
    func uuids() throws {
        let id = UUID()
        #expect(try echo(id, as: "uuid") == id)
    }

    @Test("timestamptz keeps microseconds, whatever the session's time zone", arguments: ["UTC", "Asia/Kolkata", "America/St_Johns"])
    func timestamps(_ zone: String) throws {
        try connection.execute("SELECT set_config('TimeZone', \(zone), false)")
        for seconds in [0.0, 1_700_000_000.123456, -2_208_988_800.5, 4_102_444_800.000001] {
            let date = Date(timeIntervalSince1970: seconds)
            let back = try echo(date, as: "timestamptz")
            #expect(abs(back.timeIntervalSince1970 - seconds) < 0.000_001, "\(seconds) came back as \(back.timeIntervalSince1970)")
        }
    }

    @Test("dates read as midnight UTC")
    func dates() throws {
        let rows = try connection.execute("SELECT DATE '2026-11-23' AS d, TIMESTAMP '2026-11-23 10:30:00' AS t")
        #expect(try rows[0].decode(Date.self, "d") == Date(timeIntervalSince1970: 1_795_392_000))
        #expect(try rows[0].decode(Date.self, "t") == Date(timeIntervalSince1970: 1_795_392_000 + 37_800))
    }

    @Test("bytea carries every byte value, NUL included")
    func bytes() throws {
        let all = (0...255).map(UInt8.init) + [0, 0, 255]
        #expect(try echo(all, as: "bytea") == all)
        #expect(try echo(Data(all), as: "bytea") == Data(all))
        #expect(try echo([UInt8](), as: "bytea") == [])
    }

    struct Objective: Codable, Equatable {
        var metric: String
        var baseline: Double
        var target: Double
        var notes: [String]
    }

    @Test("JSON goes in from Encodable and comes back as Decodable or as raw bytes")
    func json() throws {
        let objective = Objective(metric: "complaints answered < 1h", baseline: 0.2, target: 0.9, notes: ["'quoted'", "ünï", "👍"])
        let rows = try connection.execute("SELECT \(json: objective) AS body, \(json: objective)->>'metric' AS metric")
        #expect(try rows[0].decodeJSON(Objective.self, "body") == objective)
        #expect(try rows[0].decode(String.self, "metric") == objective.metric)
        let raw = try rows[0].decode(RawText.self, "body")
        #expect(try JSONDecoder().decode(Objective.self, from: Data(raw.bytes)) == objective)
    }

    @Test("NULL of every type decodes as nil")
    func nulls() throws {
        let rows = try connection.execute(
            """
            SELECT \(String?.none) AS s, \(Int?.none) AS i, \(Double?.none) AS d, \(Bool?.none) AS b,
                   \(UUID?.none) AS u, \(Date?.none) AS t, \([UInt8]?.none) AS bytes, NULL::jsonb AS j
            """)
        let row = rows[0]
        #expect(try row.decode(String?.self, "s") == nil)
        #expect(try row.decode(Int?.self, "i") == nil)
        #expect(try row.decode(Double?.self, "d") == nil)
        #expect(try row.decode(Bool?.self, "b") == nil)
        #expect(try row.decode(UUID?.self, "u") == nil)
        #expect(try row.decode(Date?.self, "t") == nil)
        #expect(try row.decode([UInt8]?.self, "bytes") == nil)
        #expect(try row.decode(RawText?.self, "j") == nil)
        #expect(row.isNull(at: 0))
    }

    @Test("columns are found by name and by index; the affected-row count is reported")
    func columnsAndCounts() throws {
        try connection.execute("CREATE TABLE counted (n int)")
        let insert = try connection.execute("INSERT INTO counted SELECT generate_series(1, 7)")
        #expect(insert.affectedRows == 7)
        #expect(insert.commandTag == "INSERT 0 7")
        let update = try connection.execute("UPDATE counted SET n = n + 1 WHERE n > \(4)")
        #expect(update.affectedRows == 3)
        let rows = try connection.execute("SELECT n, n * 2 AS doubled FROM counted ORDER BY n")
        #expect(rows.count == 7)
        #expect(rows.columns.map(\.name) == ["n", "doubled"])
        #expect(rows.columns.map(\.type) == [.int4, .int4])
        #expect(try rows.map { try $0.decode(Int.self, at: 0) } == [1, 2, 3, 4, 6, 7, 8])
        #expect(try rows[6].decode(Int.self, "doubled") == 16)
    }
}
