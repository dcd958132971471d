import BackOffice
import Foundation
import Testing

/// Event bodies' ids are read by BackOffice's own parser (not Foundation's sscanf): the same
/// values, either case, and the same refusals.
@Suite("ids in event bodies")
struct UUIDDecodingTests {
    func measurement(_ objective: String) throws -> MeasurementRecorded {
        let json = #"{"objective": "\#(objective)", "measurement": "00000000-0000-4000-8000-0000000000ff", "value": 3}"#
        return try JSONDecoder().decode(MeasurementRecorded.self, from: Data(json.utf8))
    }

    @Test("canonical ids, lower or upper case, decode to Foundation's value")
    func canonical() throws {
        let id = UUID()
        #expect(try measurement(id.uuidString.lowercased()).objective == id)
        #expect(try measurement(id.uuidString).objective == id)
        #expect(try measurement("00000000-0000-4000-8000-0000000000FF").objective.uuidString == "00000000-0000-4000-8000-0000000000FF")
        #expect(try measurement(id.uuidString).measurement == UUID(uuidString: "00000000-0000-4000-8000-0000000000ff"))
    }

    @Test(
        "anything else is refused as Foundation refuses it",
        arguments: [
            "", "not-a-uuid", "00000000-0000-4000-8000-0000000000f", "00000000-0000-4000-8000-0000000000fff",
            "00000000+0000-4000-8000-0000000000ff", "0000000g-0000-4000-8000-0000000000ff", "{00000000-0000-4000-8000-0000000000ff}",
        ])
    func refused(_ text: String) throws {
        #expect(UUID(uuidString: text) == nil)
        #expect(throws: DecodingError.self) { try measurement(text) }
    }

    @Test("a stream's name is read by the same parser: its id in either case, nothing else")
    func streamNames() {
        // The id below, written by hand: 6f1c…, as `engagement work` writes a stream.
        let id = UUID(uuidString: "6F1C2D3E-4A5B-4C6D-8E7F-0123456789AB")!
        #expect(StreamName(parsing: "engagement-6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab")?.entity?.id == id)
        #expect(StreamName(parsing: "engagement-6F1C2D3E-4A5B-4C6D-8E7F-0123456789AB")?.entity?.id == id)
        #expect(StreamName(parsing: "engagement-6f1c2d3e-4a5b-4c6d-8e7f-0123456789a") == nil)
        #expect(StreamName(parsing: "engagement-6f1c2d3e+4a5b-4c6d-8e7f-0123456789ab") == nil)
        #expect(StreamName(parsing: "engagement-{6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab}") == nil)
    }
}
