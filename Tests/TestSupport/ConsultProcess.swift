import Foundation

/// Runs the built `consult` binary, as a user would.
public struct ConsultProcess: Sendable {
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// `consult` sits next to the test bundle in the build folder.
    public static var executable: URL {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundle, bundle.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("consult")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return Bundle.main.bundleURL.appendingPathComponent("consult")
    }

    /// Runs consult with `arguments`, in an environment holding only PATH, HOME and `environment`
    /// (so no PG* variable or DATABASE_URL of the caller's leaks in), from `directory`.
    public static func run(
        executable: URL = executable, _ arguments: [String], environment: [String: String] = [:],
        directory: String = NSTemporaryDirectory()
    ) throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var base = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        base.merge(environment) { $1 }
        process.environment = base
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// A `consult` process left running: its stderr and stdout are read as they come, so a test
/// can wait for a line and then stop it (SIGKILL for crash tests).
public final class RunningConsult: @unchecked Sendable {
    // `output` is only touched under `lock`; the process is started once in init.
    private let process = Process()
    private let lock = NSLock()
    private var output = ""

    public init(_ arguments: [String], environment: [String: String]) throws {
        process.executableURL = ConsultProcess.executable
        process.arguments = arguments
        var base = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        base.merge(environment) { $1 }
        process.environment = base
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock()
            self.output += String(decoding: data, as: UTF8.self)
            self.lock.unlock()
        }
        try process.run()
    }

    /// What it printed so far.
    public var printed: String {
        lock.lock()
        defer { lock.unlock() }
        return output
    }

    /// Waits until its output contains `text`; false on timeout or if it exited first.
    public func waitFor(_ text: String, timeout: Duration = .seconds(20)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if printed.contains(text) { return true }
            if !process.isRunning { return printed.contains(text) }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return false
    }

    /// Kills it with SIGKILL: no cleanup, no rollback sent; the server sees the socket drop.
    public func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    public var isRunning: Bool { process.isRunning }

    /// Its exit status, once it has exited.
    public var exitCode: Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }
}
