import ArgumentParser
import BackOffice
import EventStore
import Foundation
import Postgres
import Projections

/// `--as-of` and `--format`, shared by the reports.
struct ReportOptions: ParsableArguments {
    @Option(
        name: .customLong("as-of"),
        help: ArgumentHelp(
            "Answer as things stood then: YYYY-MM-DD (the end of that day, UTC) or YYYY-MM-DDTHH:MM. Folds the log in memory.",
            valueName: "date"))
    var asOf: String?

    @Flag(help: "With --as-of: what the log had recorded by then, rather than what had happened by then.")
    var recorded = false

    @Option(help: "A table for people, or JSON for programs.") var format: ReportFormat = .table

    enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    /// The read models: from the tables, or folded from the log up to --as-of.
    func model(_ session: Session) throws -> (ReadModel, Date) {
        guard let tenant = session.tenant else { throw CommandFailure("no tenant") }
        let projector = Projector(connection: session.connection, tenant: tenant)
        guard let asOf else {
            session.catchUpReadModels()
            return (try projector.readModel(), Date())
        }
        var instant = try Session.parseAt(asOf, clock: Clock(now: .distantFuture))
        if asOf.count == 10 { instant = instant.addingTimeInterval(86_400 - 0.000_001) }
        return (try projector.asOf(instant, recorded: recorded), instant)
    }
}

extension Consult {
    struct Pipeline: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The client pipeline: every open lead by stage, with value, probability and days in stage.",
            discussion: """
                Without --as-of it reads the pipeline read model; with it, it folds the log up to that \
                instant, so the answer is what the pipeline was then. Dates are when things happened \
                (occurred_at); --recorded asks what the log had recorded by then instead.

                Example: consult pipeline --as-of 2026-09-03
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var report: ReportOptions
        @Flag(help: "Include won and lost leads.") var all = false

        func run() throws {
            let session = try Session(global)
            let (model, instant) = try report.model(session)
            let rows = model.pipeline.values.filter { all || $0.stage.isOpen }
                .sorted { ($0.stage, $0.handle) < ($1.stage, $1.handle) }
            switch report.format {
            case .json:
                let items: [[String: Any]] = rows.map { row in
                    [
                        "lead": row.handle, "stage": row.stage.rawValue, "value_minor": row.value?.minorUnits as Any,
                        "currency": row.value?.currency as Any, "probability": row.probability, "weighted_minor": row.weightedMinor as Any,
                        "source": row.source, "expected_close": row.expectedClose?.description as Any,
                        "days_in_stage": Int(instant.timeIntervalSince(row.enteredStageAt) / 86_400),
                    ]
                }
                try printJSON(items)
            case .table:
                guard !rows.isEmpty else {
                    print("No open leads.")
                    return
                }
                var table = [["LEAD", "STAGE", "VALUE", "PROB", "WEIGHTED", "SOURCE", "CLOSE", "DAYS"]]
                for row in rows {
                    let weighted = row.weightedMinor.flatMap { minor in
                        row.value.flatMap { try? Money(minorUnits: minor, currency: $0.currency) }
                    }
                    table.append([
                        row.handle, row.stage.rawValue, row.value?.description ?? "", "\(row.probability)%", weighted?.description ?? "",
                        row.source,
                        row.expectedClose?.description ?? "", String(Int(instant.timeIntervalSince(row.enteredStageAt) / 86_400)),
                    ])
                }
                printTable(table)
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every open engagement: phase, objectives baseline → latest → target, champions, channels, handover.",
            discussion: """
                Like pipeline, it reads the read models, or folds the log up to --as-of.

                Example: consult status --as-of 2026-09-20
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var report: ReportOptions
        @Flag(help: "Include closed engagements.") var all = false

        func run() throws {
            let session = try Session(global)
            let (model, _) = try report.model(session)
            let engagements = model.engagements.values.filter { all || $0.phase != "closed" }.sorted { $0.handle < $1.handle }
            let objectives = Dictionary(grouping: model.objectives.values, by: \.engagementID)
            switch report.format {
            case .json:
                let items: [[String: Any]] = engagements.map { e in
                    [
                        "engagement": e.handle, "title": e.title, "phase": e.phase, "handover": e.handoverState,
                        "checklist": ["total": e.checklistTotal, "done": e.checklistDone, "waived": e.checklistWaived],
                        "channels": e.channels, "champions": e.champions.count,
                        "objectives": (objectives[e.engagementID] ?? []).sorted { $0.handle < $1.handle }.map { o in
                            [
                                "objective": o.handle, "baseline": o.baseline, "latest": o.latest as Any, "target": o.target,
                                "progress": o.progress, "trend": o.trend as Any, "status": o.status,
                            ] as [String: Any]
                        },
                    ]
                }
                try printJSON(items)
            case .table:
                guard !engagements.isEmpty else {
                    print("No open engagements.")
                    return
                }
                for e in engagements {
                    print(
                        "\(e.handle): \(e.title) — \(e.phase); handover \(e.handoverState)"
                            + (e.checklistTotal > 0 ? " (checklist \(e.checklistDone + e.checklistWaived)/\(e.checklistTotal))" : "")
                            + (e.channels.isEmpty ? "" : "; channels \(e.channels.joined(separator: ", "))")
                            + "; \(e.champions.count) champion\(e.champions.count == 1 ? "" : "s")")
                    for o in (objectives[e.engagementID] ?? []).sorted(by: { $0.handle < $1.handle }) {
                        let latest = o.latest.map { $0.formatted() } ?? "–"
                        print(
                            "  \(o.handle): \(o.baseline.formatted()) → \(latest) → \(o.target.formatted()) (\(Int(o.progress.rounded()))%\(o.trend.map { ", \($0)" } ?? ""))\(o.status == "open" ? "" : " [\(o.status)]")"
                        )
                    }
                }
            }
        }
    }
}

func printJSON(_ items: [[String: Any]]) throws {
    let data = try JSONSerialization.data(withJSONObject: items, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    print(String(decoding: data, as: UTF8.self))
}

/// Prints rows as columns, the first row a header.
func printTable(_ rows: [[String]]) {
    let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    for row in rows {
        print(
            row.indices.map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces))
    }
}
