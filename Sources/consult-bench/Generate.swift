import Foundation
import Workload

/// The workload written once, in the two forms the bulk-load row compares: JSON Lines for
/// `consult import` (split at tenant boundaries, about a million events a file) and COPY text
/// of the same rows for the raw ceiling.
struct GeneratedLog {
    var importFiles: [String] = []
    var copyFile = ""
    var events = 0
    var bodyBytes = 0
    var eventsByTenant: [Int] = []
    var types: [String: Int] = [:]
    var averageBody: Int { events == 0 ? 0 : bodyBytes / events }
}

/// A buffered file writer: the generator writes gigabytes.
final class Output {
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(_ path: String) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o644])
        guard let handle = FileHandle(forWritingAtPath: path) else { throw BenchFailure("cannot write \(path)") }
        self.handle = handle
        buffer.reserveCapacity(1 << 20)
    }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 20 { flush() }
    }

    func write(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { flush() }
    }

    func flush() {
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    func close() {
        flush()
        try? handle.close()
    }
}

/// `2026-09-12T10:00:00+00:00`, as export writes a timestamptz in UTC (whole seconds).
func timestamp(_ date: Date) -> String {
    let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
    var days = seconds / 86_400
    var rest = seconds % 86_400
    if rest < 0 {
        rest += 86_400
        days -= 1
    }
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let day = doy - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return "\(year)-\(two(month))-\(two(day))T\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60))+00:00"
}

/// COPY text escaping: backslash, tab, newline and carriage return.
func copyEscaped(_ bytes: some Sequence<UInt8>) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.underestimatedCount + 16)
    for byte in bytes {
        switch byte {
        case UInt8(ascii: "\\"): out += [92, 92]
        case UInt8(ascii: "\t"): out += [92, UInt8(ascii: "t")]
        case UInt8(ascii: "\n"): out += [92, UInt8(ascii: "n")]
        case UInt8(ascii: "\r"): out += [92, UInt8(ascii: "r")]
        default: out.append(byte)
        }
    }
    return out
}

/// Tenant `i`'s events: the first holds 10,000 (the as-of row's tenant) when the run is large
/// enough; the others share the rest, each within ±50% of the mean.
func tenantSizes(events: Int, tenants: Int, seed: UInt64) -> [Int] {
    guard tenants > 1 else { return [events] }
    var sizes = [Int](repeating: 0, count: tenants)
    var rest = events
    if events >= 20_000 {
        sizes[0] = 10_000
        rest -= 10_000
    } else {
        sizes[0] = events / tenants
        rest -= sizes[0]
    }
    var state = seed
    var weights: [Double] = []
    for _ in 1..<tenants {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        weights.append(0.5 + Double(state >> 11) / Double(1 << 53))
    }
    let total = weights.reduce(0, +)
    for i in 1..<tenants { sizes[i] = max(1, Int(Double(rest) * weights[i - 1] / total)) }
    return sizes
}

func tenantName(_ index: Int) -> String { String(format: "bench-%04d", index + 1) }
func memberName(_ index: Int) -> String { String(format: "bench_%04d", index + 1) }

/// Writes the whole log. `tenantIDs[i]` is tenant i's id in this database (for the COPY form).
func generate(
    workload: Workload, sizes: [Int], tenantIDs: [Int64], into directory: String, eventsPerFile: Int = 1_000_000
) throws -> GeneratedLog {
    var log = GeneratedLog()
    log.copyFile = "\(directory)/raw.copy"
    let copy = try Output(log.copyFile)
    var file: Output?
    var inFile = 0
    for (index, size) in sizes.enumerated() {
        if file == nil || inFile >= eventsPerFile {
            file?.close()
            let path = "\(directory)/import-\(log.importFiles.count + 1).jsonl"
            log.importFiles.append(path)
            file = try Output(path)
            inFile = 0
        }
        let name = tenantName(index)
        let actor = memberName(index)
        let tenantID = String(tenantIDs[index])
        var position = 0
        try workload.tenant(index, events: size) { command in
            let occurred = timestamp(command.occurredAt)
            let recorded = timestamp(command.occurredAt.addingTimeInterval(3600))
            let commandID = command.id.uuidString.lowercased()
            let metadata =
                #"{"actor": "\#(actor)", "command_id": "\#(commandID)", "occurred_at": "\#(occurred)", "recorded_at": "\#(recorded)"}"#
            for event in command.events {
                position += 1
                let eventID = event.id.uuidString.lowercased()
                file!.write(
                    #"{"tenant":"\#(name)","position":\#(position),"stream":"\#(event.stream)","stream_version":\#(event.version),"event_id":"\#(eventID)","type":"\#(event.type)","schema_version":\#(event.schemaVersion),"data":"#
                )
                file!.write(event.data)
                file!.write(
                    #","metadata":\#(metadata),"command_id":"\#(commandID)","occurred_at":"\#(occurred)","recorded_at":"\#(recorded)"}"#
                        + "\n")
                copy.write(
                    "\(tenantID)\t\(position)\t\(event.stream)\t\(event.version)\t\(eventID)\t\(event.type)\t\(event.schemaVersion)\t")
                copy.write(copyEscaped(event.data))
                copy.write("\t")
                copy.write(copyEscaped(metadata.utf8))
                copy.write("\t\(commandID)\t\(occurred)\t\(recorded)\n")
                log.bodyBytes += event.data.count
                log.types[event.type, default: 0] += 1
            }
        }
        inFile += position
        log.events += position
        log.eventsByTenant.append(position)
    }
    file?.close()
    copy.close()
    return log
}
