import Foundation
import Postgres
import TestSupport
import Testing

@Suite("COPY and LISTEN/NOTIFY", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct CopyAndNotifyTests {
    let database: TestDatabase.Database
    let connection: Connection

    init() throws {
        database = try TestDatabase.create("copy")
        connection = try database.connect()
    }

    static func note(_ i: Int) -> String? {
        switch i % 5 {
        case 0: nil
        case 1: "tab\there, newline\nthere, backslash \\ and \\N"
        case 2: "Zoë 👩🏽‍💻 \(i)"
        case 3: ""
        default: "row \(i)"
        }
    }

    @Test("100,000 rows go in with COPY and come out again, byte for byte")
    func copyRoundTrip() throws {
        try connection.execute("CREATE TABLE bulk (id int PRIMARY KEY, note text)")
        let total = 100_000
        let copied = try connection.copyIn("COPY bulk (id, note) FROM STDIN") { writer in
            for i in 1...total { try writer.writeRow([String(i), Self.note(i)]) }
        }
        #expect(copied == total)
        #expect(try connection.execute("SELECT count(*) FROM bulk")[0].decode(Int.self, at: 0) == total)

        var seen = 0
        var mismatches = 0
        let out = try connection.copyOut("COPY (SELECT id, note FROM bulk ORDER BY id) TO STDOUT") { line in
            let fields = parseCopyTextRow(line)
            seen += 1
            if fields.count != 2 || fields[0] != String(seen) || fields[1] != Self.note(seen) { mismatches += 1 }
        }
        #expect(out == total)
        #expect(seen == total)
        #expect(mismatches == 0)
    }

    @Test("a COPY whose writer throws stores nothing")
    func copyAbort() throws {
        struct Stop: Error {}
        try connection.execute("CREATE TABLE aborted (id int)")
        #expect(throws: Stop.self) {
            try connection.copyIn("COPY aborted (id) FROM STDIN") { writer in
                for i in 1...70_000 { try writer.writeRow([String(i)]) }
                throw Stop()
            }
        }
        #expect(try connection.execute("SELECT count(*) FROM aborted")[0].decode(Int.self, at: 0) == 0)
        // The connection is usable afterwards.
        #expect(try connection.execute("SELECT 1")[0].decode(Int.self, at: 0) == 1)
    }

    @Test("a bad row fails the COPY with the server's SQLSTATE and stores nothing")
    func copyBadRow() throws {
        try connection.execute("CREATE TABLE strict (id int)")
        let error = #expect(throws: PostgresError.self) {
            try connection.copyIn("COPY strict (id) FROM STDIN") { writer in
                try writer.writeRow(["1"])
                try writer.writeRow(["not a number"])
            }
        }
        #expect(error?.sqlState == .invalidTextRepresentation)
        #expect(try connection.execute("SELECT count(*) FROM strict")[0].decode(Int.self, at: 0) == 0)
    }

    @Test("a reader that stops early cancels COPY TO and keeps the connection usable")
    func copyOutStopsEarly() throws {
        struct Enough: Error {}
        var rows = 0
        #expect(throws: Enough.self) {
            try connection.copyOut("COPY (SELECT generate_series(1, 2000000)) TO STDOUT") { _ in
                rows += 1
                if rows == 10 { throw Enough() }
            }
        }
        #expect(rows == 10)
        #expect(try connection.execute("SELECT 2")[0].decode(Int.self, at: 0) == 2)
    }

    @Test("a LISTEN receives a NOTIFY sent from a second connection")
    func listenNotify() throws {
        try connection.listen("consult events")
        let sender = try database.connect()
        try sender.notify("consult events", payload: "tenant 7, position 42")
        let notification = try #require(try connection.waitForNotification(timeout: .seconds(5)))
        #expect(notification.channel == "consult events")
        #expect(notification.payload == "tenant 7, position 42")
        #expect(notification.senderPID == sender.backendPID)
    }

    @Test("waiting with nothing sent times out with nil, close to the timeout")
    func notifyTimeout() throws {
        try connection.listen("quiet")
        let start = ContinuousClock.now
        let notification = try connection.waitForNotification(timeout: .milliseconds(200))
        let waited = ContinuousClock.now - start
        #expect(notification == nil)
        #expect(waited >= .milliseconds(190))
        #expect(waited < .seconds(3))
    }

    @Test("a notification sent inside a transaction arrives only after it commits")
    func notifyAfterCommit() throws {
        try connection.listen("committed")
        let sender = try database.connect()
        try sender.withTransaction { tx in
            try tx.notify("committed", payload: "1")
            #expect(try connection.waitForNotification(timeout: .milliseconds(100)) == nil)
        }
        #expect(try connection.waitForNotification(timeout: .seconds(5))?.payload == "1")
    }
}
