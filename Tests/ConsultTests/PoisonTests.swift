import BackOffice
import EventStore
import Foundation
import TestSupport
import Testing

/// Issue 18, item 3: an event this version cannot read (stored before the database checked
/// bodies, or by a newer version) holds up nothing: it is quarantined (db/migrations/0028), its
/// tenant is rebuilt without it, the owner's nightly rebuild of every tenant rebuilds the others
/// too, names the tenant with the quarantined event, and exits 2.
@Suite("a poison event holds up only its tenant", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct PoisonTests {
    @Test("rebuild --all-tenants rebuilds every tenant, names the one with a quarantined event, exits 2; verify likewise")
    func allTenantsGoOn() throws {
        let fixture = try MonthFixture()
        let (_, southMember) = try fixture.database.createTenant("southwind")
        let added = try ConsultProcess.run(
            ["org", "add", "Harbour Bakery"], environment: ["DATABASE_URL": fixture.conninfo, "PGUSER": southMember])
        #expect(added.status == 0, "\(added.stderr)")
        // The poison: a type the database knows and this version does not, in northwind's log.
        try fixture.database.registerTestEventTypes(["NoSuchEvent"])
        let owner = try fixture.database.connect()
        defer { owner.close() }
        let stream = StreamName.entity(.engagement, UUID()).description
        _ = try EventStore(connection: owner, tenant: fixture.tenant).append(
            [NewEvent(stream: stream, type: "NoSuchEvent", data: Data("{}".utf8))], to: stream, expecting: .noStream)
        let database = try fixture.database.conninfo
        for arguments in [["projections", "rebuild", "--all-tenants"], ["projections", "rebuild", "--all-tenants", "--jobs", "2"]] {
            let rebuild = try ConsultProcess.run(arguments + ["--database", database])
            #expect(rebuild.status == 2, "\(arguments): \(rebuild.stderr)")
            #expect(rebuild.stdout.contains("southwind: rebuilt"), "\(arguments): \(rebuild.stdout)")
            #expect(rebuild.stdout.contains("northwind: rebuilt"), "\(arguments): \(rebuild.stdout)")
            #expect(
                rebuild.stderr.contains("consult: northwind: 1 event quarantined (not decodable by this version"),
                "\(arguments): \(rebuild.stderr)"
            )
            #expect(rebuild.stderr.contains(#"NoSuchEvent v1 in \#(stream): unknown event type "NoSuchEvent""#), "\(rebuild.stderr)")
            #expect(
                rebuild.stderr.hasSuffix("consult: 1 of 2 tenants has quarantined events (rebuilt without them): northwind\n"),
                "\(arguments): \(rebuild.stderr)")
        }
        let verify = try ConsultProcess.run(["projections", "rebuild", "--all-tenants", "--verify", "--database", database])
        #expect(verify.status == 2)
        #expect(verify.stdout.contains("southwind: no drift"))
        #expect(verify.stdout.contains("northwind: no drift"))
        #expect(
            verify.stderr.hasSuffix("consult: 1 of 2 tenants has quarantined events (verified without them): northwind\n"),
            "\(verify.stderr)")
    }
}
