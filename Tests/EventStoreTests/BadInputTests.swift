import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("bad input is refused with a typed error and writes nothing", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct BadInputTests {
    let database: TestDatabase.Database
    let store: EventStore

    init() throws {
        database = try TestDatabase.createMigrated("badinput")
        try database.registerTestEventTypes()
        let (_, member) = try database.createTenant("acme")
        store = EventStore(connection: try database.connect(user: member))
        try store.append([event("existing")], to: "existing", expecting: .noStream)
    }

    /// Expects `body` to fail with `code` and the log to hold exactly what it held before.
    func refused(_ code: EventStoreError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) throws {
        let before = try database.eventCount()
        let error = storeError(sourceLocation: sourceLocation, body)
        #expect(error?.code == code, "got \(String(describing: error))", sourceLocation: sourceLocation)
        #expect(try database.eventCount() == before, sourceLocation: sourceLocation)
    }

    @Test("an unknown tenant")
    func unknownTenant() throws {
        // A role that belongs to no tenant.
        let admin = try database.connect()
        try admin.execute("CREATE ROLE \(identifier: "stray_\(UUID().uuidString.prefix(6).lowercased())") LOGIN IN ROLE consult_member")
        let role = try admin.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE 'stray_%' ORDER BY oid DESC LIMIT 1")[0].decode(
            String.self, at: 0)
        let stray = EventStore(connection: try database.connect(user: role))
        try refused(.tenantUnknown) { try stray.append([event()], to: "s", expecting: .any) }
        // An admin naming a tenant that does not exist.
        let nowhere = EventStore(connection: admin, tenant: TenantID(987_654))
        try refused(.tenantUnknown) { try nowhere.append([event()], to: "s", expecting: .any) }
    }

    @Test(
        "empty, too long and unprintable stream names and types",
        arguments: ["", " ", "a b", "tab\there", String(repeating: "x", count: 201), "-leading", "new\nline"])
    func badNames(_ name: String) throws {
        try refused(.invalidEvent) { try store.append([event(name)], to: name, expecting: .any) }
        try refused(.invalidEvent) { try store.append([event("s", type: name)], to: "s", expecting: .any) }
    }

    @Test("a body that is not JSON", arguments: ["not json", "{\"open\": ", "{'single': 1}", ""])
    func notJSON(_ text: String) throws {
        try refused(.invalidBody) {
            try store.append([NewEvent(stream: "s", type: "T", data: Data(text.utf8))], to: "s", expecting: .any)
        }
    }

    @Test("a body that is JSON but not an object", arguments: ["[1,2]", "42", "\"text\"", "null"])
    func notAnObject(_ text: String) throws {
        try refused(.invalidBody) {
            try store.append([NewEvent(stream: "s", type: "T", data: Data(text.utf8))], to: "s", expecting: .any)
        }
    }

    @Test("a body of 1 MiB + 1 byte is too large; 1 MiB exactly is not")
    func tooLarge() throws {
        let limit = EventStore.maximumBodySize
        func body(size: Int) -> Data {
            let wrapper = #"{"x":""}"#.utf8.count
            return Data(#"{"x":""#.utf8 + Array(repeating: UInt8(ascii: "a"), count: size - wrapper) + #""}"#.utf8)
        }
        #expect(body(size: limit + 1).count == limit + 1)
        try refused(.tooLarge) {
            try store.append([NewEvent(stream: "s", type: "T", data: body(size: limit + 1))], to: "s", expecting: .any)
        }
        // The server enforces it too, for SQL that does not come through this API.
        let direct = try database.connect()
        let oversized = String(decoding: body(size: limit + 1), as: UTF8.self)
        let error = #expect(throws: PostgresError.self) {
            try direct.execute(
                """
                SELECT consult.append(1, NULL, ARRAY['s'], ARRAY['T'], ARRAY[1], ARRAY[\(oversized)], ARRAY[gen_random_uuid()],
                                      ARRAY[now()], ARRAY[]::text[], ARRAY[]::bigint[])
                """)
        }
        #expect(error?.sqlState == SQLState("CN003"))
        try store.append([NewEvent(stream: "s", type: "T", data: body(size: limit))], to: "s", expecting: .any)
    }

    @Test("a stale expected version is a conflict naming stream, expected and actual")
    func staleVersion() throws {
        try refused(.conflict) { try store.append([event("existing")], to: "existing", expecting: .exactly(7)) }
        try refused(.conflict) { try store.append([event("existing")], to: "existing", expecting: .noStream) }
        let error = try #require(storeError { try store.append([event("existing")], to: "existing", expecting: .exactly(0)) })
        #expect(error.stream == "existing")
        #expect(error.expectedVersion == 0)
        #expect(error.actualVersion == 1)
    }

    @Test("no events at all")
    func empty() throws {
        try refused(.invalidEvent) { try store.append([], to: "s", expecting: .any) }
    }
}
