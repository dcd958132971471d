import Foundation
import TestSupport
import Testing

/// A consultancy's display name and currency, and the owner's lists of tenants and members
/// (issue 16, item 9), through the built binary.
@Suite("tenant display name, currency, and the owner's lists", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct TenantProfileTests {
    let fixture: MonthFixture

    init() throws { fixture = try MonthFixture(recordMonth: false) }

    /// The owner (the superuser of the test cluster).
    func owner(_ arguments: [String]) throws -> ConsultProcess.Output {
        try ConsultProcess.run(
            arguments, environment: ["DATABASE_URL": fixture.database.conninfo, "CONSULT_MEMBER_PASSWORD": "long-enough-1"])
    }

    func json(_ output: ConsultProcess.Output, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        try reportJSON(output, sourceLocation: sourceLocation)
    }

    func rows(_ document: [String: Any], _ section: String) -> [[String: Any]] { reportRows(document, section) }

    @Test("a display name makes the slug; amounts without a currency take the tenant's, and a new currency applies from then on")
    func displayNameAndCurrency() throws {
        let member = "sfy_\(UUID().uuidString.prefix(8).lowercased())"
        let created = try owner(["tenant", "create", "Speak For Yourself", "--currency", "gbp", "--member", member])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.hasPrefix("Created tenant speak-for-yourself (id "), "\(created.stdout)")
        #expect(created.stdout.hasSuffix(", display name \"Speak For Yourself\", currency GBP) with member \(member).\n"))

        let listed = rows(try json(try owner(["tenant", "list", "--format", "json"])), "tenants")
        let row = try #require(listed.first { $0["name"] as? String == "speak-for-yourself" })
        #expect(row["display_name"] as? String == "Speak For Yourself")
        #expect(row["currency"] as? String == "GBP")
        #expect(row["members"] as? String == member)
        // The fixture's own tenant has neither.
        let northwind = try #require(listed.first { $0["name"] as? String == "northwind" })
        #expect(northwind["currency"] is NSNull)

        let asMember = { (arguments: [String]) in try self.fixture.consult(arguments, as: member) }
        #expect(try asMember(["org", "add", "Harbour Bakery"]).status == 0)
        // "4000" in the tenant's currency: 4000 GBP, i.e. 400000 pence, shown as 4000 with 2 decimals.
        let captured = try asMember(["lead", "capture", "harbour-bakery", "--source", "talk", "--value", "4000"])
        #expect(captured.status == 0, "\(captured.stderr)")
        var lead = try #require(rows(try json(try asMember(["lead", "list", "--format", "json"])), "leads").first)
        #expect(lead["value"] as? Double == 4000)
        #expect(lead["currency"] as? String == "GBP")

        // The owner changes the currency: the lead recorded keeps GBP; a revision typed bare is EUR.
        let edited = try owner(["tenant", "edit", "speak-for-yourself", "--currency", "EUR"])
        #expect(edited.stdout == "Tenant speak-for-yourself: display name \"Speak For Yourself\", currency EUR.\n", "\(edited.stderr)")
        lead = try #require(rows(try json(try asMember(["lead", "list", "--format", "json"])), "leads").first)
        #expect(lead["currency"] as? String == "GBP")
        let revised = try asMember(["lead", "revise", "harbour-bakery", "--value", "1250.50"])
        #expect(revised.status == 0, "\(revised.stderr)")
        lead = try #require(rows(try json(try asMember(["lead", "list", "--format", "json"])), "leads").first)
        #expect(lead["value"] as? Double == 1250.5)
        #expect(lead["currency"] as? String == "EUR")

        // Reports title the consultancy by its display name.
        let page = try asMember(["report", "--html", "-"])
        #expect(page.stdout.contains("<title>Speak For Yourself: consultancy report</title>"), "\(page.stderr)")

        let members = try owner(["member", "list", "--tenant", "speak-for-yourself", "--format", "csv"])
        // CSV lines end in CRLF (RFC 4180).
        #expect(members.stdout == "role,tenant\r\n\(member),speak-for-yourself\r\n", "\(members.stderr)")
    }

    @Test("bad names and codes are refused before anything is written; a bare amount needs a currency")
    func badInput() throws {
        let before = try owner(["tenant", "list", "--format", "csv"]).stdout
        for (arguments, message) in [
            (["tenant", "create", "x", "--currency", "12", "--member", "x_one"], "--currency: \"12\" is not an ISO 4217 currency code"),
            (["tenant", "create", "x", "--currency", "EUO", "--member", "x_one"], "--currency: \"EUO\" is not an ISO 4217 currency code"),
            (["tenant", "create", "Evil \u{202E}Co", "--member", "x_two"], "--display: the name contains"),
            (["tenant", "create", "!!!", "--member", "x_three"], "\"!!!\" makes no tenant name"),
            (["tenant", "edit", "northwind"], "nothing to change"),
        ] {
            let output = try owner(arguments)
            #expect(output.status == 64, "\(arguments): \(output.stderr)")
            #expect(output.stderr.contains(message), "\(output.stderr)")
        }
        #expect(try owner(["tenant", "list", "--format", "csv"]).stdout == before)

        // The fixture's tenant has no currency: a bare amount is refused, with the way out, and nothing is written.
        #expect(try fixture.consult(["org", "add", "Harbour Bakery"]).status == 0)
        let events = try fixture.eventCount()
        let bare = try fixture.consult(["lead", "capture", "harbour-bakery", "--source", "talk", "--value", "4000"])
        #expect(bare.status == 1)
        #expect(bare.stderr.contains("is not an amount with a currency, such as \"4000 GBP\""), "\(bare.stderr)")
        #expect(bare.stderr.contains("consult tenant edit NAME --currency GBP"), "\(bare.stderr)")
        #expect(try fixture.eventCount() == events)

        // A member cannot change the consultancy's profile.
        let member = try fixture.consult(["tenant", "edit", "northwind", "--currency", "GBP"])
        #expect(member.status == 1, "\(member.stderr)")
        #expect(rows(try json(try owner(["tenant", "list", "--format", "json"])), "tenants").first?["currency"] is NSNull)
    }
}
