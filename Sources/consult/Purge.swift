import ArgumentParser
import Foundation
import Recording

extension Consult {
    /// `consult purge-forgotten`: the owner's half of forgetting (scripts/nightly runs it).
    struct PurgeForgotten: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "purge-forgotten",
            abstract: "Rewrite the table of people's details so that forgotten ones leave the database's files (owner only).",
            discussion: """
                `consult forget` deletes a person's details at once, but PostgreSQL keeps a deleted \
                row's bytes in the table's file until the space is reused. This rewrites the table \
                (VACUUM FULL: new files holding the remaining rows; the old ones are truncated), which \
                only the tables' owner may do. scripts/nightly runs it every night. The WAL and backups \
                still hold the old row for as long as they are kept: see the README, "Forgetting a person".

                Example: consult purge-forgotten
                """)
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let (connection, _) = try global.connect()
            defer { connection.close() }
            for table in try Forgetting.purge(connection) {
                let kilobytes = { (bytes: Int64) in (Double(bytes) / 1024).formatted(.number.precision(.fractionLength(0))) }
                print(
                    "Rewrote consult.\(table.table) (\(table.rows) rows, \(kilobytes(table.bytesBefore)) → \(kilobytes(table.bytesAfter)) kB) in \(table.duration.formatted(.units(allowed: [.milliseconds])))."
                )
            }
        }
    }
}
