import ArgumentParser
import EventStore
import Foundation
import Postgres
import Projections
import Recording

extension Consult {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write the log as JSON Lines: one event a line, every column, stable field order.",
            discussion: """
                A member exports their own consultancy; the owner names one with --tenant or takes all with \
                --all-tenants. The tenant travels by name. Importing the output into another database and \
                exporting again gives the same bytes. The last line is a trailer with the number of \
                events and their SHA-256: `consult import` refuses a file that was cut or changed. \
                People's names, e-mails and phones (kept outside the log, so that they can be forgotten) \
                follow each tenant's events as lines of their own; a forgotten person has none.

                Example: consult export > consult-log.jsonl
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var tenants: ProjectionsCommand.Tenants
        @Option(help: ArgumentHelp("Only events after this log position.", valueName: "position")) var since: Int64 = 0

        func run() throws {
            let (connection, list) = try tenants.resolve(global)
            defer { connection.close() }
            var buffer = Data()
            var digest = ExportTrailer.Digest()
            let output = FileHandle.standardOutput
            // A failed write (a full disk, a closed pipe) is a message and exit 1, not a trap:
            // the throwing write, never FileHandle.write(_:).
            func flush() throws {
                do {
                    try output.write(contentsOf: buffer)
                } catch {
                    throw CommandFailure(
                        "cannot write the export: \((error as NSError).localizedDescription); what was written is incomplete and `consult import` will refuse it"
                    )
                }
                buffer.removeAll(keepingCapacity: true)
            }
            let transfer = Transfer(connection: connection)
            func write(_ line: String) throws {
                let bytes = Array(line.utf8)
                digest.add(bytes)
                buffer.append(contentsOf: bytes)
                buffer.append(0x0A)
                if buffer.count > 256 * 1024 { try flush() }
            }
            // By name, so the file does not depend on this database's tenant ids.
            for (tenant, _) in list.sorted(by: { $0.1 < $1.1 }) {
                _ = try transfer.export(tenant: tenant, since: since, write)
                // People's details live beside the log (they must stay forgettable): the tenant
                // travels whole only with them.
                try PersonDirectory(connection: connection, tenant: tenant).exportLines(write)
            }
            buffer.append(contentsOf: digest.trailer.line.utf8)
            buffer.append(0x0A)
            try flush()
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Load a JSON Lines export atomically: all of it or, on any bad line, nothing. Owner only.",
            discussion: """
                Ids, positions, versions and metadata are kept as they were. Importing the same file twice \
                changes nothing. A bad line is named with its number and the reason. The tenants the \
                file names must exist (consult tenant create). The read models are brought up to date after, \
                unless --no-catch-up leaves that to the next catch-up or rebuild (for loads of many files).

                Example: consult import consult-log.jsonl
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The file, or - for standard input.") var file: String
        @Flag(help: "Leave the read models to the next `projections catch-up` or `rebuild`.") var noCatchUp = false
        @Flag(
            help: ArgumentHelp(
                "Accept a file without the trailer line that exports end with (one written before trailers existed).",
                discussion: "Only for a file known to be whole: without a trailer a cut file cannot be told from a complete one."))
        var withoutTrailer = false

        func run() throws {
            let handle: FileHandle
            if file == "-" {
                handle = FileHandle.standardInput
            } else {
                guard let opened = FileHandle(forReadingAtPath: file) else {
                    throw CommandFailure("file: cannot open \(file)")
                }
                handle = opened
            }
            let (connection, _) = try global.connect()
            defer { connection.close() }
            // An import is one long transaction by design.
            try Database.liftStatementTimeout(connection)
            let transfer = Transfer(connection: connection)
            let terminal = isatty(STDERR_FILENO) == 1
            do {
                let result = try transfer.importLines(
                    LineReader(handle: handle), requireTrailer: !withoutTrailer, attach: PersonDirectory.importAttachments
                ) { count in
                    if terminal { FileHandle.standardError.write(Data("\rimported \(count) lines…".utf8)) }
                }
                if terminal { FileHandle.standardError.write(Data("\r".utf8)) }
                for tenant in result.tenants where !noCatchUp {
                    do {
                        try Projector(connection: connection, tenant: tenant).catchUp()
                    } catch {
                        FileHandle.standardError.write(
                            Data("consult: warning: imported, but the read models were not brought up to date: \(error)\n".utf8))
                    }
                }
                print(
                    "Imported \(result.imported) event\(result.imported == 1 ? "" : "s")\(result.skipped > 0 ? " (\(result.skipped) already present)" : "")."
                )
            } catch let error as Transfer.ImportError {
                throw CommandFailure("\(file == "-" ? "standard input" : file), \(error.description); nothing was imported")
            } catch let error as PostgresError where error.sqlState == .insufficientPrivilege {
                throw CommandFailure("only the owner may import: \(error.message)")
            }
        }
    }
}

/// The lines of a file, read in 1 MiB chunks with read(2) (FileHandle.readData(ofLength:) cost
/// more than the import's own work on a file of 190 MB): numbered from 1, without their line
/// break, blank lines passed over.
struct LineReader: Sequence, IteratorProtocol {
    let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var number = 0
    private var finished = false
    private var chunk = [UInt8](repeating: 0, count: 1 << 20)

    init(handle: FileHandle) { self.handle = handle }

    mutating func next() -> (number: Int, bytes: [UInt8])? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                var line = Array(buffer[start..<newline])
                start = newline + 1
                number += 1
                if line.last == 0x0D { line.removeLast() }
                if line.isEmpty { continue }
                return (number, line)
            }
            if finished {
                guard start < buffer.count else { return nil }
                let line = Array(buffer[start...])
                start = buffer.count
                number += 1
                return (number, line)
            }
            buffer.removeFirst(start)
            start = 0
            let descriptor = handle.fileDescriptor
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                // Exiting ends the connection, which rolls the import's transaction back.
                FileHandle.standardError.write(
                    Data("consult: cannot read line \(number + 1) on: \(String(cString: strerror(errno))); nothing was imported\n".utf8))
                exit(1)
            }
            if count == 0 { finished = true } else { buffer.append(contentsOf: chunk[..<count]) }
        }
    }
}
