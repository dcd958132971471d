import BackOffice
import Foundation
import Testing

/// The log keeps every event ever written, under the type name and schema version it was written
/// with: each type declares both, and no two types share a name.
@Suite("stored event names and bodies")
struct StoredEventTests {
    @Test("every event type has a stored name of its own")
    func uniqueNames() {
        var seen: [String: Int] = [:]
        for type in EventTypes.all { seen[type.typeName, default: 0] += 1 }
        #expect(seen.filter { $0.value > 1 }.keys.sorted() == [])
        #expect(EventTypes.all.allSatisfy { !$0.typeName.isEmpty && $0.schemaVersion >= 1 })
    }
}
