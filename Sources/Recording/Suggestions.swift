import BackOffice
import Foundation
import Postgres

extension Recorder {
    /// The handles of a kind that the tenant uses now, from the read models (and, for people,
    /// their details): what "did you mean" chooses from.
    public func handles(of kind: EntityKind) throws -> [String] {
        let table: String
        switch kind {
        case .person: return Array(try people.handles().values)
        case .organisation: table = "organisations"
        case .lead: table = "pipeline"
        case .engagement: table = "engagement_status"
        // Objectives by `engagement/objective` (issue 16 item 7): what completion offers.
        case .objective: return try objectivesIndex().map(\.qualified)
        }
        return try connection.execute(
            Query(
                unsafeSQL: "SELECT handle FROM consult.\(table) WHERE tenant_id = $1 ORDER BY handle",
                binds: [tenant.rawValue.postgresValue])
        ).map { try $0.decode(String.self, at: 0) }
    }

    /// "There is no KIND with the handle …", with the closest handles the tenant has.
    func noSuchHandle(_ kind: EntityKind, _ text: String, field: FieldKey) -> CommandFailure {
        let candidates = (try? handles(of: kind)) ?? []
        let closest = Handle.closest(to: text, among: candidates)
        return CommandFailure(
            "\(spell(field)): there is no \(kind.rawValue) with the handle \"\(text)\"",
            advice: closest.isEmpty ? [] : ["did you mean \(closest.map { "\"\($0)\"" }.joined(separator: " or "))?"])
    }
}
