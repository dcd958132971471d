import Foundation
import TestSupport
import Testing

/// Issue 16: shells complete handles, by calling consult back for the tenant's own.
@Suite("completion of handles", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct CompletionTests {
    @Test("the bash and zsh scripts call consult back for every argument that takes a handle", arguments: ["bash", "zsh"])
    func scriptsCallBack(_ shell: String) throws {
        let script = try ConsultProcess.run(["--generate-completion-script", shell]).stdout
        for callback in [
            "---completion objective measure -- positional@0", "---completion engagement sponsor -- positional@1",
            "---completion person add -- --org", "---completion lead win -- positional@0", "---completion handover plan -- --sponsor",
        ] {
            #expect(script.contains(callback), "\(shell): no \(callback)")
        }
    }

    @Test("the call back answers with the tenant's handles, filtered by what was typed; silently nothing without a database")
    func callBack() throws {
        let fixture = try MonthFixture()
        // What the scripts run: consult ---completion SUBCOMMAND -- ARGUMENT WORD-INDEX CURSOR WORDS…
        let objectives = try fixture.consult([
            "---completion", "objective", "measure", "--", "positional@0", "3", "2", "consult", "objective", "measure", "fo",
        ])
        #expect(objectives.stdout == "followers\n", "\(objectives.stderr)")
        // scripts/month adds Priya Shah, Helen Carter, Tom Reid and Grace Obi.
        let people = try fixture.consult([
            "---completion", "engagement", "sponsor", "--", "positional@1", "4", "0", "consult", "engagement", "sponsor",
            "libraries-on-twitter", "",
        ])
        #expect(people.stdout == "grace-obi\nhelen-carter\npriya-shah\ntom-reid\n")
        let organisations = try fixture.consult([
            "---completion", "person", "add", "--", "--org", "5", "1", "consult", "person", "add", "Ann", "--org", "n",
        ])
        #expect(organisations.stdout == "northbridge-libraries\n")
        let nowhere = try ConsultProcess.run(
            ["---completion", "objective", "measure", "--", "positional@0", "3", "0", "consult", "objective", "measure", ""],
            environment: ["DATABASE_URL": "postgresql:///nowhere?host=/nonexistent"])
        #expect(nowhere.status == 0)
        #expect(nowhere.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        #expect(nowhere.stderr.isEmpty)
    }
}
