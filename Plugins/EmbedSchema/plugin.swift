import Foundation
import PackagePlugin

/// Compiles the schema into the binary: every `db/migrations/*.sql` and `db/citus/*.sql` becomes
/// a string in the generated `EmbeddedMigrations.swift` of the target it is applied to, so an
/// installed `consult` migrates with nothing beside it (issue 21). The files are the build's
/// inputs: editing or adding one regenerates the source.
@main
struct EmbedSchema: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let db = context.package.directoryURL.appending(path: "db")
        let folders = ["migrations", "citus"].map { db.appending(path: $0) }
        let inputs = try folders.flatMap { folder in
            try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "sql" }
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedMigrations.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) schema files",
                executable: try context.tool(named: "embed-schema").url,
                arguments: [output.path] + folders.map(\.path),
                inputFiles: inputs + folders,
                outputFiles: [output])
        ]
    }
}
