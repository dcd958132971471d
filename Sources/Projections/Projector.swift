import BackOffice
import EventStore
import Foundation
import Postgres

/// Keeps one tenant's read models in step with its log: catch-up, rebuild, verify, rollback.
///
/// Every change to the read models happens in one transaction together with the checkpoint,
/// and the checkpoint row is locked first (`FOR UPDATE`): two runners for the same tenant take
/// turns, a crash or SIGKILL leaves rows and checkpoint as they were, and no event is applied
/// twice or skipped (positions commit in order within a tenant; see consult.append).
public final class Projector {
    public static let name = "backoffice"

    public let connection: Connection
    public let tenant: TenantID
    let store: EventStore

    public init(connection: Connection, tenant: TenantID) {
        self.connection = connection
        self.tenant = tenant
        store = EventStore(connection: connection, tenant: tenant)
    }

    // MARK: - Folding

    func fold(_ events: [RecordedEvent], into model: inout ReadModel) throws {
        for recorded in events {
            let event = try recorded.domainEvent()
            model.apply(event, stream: recorded.stream, at: recorded.metadata.occurredAt)
        }
    }
}
