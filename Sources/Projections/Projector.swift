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

    /// Applies events in order. One this version cannot decode is quarantined (recorded in the
    /// model's ``ReadModel/quarantine``, written to `consult.projection_quarantine`) and left
    /// out, and the rest are applied: one poison event does not stop its tenant's read models.
    func fold(_ events: [RecordedEvent], into model: inout ReadModel) throws {
        for recorded in events {
            let event: any DomainEvent
            do {
                event = try recorded.domainEvent()
            } catch let error as EventDecodingError {
                model.quarantine(
                    QuarantineRow(
                        position: recorded.position, stream: recorded.stream, type: recorded.type,
                        schemaVersion: recorded.storedSchemaVersion, error: error.reason))
                continue
            }
            model.apply(event, stream: recorded.stream, at: recorded.metadata.occurredAt)
        }
    }
}
