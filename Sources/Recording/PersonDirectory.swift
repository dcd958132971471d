import BackOffice
import EventStore
import Foundation
import Postgres

/// People's names, e-mails and phones: kept in `consult.person_details`, outside the log, so
/// that `consult forget` can destroy them (DOMAIN.md, "Personal data is forgettable"). Every
/// statement on that table is here.
public struct PersonDirectory {
    let connection: Connection
    let tenant: TenantID

    public init(connection: Connection, tenant: TenantID) {
        self.connection = connection
        self.tenant = tenant
    }

    /// The details of one person.
    public struct Details: Sendable, Equatable {
        public var handle: String
        public var name: String
        public var email: String?
        public var phone: String?

        public init(handle: String, name: String, email: String? = nil, phone: String? = nil) {
            self.handle = handle
            self.name = name
            self.email = email
            self.phone = phone
        }
    }

    /// The person a handle names; nil when no one (or no one not forgotten) has it.
    /// A renamed person keeps their handle and answers to their new name's as well (issue 16
    /// item 4), when no one holds that as a handle and no other renamed person answers to it.
    public func person(handle: String) throws -> UUID? {
        if let held = try connection.execute(
            "SELECT person_id FROM consult.person_details WHERE tenant_id = \(tenant.rawValue) AND handle = \(handle)"
        ).first?.decode(UUID.self, at: 0) {
            return held
        }
        return try renamed(answeringTo: handle)
    }

    /// A free handle for a person's name: its slug, or the next free `slug-2`, `-3`.
    public func freeHandle(for name: String) throws -> String {
        let base = Handle.slug(name)
        guard !base.isEmpty else { throw RuleViolation(rule: 0, field: "name", "needs at least one letter or digit to make a handle from") }
        let taken = Set(
            try connection.execute(
                "SELECT handle FROM consult.person_details WHERE tenant_id = \(tenant.rawValue) AND (handle = \(base) OR handle LIKE \(base + "-%"))"
            ).map { try $0.decode(String.self, at: 0) })
        return (1...).lazy.map { $0 == 1 ? base : "\(base)-\($0)" }.first { !taken.contains($0) }!
    }

    /// Stores a new person's details, on `on` (the transaction of the append that adds them),
    /// through `consult.add_person_details`: members hold no write privilege on the table
    /// (db/migrations/0027), and the function writes for the caller's own tenant only.
    public func insert(_ person: UUID, _ details: Details, on connection: Connection) throws {
        try connection.execute(
            """
            SELECT consult.add_person_details(\(tenant.rawValue), \(person), \(details.handle), \(details.name), \(details.email),
                                              \(details.phone))
            """)
    }

    /// Destroys a person's details, on `on` (the transaction of the append that records it).
    public func erase(_ person: UUID, on connection: Connection) throws {
        try connection.execute("SELECT consult.erase_person_details(\(tenant.rawValue), \(person))")
    }

    /// Every known person's name, for reports.
    public func names() throws -> [UUID: String] {
        var names: [UUID: String] = [:]
        for row in try connection.execute("SELECT person_id, name FROM consult.person_details WHERE tenant_id = \(tenant.rawValue)") {
            names[try row.decode(UUID.self, at: 0)] = try row.decode(String.self, at: 1)
        }
        return names
    }

    /// Every known person's handle, for timelines.
    public func handles() throws -> [UUID: String] {
        var handles: [UUID: String] = [:]
        for row in try connection.execute("SELECT person_id, handle FROM consult.person_details WHERE tenant_id = \(tenant.rawValue)") {
            handles[try row.decode(UUID.self, at: 0)] = try row.decode(String.self, at: 1)
        }
        return handles
    }
}

// MARK: - Export and import

extension PersonDirectory {
    /// The kind of an export's attachment lines that carry people's details.
    public static let attachmentKind = "person_details"

    /// Every known person's details as attachment lines of an export, in a stable order: a
    /// forgotten person has none (their details were destroyed), so they stay forgotten.
    public func exportLines(_ line: (String) throws -> Void) throws {
        for row in try connection.execute(
            """
            SELECT t.name, json_build_object('email', d.email, 'handle', d.handle, 'name', d.name, 'person_id', d.person_id,
                                             'phone', d.phone)::text
              FROM consult.person_details d JOIN consult.tenants t ON t.tenant_id = d.tenant_id
             WHERE d.tenant_id = \(tenant.rawValue) ORDER BY d.person_id
            """)
        {
            try line(
                Transfer.Attachment.line(
                    tenant: try row.decode(String.self, at: 0), kind: Self.attachmentKind,
                    row: Data(try row.decode(String.self, at: 1).utf8)))
        }
    }

    /// Stores the people's details an import carries, in its transaction. A person whose log
    /// says they were forgotten gets none (the file may predate the forgetting); details already
    /// here are left as they are, so importing twice changes nothing.
    public static func importAttachments(_ connection: Connection, _ attachments: [Transfer.Attachment]) throws {
        struct Row: Decodable {
            let person_id: UUID
            let handle: String
            let name: String
            let email: String?
            let phone: String?
        }
        for attachment in attachments {
            guard attachment.kind == attachmentKind else {
                throw Transfer.ImportError(line: attachment.line, reason: "a line of \(attachment.kind), which this version does not know")
            }
            guard let row = try? JSONDecoder().decode(Row.self, from: attachment.row) else {
                throw Transfer.ImportError(line: attachment.line, reason: "person details without a person_id, handle and name")
            }
            // consult.import_person_details (owner only) skips a person the log says was forgotten.
            try connection.execute(
                """
                SELECT consult.import_person_details(\(attachment.tenantID.rawValue), \(row.person_id), \(row.handle), \(row.name),
                                                     \(row.email), \(row.phone))
                """)
        }
    }
}

// MARK: - Editing (issue 16)

extension PersonDirectory {
    /// Sets the details given (nil: left as it is), on `on` (the transaction of the append that
    /// records the edit). The handle stays: it is how the person was written down before.
    public func update(_ person: UUID, name: String?, email: String?, phone: String?, on connection: Connection) throws {
        // Through the owner's function (db/migrations/0029): members hold no UPDATE on the table.
        try connection.execute(
            "SELECT consult.update_person_details(\(tenant.rawValue), \(person), \(name), \(email), \(phone))")
    }
}
