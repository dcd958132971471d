import EventStore
import Foundation
import TestSupport
import Testing

/// The migrator sends a file one statement at a time (Citus's workers refuse several commands in
/// one prepared statement, issue 20 item 10): the splitter must end a statement at a semicolon
/// only where PostgreSQL would.
@Suite("splitting a migration into statements")
struct StatementSplitTests {
    @Test("plain statements split at their semicolons, trimmed, the last one without a semicolon kept")
    func plain() {
        #expect(Migrator.statements("SELECT 1;\n  SELECT 2 ;\nSELECT 3") == ["SELECT 1", "SELECT 2", "SELECT 3"])
        #expect(Migrator.statements("") == [])
        #expect(Migrator.statements(" ;; \n;") == [])
    }

    @Test("semicolons inside strings, E-strings, quoted identifiers and comments do not split")
    func quoted() {
        #expect(Migrator.statements("SELECT 'a;b', 'it''s; fine'; SELECT 2") == ["SELECT 'a;b', 'it''s; fine'", "SELECT 2"])
        // In E'…' a backslash escapes the quote: 'x\';y' is one literal holding x';y.
        #expect(Migrator.statements(#"SELECT E'x\';y'; SELECT 2"#) == [#"SELECT E'x\';y'"#, "SELECT 2"])
        // In a standard string a backslash is a character: 'x\' ends at its second quote.
        #expect(Migrator.statements(#"SELECT 'x\'; SELECT 2"#) == [#"SELECT 'x\'"#, "SELECT 2"])
        #expect(Migrator.statements(#"CREATE TABLE "a;""b" (x int); SELECT 2"#) == [#"CREATE TABLE "a;""b" (x int)"#, "SELECT 2"])
        #expect(Migrator.statements("SELECT 1 -- one; two\n, 2; SELECT 3") == ["SELECT 1 -- one; two\n, 2", "SELECT 3"])
        #expect(
            Migrator.statements("SELECT /* a; /* nested; */ still; */ 1; SELECT 2") == [
                "SELECT /* a; /* nested; */ still; */ 1", "SELECT 2",
            ])
    }

    @Test("comments alone between statements are no statement; a header comment is dropped")
    func comments() {
        #expect(Migrator.statements("-- header; with a semicolon\n/* block; */\nSELECT 1;\n-- trailer;\n") == ["SELECT 1"])
    }

    @Test("dollar-quoted bodies, tagged or not, nested in another tag, keep their semicolons; $1 is no tag")
    func dollars() {
        let function = """
            CREATE FUNCTION f(p int) RETURNS int LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM 1; RETURN p;
            END
            $$
            """
        let block = """
            DO $outer$
            BEGIN
                EXECUTE $inner$ SELECT 1; SELECT 2 $inner$;
                EXECUTE format('SELECT %s; -- $$', 1);
            END
            $outer$
            """
        #expect(Migrator.statements(function + ";\n" + block + ";\nSELECT 3;") == [function, block, "SELECT 3"])
        #expect(
            Migrator.statements("PREPARE p AS SELECT $1; SELECT a$b FROM t; SELECT 2") == [
                "PREPARE p AS SELECT $1", "SELECT a$b FROM t", "SELECT 2",
            ])
    }

    @Test("a BEGIN ATOMIC body, with a CASE … END inside, is one statement")
    func atomic() {
        let function = """
            CREATE FUNCTION g(x int) RETURNS int LANGUAGE sql
            BEGIN ATOMIC
                SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;
                SELECT x;
            END
            """
        #expect(Migrator.statements(function + ";\nSELECT 2;") == [function, "SELECT 2"])
    }

    @Test("every migration file splits into statements that split again into themselves, joined or alone")
    func everyFile() throws {
        // That each statement is what PostgreSQL expects is shown by every integration test:
        // the migrator applies every file through this splitter (MigrationTests and the rest).
        let migrator = try Migrator(directory: TestDatabase.migrationsDirectory)
        let citus = try Migrator(directory: TestDatabase.migrationsDirectory.deletingLastPathComponent().appendingPathComponent("citus"))
        for migration in migrator.migrations + citus.migrations {
            let statements = Migrator.statements(migration.sql)
            #expect(!statements.isEmpty, "\(migration.name)")
            #expect(Migrator.statements(statements.joined(separator: ";\n")) == statements, "\(migration.name)")
            for statement in statements {
                #expect(Migrator.statements(statement) == [statement], "\(migration.name): \(statement.prefix(80))")
            }
        }
        // The file with nested dollar quotes ($compile$ around $f$ around $body$) keeps its
        // function whole: the statement ends with its closing tag.
        let types = try #require(migrator.migrations.first { $0.name == "0026_event_types" })
        let compile = try #require(Migrator.statements(types.sql).first { $0.hasPrefix("CREATE FUNCTION consult.compile_event_types()") })
        #expect(compile.hasSuffix("$compile$"))
    }
}
