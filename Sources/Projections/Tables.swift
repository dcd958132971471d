import BackOffice
import Foundation
import Postgres

/// One read-model table as the projector handles it, whatever its row type: where its rows
/// live in a ``ReadModel``, which entity's events change them, and the operations the sink,
/// COPY, verify and the loading of rows run on every table.
public struct ReadModelTable: Sendable {
    /// The table in schema `consult`.
    public let name: String
    /// Its columns after `tenant_id`, the key's first.
    public let columns: [String]
    /// The kind of entity whose stream changes the table's rows, and the column that names it;
    /// nil for the quarantine, which a catch-up only adds to (it loads none of its rows).
    let entity: EntityKind?
    let entityColumn: String

    let load: @Sendable (Projector, _ only: [UUID]?, inout ReadModel) throws -> Void
    let upsertDirty: @Sendable (Projector, ReadModel) throws -> Void
    let copy: @Sendable (Projector, ReadModel) throws -> Int
    let compare: @Sendable (_ live: ReadModel, _ fresh: ReadModel) -> Projector.TableComparison
    let sameRows: @Sendable (ReadModel, ReadModel) -> Bool

    init<R: ProjectedRow>(
        _ type: R.Type, rows: WritableKeyPath<ReadModel, [R.Key: R]> & Sendable,
        dirty: WritableKeyPath<ReadModel.Dirty, Set<R.Key>> & Sendable, changedBy entity: EntityKind?, column: String
    ) {
        name = R.table
        columns = R.columns
        self.entity = entity
        entityColumn = column
        load = { projector, ids, model in
            model[keyPath: rows] = try projector.select(R.self, where: ids.map { (column, $0) })
        }
        upsertDirty = { projector, model in
            let table = model[keyPath: rows]
            try projector.write(model.dirty[keyPath: dirty].compactMap { table[$0] })
        }
        copy = { projector, model in try projector.write(model[keyPath: rows].values) }
        compare = { live, fresh in Projector.compare(R.self, live[keyPath: rows], fresh[keyPath: rows]) }
        sameRows = { a, b in a[keyPath: rows] == b[keyPath: rows] }
    }

    /// The read-model tables, in the order they are written. The one list of them; the
    /// database's consult.projection_tables() (db/migrations/0028) names the same.
    public static let all: [ReadModelTable] = [
        ReadModelTable(PipelineRow.self, rows: \.pipeline, dirty: \.pipeline, changedBy: .lead, column: "lead_id"),
        ReadModelTable(StageRow.self, rows: \.stages, dirty: \.stages, changedBy: .lead, column: "lead_id"),
        ReadModelTable(EngagementRow.self, rows: \.engagements, dirty: \.engagements, changedBy: .engagement, column: "engagement_id"),
        ReadModelTable(ObjectiveRow.self, rows: \.objectives, dirty: \.objectives, changedBy: .engagement, column: "engagement_id"),
        ReadModelTable(ReferralRow.self, rows: \.referrals, dirty: \.referrals, changedBy: .lead, column: "lead_id"),
        ReadModelTable(HandoverRow.self, rows: \.handovers, dirty: \.handovers, changedBy: .engagement, column: "engagement_id"),
        ReadModelTable(PersonRow.self, rows: \.people, dirty: \.people, changedBy: .person, column: "person_id"),
        ReadModelTable(
            OrganisationRow.self, rows: \.organisations, dirty: \.organisations, changedBy: .organisation, column: "organisation_id"),
        ReadModelTable(QuarantineRow.self, rows: \.quarantine, dirty: \.quarantine, changedBy: nil, column: "position"),
    ]
}
