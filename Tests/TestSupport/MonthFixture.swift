import EventStore
import Foundation
import Postgres
import Testing

/// A tenant with two members and the consultant's month recorded through the built binary.
public struct MonthFixture: Sendable {
    public let database: TestDatabase.Database
    public let ann: String
    public let bob: String
    /// libpq keywords without a user: PGUSER picks the member.
    public let conninfo: String
    public let tenant: TenantID

    public init(recordMonth: Bool = true) throws {
        database = try TestDatabase.createMigrated("month")
        let (tenant, ann) = try database.createTenant("northwind")
        self.tenant = tenant
        self.ann = ann
        bob = "\(ann)_bob"
        let admin = try database.connect()
        try admin.execute("SELECT consult.add_member(\(tenant.rawValue), \(bob), \(try admin.encryptPassword("unused-here", role: bob)))")
        conninfo = try database.conninfo.replacingOccurrences(of: " user='postgres'", with: "")
        if recordMonth { try month() }
    }

    /// Runs scripts/month against this database.
    @discardableResult
    public func month() throws -> ConsultProcess.Output {
        let script = TestDatabase.migrationsDirectory.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/month")
        let output = try ConsultProcess.run(
            executable: script,
            [], environment: ["CONSULT": ConsultProcess.executable.path, "CONSULT_ANN": ann, "CONSULT_BOB": bob, "DATABASE_URL": conninfo])
        #expect(output.status == 0, "scripts/month failed: \(output.stderr)")
        return output
    }

    /// Runs consult as a member.
    public func consult(_ arguments: [String], as role: String? = nil) throws -> ConsultProcess.Output {
        try ConsultProcess.run(arguments, environment: ["DATABASE_URL": conninfo, "PGUSER": role ?? ann])
    }

    public func eventCount() throws -> Int { try database.eventCount() }

    /// On a tenant without the month: an organisation, an engagement and its `followers`
    /// objective, for tests of many writers on one stream.
    public func oneEngagement(sourceLocation: SourceLocation = #_sourceLocation) throws {
        for step in [
            ["org", "add", "Northbridge Libraries"],
            ["engagement", "start", "northbridge-libraries", "--title", "Libraries on Twitter"],
            [
                "objective", "set", "libraries-on-twitter", "--area", "service awareness", "--statement", "More residents hear of events",
                "--metric", "followers", "--baseline", "0", "--target", "1000", "--due", "2027-06-30",
            ],
        ] {
            let output = try consult(step)
            #expect(output.status == 0, "\(step): \(output.stderr)", sourceLocation: sourceLocation)
        }
    }
}
