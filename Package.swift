// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "consult",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "consult", targets: ["consult"]),
        .library(name: "Postgres", targets: ["Postgres"]),
        .library(name: "EventStore", targets: ["EventStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2")
    ],
    targets: [
        // libpq, PostgreSQL's own C client. Only `Postgres` imports it, as `internal import CLibPQ`, so
        // the compiler refuses a libpq type (PGconn, Oid, PGresult…) in a public signature.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        // UUIDs read from their canonical text without Foundation's sscanf (rows and event bodies).
        .target(name: "CanonicalUUID"),
        .target(name: "Postgres", dependencies: ["CLibPQ", "CanonicalUUID"]),
        // The append-only log: migrations, append/read/follow, tenancy. Knows nothing of the domain.
        .target(name: "EventStore", dependencies: ["Postgres"]),
        // The schema compiled into the binary: db/migrations and db/citus as strings, written at
        // build time by the EmbedSchema plugin (with the embed-schema tool) from the files.
        .executableTarget(name: "embed-schema"),
        .plugin(name: "EmbedSchema", capability: .buildTool(), dependencies: ["embed-schema"]),
        .target(name: "Schema", dependencies: ["EventStore"], plugins: ["EmbedSchema"]),
        // The consultant's domain: events, commands, rules. Pure: Foundation only, no database.
        .target(name: "BackOffice", dependencies: ["CanonicalUUID"]),
        // Read models: pure folds of the log plus a SQL sink; catch-up, rebuild, verify.
        .target(name: "Projections", dependencies: ["BackOffice", "CanonicalUUID", "EventStore", "Postgres"]),
        // Reports: built from the read models (or the log, as of a date) and rendered as table,
        // JSON, CSV, Markdown and one self-contained HTML page.
        .target(name: "Reports", dependencies: ["BackOffice", "EventStore", "Projections"]),
        // The application layer: connect and resolve the tenant, resolve handles, run a command
        // (load, decide, append, retry, idempotency, catch-up), the workflows that span streams,
        // and every statement on people's details. The CLI, the bench and the crash test use it.
        .target(name: "Recording", dependencies: ["Postgres", "EventStore", "BackOffice", "Projections", "Reports"]),
        .executableTarget(
            name: "consult",
            dependencies: [
                "Postgres",
                "EventStore",
                "BackOffice",
                "Projections",
                "Reports",
                "Recording",
                "Schema",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // A deterministic synthetic consultancy, decided by the domain's own deciders (scripts/bench).
        .target(name: "Workload", dependencies: ["BackOffice", "Recording"]),
        // scripts/bench: consult measured beside PostgreSQL's own limits.
        .executableTarget(
            name: "consult-bench",
            dependencies: [
                "Postgres", "EventStore", "BackOffice", "Projections", "Reports", "Workload",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // scripts/crash-test: writers and checks around `pg_ctl stop -m immediate`.
        .executableTarget(
            name: "consult-crash",
            dependencies: [
                "Postgres", "EventStore", "BackOffice", "Projections", "Recording",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Database fixtures shared by the integration tests: a fresh database per suite.
        .target(name: "TestSupport", dependencies: ["Postgres", "EventStore"], path: "Tests/TestSupport"),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"]),
        .testTarget(name: "EventStoreTests", dependencies: ["EventStore", "TestSupport"]),
        .testTarget(
            name: "BackOfficeTests",
            dependencies: ["BackOffice"],
            exclude: ["Fixtures"]  // read by path: one stored body per event type, as the log holds them
        ),
        .testTarget(name: "ProjectionsTests", dependencies: ["Projections", "TestSupport"]),
        .testTarget(
            name: "ConsultTests",
            dependencies: ["consult", "TestSupport", "EventStore", "Postgres", "BackOffice", "Workload", "Schema"],
            exclude: ["Golden"]  // read by path: the expected reports, not resources
        ),
    ],
    swiftLanguageModes: [.v6]
)
