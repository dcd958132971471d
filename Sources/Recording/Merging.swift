import BackOffice
import EventStore
import Foundation
import Postgres

// Duplicates (issue 16 item 6): adding a name close to one the consultancy has asks first, and
// `person merge` folds a person added twice into the one kept, as events.

/// A record whose name is close to one being added: what the warning names.
public struct SimilarRecord: Sendable, Equatable {
    public let handle: String
    public let name: String

    public init(handle: String, name: String) {
        self.handle = handle
        self.name = name
    }
}

extension Recorder {
    // MARK: - Close names

    /// The people at `organisation` (nil: people at none) whose name is close to `name`
    /// (``Likeness``); forgotten people have no name left, and a merged duplicate is left out
    /// (the person kept is named instead). The read models are read as they are: every writing
    /// command brings them up to date after its append, and catching up here cost every
    /// `person add` a fifth of a second more.
    public func similarPeople(to name: String, organisation: String?) throws -> [SimilarRecord] {
        let organisation = try organisation.map { try resolve(.organisation, $0, field: "org").id }
        let merged = try merges()
        let adding = Likeness.Name(name)
        return try connection.execute(
            """
            SELECT d.person_id, d.handle, d.name FROM consult.person_details d
              LEFT JOIN consult.people p ON p.tenant_id = d.tenant_id AND p.person_id = d.person_id
             WHERE d.tenant_id = \(tenant.rawValue) AND p.organisation_id IS NOT DISTINCT FROM \(organisation)::uuid
             ORDER BY d.handle
            """
        ).compactMap { row -> SimilarRecord? in
            guard merged[try row.decode(UUID.self, at: 0)] == nil else { return nil }
            let found = SimilarRecord(handle: try row.decode(String.self, at: 1), name: try row.decode(String.self, at: 2))
            return adding.isClose(to: Likeness.Name(found.name)) ? found : nil
        }
    }

    /// The organisations whose name is close to `name` (``Likeness``); none when the handle it
    /// would take is held already (rule 7 refuses that registration, and says so).
    public func similarOrganisations(to name: String, handle: String? = nil) throws -> [SimilarRecord] {
        let taken = try load(HandleState.self, .handle(.organisation, Handle.slug(handle ?? name))).state.holder != nil
        guard !taken else { return [] }
        let adding = Likeness.Name(name)
        return try connection.execute(
            "SELECT handle, name FROM consult.organisations WHERE tenant_id = \(tenant.rawValue) ORDER BY handle"
        ).compactMap { row -> SimilarRecord? in
            let found = SimilarRecord(handle: try row.decode(String.self, at: 0), name: try row.decode(String.self, at: 1))
            return adding.isClose(to: Likeness.Name(found.name)) ? found : nil
        }
    }

    /// Whether `request` replays a command recorded already (its `--command-id` is in the log):
    /// such a command decides nothing again, so it asks nothing either.
    public func replays(_ request: WriteRequest) throws -> Bool {
        guard let text = request.commandID, let id = UUID(uuidString: text) else { return false }
        if request.commandIDIsNew && !Self.used(id) { return false }
        return try !store.events(recordedBy: id).isEmpty
    }

    // MARK: - Merging

    /// The merges that stand, duplicate → the person kept (one step; a chain is followed by
    /// whoever reads it): from the log, as it stood at `instant` (by when things happened, or,
    /// with `recorded`, by what it had recorded), or now.
    public func merges(at instant: Date? = nil, recorded: Bool = false) throws -> [UUID: UUID] {
        let rows = try connection.execute(
            """
            SELECT DISTINCT ON (stream) stream, type, data->>'into' FROM consult.events
             WHERE tenant_id = \(tenant.rawValue) AND type IN ('PersonMerged', 'PersonUnmerged')
               AND (\(instant)::timestamptz IS NULL
                    OR (CASE WHEN \(recorded) THEN recorded_at ELSE occurred_at END) <= \(instant)::timestamptz)
             ORDER BY stream, position DESC
            """)
        var merges: [UUID: UUID] = [:]
        for row in rows where try row.decode(String.self, at: 1) == PersonMerged.typeName {
            guard let duplicate = StreamName(parsing: try row.decode(String.self, at: 0))?.entity?.id,
                let kept = try row.decode(String?.self, at: 2).flatMap(UUID.init(uuidString:))
            else { continue }
            merges[duplicate] = kept
        }
        return merges
    }

    /// A person by handle or id as the log holds them, a merged duplicate included (not
    /// followed to the person kept).
    func personState(_ text: String, field: FieldKey) throws -> (id: UUID, state: PersonState) {
        let id: UUID
        if let parsed = UUID(uuidString: text) {
            id = parsed
        } else {
            guard let found = try people.person(handle: Handle.slug(text)) else { throw noSuchHandle(.person, text, field: field) }
            id = found
        }
        let (state, _) = try load(PersonState.self, .entity(.person, id))
        guard state.added != nil else { throw CommandFailure("\(spell(field)): there is no person with id \(text)") }
        return (id, state)
    }

    /// `person merge KEEP DUPLICATE`: the duplicate's stream records that they are the person
    /// kept; from then on the reports count their events for the person kept, and their handle
    /// names that person. `acrossOrganisations` (`--yes`) allows people at different
    /// organisations.
    public func mergePerson(
        _ keep: String, _ duplicate: String, reason: String?, acrossOrganisations: Bool, _ request: WriteRequest
    ) throws -> (kept: UUID, duplicate: UUID, recorded: [Recorded]) {
        let kept = try personState(keep, field: "person")
        let twin = try personState(duplicate, field: "duplicate")
        let recorded = try record(request) { _ in
            let (target, _) = try self.load(PersonState.self, .entity(.person, kept.id))
            return [
                try Plans.change(self, PersonState.self, .entity(.person, twin.id)) {
                    try $0.decideMerge(
                        into: target, reason: reason ?? "the same person, added twice", acrossOrganisations: acrossOrganisations)
                }
            ]
        }
        return (kept.id, twin.id, recorded)
    }
}

// MARK: - Renamed people (issue 16 item 4)

extension PersonDirectory {
    /// The renamed person (their details' name edited, `PersonDetailsEdited` naming "name") whose
    /// name now makes `handle`, if exactly one does. The second handle is their name's, so it
    /// lives where the name does and `consult forget` destroys it with the name.
    public func renamed(answeringTo handle: String) throws -> UUID? {
        guard !handle.isEmpty else { return nil }
        let found = try connection.execute(
            """
            SELECT d.person_id, d.name FROM consult.person_details d
             WHERE d.tenant_id = \(tenant.rawValue)
               AND EXISTS (SELECT 1 FROM consult.events e
                            WHERE e.tenant_id = d.tenant_id AND e.stream = 'person-' || d.person_id::text
                              AND e.type = 'PersonDetailsEdited' AND e.data->'changed' ? 'name')
            """
        ).compactMap { row -> UUID? in Handle.slug(try row.decode(String.self, at: 1)) == handle ? try row.decode(UUID.self, at: 0) : nil }
        return found.count == 1 ? found[0] : nil
    }
}
