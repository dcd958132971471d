import Foundation
import Postgres
import TestSupport
import Testing

@Suite("transactions", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct TransactionTests {
    let connection: Connection

    struct Boom: Error {}

    init() throws {
        connection = try TestDatabase.create("tx").connect()
        try connection.execute("CREATE TABLE ledger (id int PRIMARY KEY, note text)")
    }

    func count() throws -> Int {
        try connection.execute("SELECT count(*) AS n FROM ledger")[0].decode(Int.self, "n")
    }

    @Test("a transaction that returns is committed")
    func commits() throws {
        let value = try connection.withTransaction { tx in
            try tx.execute("INSERT INTO ledger VALUES (1, 'kept')")
            return 42
        }
        #expect(value == 42)
        #expect(try count() == 1)
        #expect(!connection.inTransaction)
    }

    @Test("a throwing transaction leaves nothing behind")
    func rollsBack() throws {
        #expect(throws: Boom.self) {
            try connection.withTransaction(.serializable) { tx in
                try tx.execute("INSERT INTO ledger VALUES (1, 'gone')")
                try tx.execute("INSERT INTO ledger VALUES (2, 'gone too')")
                throw Boom()
            }
        }
        #expect(try count() == 0)
        #expect(!connection.inTransaction)
    }

    @Test("a failed statement whose error was caught still fails the commit")
    func swallowedErrorFailsCommit() throws {
        let error = #expect(throws: PostgresError.self) {
            try connection.withTransaction { tx in
                try tx.execute("INSERT INTO ledger VALUES (1, 'first')")
                _ = try? tx.execute("INSERT INTO ledger VALUES (1, 'duplicate')")
            }
        }
        #expect(error?.sqlState == .inFailedSQLTransaction)
        #expect(try count() == 0)
    }

    @Test("a nested transaction is a savepoint: its failure undoes only itself")
    func nested() throws {
        try connection.withTransaction { tx in
            try tx.execute("INSERT INTO ledger VALUES (1, 'outer')")
            #expect(throws: Boom.self) {
                try tx.withTransaction { inner in
                    try inner.execute("INSERT INTO ledger VALUES (2, 'inner')")
                    throw Boom()
                }
            }
            try tx.withTransaction { inner in
                try inner.execute("INSERT INTO ledger VALUES (3, 'inner kept')")
            }
        }
        let ids = try connection.execute("SELECT id FROM ledger ORDER BY id").map { try $0.decode(Int.self, at: 0) }
        #expect(ids == [1, 3])
    }

    @Test("the isolation level and read-only mode are applied", arguments: IsolationLevel.allCases)
    func isolation(_ level: IsolationLevel) throws {
        try connection.withTransaction(level, readOnly: true) { tx in
            let shown = try tx.execute("SHOW transaction_isolation")[0].decode(String.self, at: 0)
            #expect(shown.uppercased() == level.rawValue)
            // In a savepoint, so that the refused write does not abort the whole transaction.
            let error = #expect(throws: PostgresError.self) {
                try tx.withTransaction { try $0.execute("INSERT INTO ledger VALUES (9, 'no')") }
            }
            #expect(error?.sqlState == .readOnlySQLTransaction)
        }
    }
}
