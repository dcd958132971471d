import BackOffice
import Foundation
import Projections

// Duplicates (issue 16 item 6): while a merge stands, the duplicate's events count for the
// person kept in every report. The read models keep the ids the events name; a report reads
// them through ``ReportInput``, which puts the person kept in the duplicate's place.

extension ReportInput {
    /// The person `id` counts as: the person they were merged into (followed to the end of a
    /// chain), or themself.
    public static func canonical(_ id: UUID, _ merges: [UUID: UUID]) -> UUID {
        var id = id
        var seen: Set<UUID> = [id]
        while let kept = merges[id], seen.insert(kept).inserted { id = kept }
        return id
    }

    /// The person `id` counts as in this report.
    public func canonical(_ id: UUID) -> UUID { Self.canonical(id, merges) }
}

extension ReadModel {
    /// These read models with every merged duplicate replaced by the person kept: referrers,
    /// sponsors, champions, receiving owners, who signed off; a duplicate has no row of their own.
    public func mergingPeople(_ merges: [UUID: UUID]) -> ReadModel {
        guard !merges.isEmpty else { return self }
        func one(_ id: UUID) -> UUID { ReportInput.canonical(id, merges) }
        func many(_ ids: [UUID]) -> [UUID] {
            var kept: [UUID] = []
            for id in ids.map(one) where !kept.contains(id) { kept.append(id) }
            return kept
        }
        var model = self
        for (key, row) in model.pipeline where row.referrerID.map({ merges[$0] != nil }) == true {
            model.pipeline[key]?.referrerID = row.referrerID.map(one)
        }
        for (key, row) in model.referrals where merges[row.referrerID] != nil { model.referrals[key]?.referrerID = one(row.referrerID) }
        for (key, row) in model.engagements {
            model.engagements[key]?.sponsorID = row.sponsorID.map(one)
            model.engagements[key]?.champions = many(row.champions)
        }
        for (key, row) in model.handovers {
            model.handovers[key]?.sponsorID = one(row.sponsorID)
            model.handovers[key]?.owners = many(row.owners)
            model.handovers[key]?.signedOffBy = row.signedOffBy.map(one)
        }
        for duplicate in merges.keys { model.people[duplicate] = nil }
        return model
    }
}
