import ArgumentParser
import Foundation
import Reports

#if canImport(Glibc)
    import Glibc
#endif

/// `--wide` and `--no-pager`, shared by everything that prints a table.
struct DisplayOptions: ParsableArguments {
    @Flag(
        help: """
            Show every column, nothing cut. Otherwise a table is fitted to COLUMNS when it is set \
            (even when the output is piped), else to the terminal: text columns shrink (cut with …), \
            then the least important columns are dropped ("+N columns: --wide"); dates, numbers and \
            handles are never cut. Piped without COLUMNS, nothing is cut.
            """)
    var wide = false

    @Flag(
        name: .customLong("no-pager"),
        help: "Never page. Otherwise output taller than the terminal goes through $PAGER (default: less -FRX).")
    var noPager = false
}

/// The terminal standard output is on, if it is.
enum Terminal {
    static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// The terminal's size, when standard output is one.
    static var size: (columns: Int, rows: Int)? {
        guard isTerminal else { return nil }
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return (Int(size.ws_col), Int(size.ws_row))
    }

    /// The width to fit tables to, in cells: `COLUMNS` when set to a number (even when piped, so
    /// a script or a test can ask for a width), else the terminal's (80 if it will not say);
    /// `.max` when piped without `COLUMNS`, or with `wide`: nothing is cut.
    static func width(wide: Bool = false) -> Int {
        if wide { return .max }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }),
            columns > 0
        {
            return columns
        }
        guard isTerminal else { return .max }
        return size?.columns ?? 80
    }

    /// Prints `text`: through `$PAGER` (default `less -FRX`) when standard output is a terminal,
    /// `pager` is true and the text is taller than the screen; straight out otherwise (piped,
    /// `--no-pager`, `PAGER` empty or `cat`, or the pager cannot be started).
    static func show(_ text: String, pager: Bool) {
        guard pager, let size, text.reduce(0, { $0 + ($1 == "\n" ? 1 : 0) }) >= size.rows else {
            print(text, terminator: "")
            return
        }
        let command = ProcessInfo.processInfo.environment["PAGER"] ?? "less -FRX"
        guard !command.trimmingCharacters(in: .whitespaces).isEmpty, command.trimmingCharacters(in: .whitespaces) != "cat" else {
            print(text, terminator: "")
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let input = Pipe()
        process.standardInput = input
        do {
            try process.run()
        } catch {
            print(text, terminator: "")
            return
        }
        // Quitting the pager early closes the pipe: that is not an error.
        signal(SIGPIPE, SIG_IGN)
        try? input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
