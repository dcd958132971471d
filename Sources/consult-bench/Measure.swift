import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Seconds since an arbitrary start, from the monotonic clock.
func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Latencies in seconds, summarised.
struct Latencies {
    private(set) var values: [Double] = []

    mutating func add(_ value: Double) { values.append(value) }
    mutating func add(_ other: Latencies) { values += other.values }

    func percentile(_ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))  // nearest-rank
        return sorted[max(0, min(sorted.count - 1, rank - 1))]
    }

    var count: Int { values.count }
}

/// Runs `body(index)` on `count` threads at once and waits for all.
func onThreads<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
    let results = Mutex<[Int: Result<T, any Error>]>([:])
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            let result = Result { try body(index) }
            results.withLock { $0[index] = result }
            group.leave()
        }
        thread.stackSize = 4 << 20
        thread.start()
    }
    group.wait()
    return try results.withLock { all in try (0..<count).map { try all[$0]!.get() } }
}

/// What a child process used: its wall time, exit status and peak resident memory.
struct ChildRun {
    let seconds: Double
    let status: Int32
    let peakRSSKiB: Int
}

/// Runs a program with its output to /dev/null (stderr to `log`), and measures it with wait4.
func spawn(_ path: String, _ arguments: [String], log: String) throws -> ChildRun {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    let started = now()
    let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
    guard spawned == 0 else { throw BenchFailure("cannot run \(path): \(String(cString: strerror(spawned)))") }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return ChildRun(seconds: now() - started, status: exit, peakRSSKiB: Int(usage.ru_maxrss))
}

/// Runs a program and fails with the end of its error output when it fails.
@discardableResult
func run(_ path: String, _ arguments: [String], log: String) throws -> ChildRun {
    let result = try spawn(path, arguments, log: log)
    guard result.status == 0 else {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        throw BenchFailure("\(([path] + arguments).joined(separator: " ")) exited \(result.status):\n\(text.suffix(2000))")
    }
    return result
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Progress on standard error, with the time since the run began.
nonisolated(unsafe) var benchStarted = now()
func say(_ text: String) {
    FileHandle.standardError.write(Data(String(format: "[%6.1f s] %@\n", now() - benchStarted, text).utf8))
}
