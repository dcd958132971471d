/// The checks an import makes of each line, as SQL over the staged lines (issue 19, target 3):
/// the checks of ``ExportLine/parse(_:line:)`` (every field present, of its JSON type, with a
/// sane value), written as one `CASE` over `j`, the line as `jsonb`, so that the whole file is
/// checked in one statement rather than decoded line by line in Swift. The reasons are
/// ``ExportLine``'s, in the same order (the fields in the order the decoder reads them, then
/// the values); the first that applies is the line's problem, NULL when there is none.
enum ImportChecks {
    enum Kind {
        case string, int64, int32, uuid, object, optionalUUID
    }

    /// The fields of an event line, in the order ``ExportLine/Line`` declares (and decodes) them.
    static let fields: [(name: String, kind: Kind)] = [
        ("tenant", .string), ("position", .int64), ("stream", .string), ("stream_version", .int64), ("event_id", .uuid),
        ("type", .string), ("schema_version", .int32), ("data", .object), ("metadata", .object), ("command_id", .optionalUUID),
        ("occurred_at", .string), ("recorded_at", .string),
    ]

    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in hex digits, what Foundation's UUID(uuidString:) reads.
    static let uuidPattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

    /// `YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±HH[:MM])`, as ``ExportLine/isTimestamp(_:)`` reads it, with
    /// the field ranges in the pattern (month 01–12, day 01–31, hour 00–23, minute 00–59, second
    /// 00–60, an offset PostgreSQL accepts: up to ±15:59); the year 0000 and days past the end of
    /// their month are tested beside it.
    static let timestampPattern =
        #"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]{1,6})?(Z|[+-](0[0-9]|1[0-5])(:?[0-5][0-9])?)$"#

    /// A timestamp's text is not a real date and time: out of the pattern, in the year 0, or a day
    /// its month does not have (the 30th of February, the 31st of April, the 29th of February of a
    /// year that is not leap).
    static func badTimestamp(_ text: String) -> String {
        let day = "substr(\(text), 9, 2) COLLATE \"C\""
        let month = "substr(\(text), 6, 2)"
        let year = "substr(\(text), 1, 4)::integer"
        return """
            \(text) !~ '\(timestampPattern)' OR left(\(text), 4) = '0000'
                         OR (\(day) >= '29' AND \(day) > CASE \(month)
                               WHEN '02' THEN CASE WHEN (\(year) % 4 = 0 AND \(year) % 100 <> 0) OR \(year) % 400 = 0 THEN '29' ELSE '28' END
                               WHEN '04' THEN '30' WHEN '06' THEN '30' WHEN '09' THEN '30' WHEN '11' THEN '30' ELSE '31' END)
            """
    }

