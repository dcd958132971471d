import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

func body(_ fields: [String: String]) -> Data {
    try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
}

func event(_ stream: String = "s", type: String = "Happened", _ fields: [String: String] = ["k": "v"]) -> NewEvent {
    NewEvent(stream: stream, type: type, data: body(fields))
}

/// Runs `body`, expecting an EventStoreError, and returns it.
func storeError(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> EventStoreError? {
    do {
        try body()
        Issue.record("expected an EventStoreError, got success", sourceLocation: sourceLocation)
    } catch let error as EventStoreError {
        return error
    } catch {
        Issue.record("expected an EventStoreError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

@Suite("appending and reading", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct AppendTests {
    let database: TestDatabase.Database
    let tenant: TenantID
    let member: String
    let store: EventStore

    init() throws {
        database = try TestDatabase.createMigrated("append")
        try database.registerTestEventTypes()
        (tenant, member) = try database.createTenant("acme")
        store = EventStore(connection: try database.connect(user: member))
    }

    @Test("an append returns positions and versions, and reads give back every field")
    func appendAndRead() throws {
        let at = Date(timeIntervalSince1970: 1_790_000_000.25)
        let first = NewEvent(
            stream: "engagement-1", type: "ProjectStarted", data: body(["title": "Libraries on Twitter"]), occurredAt: at)
        let command = UUID()
        let correlation = UUID()
        let result = try store.append(
            [first, event("engagement-1", type: "AimStated")], to: "engagement-1", expecting: .noStream, commandID: command,
            metadata: AppendMetadata(correlationID: correlation, extra: ["client": "tests"]))
        #expect(result.positions == [1, 2])
        #expect(result.events.map(\.streamVersion) == [1, 2])
        #expect(!result.replayed)

        let events = try store.read(stream: "engagement-1")
        #expect(events.count == 2)
        let read = events[0]
        #expect(read.tenant == tenant)
        #expect(read.id == first.id)
        #expect(read.type == "ProjectStarted")
        #expect(read.schemaVersion == 1)
        #expect(read.streamVersion == 1)
        #expect(try read.decode([String: String].self) == ["title": "Libraries on Twitter"])
        #expect(read.metadata.actor == member)
        #expect(abs(read.metadata.occurredAt.timeIntervalSince(at)) < 0.000_001)
        #expect(read.metadata.commandID == command)
        #expect(read.metadata.correlationID == correlation)
        #expect(abs(read.metadata.recordedAt.timeIntervalSinceNow) < 60)
        #expect(try store.version(of: "engagement-1") == 2)
        #expect(try store.version(of: "engagement-none") == 0)
        #expect(try store.read(stream: "engagement-1", from: 2).map(\.streamVersion) == [2])
        #expect(try store.read(after: 1, limit: 10).map(\.position) == [2])
        #expect(try store.lastPosition() == 2)
    }

    @Test("the actor is the login role: a client cannot claim another")
    func actorCannotBeForged() throws {
        try store.append(
            [event()], to: "s", expecting: .any, metadata: AppendMetadata(extra: ["actor": "someone-else", "recorded_at": "1999"]))
        let read = try #require(try store.read(stream: "s").first)
        #expect(read.metadata.actor == member)
        let json = try JSONSerialization.jsonObject(with: read.metadata.json) as? [String: Any]
        #expect(json?["actor"] as? String == member)
        #expect(json?["recorded_at"] as? String != "1999")
    }

    @Test("a multi-stream append is atomic: one stale stream writes nothing")
    func multiStream() throws {
        try store.append([event("lead-1")], to: "lead-1", expecting: .noStream)
        let won = [event("lead-1", type: "DealWon"), event("engagement-9", type: "ProjectStarted")]
        let error = try #require(
            storeError {
                try store.append(won, expecting: ["lead-1": .exactly(1), "engagement-9": .exactly(3)])
            })
        #expect(error.code == .conflict)
        #expect(error.stream == "engagement-9")
        #expect(try store.lastPosition() == 1)

        let result = try store.append(won, expecting: ["lead-1": .exactly(1), "engagement-9": .noStream])
        #expect(result.events.map(\.stream) == ["lead-1", "engagement-9"])
        #expect(result.events.map(\.streamVersion) == [2, 1])
        #expect(result.positions == [2, 3])
    }

    @Test("the same command appended twice is stored once; the second call returns the first's positions")
    func idempotent() throws {
        let command = UUID()
        let first = try store.append([event("a"), event("a")], to: "a", expecting: .noStream, commandID: command)
        // A retry builds its events again (new ids) and would now fail its version check: the
        // command id answers first.
        let second = try store.append([event("a"), event("a")], to: "a", expecting: .noStream, commandID: command)
        #expect(second.replayed)
        #expect(second.positions == first.positions)
        #expect(try database.eventCount() == 2)
    }

    @Test("a command id reused for other events is a duplicate command")
    func duplicateCommand() throws {
        let command = UUID()
        try store.append([event("a")], to: "a", expecting: .noStream, commandID: command)
        let error = try #require(storeError { try store.append([event("b")], to: "b", expecting: .noStream, commandID: command) })
        #expect(error.code == .duplicateCommand)
        #expect(try database.eventCount() == 1)
    }

    @Test("the same command sent by 8 writers at once is stored once, and all get the same positions")
    func idempotentConcurrently() throws {
        let command = UUID()
        let database = database
        let member = member
        let results = onThreads(8) { _ in
            let store = EventStore(connection: try database.connect(user: member))
            return try store.append([event("c"), event("c")], to: "c", expecting: .noStream, commandID: command).positions
        }
        let positions = try results.map { try $0.get() }
        #expect(Set(positions) == [[1, 2]])
        #expect(try database.eventCount() == 2)
    }

    @Test("old shapes are read in today's shape")
    func upcasting() throws {
        // A v1 ObjectiveSet as an early version of consult stored it: "goal" and a percentage
        // as a string. Today (v2) says "statement" and a number.
        let fixture = #"{"goal":"Answer complaints within the hour","target":"80%"}"#
        try store.append(
            [NewEvent(stream: "engagement-3", type: "GoalSet", schemaVersion: 1, data: Data(fixture.utf8))],
            to: "engagement-3", expecting: .noStream)

        var upcasters = Upcasters()
        upcasters.register("GoalSet", from: 1) { v1 in
            var v2 = v1
            v2["statement"] = v2.removeValue(forKey: "goal")
            if let target = v1["target"] as? String { v2["target"] = Double(target.dropLast()) }
            return v2
        }
        let reader = EventStore(connection: store.connection, upcasters: upcasters)
        let read = try #require(try reader.read(stream: "engagement-3").first)
        #expect(read.schemaVersion == 2)
        #expect(read.storedSchemaVersion == 1)
        struct V2: Decodable, Equatable {
            let statement: String
            let target: Double
        }
        #expect(try read.decode(V2.self) == V2(statement: "Answer complaints within the hour", target: 80))
        // The stored row is untouched.
        let raw = try database.connect().execute("SELECT data->>'goal' FROM consult.events")[0].decode(String.self, at: 0)
        #expect(raw == "Answer complaints within the hour")
    }
}
