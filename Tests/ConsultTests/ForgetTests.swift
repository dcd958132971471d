import Foundation
import Postgres
import TestSupport
import Testing

/// Issue 18, item 4: after `consult forget`, the person's name, e-mail and handle are in no
/// readable table or catalog. The outside truth is the database's own files: every file under
/// the test database's directory is read byte by byte after a CHECKPOINT.
@Suite("forget", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct ForgetTests {
    /// The files of the database that hold any of `needles`, named by their relation (or file
    /// name), after a CHECKPOINT has written every page; and how many files and bytes were read.
    func holders(of needles: [String], _ admin: Connection, in dataDirectory: String) throws -> (files: [String], read: Int, bytes: Int) {
        try admin.execute("CHECKPOINT")
        let database = try admin.execute("SELECT oid FROM pg_database WHERE datname = current_database()")[0].decode(Int64.self, at: 0)
        let folder = URL(fileURLWithPath: dataDirectory).appendingPathComponent("base/\(database)")
        let patterns = needles.map { Data($0.utf8) }
        var found: [String] = []
        var read = 0
        var bytes = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() {
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            read += 1
            bytes += data.count
            guard patterns.contains(where: { data.range(of: $0) != nil }) else { continue }
            // relfilenode[_fork][.segment] → the relation it belongs to.
            let node = name.prefix { $0.isNumber }
            let relation = try admin.execute("SELECT pg_filenode_relation(0, \(String(node))::oid)::text").first?.decode(
                String?.self, at: 0)
            found.append("\(relation ?? "?") (\(name))")
        }
        return (found, read, bytes)
    }

    @Test(
        "after forget and the owner's purge, the name, e-mail and handle are in no file of the database, no statistic and no export; before the purge the same check finds them"
    )
    func forgottenInNoFile() throws {
        guard let cluster = ProcessInfo.processInfo.environment["CONSULT_TEST_CLUSTER_DIR"], !cluster.isEmpty else {
            print(
                "forget, files: skipped: CONSULT_TEST_CLUSTER_DIR is not set, so the server's files cannot be read (scripts/test sets it)")
            return
        }
        let fixture = try MonthFixture()
        let admin = try fixture.database.connect()
        defer { admin.close() }
        let dataDirectory = try admin.execute("SELECT current_setting('data_directory')")[0].decode(String.self, at: 0)
        guard dataDirectory.hasPrefix(URL(fileURLWithPath: cluster).resolvingSymlinksInPath().path) || dataDirectory.hasPrefix(cluster)
        else {
            print("forget, files: skipped: the server's data directory \(dataDirectory) is not under CONSULT_TEST_CLUSTER_DIR (\(cluster))")
            return
        }
        let tag = UUID().uuidString.prefix(8).lowercased()
        let name = "Zelda Purgeable\(tag)"
        let email = "zelda.\(tag)@secret.example"
        let handle = "zelda-purgeable\(tag)"
        let added = try fixture.consult(["person", "add", name, "--email", email, "--phone", "+44 20 7946 0\(tag.prefix(3))"])
        #expect(added.status == 0, "\(added.stderr)")
        let needles = [name, email, handle]
        let stored = try holders(of: needles, admin, in: dataDirectory)
        #expect(stored.files.contains { $0.hasPrefix("consult.person_details ") }, "the check does not see the stored row: \(stored.files)")

        let events = try fixture.eventCount()
        let forgot = try fixture.consult(["forget", handle, "--asked-by", "person"])
        #expect(forgot.status == 0, "\(forgot.stderr)")
        #expect(try fixture.eventCount() == events + 1)

        // Deleted is not gone: the dead row is still in the table's file and the handle in its index.
        let afterForget = try holders(of: needles, admin, in: dataDirectory)
        #expect(afterForget.files.contains { $0.hasPrefix("consult.person_details ") }, "\(afterForget.files)")
        // A member cannot VACUUM the table (PostgreSQL skips it with a warning) nor purge it.
        let member = try fixture.database.connect(user: fixture.ann)
        try member.execute("VACUUM (FULL) consult.person_details")
        try member.execute("VACUUM consult.person_details")
        member.close()
        let afterMemberVacuum = try holders(of: needles, admin, in: dataDirectory)
        #expect(afterMemberVacuum.files.contains { $0.hasPrefix("consult.person_details ") }, "\(afterMemberVacuum.files)")
        let refused = try fixture.consult(["purge-forgotten"])
        #expect(refused.status == 1)
        #expect(
            refused.stderr.hasPrefix(
                "consult: only the owner of consult's tables (postgres) can rewrite consult.person_details; you are \(fixture.ann)\n"),
            "\(refused.stderr)")

        // The owner's purge (scripts/nightly runs it), then nothing anywhere.
        let purge = try ConsultProcess.run(["purge-forgotten", "--database", try fixture.database.conninfo])
        #expect(purge.status == 0, "\(purge.stderr)")
        #expect(purge.stdout.hasPrefix("Rewrote consult.person_details ("), "\(purge.stdout)")
        let afterPurge = try holders(of: needles, admin, in: dataDirectory)
        #expect(afterPurge.files.isEmpty, "\(afterPurge.files)")
        try admin.execute("ANALYZE")
        let statistics = try admin.execute(
            """
            SELECT count(*) FROM pg_statistic
             WHERE concat(stavalues1::text, stavalues2::text, stavalues3::text, stavalues4::text, stavalues5::text) ~* \(tag)
            """)[0].decode(Int.self, at: 0)
        #expect(statistics == 0)
        let export = try fixture.consult(["export"])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(!export.stdout.contains(tag), "the export names the forgotten person")
        // The other people of the month are still there, and reports still run.
        #expect(try admin.execute("SELECT count(*) FROM consult.person_details")[0].decode(Int.self, at: 0) > 0)
        #expect(try fixture.consult(["status"]).status == 0)
        // Not asserted, measured for README and RELIABILITY.md: the WAL still holds the row (only the
        // server's OS user and superusers can read it) until its segments are recycled and overwritten.
        let wal = URL(fileURLWithPath: dataDirectory).appendingPathComponent("pg_wal")
        let segments = try FileManager.default.contentsOfDirectory(atPath: wal.path).filter { $0.count == 24 }
        let walHolding = try segments.filter { try Data(contentsOf: wal.appendingPathComponent($0)).range(of: Data(email.utf8)) != nil }
        print(
            "forget, WAL: after the purge \(walHolding.count) of \(segments.count) segments in pg_wal still hold the e-mail (expected: until recycled)"
        )
        print(
            "forget, files: \(afterPurge.read) files (\(afterPurge.bytes / 1024) kB) of the database read after each CHECKPOINT; "
                + "name, e-mail or handle found in \(afterForget.files.count) after forget (\(afterForget.files.joined(separator: ", "))), "
                + "\(afterMemberVacuum.files.count) after the member's VACUUM, \(afterPurge.files.count) after `consult purge-forgotten` "
                + "(\(purge.stdout.trimmingCharacters(in: .newlines))); 0 pg_statistic rows; the export does not name them")
    }

    @Test("on a terminal forget asks first, and a no forgets nothing; --yes and a script are not asked")
    func asksOnATerminal() throws {
        let script = URL(fileURLWithPath: "/usr/bin/script")
        guard FileManager.default.isExecutableFile(atPath: script.path) else {
            print("forget, question: skipped: /usr/bin/script is not installed, so no terminal can be given")
            return
        }
        let fixture = try MonthFixture()
        func typed(_ answer: String, _ extra: String = "") throws -> ConsultProcess.Output {
            // script(1) gives consult a terminal for stdin and stderr; the answer is typed into it.
            let command = "\(ConsultProcess.executable.path) forget grace-obi --asked-by person\(extra)"
            return try ConsultProcess.run(
                executable: URL(fileURLWithPath: "/bin/sh"), ["-c", "printf '\(answer)\\n' | script -qec \"\(command)\" /dev/null"],
                environment: ["DATABASE_URL": fixture.conninfo, "PGUSER": fixture.ann])
        }
        let before = try fixture.eventCount()
        let no = try typed("n")
        #expect(
            no.stdout.contains("forgetting grace-obi destroys their name, e-mail and phone for good. Forget them? [y/N]"), "\(no.stdout)")
        #expect(no.stdout.contains("nothing was recorded"), "\(no.stdout)")
        #expect(try fixture.eventCount() == before)
        #expect(try fixture.consult(["person", "show", "grace-obi"]).status == 0)
        let yes = try typed("y")
        #expect(yes.stdout.contains("Forgot the details of person "), "\(yes.stdout)")
        #expect(try fixture.eventCount() == before + 1)
        // Off a terminal (a script), no question: Tom Reid is forgotten at once.
        let scripted = try fixture.consult(["forget", "tom-reid", "--asked-by", "person"])
        #expect(scripted.status == 0, "\(scripted.stderr)")
        #expect(try fixture.eventCount() == before + 2)
    }
}
