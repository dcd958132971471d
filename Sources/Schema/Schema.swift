import EventStore

/// The schema this binary carries: db/migrations and db/citus, compiled in by the EmbedSchema
/// build plugin, so an installed `consult migrate` needs nothing beside it. `--migrations DIR`
/// (or CONSULT_MIGRATIONS) still reads a folder instead, for development.
extension Migrator {
    /// The main migrations, as built into this binary.
    public static let embedded = Migrator(
        migrations: EmbeddedMigrations.files.filter { $0.folder.isEmpty }.map { Migration(name: $0.name, sql: $0.sql) })

    /// The Citus migrations (`consult migrate --citus`), named `citus/NNNN_…` as they are recorded.
    public static let embeddedCitus = Migrator(
        migrations: EmbeddedMigrations.files.filter { $0.folder == "citus" }.map { Migration(name: "citus/" + $0.name, sql: $0.sql) },
        prefix: "citus/")

    /// The newest migration this binary carries (`0036_tenant_profile`). Read from the file
    /// names alone: every command's `--version` text names it, and building ``embedded`` hashes
    /// every file (a fifth of a static binary's start, measured with perf).
    public static var newestEmbedded: String {
        EmbeddedMigrations.files.last { $0.folder.isEmpty }?.name ?? "none"
    }
}
