import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("appending a batch of commands in one call", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct BatchTests {
    let database: TestDatabase.Database
    let store: EventStore

    init() throws {
        database = try TestDatabase.createMigrated("batch")
        try database.registerTestEventTypes()
        let (_, member) = try database.createTenant("acme")
        store = EventStore(connection: try database.connect(user: member))
    }

    @Test("the commands are written in order, each with its positions, versions and command id")
    func inOrder() throws {
        let (a, b, c) = (UUID(), UUID(), UUID())
        let results = try store.append(batch: [
            BatchCommand([event("s1"), event("s2")], expecting: ["s1": .noStream], commandID: a),
            // Expects the version the first command left: s1 has 1 event, so version 1.
            BatchCommand([event("s1")], expecting: ["s1": .exactly(1)], commandID: b),
            BatchCommand([event("s2")], commandID: c),
        ])
        // Positions run on through the batch: 1, 2 for the first command, 3, then 4.
        #expect(results.map(\.positions) == [[1, 2], [3], [4]])
        // s1 gets versions 1 then 2; s2 gets 1 (first command) then 2 (third).
        #expect(results.map { $0.events.map(\.streamVersion) } == [[1, 1], [2], [2]])
        #expect(results.map(\.replayed) == [false, false, false])
        #expect(try store.events(recordedBy: a).map(\.position) == [1, 2])
        #expect(try store.events(recordedBy: b).map(\.position) == [3])
        #expect(try store.events(recordedBy: c).map(\.position) == [4])
        #expect(try store.lastPosition() == 4)
    }

    @Test("a command already recorded is replayed inside the batch, the others written")
    func idempotentPerCommand() throws {
        let first = UUID()
        let earlier = try store.append([event("s")], to: "s", expecting: .noStream, commandID: first)
        #expect(earlier.positions == [1])
        let second = UUID()
        let results = try store.append(batch: [
            BatchCommand([event("s")], expecting: ["s": .noStream], commandID: first),  // the same command again
            BatchCommand([event("t")], commandID: second),
        ])
        #expect(results[0].replayed)
        #expect(results[0].positions == [1])  // its first result
        #expect(!results[1].replayed)
        // Nothing was written for the replay, so the new command takes position 2, not 3.
        #expect(results[1].positions == [2])
        #expect(try database.eventCount() == 2)

        // The whole batch again: both replayed, nothing written, positions as before.
        let again = try store.append(batch: [
            BatchCommand([event("s")], commandID: first), BatchCommand([event("t")], commandID: second),
        ])
        #expect(again.map(\.replayed) == [true, true])
        #expect(again.map(\.positions) == [[1], [2]])
        #expect(try database.eventCount() == 2)
        // The next single append continues at 3: no position was used by the replays.
        #expect(try store.append([event("u")], to: "u", expecting: .noStream).positions == [3])
    }

    @Test("the same command id twice in one batch is written once and replayed once")
    func sameCommandTwice() throws {
        let id = UUID()
        let results = try store.append(batch: [
            BatchCommand([event("s")], commandID: id), BatchCommand([event("s")], commandID: id),
        ])
        #expect(results.map(\.replayed) == [false, true])
        #expect(results.map(\.positions) == [[1], [1]])
        #expect(try database.eventCount() == 1)
    }

    @Test("a version conflict in any command refuses the whole batch: nothing written")
    func conflictRefusesAll() throws {
        try store.append([event("s")], to: "s", expecting: .noStream)
        let before = try database.eventCount()
        let error = storeError {
            try store.append(batch: [
                BatchCommand([event("t")], expecting: ["t": .noStream], commandID: UUID()),
                // s is at version 1, not 0.
                BatchCommand([event("s")], expecting: ["s": .noStream], commandID: UUID()),
            ])
        }
        #expect(error?.code == .conflict)
        #expect(error?.stream == "s")
        #expect(error?.expectedVersion == 0)
        #expect(error?.actualVersion == 1)
        #expect(try database.eventCount() == before)
        // The positions were given back: the next append takes 2 (after the one event).
        #expect(try store.append([event("t")], to: "t", expecting: .noStream).positions == [2])
    }

    @Test("a bad body in the last command refuses the whole batch")
    func badBodyRefusesAll() throws {
        let before = try database.eventCount()
        let error = storeError {
            try store.append(batch: [
                BatchCommand([event("s")], commandID: UUID()),
                BatchCommand([NewEvent(stream: "s", type: "Happened", data: Data("[1]".utf8))], commandID: UUID()),
            ])
        }
        #expect(error?.code == .invalidBody)
        #expect(try database.eventCount() == before)
    }

    @Test("the call limits hold for the batch as a whole, in Swift and on the server")
    func limits() throws {
        let before = try database.eventCount()
        // 1001 commands of one event each: 1001 events > 1000, refused by the client.
        let many = (0..<1001).map { _ in BatchCommand([event("s")], commandID: UUID()) }
        #expect(storeError { try store.append(batch: many) }?.code == .tooLarge)
        // The same sent to the server directly: CN021.
        let connection = try database.connect(
            user: try database.connect().execute(
                "SELECT role_name FROM consult.members ORDER BY role_name LIMIT 1")[0].decode(String.self, at: 0))
        var state: String? = nil
        do {
            _ = try connection.execute(
                """
                SELECT * FROM consult.append_batch(NULL, array_fill(NULL::uuid, ARRAY[1001]), array_fill(1, ARRAY[1001]),
                    array_fill('s'::text, ARRAY[1001]), array_fill('Happened'::text, ARRAY[1001]), array_fill(1, ARRAY[1001]),
                    array_fill('{}'::text, ARRAY[1001]), ARRAY(SELECT gen_random_uuid() FROM generate_series(1, 1001)),
                    array_fill(now(), ARRAY[1001]), array_fill(0, ARRAY[1001]), '{}', '{}')
                """)
        } catch {
            state = (error as? PostgresError)?.sqlState?.rawValue
        }
        #expect(state == "CN021")
        // 9 commands of a 1 MiB body each: 9 × 1,048,576 = 9,437,184 bytes > 8,388,608 (8 MiB).
        let big = Data("{\"k\": \"\(String(repeating: "x", count: 1_048_576 - 9))\"}".utf8)
        #expect(big.count == 1_048_576)
        let heavy = (0..<9).map { _ in BatchCommand([NewEvent(stream: "s", type: "Happened", data: big)], commandID: UUID()) }
        #expect(storeError { try store.append(batch: heavy) }?.code == .tooLarge)
        #expect(storeError { try store.append(batch: []) }?.code == .invalidEvent)
        #expect(storeError { try store.append(batch: [BatchCommand([])]) }?.code == .invalidEvent)
        #expect(try database.eventCount() == before)
    }

    @Test("a member's batch stays in its own tenant")
    func ownTenant() throws {
        let (other, otherMember) = try database.createTenant("globex")
        let otherStore = EventStore(connection: try database.connect(user: otherMember))
        try otherStore.append(batch: [BatchCommand([event("s")], commandID: UUID())])
        // A member naming another tenant is refused (CN002): only an admin may name one.
        let mine = EventStore(connection: store.connection, tenant: other)
        #expect(storeError { try mine.append(batch: [BatchCommand([event("s")])]) }?.code == .tenantUnknown)
        #expect(try otherStore.lastPosition() == 1)
    }
}
