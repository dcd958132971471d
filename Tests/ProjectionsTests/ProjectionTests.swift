import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

@testable import BackOffice
@testable import Projections

@Suite("projections: catch-up, rebuild, verify, as-of, follow", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct ProjectionTests {
    /// The owner's projector for the fixture's tenant.
    func projector(_ fixture: MonthFixture) throws -> Projector {
        Projector(connection: try fixture.database.connect(), tenant: fixture.tenant)
    }

    /// Empties the tenant's read models and checkpoint, as if the projection had never run.
    func reset(_ fixture: MonthFixture) throws {
        let admin = try fixture.database.connect()
        for table in Projector.tables + ["projection_checkpoints"] {
            try admin.execute("DELETE FROM consult.\(identifier: table) WHERE tenant_id = \(fixture.tenant.rawValue)")
        }
    }

    @Test("catch-up in random batch sizes (1…500, seeded), catch-up after every command, and a full rebuild give identical tables")
    func catchUpEqualsRebuild() throws {
        let fixture = try MonthFixture()
        let projector = try projector(fixture)
        let afterCommands = try projector.readModel()
        #expect(afterCommands.pipeline.count == 1)
        #expect(afterCommands.objectives.count == 2)

        for seed in [1, 7, 42] as [UInt64] {
            try reset(fixture)
            var random = SeededRandom(seed: seed)
            while true {
                let applied = try projector.catchUp(batchSize: Int.random(in: 1...500, using: &random), through: nil)
                if applied == 0 { break }
            }
            #expect(try projector.readModel().sameRows(as: afterCommands), "seed \(seed)")
        }
        for batch in [1, 2, 3, 5, 8] {
            try reset(fixture)
            try projector.catchUp(batchSize: batch)
            #expect(try projector.readModel().sameRows(as: afterCommands), "batch \(batch)")
        }
        try projector.rebuild()
        #expect(try projector.readModel().sameRows(as: afterCommands))
        #expect(try !projector.verify().drift)
    }

    @Test(
        "a rebuild killed with SIGKILL early, mid-way or just before the swap leaves the live tables unchanged; the next succeeds",
        arguments: ["snapshot", "deleted", "inserted"])
    func killedRebuild(_ point: String) throws {
        let fixture = try MonthFixture()
        let projector = try projector(fixture)
        let admin = try fixture.database.connect()
        // Rows that differ from the log, so the rebuild has rows to replace and passes every
        // point (one whose rows equal the live ones writes none: UnchangedRebuildTests).
        try admin.execute("UPDATE consult.organisations SET name = name || ' (by hand)' WHERE tenant_id = \(fixture.tenant.rawValue)")
        let before = try projector.readModel()
        let checkpoint = {
            try admin.execute("SELECT position FROM consult.projection_checkpoints WHERE tenant_id = \(fixture.tenant.rawValue)")[0].decode(
                Int64.self, at: 0)
        }
        let positionBefore = try checkpoint()

        let rebuild = try RunningConsult(
            ["projections", "rebuild", "--tenant", "northwind", "--database", try fixture.database.conninfo],
            environment: ["CONSULT_TEST_PAUSE_REBUILD": point])
        #expect(rebuild.waitFor("paused at \(point)"), "never reached \(point): \(rebuild.printed)")
        rebuild.kill()

        #expect(try projector.readModel().sameRows(as: before))
        #expect(try checkpoint() == positionBefore)
        let next = try ConsultProcess.run(["projections", "rebuild", "--tenant", "northwind", "--database", try fixture.database.conninfo])
        #expect(next.status == 0, "\(next.stdout)\(next.stderr)")
        let verify = try ConsultProcess.run([
            "projections", "rebuild", "--verify", "--tenant", "northwind", "--database", try fixture.database.conninfo,
        ])
        #expect(verify.status == 0)
        #expect(verify.stdout == "northwind: no drift at position \(positionBefore) (\(positionBefore) events)\n")
    }

    @Test("a projection row changed by hand is reported by verify as exactly that difference, with exit code 1")
    func verifyFindsDrift() throws {
        let fixture = try MonthFixture()
        let admin = try fixture.database.connect()
        let objective = try admin.execute(
            "UPDATE consult.objective_progress SET latest = 999 WHERE handle = 'followers' RETURNING objective_id")[0].decode(
                UUID.self, at: 0)
        let output = try ConsultProcess.run([
            "projections", "rebuild", "--verify", "--tenant", "northwind", "--database", try fixture.database.conninfo,
        ])
        #expect(output.status == 1)
        let lines = output.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(output.stdout)")
        #expect(lines.first?.hasPrefix("northwind: DRIFT at position ") == true)
        #expect(lines.dropFirst().first == "  objective_progress: 2 live rows, 2 from the log")
        // latest is numeric: the exact digits, 999 and 810 (a float8 printed 999.0 and 810.0).
        #expect(lines.last == "    differs: \(objective.uuidString.lowercased()) latest: 999 (live) vs 810 (log)")
        let recorded = try admin.execute("SELECT drift FROM consult.projection_runs WHERE kind = 'verify' ORDER BY run_id DESC LIMIT 1")
        #expect(try recorded[0].decode(Bool.self, at: 0))
    }

    @Test("a stored value that does not decode is an error naming the table, the column and the row's key, never a default")
    func undecodableRow() throws {
        let fixture = try MonthFixture()
        let admin = try fixture.database.connect()
        let objective = try admin.execute(
            "UPDATE consult.objective_progress SET direction = 'sideways' WHERE handle = 'followers' RETURNING objective_id")[0].decode(
                UUID.self, at: 0)
        let error = #expect(throws: ReadModelDecodingError.self) { try projector(fixture).readModel() }
        #expect(error?.table == "objective_progress")
        #expect(error?.column == "direction")
        #expect(error?.key == objective.uuidString.lowercased())
    }

    @Test("an event of a stored type this version does not know is quarantined, named, by catch-up, rebuild, verify and as-of")
    func unknownEventType() throws {
        let fixture = try MonthFixture(recordMonth: false)
        let admin = try fixture.database.connect()
        try fixture.database.registerTestEventTypes(["NoSuchEvent"])
        let store = EventStore(connection: admin, tenant: fixture.tenant)
        let stream = StreamName.entity(.engagement, UUID()).description
        let position = try store.append(
            [NewEvent(stream: stream, type: "NoSuchEvent", data: Data("{}".utf8))], to: stream, expecting: .noStream
        ).lastPosition
        let projector = try projector(fixture)
        let expected = [
            QuarantineRow(
                position: position, stream: stream, type: "NoSuchEvent", schemaVersion: 1, error: #"unknown event type "NoSuchEvent""#)
        ]
        func quarantine(_ model: ReadModel) -> [QuarantineRow] { model.quarantine.values.sorted { $0.position < $1.position } }

        #expect(try projector.catchUp() == 1)
        #expect(try projector.quarantined() == expected)
        #expect(try projector.rebuild().quarantined == expected)
        #expect(try projector.verify().quarantined == expected)
        #expect(quarantine(try projector.asOf(Date())) == expected)
        // Nothing else was applied: the quarantine is the one row.
        var onlyQuarantine = ReadModel()
        onlyQuarantine.quarantine[position] = expected[0]
        #expect(try projector.readModel().sameRows(as: onlyQuarantine))
    }

    @Test("while rebuilds run, readers always see a complete pipeline and never wait a second")
    func readersDuringRebuild() throws {
        let fixture = try MonthFixture()
        let reader = try fixture.database.connect(user: fixture.ann)
        let count = { try reader.execute("SELECT count(*) FROM consult.stage_history")[0].decode(Int.self, at: 0) }
        let expected = try count()
        #expect(expected == 5)
        // A row that differs from the log before each rebuild, so that every rebuild replaces
        // the rows (one whose rows equal the live ones writes none: UnchangedRebuildTests).
        let drift = "UPDATE consult.organisations SET name = name || '.' WHERE tenant_id = \(fixture.tenant.rawValue)"
        try fixture.database.connect().execute(Query(unsafeSQL: drift))

        // A rebuild held open inside its swap transaction, rows deleted and rewritten but not committed.
        let paused = try RunningConsult(
            ["projections", "rebuild", "--tenant", "northwind", "--database", try fixture.database.conninfo],
            environment: ["CONSULT_TEST_PAUSE_REBUILD": "inserted"])
        #expect(paused.waitFor("paused at inserted"))
        var slowest: Duration = .zero
        for _ in 0..<50 {
            let start = ContinuousClock.now
            #expect(try count() == expected)
            slowest = max(slowest, ContinuousClock.now - start)
        }
        paused.kill()

        // Rebuilds that run to the end, again and again, beside the reader.
        let conninfo = try fixture.database.conninfo
        let rebuilds = onThreads(1) { _ in
            let owner = try fixture.database.connect()
            for _ in 0..<10 {
                try owner.execute(Query(unsafeSQL: drift))
                let output = try ConsultProcess.run(["projections", "rebuild", "--tenant", "northwind", "--database", conninfo])
                guard output.status == 0 else { return output.stderr }
            }
            return ""
        }
        for _ in 0..<200 {
            let start = ContinuousClock.now
            #expect(try count() == expected)
            slowest = max(slowest, ContinuousClock.now - start)
        }
        #expect(try rebuilds[0].get() == "")
        #expect(slowest < .seconds(1))
    }

    @Test("as of each instant of the month equals the projection caught up to that instant")
    func asOf() throws {
        let fixture = try MonthFixture()
        let projector = try projector(fixture)
        let store = EventStore(connection: try fixture.database.connect(), tenant: fixture.tenant)
        let events = try store.read(after: 0, limit: 10_000)
        let instants = Dictionary(grouping: events, by: \.metadata.occurredAt).mapValues { $0.map(\.position).max()! }
        try reset(fixture)
        for (instant, position) in instants.sorted(by: { $0.key < $1.key }) {
            try projector.catchUp(through: position)
            #expect(try projector.asOf(instant).sameRows(as: projector.readModel()), "as of \(instant)")
        }
        // Before anything happened, nothing; by recording time, everything (it was all recorded today).
        #expect(try projector.asOf(Date(timeIntervalSince1970: 0)).sameRows(as: ReadModel()))
        #expect(try projector.asOf(Date(), recorded: true).sameRows(as: projector.readModel()))
        #expect(try projector.asOf(Date(timeIntervalSince1970: 1_780_000_000), recorded: true).sameRows(as: ReadModel()))
    }

    @Test("a follower sees another process's write within a second, and its poll makes good a missed notification")
    func follower() throws {
        let fixture = try MonthFixture(recordMonth: false)
        let admin = try fixture.database.connect()
        let checkpoint = { () throws -> Int64 in
            try admin.execute(
                "SELECT coalesce(max(position), 0) FROM consult.projection_checkpoints WHERE tenant_id = \(fixture.tenant.rawValue)"
            )[0].decode(Int64.self, at: 0)
        }
        let follower = try RunningConsult(
            ["projections", "catch-up", "--follow", "--tenant", "northwind", "--database", try fixture.database.conninfo], environment: [:])
        defer { follower.kill() }
        #expect(follower.waitFor("following"))
        // The follower's heartbeat is how appends know to notify.
        for _ in 0..<100 where try admin.execute("SELECT count(*) FROM consult.followers")[0].decode(Int.self, at: 0) == 0 {
            Thread.sleep(forTimeInterval: 0.02)
        }
        let store = EventStore(connection: admin, tenant: fixture.tenant)
        func addPerson() throws -> Int64 {
            let id = UUID()
            let event = PersonAdded(person: id, organisation: nil, title: "Librarian", level: .frontline)
            return try store.append(
                [NewEvent(stream: "person-\(id.uuidString.lowercased())", type: PersonAdded.typeName, data: EventTypes.encode(event))],
                to: "person-\(id.uuidString.lowercased())", expecting: .noStream
            ).lastPosition
        }
        func waitForCheckpoint(_ position: Int64, within limit: Duration) throws -> Duration? {
            let start = ContinuousClock.now
            while ContinuousClock.now - start < limit {
                if try checkpoint() >= position { return ContinuousClock.now - start }
                Thread.sleep(forTimeInterval: 0.005)
            }
            return nil
        }

        let woken = try waitForCheckpoint(try addPerson(), within: .seconds(3))
        #expect(woken != nil && woken! < .seconds(1), "applied after \(String(describing: woken))")
        // No heartbeat, no notification: the next append is silent, and the poll finds it.
        try admin.execute("DELETE FROM consult.followers")
        let silent = try waitForCheckpoint(try addPerson(), within: .seconds(5))
        #expect(silent != nil, "the poll never applied the silent append")
        #expect(try projector(fixture).readModel().people.count == 2)
    }
}
