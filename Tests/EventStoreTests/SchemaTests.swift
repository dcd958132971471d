import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

/// The schema is ready to be distributed by tenant (Citus) and partitioned by tenant: every key
/// of a tenant table leads with tenant_id.
@Suite("schema keyed by tenant", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct SchemaTests {
    @Test("every index, primary key, unique constraint and foreign key of a table with a tenant column leads with tenant_id")
    func tenantLeadingKeys() throws {
        let database = try TestDatabase.createMigrated("keys")
        let connection = try database.connect()
        let indexes = try connection.execute(
            """
            SELECT c.relname, i.relname, a.attname
              FROM pg_index x
              JOIN pg_class c ON c.oid = x.indrelid
              JOIN pg_class i ON i.oid = x.indexrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace
              LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = x.indkey[0]
             WHERE n.nspname = 'consult' AND c.relkind IN ('r', 'p')
               AND EXISTS (SELECT 1 FROM pg_attribute t WHERE t.attrelid = c.oid AND t.attname = 'tenant_id' AND NOT t.attisdropped)
             ORDER BY 1, 2
            """
        ).map {
            (table: try $0.decode(String.self, at: 0), index: try $0.decode(String.self, at: 1), first: try $0.decode(String?.self, at: 2))
        }
        #expect(indexes.count >= 20)
        // tenants and members are the two small shared tables (reference tables under Citus,
        // replicated to every node): a name is unique across tenants and a login role belongs
        // to one tenant, so those two keys cannot lead with the tenant.
        let exceptions: Set<String> = ["tenants_name_key", "members_role_key"]
        for index in indexes where !exceptions.contains(index.index) {
            #expect(index.first == "tenant_id", "\(index.table).\(index.index) leads with \(index.first ?? "an expression")")
        }
        let tables = Set(indexes.map(\.table))
        let foreign = try connection.execute(
            """
            SELECT c.conrelid::regclass::text, c.conname, a.attname
              FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
             WHERE c.contype = 'f' AND c.connamespace = 'consult'::regnamespace
            """
        ).map {
            (table: try $0.decode(String.self, at: 0), name: try $0.decode(String.self, at: 1), first: try $0.decode(String.self, at: 2))
        }
        #expect(!foreign.isEmpty)
        for key in foreign { #expect(key.first == "tenant_id", "\(key.table).\(key.name) leads with \(key.first)") }
        // Every tenant table has a primary key (Citus distributes by it).
        let withoutKey = try connection.execute(
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'consult' AND c.relkind IN ('r', 'p')
               AND EXISTS (SELECT 1 FROM pg_attribute t WHERE t.attrelid = c.oid AND t.attname = 'tenant_id')
               AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p')
            """
        ).map { try $0.decode(String.self, at: 0) }
        #expect(withoutKey == [], "tables without a primary key: \(withoutKey)")
        #expect(tables.contains("events") && tables.contains("pipeline"))
    }
}
