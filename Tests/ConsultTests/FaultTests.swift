import EventStore
import Foundation
import Postgres
import Projections
import Synchronization
import TestSupport
import Testing

@testable import BackOffice

/// Nothing acknowledged is lost, nothing is written twice: dropped connections, connections cut
/// during a COMMIT, timeouts and killed catch-ups. (Crashes of the server: scripts/crash-test.)
@Suite("faults", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct FaultTests {
    /// Holds the tenant's row lock, as an append in progress would, until `release`.
    func holdTenantLock(_ fixture: MonthFixture) throws -> Connection {
        let blocker = try fixture.database.connect()
        try blocker.execute("BEGIN")
        // The tenant's head (db/migrations/0045), which consult.append updates first.
        try blocker.execute("SELECT consult.ensure_tenant_head(\(fixture.tenant.rawValue))")
        try blocker.execute("SELECT 1 FROM consult.tenant_heads WHERE tenant_id = \(fixture.tenant.rawValue) FOR NO KEY UPDATE")
        return blocker
    }

    func measurements(_ fixture: MonthFixture, value: Int) throws -> Int {
        try fixture.database.connect().execute(
            "SELECT count(*) FROM consult.events WHERE type = 'MeasurementRecorded' AND (data->>'value')::float8 = \(Double(value))"
        )[0].decode(Int.self, at: 0)
    }

    @Test("a connection dropped mid-command: the CLI says so and exits non-zero; the same command id re-run records once")
    func droppedConnection() throws {
        let fixture = try MonthFixture()
        let second = try fixture.consult(["engagement", "start", "northbridge-libraries", "--title", "Second round"])
        #expect(second.status == 0)
        let setup = try fixture.consult([
            "objective", "set", "second-round", "--handle", "visits", "--area", "awareness", "--statement", "s",
            "--metric", "visits", "--baseline", "0", "--target", "10", "--due", "2027-01-01",
        ])
        #expect(setup.status == 0, "\(setup.stderr)")
        let command = UUID().uuidString
        let arguments = ["objective", "measure", "visits", "777", "--command-id", command]

        let blocker = try holdTenantLock(fixture)
        let running = try RunningConsult(arguments, environment: ["DATABASE_URL": fixture.conninfo, "PGUSER": fixture.ann])
        let admin = try fixture.database.connect()
        var terminated = false
        for _ in 0..<500 where !terminated {
            let rows = try admin.execute(
                """
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                 WHERE usename = \(fixture.ann) AND wait_event_type = 'Lock' AND datname = \(fixture.database.name)
                """)
            terminated = rows.count > 0
            if !terminated { Thread.sleep(forTimeInterval: 0.01) }
        }
        #expect(terminated, "the command never waited on the lock")
        #expect(running.waitFor("consult: ", timeout: .seconds(10)))
        running.kill()
        try blocker.execute("ROLLBACK")
        #expect(running.printed.hasPrefix("consult: "), "\(running.printed)")
        #expect(running.printed.contains("the connection to the database was lost"))
        #expect(try measurements(fixture, value: 777) == 0)

        let rerun = try fixture.consult(arguments)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let again = try fixture.consult(arguments)
        #expect(again.stdout == "Already recorded by command \(command.lowercased()): nothing new.\n")
        #expect(try measurements(fixture, value: 777) == 1)
        print(
            "fault, dropped connection: backend terminated mid-command; the CLI said \"\(running.printed.prefix(60))…\"; "
                + "re-run twice with command id \(command.prefix(8))…: \(try measurements(fixture, value: 777)) measurement recorded")
    }

    /// The server session of a command whose connection was cut (not a crash: the network) lives
    /// on, and may commit after the command has lost it. Here it is held in its COMMIT by a
    /// deferred trigger that sleeps 3 s, and the command's TCP connection is cut meanwhile.
    /// Without a way back (the control), the command cannot know, says so, and the orphaned
    /// session does commit: a command that had looked at once would have said "not recorded"
    /// and been wrong. With a way back, the command ends its old session before it looks
    /// (`pg_terminate_backend`, waiting for it), so its "not recorded" stays true.
    @Test(
        "a connection cut while the server holds the COMMIT: the command ends its old session before it looks, so what it says stays true")
    func cutDuringCommit() throws {
        guard let tls = ProcessInfo.processInfo.environment["CONSULT_TEST_TLS_URL"], let port = URLComponents(string: tls)?.port else {
            print("fault, cut during commit: skipped: the test server has no TCP port (CONSULT_TEST_TLS_URL is not set)")
            return
        }
        let fixture = try MonthFixture(recordMonth: false)
        let admin = try fixture.database.connect()
        defer { admin.close() }
        _ = try admin.executeScript(
            unsafeSQL: """
                CREATE FUNCTION public.slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.name LIKE 'Slow Commit%' THEN PERFORM pg_sleep(3); END IF;
                    RETURN NULL;
                END $$;
                CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON consult.person_details
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.slow_commit();
                """)
        let proxy = try CuttableProxy(to: UInt16(port))
        defer { proxy.stop() }
        let conninfo = "host=127.0.0.1 port=\(proxy.port) dbname=\(fixture.database.name) user=\(fixture.ann) sslmode=disable"
        func events(_ id: String) throws -> Int {
            try admin.execute("SELECT count(*) FROM consult.events WHERE command_id = \(UUID(uuidString: id)!)")[0].decode(Int.self, at: 0)
        }
        /// Runs `person add` through the proxy, cuts it while its session sleeps in the COMMIT.
        func cutPersonAdd(_ name: String, _ id: String, refuseNew: Bool) throws -> ConsultProcess.Output {
            let finished = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var result: ConsultProcess.Output?
            DispatchQueue.global().async {
                result = try? ConsultProcess.run(
                    ["person", "add", name, "--command-id", id],
                    environment: ["DATABASE_URL": conninfo, "CONSULT_RECONNECT_SECONDS": refuseNew ? "0" : "5"])
                finished.signal()
            }
            var sleeping = false
            let deadline = ContinuousClock.now + .seconds(60)
            while !sleeping, ContinuousClock.now < deadline {
                sleeping = try !admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE usename::text = \(fixture.ann) AND wait_event = 'PgSleep'"
                ).isEmpty
                if !sleeping { Thread.sleep(forTimeInterval: 0.02) }
            }
            #expect(sleeping, "the command's COMMIT never reached the sleeping trigger")
            proxy.cut(refuseNew: refuseNew)
            finished.wait()
            proxy.allowNew()
            return try #require(result)
        }
        func settled() throws {
            // Until no session of the member is still running a statement: the trigger's 3 s
            // sleep, and then the COMMIT's own work (waiting for the sleep alone raced the commit
            // under CI's load). At most 15 s.
            for _ in 0..<750 {
                guard
                    try !admin.execute("SELECT 1 FROM pg_stat_activity WHERE usename::text = \(fixture.ann) AND state = 'active'")
                        .isEmpty
                else { return }
                Thread.sleep(forTimeInterval: 0.02)
            }
        }

        // The control: no way back. The command cannot know; the orphaned session commits later.
        let unknownID = "0d0c0000-0000-4000-8000-0000000000c1"
        let unknown = try cutPersonAdd("Slow Commit One", unknownID, refuseNew: true)
        #expect(unknown.status == 69)
        #expect(
            unknown.stderr.hasPrefix(
                "consult: the connection to the database was lost while recording command \(unknownID); whether it was recorded is not known yet\n"
            ), "\(unknown.stderr)")
        let beforeSettled = try events(unknownID)
        try settled()
        let orphanCommitted = try events(unknownID)
        #expect(
            beforeSettled == 0 && orphanCommitted == 1,
            "the orphaned session was expected to commit later: \(beforeSettled) → \(orphanCommitted)")

        // The fix: the command reconnects, ends its old session (waiting for it), then looks.
        let endedID = "0d0c0000-0000-4000-8000-0000000000c2"
        let start = ContinuousClock.now
        let ended = try cutPersonAdd("Slow Commit Two", endedID, refuseNew: false)
        let took = ContinuousClock.now - start
        #expect(ended.status == 69)
        #expect(
            ended.stderr
                == "consult: the connection to the database was lost before command \(endedID) was recorded; nothing of it was recorded\n  Run it again with --command-id \(endedID): it is recorded at most once.\n",
            "\(ended.stderr)")
        try settled()
        Thread.sleep(forTimeInterval: 3.5)  // longer than the trigger's sleep: nothing commits late
        #expect(try events(endedID) == 0)
        #expect(
            try admin.execute("SELECT count(*) FROM consult.person_details WHERE name = 'Slow Commit Two'")[0].decode(Int.self, at: 0) == 0)
        try admin.execute("DROP TRIGGER slow_commit ON consult.person_details")
        for _ in 0..<2 {
            let again = try fixture.consult(["person", "add", "Slow Commit Two", "--command-id", endedID])
            #expect(again.status == 0, "\(again.stderr)")
        }
        #expect(try events(endedID) == 1)
        print(
            "fault, cut during commit: without a way back the command said \"not known\" and its orphaned session committed "
                + "\(orphanCommitted) event after it; with one, it ended its old session and said \"nothing of it was recorded\" after "
                + "\(took.formatted(.units(allowed: [.milliseconds]))): 0 events 3.5 s later, 1 after two re-runs with the id")
    }

    @Test("a statement that waits too long is cancelled by consult's statement timeout with a clear message; nothing is recorded")
    func statementTimeout() throws {
        let fixture = try MonthFixture()
        let blocker = try holdTenantLock(fixture)
        defer { _ = try? blocker.execute("ROLLBACK") }
        let start = ContinuousClock.now
        let output = try ConsultProcess.run(
            ["org", "add", "Slow Council"],
            environment: ["DATABASE_URL": fixture.conninfo, "PGUSER": fixture.ann, "CONSULT_STATEMENT_TIMEOUT": "1"])
        let took = ContinuousClock.now - start
        #expect(output.status == 1)
        #expect(output.stderr.hasPrefix("consult: the database cancelled a statement that ran longer than 1 s; nothing was recorded\n"))
        #expect(took < .seconds(10))
        try blocker.execute("ROLLBACK")
        #expect(try fixture.consult(["log"]).stdout.contains("Slow Council") == false)
        print(
            "fault, statement timeout 1 s: cancelled after \(took.formatted(.units(allowed: [.milliseconds]))), exit \(output.status), nothing recorded"
        )
    }

    @Test("a catch-up killed mid-batch applies nothing twice and loses nothing")
    func killedCatchUp() throws {
        let fixture = try MonthFixture()
        let admin = try fixture.database.connect()
        for table in Projector.tables + ["projection_checkpoints"] {
            try admin.execute("DELETE FROM consult.\(identifier: table) WHERE tenant_id = \(fixture.tenant.rawValue)")
        }
        let catchUp = try RunningConsult(
            ["projections", "catch-up", "--tenant", "northwind", "--database", try fixture.database.conninfo],
            environment: ["CONSULT_TEST_PAUSE_CATCHUP": "1"])
        #expect(catchUp.waitFor("paused before the checkpoint"))
        catchUp.kill()
        let projector = Projector(connection: admin, tenant: fixture.tenant)
        #expect(try projector.readModel().sameRows(as: ReadModel()), "rows of an uncommitted batch are visible")
        let output = try ConsultProcess.run([
            "projections", "catch-up", "--tenant", "northwind", "--database", try fixture.database.conninfo,
        ])
        #expect(output.status == 0)
        #expect(try !projector.verify().drift)
        let checkpoint = try admin.execute(
            "SELECT position FROM consult.projection_checkpoints WHERE tenant_id = \(fixture.tenant.rawValue)")[0]
            .decode(Int64.self, at: 0)
        #expect(checkpoint == Int64(try fixture.eventCount()))
        print(
            "fault, catch-up killed mid-batch: nothing of the batch visible; re-run caught up to \(checkpoint) of \(try fixture.eventCount()) events, no drift"
        )
    }
}
