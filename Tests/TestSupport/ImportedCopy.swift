import Foundation
import Testing

/// An export imported into a fresh database with the tenant created, and a way to run consult
/// there as that tenant's member: the far side of a round trip.
public struct ImportedCopy: Sendable {
    public let database: TestDatabase.Database
    public let member: String
    let conninfo: String

    /// Imports `export` (the text of `consult export`) into a fresh database named after `name`.
    public init(_ export: String, name: String, tenant: String = "northwind", sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("consult-\(name)-\(UUID().uuidString).jsonl")
        try export.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        database = try TestDatabase.createMigrated(name)
        (_, member) = try database.createTenant(tenant)
        let imported = try ConsultProcess.run(["import", file.path, "--database", try database.conninfo])
        #expect(imported.status == 0, "\(imported.stderr)", sourceLocation: sourceLocation)
        conninfo = try database.conninfo.replacingOccurrences(of: " user='postgres'", with: "")
    }

    /// Runs consult there as the tenant's member.
    public func consult(_ arguments: [String]) throws -> ConsultProcess.Output {
        try ConsultProcess.run(arguments, environment: ["DATABASE_URL": conninfo, "PGUSER": member])
    }
}
