import EventStore
import Foundation
import Postgres
import Synchronization
import TestSupport
import Testing

@Suite("concurrent writers and a follower", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct ConcurrencyTests {
    struct WriterReport: Sendable {
        var acknowledged: [UUID: Int64] = [:]  // event id → position
        var conflicts = 0
        var otherFailures: [String] = []
    }

    @Test("8 writers × 2,000 appends on 50 shared streams: nothing lost, doubled or skipped; conflicts only")
    func writersAndFollower() throws {
        let database = try TestDatabase.createMigrated("concurrency")
        try database.registerTestEventTypes()
        let (tenant, member) = try database.createTenant("busy")
        let writers = 8
        let appendsEach = 2_000
        let writersFinished = Flag()

        // The follower runs beside the writers, from checkpoint 0, and stops once the writers
        // are done and it has read up to the last position.
        let follower = FollowerThread.follower(database: database, member: member, writersFinished: writersFinished)

        let reports = onThreads(writers) { writer -> WriterReport in
            let store = EventStore(connection: try database.connect(user: member))
            var report = WriterReport()
            var generator = SystemRandomNumberGenerator()
            var known: [String: Int64] = [:]  // this writer's idea of each stream's version
            for n in 0..<appendsEach {
                let stream = "stream-\(Int.random(in: 0..<50, using: &generator))"
                let event = NewEvent(stream: stream, type: "Counted", data: Data(#"{"writer":\#(writer),"n":\#(n)}"#.utf8))
                do {
                    let result = try store.append([event], to: stream, expecting: .exactly(known[stream] ?? 0))
                    report.acknowledged[event.id] = result.lastPosition
                    known[stream] = result.events[0].streamVersion
                } catch let error as EventStoreError where error.code == .conflict {
                    report.conflicts += 1
                    known[stream] = error.actualVersion
                } catch {
                    report.otherFailures.append("\(error)")
                }
            }
            return report
        }
        writersFinished.set()
        let followed = try follower.value()

        let all = try reports.map { try $0.get() }
        #expect(all.flatMap(\.otherFailures) == [])
        #expect(all.reduce(0) { $0 + $1.acknowledged.count + $1.conflicts } == writers * appendsEach)
        var acknowledged: [UUID: Int64] = [:]
        for report in all { acknowledged.merge(report.acknowledged) { a, _ in a } }

        let admin = try database.connect()
        let rows = try admin.execute(
            "SELECT event_id, position, stream, stream_version FROM consult.events WHERE tenant_id = \(tenant.rawValue) ORDER BY position")
        // Every acknowledged append is in the log exactly once, at the position it was told.
        var stored: [UUID: Int64] = [:]
        var versions: [String: [Int64]] = [:]
        for row in rows {
            stored[try row.decode(UUID.self, at: 0)] = try row.decode(Int64.self, at: 1)
            versions[try row.decode(String.self, at: 2), default: []].append(try row.decode(Int64.self, at: 3))
        }
        #expect(stored.count == rows.count, "an event id appears twice")
        #expect(stored == acknowledged, "the log and the acknowledgements differ")
        // Positions are 1…N and every stream's versions are 1…n, with no hole.
        #expect(try rows.map { try $0.decode(Int64.self, at: 1) } == Array(1...Int64(rows.count)))
        for (stream, list) in versions {
            #expect(list.sorted() == Array(1...Int64(list.count)), "stream \(stream) has a hole")
        }
        #expect(Set(versions.keys).count <= 50)
        // The follower saw exactly the committed set, none twice.
        #expect(followed.count == rows.count, "the follower read \(followed.count) events, the log holds \(rows.count)")
        #expect(Set(followed) == Set(stored.keys))
    }
}

/// A flag threads share.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

/// A thread whose result can be waited for.
final class FollowerThread: @unchecked Sendable {
    // Written once by the thread before `finished` is signalled and read only after it: the
    // semaphore orders the two.
    private var result: Result<[UUID], any Error> = .success([])
    private let finished = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () throws -> [UUID]) {
        let thread = Thread { [self] in
            result = Result { try body() }
            finished.signal()
        }
        thread.start()
    }

    func value() throws -> [UUID] {
        finished.wait()
        return try result.get()
    }

    /// Follows the tenant from checkpoint 0 in short rounds until the writers are done and it
    /// has read up to the last position; returns every event id it was handed, in order.
    static func follower(database: TestDatabase.Database, member: String, writersFinished: Flag) -> FollowerThread {
        FollowerThread {
            let store = EventStore(connection: try database.connect(user: member))
            var seen: [UUID] = []
            var checkpoint: Int64 = 0
            while true {
                let finished = writersFinished.isSet
                checkpoint = try store.follow(
                    from: checkpoint, name: "test-follower", batchSize: 300, pollInterval: .milliseconds(50),
                    until: .now + .milliseconds(200)
                ) { batch in
                    seen += batch.map(\.id)
                    return .continue
                }
                if finished, checkpoint == (try store.lastPosition()) { return seen }
            }
        }
    }
}
