import Foundation
import Postgres
import TestSupport
import Testing

@Suite("errors carry SQLSTATE and never a password", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct ErrorTests {
    let database: TestDatabase.Database
    let connection: Connection

    init() throws {
        database = try TestDatabase.create("errors")
        connection = try database.connect()
    }

    /// Runs `body` and returns the `PostgresError` it throws, failing the test if it throws none.
    func postgresError(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> PostgresError? {
        do {
            try body()
            Issue.record("expected a PostgresError, got success", sourceLocation: sourceLocation)
        } catch let error as PostgresError {
            return error
        } catch {
            Issue.record("expected a PostgresError, got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    @Test("a unique violation is 23505 and names its constraint and table")
    func uniqueViolation() throws {
        try connection.execute("CREATE TABLE tenants (name text CONSTRAINT tenants_name_key UNIQUE)")
        try connection.execute("INSERT INTO tenants VALUES (\("acme"))")
        let error = try #require(postgresError { try connection.execute("INSERT INTO tenants VALUES (\("acme"))") })
        #expect(error.kind == .server)
        #expect(error.sqlState == .uniqueViolation)
        #expect(error.constraint == "tenants_name_key")
        #expect(error.table == "tenants")
        #expect(error.sql == "INSERT INTO tenants VALUES ($1)")
        #expect(!error.isConnectionFailure)
    }

    @Test("an unknown table is 42P01")
    func undefinedTable() throws {
        let error = try #require(postgresError { try connection.execute("SELECT * FROM no_such_table") })
        #expect(error.sqlState == .undefinedTable)
        #expect(error.sqlState?.errorClass == "42")
    }

    @Test("the bound values never appear in the error")
    func valuesStayOut() throws {
        let secret = "4111-1111-1111-1111"
        let error = try #require(postgresError { try connection.execute("SELECT \(secret)::int") })
        #expect(error.sqlState == .invalidTextRepresentation)
        #expect(error.sql == "SELECT $1::int")
    }

    @Test("a text value with a NUL byte is refused, not truncated")
    func nulByte() throws {
        let error = try #require(postgresError { try connection.execute("SELECT \("before\0after")::text") })
        #expect(error.sqlState == .characterNotInRepertoire)
        #expect(error.kind == .usage)
    }

    @Test("decoding errors name the column, its type and the Swift type")
    func decodingErrors() throws {
        let rows = try connection.execute("SELECT NULL::text AS missing, 'abc'::text AS word, 3000000000::int8 AS big")
        let null = try #require(postgresError { _ = try rows[0].decode(String.self, "missing") })
        #expect(null.kind == .decoding)
        #expect(null.message.contains("\"missing\""))
        let word = try #require(postgresError { _ = try rows[0].decode(Int.self, "word") })
        #expect(word.kind == .decoding)
        #expect(word.message.contains("of type text cannot be read as Int"))
        let big = try #require(postgresError { _ = try rows[0].decode(Int32.self, "big") })
        #expect(big.message.contains("out of range"))
        let absent = try #require(postgresError { _ = try rows[0].decode(String.self, "nope") })
        #expect(absent.kind == .decoding)
    }

    @Test(
        "a failed connection's error contains no password",
        arguments: [
            "postgresql://consult_ann:Sup3r-Secret@127.0.0.1:1/consult",
            "postgresql://consult_ann:Sup3r-Secret@/consult?host=/nonexistent/dir",
            "host=/nonexistent/dir user=consult_ann password=Sup3r-Secret",
            "host=/nonexistent/dir password='Sup3r-Secret' port=notaport",
            "postgresql://consult_ann:Sup3r-Secret@localhost:notaport/consult",
            "password=Sup3r-Secret this is not a conninfo",
        ])
    func noPasswordInConnectionErrors(_ conninfo: String) throws {
        let error = try #require(postgresError { _ = try Connection.connect(conninfo) })
        #expect(error.kind == .connection)
        #expect(error.isConnectionFailure)
        for text in [error.description, error.fullDescription, String(describing: error), "\(error)"] {
            #expect(!text.contains("Sup3r-Secret"), "password leaked: \(text)")
        }
    }

    @Test("a refused login does not echo the password it was given")
    func refusedLogin() throws {
        // The throwaway cluster trusts its private socket, so the refusal here is an unknown
        // role; what matters is that the password given never shows in the error.
        let error = try #require(postgresError { _ = try database.connect(user: "no_such_role_x", password: "Wr0ng-Pa55") })
        #expect(error.kind == .connection)
        #expect(!error.fullDescription.contains("Wr0ng-Pa55"))
    }

    @Test("a terminated backend is reported as a connection failure")
    func terminatedBackend() throws {
        let victim = try database.connect()
        let admin = try database.connect()
        try admin.execute("SELECT pg_terminate_backend(\(victim.backendPID))")
        let error = try #require(postgresError { try victim.execute("SELECT 1") })
        #expect(error.isConnectionFailure)
        #expect(!victim.isOpen)
    }

    @Test("a closed connection refuses work with a usage error")
    func closed() throws {
        let other = try database.connect()
        other.close()
        other.close()
        let error = try #require(postgresError { try other.execute("SELECT 1") })
        #expect(error.kind == .usage)
    }
}
