import EventStore
import Foundation
import Postgres

extension TestDatabase.Database {
    /// The made-up event types these tests append (`Happened`, `T`, `Counted`, `GoalSet`, …; none
    /// is the domain's): the log refuses a type it has not registered
    /// (db/migrations/0026_event_types.sql), so they are registered here, with no required key,
    /// as a migration registers the domain's (an INSERT, then consult.compile_event_types()).
    ///
    /// `NoSuchEvent` stands for a type the database knows but this version of the code does not
    /// (stored by a newer version, or before the register existed).
    public func registerTestEventTypes(
        _ types: [String] = [
            "Happened", "T", "Counted", "SecretHappened", "ProjectStarted", "AimStated", "DealWon", "GoalSet", "NoSuchEvent",
        ]
    ) throws {
        let connection = try connect()
        defer { connection.close() }
        try connection.execute(
            """
            INSERT INTO consult.event_types (type, schema_version)
            SELECT t, 1 FROM unnest(\(PostgresValue.array(types))::text[]) t
            ON CONFLICT DO NOTHING
            """)
        try connection.execute("SELECT consult.compile_event_types()")
    }
}
