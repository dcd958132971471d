import Foundation
import Postgres
import Reports

/// The bench's one table, in Markdown (it goes into BENCHMARKS.md as it is printed).
struct Table {
    struct Row {
        let name: String
        let figure: String
        let ceiling: String
        let ratio: String
        let target: String
        let note: String
    }

    var rows: [Row] = []
    var machine: [String] = []
    var workload: GeneratedLog?

    mutating func add(_ name: String, _ value: Double, ceiling: Double?, _ what: String, target: Double?, note: String = "") {
        let ratio = ceiling.map { value / $0 }
        rows.append(
            Row(
                name: name, figure: "\(per(value))/s", ceiling: ceiling.map { "\(per($0))/s (\(what))" } ?? "",
                ratio: ratio.map { String(format: "%.2f×", $0) } ?? "",
                target: target.map { t in String(format: "≥ %.1f× %@", t, ratio.map { $0 >= t ? "✔" : "✘" } ?? "") } ?? "", note: note))
    }

    mutating func add(latency name: String, _ values: Latencies, target: String) {
        rows.append(
            Row(
                name: name, figure: "\(ms(values.percentile(50))) / \(ms(values.percentile(99))) ms", ceiling: "", ratio: "",
                target: target,
                note: "\(values.count) runs"))
    }

    mutating func describeMachine(_ connection: Connection) throws {
        let version = try connection.execute("SELECT current_setting('server_version')")[0].decode(String.self, at: 0)
        var settings: [String] = []
        for name in ["shared_buffers", "synchronous_commit", "fsync", "wal_level", "max_wal_size", "work_mem"] {
            settings.append("\(name)=\(try connection.execute("SELECT current_setting(\(name))")[0].decode(String.self, at: 0))")
        }
        let memory = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8))?.split(separator: "\n").first ?? ""
        machine = [
            "date: \(ISO8601DateFormatter().string(from: Date()))",
            "cores: \(ProcessInfo.processInfo.activeProcessorCount); \(memory.replacingOccurrences(of: "  ", with: ""))",
            "PostgreSQL \(version): \(settings.joined(separator: ", "))",
        ]
    }

    func render() -> String {
        var out = machine.map { "- \($0)\n" }.joined()
        if let workload {
            let tenants = workload.eventsByTenant
            out +=
                "- workload: \(workload.events.formatted()) events, \(tenants.count) tenants (\(tenants.min() ?? 0)–\(tenants.max() ?? 0) events each), "
                + "average body \(workload.averageBody) bytes\n"
            let top = workload.types.sorted { $0.value > $1.value }.prefix(8).map {
                "\($0.key) \(String(format: "%.0f%%", 100 * Double($0.value) / Double(max(1, workload.events))))"
            }
            out += "- most frequent events: \(top.joined(separator: ", "))\n"
        }
        let table = TextTable(
            ["", "consult", "PostgreSQL's ceiling", "ratio", "target", "notes"], rightAligned: [1, 3],
            rows: rows.map { [$0.name, $0.figure, $0.ceiling, $0.ratio, $0.target, $0.note] })
        return out + "\n" + table.markdown()
    }
}

/// 12,345 or 1.23 M.
func per(_ value: Double) -> String {
    value >= 1_000_000 ? String(format: "%.2f M", value / 1_000_000) : Int(value.rounded()).formatted()
}
