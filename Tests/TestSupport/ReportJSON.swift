import Foundation
import Testing

/// The JSON document a report printed with `--format json` (exit 0 expected).
public func reportJSON(_ output: ConsultProcess.Output, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
    #expect(output.status == 0, "\(output.stderr)", sourceLocation: sourceLocation)
    return try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any], sourceLocation: sourceLocation)
}

/// The rows of one section of a report's JSON document (none when it has no such section).
public func reportRows(_ document: [String: Any], _ section: String) -> [[String: Any]] {
    (document["sections"] as? [String: Any])?[section] as? [[String: Any]] ?? []
}