    /// The problem of the line `j` (a `jsonb` column or expression), NULL for a good line.
    static let lineProblem: String = {
        var tests = ["WHEN jsonb_typeof(j) <> 'object' THEN 'not a JSON object'"]
        func field(_ name: String, _ what: String) -> String { "'the field \"\(name)\" \(what)'" }
        for (name, kind) in fields {
            let value = "(j -> '\(name)')"
            let text = "(j ->> '\(name)')"
            if kind == .optionalUUID {
                tests.append("WHEN jsonb_typeof(\(value)) NOT IN ('null', 'string') THEN \(field(name, "has the wrong type"))")
                tests.append(
                    "WHEN jsonb_typeof(\(value)) = 'string' AND \(text) !~ '\(uuidPattern)' THEN \(field(name, "is not valid"))")
                continue
            }
            tests.append("WHEN NOT j ? '\(name)' THEN \(field(name, "is missing"))")
            tests.append("WHEN jsonb_typeof(\(value)) = 'null' THEN \(field(name, "is null"))")
            switch kind {
            case .string, .uuid:
                tests.append("WHEN jsonb_typeof(\(value)) <> 'string' THEN \(field(name, "has the wrong type"))")
                if kind == .uuid {
                    tests.append("WHEN \(text) !~ '\(uuidPattern)' THEN \(field(name, "is not valid"))")
                }
            case .int64, .int32:
                // A JSON number that is a whole number in the range of the Swift (and SQL) type:
                // jsonb keeps numbers as numeric, so 1e400 and 99999999999999999999 reach here.
                let (digits, limit) = kind == .int64 ? (19, "9223372036854775807") : (10, "2147483647")
                tests.append("WHEN jsonb_typeof(\(value)) <> 'number' THEN \(field(name, "has the wrong type"))")
                tests.append(
                    "WHEN \(text) !~ '^-?[0-9]{1,\(digits)}$' OR abs(\(text)::numeric) > \(limit) THEN \(field(name, "is not valid"))")
            case .object:
                tests.append("WHEN jsonb_typeof(\(value)) <> 'object' THEN \(field(name, "has the wrong type"))")
            case .optionalUUID:
                break
            }
        }
        tests.append(
            """
            WHEN (j ->> 'position')::bigint <= 0 OR (j ->> 'stream_version')::bigint <= 0 OR (j ->> 'schema_version')::integer <= 0
                 THEN 'position, stream_version and schema_version must be positive'
            """)
        tests.append(
            """
            WHEN char_length(j ->> 'stream') NOT BETWEEN 1 AND 200 OR char_length(j ->> 'type') NOT BETWEEN 1 AND 100
                 THEN 'stream and type must be 1-200 and 1-100 characters'
            """)
        for name in ["occurred_at", "recorded_at"] {
            tests.append(
                "WHEN \(badTimestamp("(j ->> '\(name)')")) THEN \(field(name, "is not a date and time such as 2026-09-01T10:00:00+00:00"))"
            )
        }
        return "CASE\n    " + tests.joined(separator: "\n    ") + "\nEND"
    }()

    /// Whether the line `j` passes every check of ``lineProblem`` that a cast or a constraint of
    /// consult.events does not make for itself, and its body passes consult.event_body_problem:
    /// the test of the fast path, where a line failing a cast or a constraint raises (and the
    /// careful path names it). Cheap where ``lineProblem`` is thorough: the JSON type of every
    /// field, the lengths, the strict forms of ids and dates (a cast to uuid or timestamptz
    /// also reads forms an export never writes, `now` among them). NULL counts as false.
    static let fastLineIsGood: String = {
        var tests: [String] = []
        for (name, kind) in fields {
            let value = "(j -> '\(name)')"
            switch kind {
            case .string, .uuid: tests.append("jsonb_typeof(\(value)) = 'string'")
            case .int64, .int32: tests.append("jsonb_typeof(\(value)) = 'number'")
            case .object: tests.append("jsonb_typeof(\(value)) = 'object'")
            case .optionalUUID: tests.append("coalesce(jsonb_typeof(\(value)), 'null') IN ('null', 'string')")
            }
        }
        // The dashes of 8-4-4-4-12 in 36 characters: with the cast to uuid that the insert makes,
        // exactly the form Foundation reads.
        func uuidForm(_ text: String) -> String {
            "(char_length(\(text)) = 36 AND substr(\(text), 9, 1) = '-' AND substr(\(text), 14, 1) = '-' AND substr(\(text), 19, 1) = '-' AND substr(\(text), 24, 1) = '-')"
        }
        tests.append(uuidForm("(j ->> 'event_id')"))
        tests.append("(jsonb_typeof(j -> 'command_id') IS DISTINCT FROM 'string' OR \(uuidForm("(j ->> 'command_id')")))")
        tests.append("char_length(j ->> 'stream') BETWEEN 1 AND 200 AND char_length(j ->> 'type') BETWEEN 1 AND 100")
        for name in ["occurred_at", "recorded_at"] { tests.append("NOT (\(badTimestamp("(j ->> '\(name)')")))") }
        // The body check of every registered type, inlined (db/migrations/0066): no call a row.
        // PARALLEL SAFE (0067), as every function here: the check runs in parallel workers.
        tests.append("consult.body_problem_inline(j ->> 'type', (j ->> 'schema_version')::integer, j -> 'data') IS NULL")
        return "(" + tests.joined(separator: "\n    AND ") + ")"
    }()
}
