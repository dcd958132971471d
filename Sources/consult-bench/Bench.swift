import ArgumentParser
import BackOffice
import EventStore
import Foundation
import Postgres
import Projections
import Reports
import Workload

/// The benchmark behind `scripts/bench`: a deterministic synthetic workload loaded into a
/// cluster of its own, then each of consult's paths measured beside the ceiling PostgreSQL sets
/// for the same work on the same machine in the same run. It prints figures; it never fails on
/// speed.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consult-bench",
        abstract: "Measures consult beside PostgreSQL's own limits (run it through scripts/bench).")

    @Option(help: "The database (a throwaway one: the bench creates tenants and tables).") var database: String
    @Option(help: "The consult binary to measure.") var consult: String
    @Option(help: "pgbench, for the INSERT ceiling.") var pgbench: String
    @Option(help: "Events in the synthetic log.") var events = 100_000
    @Option(help: "Tenants (consultancies) sharing the database.") var tenants = 100
    @Option(help: "Seed of the workload: the same seed gives the same log.") var seed: UInt64 = 1
    @Option(help: "A folder for the generated files and logs.") var work: String
    @Option(help: "Seconds of each append run.") var seconds = 10.0
    @Option(help: "Rounds of each append run, alternating with the ceiling; the median counts.") var rounds = 3
    @Flag(help: "Only the append and domain-command rows, on a database an earlier run loaded.") var appendOnly = false

    func run() throws {
        guard tenants >= 1, events >= tenants else { throw ValidationError("--events must be at least --tenants, and both positive") }
        var table = Table()
        let owner = try Connection.connect(database, applicationName: "consult-bench")
        try owner.execute("SET statement_timeout = 0")
        guard let migrations = Migrator.findDirectory(from: [FileManager.default.currentDirectoryPath]) else {
            throw BenchFailure("db/migrations not found: run from the project's folder")
        }
        _ = try Migrator(directory: migrations).migrate(owner)
        try table.describeMachine(owner)
        if appendOnly {
            let ids = try (0..<tenants).map { try Tenancy(connection: owner).tenant(named: tenantName($0))!.id.rawValue }
            try appendRows(ids: ids, averageBody: 116, into: &table)
            print(table.render())
            return
        }

        // Tenants, each with a member role (the writers log in as members, under RLS).
        say("creating \(tenants) tenants and their members")
        let tenancy = Tenancy(connection: owner)
        var ids: [Int64] = []
        for index in 0..<tenants {
            let tenant = try tenancy.createTenant(tenantName(index))
            try tenancy.addMember(memberName(index), to: tenant.id, password: UUID().uuidString)
            ids.append(tenant.id.rawValue)
        }

        // The log, written once in both forms.
        say("generating \(events) events (seed \(seed))")
        let sizes = tenantSizes(events: events, tenants: tenants, seed: seed)
        var started = now()
        let log = try generate(workload: Workload(seed: seed), sizes: sizes, tenantIDs: ids, into: work)
        say(
            String(
                format: "generated %d events in %.1f s (%.0f/s); average body %d bytes; %d files", log.events, now() - started,
                Double(log.events) / (now() - started), log.averageBody, log.importFiles.count))
        table.workload = log

        // Bulk load: raw COPY of the rows into a same-shape table; the same rows inserted from
        // it by INSERT … SELECT into another (the floor of a set-based insert: the log's forced
        // row-level security refuses COPY FROM, to its owner too); the import's lines staged
        // and inserted parsed, without a check (what the import's checks add is the rest);
        // then `consult import`. Each starts after a CHECKPOINT, so that none inherits the
        // full-page writes of another.
        func sameShape(_ name: String) throws {
            _ = try owner.executeScript(
                unsafeSQL: """
                    -- The shape of consult.events (db/migrations/0012): its columns, keys and
                    -- indexes, partitioned alike into 8 hash partitions by tenant.
                    CREATE TABLE bench.\(name) (LIKE consult.events INCLUDING ALL) PARTITION BY HASH (tenant_id);
                    DO $$
                    BEGIN
                        FOR i IN 0..7 LOOP
                            EXECUTE format('CREATE TABLE bench.\(name)_h%s PARTITION OF bench.\(name)
                                            FOR VALUES WITH (MODULUS 8, REMAINDER %s)', i, i);
                        END LOOP;
                    END
                    $$;
                    ALTER TABLE bench.\(name) ADD FOREIGN KEY (tenant_id) REFERENCES consult.tenants;
                    """)
        }
        try owner.execute("CREATE SCHEMA bench")
        try sameShape("events_raw")
        try sameShape("events_floor")
        say("bulk load: raw COPY into bench.events_raw")
        try owner.execute("CHECKPOINT")
        started = now()
        try owner.execute(
            Query(
                unsafeSQL: """
                    COPY bench.events_raw (tenant_id, position, stream, stream_version, event_id, type, schema_version, data, metadata,
                                           command_id, occurred_at, recorded_at) FROM '\(log.copyFile.replacingOccurrences(of: "'", with: "''"))'

                    """))
        let copySeconds = now() - started
        try FileManager.default.removeItem(atPath: log.copyFile)
        say("bulk load: INSERT … SELECT of the same rows into bench.events_floor")
        try owner.execute("CHECKPOINT")
        started = now()
        try owner.execute("INSERT INTO bench.events_floor SELECT * FROM bench.events_raw")
        let floorSeconds = now() - started
        try owner.execute("TRUNCATE bench.events_floor")
        say("bulk load: the import's lines staged, then inserted parsed into bench.events_floor, without a check")
        try owner.execute("CREATE UNLOGGED TABLE bench.lines (line text)")
        for file in log.importFiles {
            // Each line whole: CSV with a quote and a delimiter that JSON never holds unescaped.
            try owner.execute(
                Query(
                    unsafeSQL: """
                        COPY bench.lines FROM '\(file.replacingOccurrences(of: "'", with: "''"))' (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')
                        """))
        }
        try owner.execute("CHECKPOINT")
        started = now()
        // The fast path of `consult import` before session 10 (EventStore/Import.swift), its checks left out.
        try owner.execute(
            """
            INSERT INTO bench.events_floor
            SELECT t.tenant_id, (j ->> 'position')::bigint, j ->> 'stream', (j ->> 'stream_version')::bigint, (j ->> 'event_id')::uuid,
                   j ->> 'type', (j ->> 'schema_version')::integer, j -> 'data', j -> 'metadata', (j ->> 'command_id')::uuid,
                   (j ->> 'occurred_at')::timestamptz, (j ->> 'recorded_at')::timestamptz
              FROM (SELECT line::jsonb AS j FROM bench.lines OFFSET 0) i JOIN consult.tenants t ON t.name = i.j ->> 'tenant'
            """)
        let parsedSeconds = now() - started
        try owner.execute("DROP TABLE bench.events_floor, bench.lines")
        say("bulk load: consult import, \(log.importFiles.count) file(s)")
        try owner.execute("CHECKPOINT")
        var importSeconds = 0.0
        var importPeak = 0
        for file in log.importFiles {
            let result = try Bench.run(
                consult, ["import", file, "--no-catch-up", "--without-trailer", "--database", database], log: "\(work)/import.log")
            importSeconds += result.seconds
            importPeak = max(importPeak, result.peakRSSKiB)
            try FileManager.default.removeItem(atPath: file)
        }
        table.add(
            "bulk load (`consult import`)", rate(log.events, importSeconds), ceiling: rate(log.events, copySeconds), "raw COPY FROM file",
            target: 0.5,
            note: String(
                format: "peak RSS %d MiB; %.2f× of the INSERT … SELECT floor", importPeak / 1024, floorSeconds / importSeconds))
        table.add(
            "floor: INSERT … SELECT of the same rows, no check", rate(log.events, floorSeconds), ceiling: rate(log.events, copySeconds),
            "raw COPY FROM file", target: nil, note: "COPY FROM into the log is refused by its forced RLS")
        // Not a floor of the import since it parses and checks on every core (session 10): this
        // one statement parses in one backend.
        table.add(
            "reference: the import's lines parsed and inserted by one INSERT, no check", rate(log.events, parsedSeconds),
            ceiling: rate(log.events, copySeconds), "raw COPY FROM file", target: nil,
            note: String(
                format: "`consult import`, with its checks, staging and client, takes %.2f× its time", importSeconds / parsedSeconds))
        try owner.execute("VACUUM ANALYZE consult.events")
        try owner.execute("VACUUM ANALYZE bench.events_raw")

        // Catch-up: a backlog applied incrementally, tenant after tenant.
        say("catch-up: a backlog of up to 100,000 events")
        var applied = 0
        started = now()
        for id in ids where applied < 100_000 {
            applied += try Projector(connection: owner, tenant: TenantID(id)).catchUp()
        }
        table.add("catch-up (backlog of \(applied.formatted()) events)", rate(applied, now() - started), ceiling: nil, "", target: nil)

        // Rebuild: every tenant's projections, beside reading the whole log out.
        say("rebuild: COPY the log out (the read ceiling)")
        started = now()
        var bytes = 0
        _ = try owner.copyOut("COPY (SELECT * FROM consult.events) TO STDOUT") { bytes += $0.count }
        let readSeconds = now() - started
        // Twice from empty read models (every row written: the first rebuild, or one after a
        // change of the fold; emptied by DELETE, as 0021 refuses TRUNCATE of tenant tables), then twice over the models those left (nothing changed: the
        // nightly case, which writes no row since 0065). Each pair at --jobs 1 and 2.
        for (emptied, jobs) in [(true, 1), (true, 2), (false, 1), (false, 2)] {
            if emptied {
                _ = try owner.executeScript(
                    unsafeSQL: """
                        DO $$ DECLARE t text; BEGIN
                            FOREACH t IN ARRAY consult.projection_tables() LOOP
                                EXECUTE format('DELETE FROM consult.%I', t);
                            END LOOP;
                        END $$
                        """)
                try owner.execute("VACUUM ANALYZE")
            }
            let kind = emptied ? "every row written (read models emptied first)" : "nothing changed (the nightly case)"
            say("rebuild: consult projections rebuild --all-tenants --jobs \(jobs), \(kind)")
            let rebuild = try Bench.run(
                consult, ["projections", "rebuild", "--all-tenants", "--jobs", String(jobs), "--database", database],
                log: "\(work)/rebuild.log")
            table.add(
                "rebuild, all tenants, --jobs \(jobs), \(kind)", rate(log.events, rebuild.seconds),
                ceiling: rate(log.events, readSeconds), "COPY (SELECT …) TO STDOUT", target: 0.3,
                note:
                    "\(String(format: "%.1f", rebuild.seconds)) s; peak RSS \(rebuild.peakRSSKiB / 1024) MiB; \(bytes / 1_048_576) MiB read; "
                    + "target ≥ 100,000/s")
        }

        // Reports: one tenant, while the database holds them all; the first, whose 10,000
        // events are the same in every run of a seed, so runs with 10 and 1,000 tenants compare.
        let typical = 0
        let tenant = TenantID(ids[typical])
        say("report: \(tenantName(typical)) (\(log.eventsByTenant[typical]) events)")
        // The read models `consult pipeline` reads (Reports.pipelineNeeds), beside every table
        // of the tenant (`readModel()`, what each report read before it named its tables), in
        // alternating runs on one connection.
        let pipelineTables = Reports.pipelineNeeds.tables
        var query = Latencies()
        var everyTable = Latencies()
        for _ in 0..<100 {
            var t0 = now()
            _ = try Projector(connection: owner, tenant: tenant).readModel(tables: pipelineTables)
            query.add(now() - t0)
            t0 = now()
            _ = try Projector(connection: owner, tenant: tenant).readModel()
            everyTable.add(now() - t0)
        }
        let read = ReadModel.Table.allCases.filter(pipelineTables.contains).map(\.rawValue).joined(separator: ", ")
        let tenantEvents = log.eventsByTenant[typical].formatted()
        table.add(
            latency: "report query: the pipeline report's read models (\(read)), \(tenantEvents) events (p50 / p99)", query,
            target: "p99 < 20 ms")
        table.add(latency: "the same tenant's 8 read-model tables, as every report read them before (p50 / p99)", everyTable, target: "")
        var process = Latencies()
        for _ in 0..<20 {
            process.add(
                try Bench.run(
                    consult, ["pipeline", "--format", "json", "--tenant", tenantName(typical), "--database", database],
                    log: "\(work)/report.log"
                ).seconds)
        }
        table.add(latency: "`consult pipeline --format json` process (p50 / p99)", process, target: "p50 < 100 ms")
        var asOf = Latencies()
        for _ in 0..<10 {
            asOf.add(
                try Bench.run(
                    consult, ["pipeline", "--as-of", "2026-06-30", "--format", "json", "--tenant", tenantName(0), "--database", database],
                    log: "\(work)/asof.log"
                ).seconds)
        }
        table.add(
            latency: "`consult pipeline --as-of` over \(log.eventsByTenant[0].formatted()) events (p50 / p99)", asOf, target: "p50 ≤ 150 ms"
        )

        try appendRows(ids: ids, averageBody: log.averageBody, into: &table)
        print(table.render())
    }

    /// Appends: pgbench's one-row INSERT beside consult.append through the EventStore API, in
    /// alternating rounds (the disk's flush latency drifts); the median round's ratio counts.
    func appendRows(ids: [Int64], averageBody: Int, into table: inout Table) throws {
        let body = Self.body(size: averageBody)
        for writers in [1, 8] {
            let writerTenants = (0..<writers).map { ids[(2 + $0) % ids.count] }
            var runs: [(ours: Throughput, ceiling: Throughput)] = []
            for round in 1...rounds {
                say("append round \(round)/\(rounds): pgbench INSERT, then consult.append; \(writers) writer(s), \(Int(seconds)) s each")
                let ceiling = try insertCeiling(clients: writers, tenants: writerTenants, body: body)
                let ours = try appendRun(writers: writers, tenantIndexes: (0..<writers).map { (2 + $0) % ids.count }, body: body)
                say(String(format: "  INSERT %.0f/s, append %.0f/s: %.2f×", ceiling.rate, ours.rate, ours.rate / ceiling.rate))
                runs.append((ours, ceiling))
            }
            let (ours, ceiling) = runs.sorted { $0.ours.rate / $0.ceiling.rate < $1.ours.rate / $1.ceiling.rate }[runs.count / 2]
            table.add(
                "append, \(writers) writer\(writers == 1 ? "" : "s") (events/s; p50 / p99)", ours.rate, ceiling: ceiling.rate,
                "pgbench one-row INSERT, \(writers) client\(writers == 1 ? "" : "s")", target: 0.8,
                note: "p50 \(ms(ours.latencies.percentile(50))) / p99 \(ms(ours.latencies.percentile(99))) ms; "
                    + "INSERT p50 \(ms(ceiling.latencies.percentile(50))) / p99 \(ms(ceiling.latencies.percentile(99))) ms")
        }

        say("batch: 100 commands of one event each per consult.append_batch call, 1 writer, \(Int(seconds)) s")
        let batch = try batchRun(tenantIndex: 2 % ids.count, commands: 100, body: body)
        table.add(
            "batch append, 100 commands a call, 1 writer (events/s)", batch.rate, ceiling: nil, "", target: nil,
            note: "p50 \(ms(batch.latencies.percentile(50))) / p99 \(ms(batch.latencies.percentile(99))) ms a call of 100")

        say("domain command: decide + append of a measurement, \(Int(seconds)) s")
        let domain = try domainRun(tenantIndex: 3 % ids.count)
        table.add(
            "domain command (read, fold, decide, append a measurement)", domain.rate, ceiling: nil, "", target: nil,
            note: "p50 \(ms(domain.latencies.percentile(50))) / p99 \(ms(domain.latencies.percentile(99))) ms")
    }

    static func run(_ path: String, _ arguments: [String], log: String) throws -> ChildRun {
        try consult_bench.run(path, arguments, log: log)
    }

    /// A JSON object of `size` bytes, the shape of a WorkLogged body.
    static func body(size: Int) -> String {
        let bare = #"{"activity": "", "billable": true, "hours": 2}"#
        return #"{"activity": "\#(String(repeating: "x", count: max(0, size - bare.utf8.count)))", "billable": true, "hours": 2}"#
    }

    struct Throughput {
        var rate: Double
        var latencies: Latencies
    }

    /// pgbench inserting one row per transaction into bench.events_raw (the same columns and
    /// indexes as consult.events, holding the same rows), each client on its own tenant.
    func insertCeiling(clients: Int, tenants: [Int64], body: String) throws -> Throughput {
        let script = "\(work)/insert-\(clients).sql"
        let metadata =
            #"{"actor": "bench_0003", "command_id": "00000000-0000-4000-8000-000000000000", "occurred_at": "2026-11-23T10:00:00+00:00", "recorded_at": "2026-11-23T10:00:00.123456+00:00"}"#
        let cases = tenants.enumerated().map { "WHEN \($0.offset) THEN \($0.element)" }.joined(separator: " ")
        try """
        INSERT INTO bench.events_raw (tenant_id, position, stream, stream_version, event_id, type, schema_version, data, metadata,
                                      command_id, occurred_at, recorded_at)
        VALUES ((CASE :client_id::int \(cases) END), nextval('bench.position'), 'engagement-pgbench-' || :client_id, nextval('bench.version'),
                gen_random_uuid(), 'WorkLogged', 1, '\(body)', '\(metadata)', gen_random_uuid(), now(), now());
        """.write(toFile: script, atomically: true, encoding: .utf8)
        let owner = try Connection.connect(database)
        _ = try owner.executeScript(
            unsafeSQL:
                "CREATE SEQUENCE IF NOT EXISTS bench.position START 1000000000; CREATE SEQUENCE IF NOT EXISTS bench.version START 1000000000"
        )
        let prefix = "\(work)/pgbench-\(clients)"
        let output = "\(work)/pgbench-\(clients).out"
        try consult_bench.run(
            "/bin/sh",
            [
                "-c",
                "exec \"$0\" -n -M prepared -c \(clients) -j \(min(clients, 2)) -T \(Int(seconds)) -f \"$1\" -l --log-prefix=\"$2\" \"$3\" > \"$4\"",
                pgbench, script, prefix, database, output,
            ], log: "\(work)/pgbench.log")
        let text = try String(contentsOfFile: output, encoding: .utf8)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
            let tps = Double(line.dropFirst(6).prefix { $0 != " " })
        else { throw BenchFailure("pgbench printed no tps:\n\(text)") }
        var latencies = Latencies()
        for file in try FileManager.default.contentsOfDirectory(atPath: work) where file.hasPrefix("pgbench-\(clients).") {
            let path = "\(work)/\(file)"
            for entry in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
                let fields = entry.split(separator: " ")
                if fields.count > 2, let micros = Double(fields[2]) { latencies.add(micros / 1e6) }
            }
            try FileManager.default.removeItem(atPath: path)
        }
        return Throughput(rate: tps, latencies: latencies)
    }

    /// `writers` threads, each a member of its own tenant, appending one event per command
    /// through EventStore with an expected version, for `seconds`.
    func appendRun(writers: Int, tenantIndexes: [Int], body: String) throws -> Throughput {
        let database = database
        let seconds = seconds
        let data = Data(body.utf8)
        let results = try onThreads(writers) { index -> Latencies in
            let connection = try Connection.connect(database, overrides: ["user": memberName(tenantIndexes[index])])
            let store = EventStore(connection: connection)
            let stream = StreamName.entity(.engagement, UUID()).description
            var version: Int64 = 0
            var latencies = Latencies()
            let deadline = now() + seconds
            while now() < deadline {
                let t0 = now()
                let result = try store.append(
                    [NewEvent(stream: stream, type: "WorkLogged", data: data)], to: stream,
                    expecting: version == 0 ? .noStream : .exactly(version), commandID: UUID())
                version = result.events.last!.streamVersion
                latencies.add(now() - t0)
            }
            return latencies
        }
        var all = Latencies()
        for result in results { all.add(result) }
        return Throughput(rate: Double(all.count) / seconds, latencies: all)
    }

    /// One writer appending batches of `commands` single-event commands (each with its own
    /// command id) through `EventStore.append(batch:)`, for `seconds`; the rate counts events.
    func batchRun(tenantIndex: Int, commands: Int, body: String) throws -> Throughput {
        let connection = try Connection.connect(database, overrides: ["user": memberName(tenantIndex)])
        let store = EventStore(connection: connection)
        let data = Data(body.utf8)
        let stream = StreamName.entity(.engagement, UUID()).description
        var latencies = Latencies()
        let deadline = now() + seconds
        while now() < deadline {
            let t0 = now()
            try store.append(
                batch: (0..<commands).map { _ in BatchCommand([NewEvent(stream: stream, type: "WorkLogged", data: data)], commandID: UUID())
                })
            latencies.add(now() - t0)
        }
        return Throughput(rate: Double(latencies.count * commands) / seconds, latencies: latencies)
    }

    /// The whole of a command as the CLI runs it, in the library: read the engagement's
    /// stream, fold it, decide a measurement, append it at the version read.
    func domainRun(tenantIndex: Int) throws -> Throughput {
        let connection = try Connection.connect(database, overrides: ["user": memberName(tenantIndex)])
        let store = EventStore(connection: connection)
        var engagements: [(stream: String, objective: UUID)] = []
        for k in 0..<10 {
            let id = UUID()
            let objective = UUID()
            let stream = StreamName.entity(.engagement, id).description
            var state = EngagementState()
            var decided: [any DomainEvent] = []
            for command in [
                EngagementState.Command.start(
                    id: id, handle: "bench-\(k)", organisation: UUID(), lead: nil, title: "Benchmark \(k)", kind: .coaching, fee: nil,
                    budgetHours: nil, hoursPerMonth: nil, plannedHandover: nil),
                .setObjective(
                    id: objective, handle: "followers", businessArea: "awareness", statement: "More people hear of it", metric: "followers",
                    unit: nil, direction: .up, baseline: 100, target: 1000, due: Day(year: 2027, month: 6, day: 30)),
            ] {
                for event in try state.decide(command) {
                    state = state.evolve(event)
                    decided.append(event)
                }
            }
            try store.append(
                try decided.map { NewEvent(stream: stream, type: type(of: $0).typeName, data: try EventTypes.encode($0)) }, to: stream,
                expecting: .noStream)
            engagements.append((stream, objective))
        }
        var latencies = Latencies()
        let deadline = now() + seconds
        var n = 0
        while now() < deadline {
            let t0 = now()
            let (stream, objective) = engagements[n % engagements.count]
            let recorded = try store.read(stream: stream)
            let state = EngagementState.fold(try recorded.compactMap { try EventTypes.decode(type: $0.type, data: $0.data) })
            let events = try state.decide(
                .recordMeasurement(objective: objective, measurement: UUID(), value: Quantity(100 + n), source: "bench", note: nil))
            try store.append(
                try events.map { NewEvent(stream: stream, type: type(of: $0).typeName, data: try EventTypes.encode($0)) }, to: stream,
                expecting: .exactly(recorded.last!.streamVersion), commandID: UUID())
            latencies.add(now() - t0)
            n += 1
        }
        return Throughput(rate: Double(latencies.count) / seconds, latencies: latencies)
    }
}

func rate(_ count: Int, _ seconds: Double) -> Double { Double(count) / seconds }
func ms(_ seconds: Double) -> String { String(format: "%.2f", seconds * 1000) }
