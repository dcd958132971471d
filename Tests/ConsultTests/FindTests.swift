import Foundation
import TestSupport
import Testing

/// Records that can be found: handles from names in any script, a handle of one's choosing, and
/// "did you mean" for a mistyped handle (issue 16).
@Suite("handles in any script, --handle, and did you mean", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct FindTests {
    @Test("names in Greek, Cyrillic and Chinese get Latin handles that resolve; --handle chooses one")
    func anyScript() throws {
        let fixture = try MonthFixture()
        // ICU's Any-Latin then Latin-ASCII: Ελληνικό Καφέ → Ellēnikó Kaphé → elleniko-kaphe;
        // Пекарня Москва → Pekarnâ Moskva → pekarna-moskva; 北京茶馆 → běi jīng chá guǎn.
        for (name, handle) in [
            ("Ελληνικό Καφέ", "elleniko-kaphe"), ("Пекарня Москва", "pekarna-moskva"), ("北京茶馆", "bei-jing-cha-guan"),
        ] {
            let output = try fixture.consult(["org", "add", name])
            #expect(output.status == 0, "\(output.stderr)")
            #expect(output.stdout.hasPrefix("Registered organisation \(handle) (id "), "\(output.stdout)")
            // The name resolves through its handle, typed as the name or the handle.
            let lead = try fixture.consult(["lead", "capture", name, "--source", "inbound"])
            #expect(lead.status == 0, "\(lead.stderr)")
        }
        let person = try fixture.consult(["person", "add", "王小明", "--org", "bei-jing-cha-guan"])
        #expect(person.stdout.hasPrefix("Added wang-xiao-ming (id "), "\(person.stdout) \(person.stderr)")
        let chosen = try fixture.consult(["org", "add", "Harbour Bakery & Café Ltd", "--handle", "harbour"])
        #expect(chosen.stdout.hasPrefix("Registered organisation harbour (id "), "\(chosen.stdout) \(chosen.stderr)")
        let chosenPerson = try fixture.consult(["person", "add", "Sam O'Neill", "--org", "harbour", "--handle", "sam"])
        #expect(chosenPerson.stdout.hasPrefix("Added sam (id "), "\(chosenPerson.stdout) \(chosenPerson.stderr)")
    }

    @Test("a mistyped handle is refused with the closest ones, exit 1, and nothing recorded")
    func didYouMean() throws {
        let fixture = try MonthFixture()
        let before = try fixture.eventCount()
        let cases: [([String], String)] = [
            // One letter off.
            (
                ["lead", "capture", "northbridge-librarys", "--source", "talk"],
                "organisation: there is no organisation with the handle \"northbridge-librarys\"\n  did you mean \"northbridge-libraries\"?\n"
            ),
            // A prefix of the real handle.
            (
                ["person", "add", "Ann Smith", "--org", "camden-arts"],
                "--org: there is no organisation with the handle \"camden-arts\"\n  did you mean \"camden-arts-trust\"?\n"
            ),
            (
                ["objective", "measure", "folowers", "10"],
                "objective: there is no objective with the handle \"folowers\"\n  did you mean \"followers\"?\n"
            ),
            (
                ["engagement", "sponsor", "libraries-on-twitter", "helen-carte"],
                "person: there is no person with the handle \"helen-carte\"\n  did you mean \"helen-carter\"?\n"
            ),
            // Nothing close: no suggestion.
            (["lead", "capture", "zzzzzz", "--source", "talk"], "organisation: there is no organisation with the handle \"zzzzzz\"\n"),
        ]
        for (arguments, message) in cases {
            let output = try fixture.consult(arguments)
            #expect(output.status == 1, "\(arguments)")
            #expect(output.stderr == "consult: " + message)
        }
        #expect(try fixture.eventCount() == before)
    }
}
