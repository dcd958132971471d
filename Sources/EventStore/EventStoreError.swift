import Foundation
import Postgres

/// Why an append or a read failed, typed from the SQLSTATE that consult.append raises
/// (db/migrations/0005_append.sql declares the same codes), never from message text.
///
/// A struct over codes rather than a closed enum, since the set may grow.
public struct EventStoreError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        /// A stream was not at the expected version; nothing was written.
        public static let conflict = Code(rawValue: "conflict")
        /// The command id was recorded before with different events.
        public static let duplicateCommand = Code(rawValue: "duplicate command")
        /// The role belongs to no tenant, or the tenant does not exist or is not theirs.
        public static let tenantUnknown = Code(rawValue: "tenant unknown")
        /// A body is over the 1 MiB limit, or one append over 1,000 events or 8 MiB of bodies.
        public static let tooLarge = Code(rawValue: "too large")
        /// A body is not a JSON object, or not a valid event of its type (CN022: a key missing or
        /// of the wrong shape, or a type the database has not registered).
        public static let invalidBody = Code(rawValue: "invalid body")
        /// A stream name or type is empty, too long or has characters outside the allowed set.
        public static let invalidEvent = Code(rawValue: "invalid event")
        /// The log refused to change an event (it is append-only).
        public static let appendOnly = Code(rawValue: "append-only")
        /// A stored body could not be brought to today's shape.
        public static let upcastFailed = Code(rawValue: "upcast failed")
        /// The database failed otherwise: see ``EventStoreError/underlying``.
        public static let database = Code(rawValue: "database")
        public var description: String { rawValue }
    }

    public let code: Code
    public let message: String
    /// For a conflict: the stream, the version expected and the version found.
    public var stream: String?
    public var expectedVersion: Int64?
    public var actualVersion: Int64?
    /// The database error behind it, when there is one.
    public var underlying: PostgresError?

    public init(_ code: Code, _ message: String, underlying: PostgresError? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { message }

    /// The SQLSTATEs of consult.append.
    enum SQLCode {
        static let conflict = SQLState("CN001")
        static let tenantUnknown = SQLState("CN002")
        static let tooLarge = SQLState("CN003")
        static let invalidBody = SQLState("CN004")
        static let duplicateCommand = SQLState("CN005")
        static let invalidEvent = SQLState("CN006")
        static let appendOnly = SQLState("CN009")
        static let callTooLarge = SQLState("CN021")
        static let invalidShape = SQLState("CN022")
    }

    /// Translates a database error at the boundary, by SQLSTATE.
    init(_ error: PostgresError) {
        let code: Code =
            switch error.sqlState {
            case SQLCode.conflict?: .conflict
            case SQLCode.tenantUnknown?: .tenantUnknown
            case SQLCode.tooLarge?, SQLCode.callTooLarge?: .tooLarge
            case SQLCode.invalidBody?, SQLCode.invalidShape?, .invalidTextRepresentation?: .invalidBody
            case SQLCode.duplicateCommand?: .duplicateCommand
            case SQLCode.invalidEvent?: .invalidEvent
            case SQLCode.appendOnly?: .appendOnly
            // Two appenders raced past the check to the same version: the unique key caught it.
            // The log is partitioned (0012): the partition's index is named, events_hNN_…_stream_version_key.
            case .uniqueViolation? where error.constraint?.hasSuffix("stream_version_key") == true: .conflict
            default: .database
            }
        self.init(
            code, Self.headBehind(error) ?? (code == .database ? error.description : error.message), underlying: error)
        if code == .conflict, let detail = error.detail, let json = try? JSONDecoder().decode(ConflictDetail.self, from: Data(detail.utf8))
        {
            stream = json.stream
            expectedVersion = json.expected
            actualVersion = json.actual
        }
    }

    /// What to tell of an append refused because the position its tenant's head gave is taken:
    /// an event was written around consult.append and left the head (0045) behind the log.
    /// Nothing was recorded; `consult doctor` names the repair. Nil for any other error.
    public static func headBehind(_ error: PostgresError) -> String? {
        guard error.sqlState == .uniqueViolation, let constraint = error.constraint,
            constraint.hasPrefix("events_"), constraint.contains("pkey")
        else { return nil }
        return "this tenant's log is ahead of its head (an event was written around consult.append), so the position this append drew "
            + "is taken; nothing was recorded: run `consult doctor`, which names the repair"
    }

    private struct ConflictDetail: Decodable {
        let stream: String
        let expected: Int64
        let actual: Int64
    }
}
