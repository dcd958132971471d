import BackOffice
import Foundation
import Recording

/// A deterministic synthetic consultancy: organisations and their people, leads moving through
/// the pipeline (some referred, some lost, some still open), engagements with objectives and
/// weekly measurements, coaching sessions and logged work, handovers with checklists, and
/// follow-ups. Every event is decided by the domain's own deciders, so the log is one the
/// projections and reports accept; the same seed gives the same bytes.
///
/// Stories (one lead each, and its engagement when won) overlap in time, as a consultant's
/// clients do; commands come out in the order they happened.
public struct Workload {
    /// One event of a command, ready for the log.
    public struct Event: Sendable {
        public let stream: String
        public let version: Int64
        public let type: String
        public let schemaVersion: Int
        public let data: Data
        public let id: UUID
    }

    /// One command: its events, appended atomically, and the versions it was decided against.
    public struct Command: Sendable {
        public let id: UUID
        public let occurredAt: Date
        public let events: [Event]
        /// Each stream the command writes, with its version before the command (0: new).
        public let expected: [(stream: String, version: Int64)]
    }

    public let seed: UInt64
    /// The period the log covers; the last stories are still open at its end.
    public let start: Date
    public let end: Date

    public init(seed: UInt64, start: Date = Workload.date(2024, 11, 1), end: Date = Workload.date(2026, 10, 31)) {
        self.seed = seed
        self.start = start
        self.end = end
    }

    /// About `events` events of one tenant (the last command may take it a few over), in order.
    public func tenant(_ index: Int, events budget: Int, _ emit: (Command) throws -> Void) rethrows {
        let generator = Generator(seed: seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15, start: start, end: end, budget: budget)
        try generator.run(emit)
    }

    public static func date(_ year: Int, _ month: Int, _ day: Int) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: 9))!
    }

    /// Events per story, on average (measured over the generator's proportions); spaces the
    /// stories so that a tenant's log spans the whole period.
    static let eventsPerStory = 60.0
}

/// SplitMix64: small, fast, and the same on every platform.
struct Random {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }

    mutating func double(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * Double(next() >> 11) / Double(1 << 53)
    }

    mutating func pick<T>(_ values: [T]) -> T { values[int(0...values.count - 1)] }

    mutating func uuid() -> UUID {
        var bytes = [UInt8](repeating: 0, count: 16)
        let a = next()
        let b = next()
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: a >> (8 * i))
            bytes[8 + i] = UInt8(truncatingIfNeeded: b >> (8 * i))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10], bytes[11],
                bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}

/// One tenant's generation: the streams' states and versions, the organisations and people
/// known so far, and the stories under way. Commands are the application layer's own plans
/// (``Plans``), run on the streams kept here in memory: the bench writes the streams and bodies a
/// consultant's commands write.
final class Generator: StreamSource {
    var random: Random
    let start: Date
    let end: Date
    let budget: Int
    var emitted = 0
    /// Each stream's folded state (of the decider it was last loaded as) and version.
    var streams: [String: (state: Any, version: Int64)] = [:]
    var organisations: [Organisation] = []
    var counter = 0

    struct Organisation {
        let id: UUID
        var people: [PersonFacts]
    }

    init(seed: UInt64, start: Date, end: Date, budget: Int) {
        random = Random(state: seed)
        self.start = start
        self.end = end
        self.budget = budget
    }

    func next() -> Int {
        counter += 1
        return counter
    }

    func run(_ emit: (Workload.Command) throws -> Void) rethrows {
        let stories = max(1.0, Double(budget) / Workload.eventsPerStory)
        let spacing = end.timeIntervalSince(start) / stories
        var active: [Story] = []
        var nextStart = start
        while emitted < budget {
            // The next thing to happen: a story's next step, or a new story starting.
            let earliest = active.indices.min { active[$0].nextAt < active[$1].nextAt }
            if let i = earliest, active[i].nextAt <= nextStart {
                let story = active[i]
                if let command = story.step(self) { try emit(command) }
                if story.finished { active.remove(at: i) }
            } else {
                active.append(Story(generator: self, at: nextStart))
                nextStart += spacing * random.double(0.5...1.5)
            }
        }
        for story in active { story.end() }
    }

    func load<D: Decider>(_ type: D.Type, _ stream: StreamName) throws -> (state: D, version: Int64) {
        guard let entry = streams[stream.description] else { return (D(), 0) }
        return ((entry.state as? D) ?? D(), entry.version)
    }

    /// Runs a plan of the application layer on the streams held here and adds its events, with
    /// their versions; false when the domain refused it (nothing added).
    @discardableResult
    func apply(_ plan: () throws -> [Change], into events: inout [Workload.Event]) -> Bool {
        guard let changes = try? plan() else { return false }
        for change in changes where !change.events.isEmpty {
            let name = change.stream.description
            var state = streams[name]?.state
            var version = change.version
            for event in change.events {
                version += 1
                state = Self.evolve(state, event, stream: change.stream)
                events.append(
                    Workload.Event(
                        stream: name, version: version, type: type(of: event).typeName, schemaVersion: type(of: event).schemaVersion,
                        data: try! EventTypes.encode(event), id: random.uuid()))
            }
            streams[name] = (state as Any, version)
        }
        return true
    }

    /// One command on one stream, as the CLI's single-stream commands run it.
    @discardableResult
    func decide<D: Decider>(_ type: D.Type, _ stream: StreamName, _ command: D.Command, into events: inout [Workload.Event]) -> Bool {
        apply({ [try Plans.change(self, D.self, stream) { try $0.decide(command) }] }, into: &events)
    }

    /// The state a stream's category folds into.
    private static func evolve(_ state: Any?, _ event: any DomainEvent, stream: StreamName) -> Any {
        switch stream.category {
        case .handle: ((state as? HandleState) ?? HandleState()).evolve(event)
        case .entity(.organisation, _): ((state as? OrganisationState) ?? OrganisationState()).evolve(event)
        case .entity(.person, _): ((state as? PersonState) ?? PersonState()).evolve(event)
        case .entity(.lead, _): ((state as? LeadState) ?? LeadState()).evolve(event)
        case .entity(.engagement, _), .entity(.objective, _): ((state as? EngagementState) ?? EngagementState()).evolve(event)
        }
    }

    func command(at date: Date, _ build: (inout [Workload.Event]) -> Void) -> Workload.Command? {
        var events: [Workload.Event] = []
        build(&events)
        guard !events.isEmpty else { return nil }
        emitted += events.count
        var seen = Set<String>()
        let expected = events.compactMap { e in seen.insert(e.stream).inserted ? (e.stream, e.version - 1) : nil }
        return Workload.Command(id: random.uuid(), occurredAt: date, events: events, expected: expected)
    }

    /// A new client organisation with two to four people; or, one time in three, a client
    /// already known (repeat business).
    func organisation(at date: Date, commands: inout [(Date, (inout [Workload.Event]) -> Void)]) -> Int {
        if !organisations.isEmpty, random.chance(0.33) { return random.int(0...organisations.count - 1) }
        let id = random.uuid()
        let number = next()
        let name = "\(random.pick(Words.places)) \(random.pick(Words.sectors).0) \(number)"
        let sector = random.pick(Words.sectors).1
        let index = organisations.count
        organisations.append(Organisation(id: id, people: []))
        commands.append(
            (
                date,
                { [self] events in
                    apply(
                        {
                            try Plans.registerOrganisation(
                                self, id: id, name: name, sector: sector, website: "https://example.org/\(number)"
                            ).changes
                        }, into: &events)
                }
            ))
        for p in 0..<random.int(2...4) {
            let person = random.uuid()
            let level: Level = p == 0 ? .executive : p == 1 ? .manager : .frontline
            let title = random.pick(Words.titles)
            commands.append(
                (
                    date.addingTimeInterval(Double(p + 1) * 600),
                    { [self] events in
                        // A person's handle lives in their details, outside the log, as the CLI keeps it.
                        if apply({ try Plans.addPerson(id: person, organisation: id, title: title, level: level) }, into: &events) {
                            organisations[index].people.append(PersonFacts(id: person, organisation: id))
                        }
                    }
                ))
        }
        return index
    }
}

/// Word lists for names and texts (sizes matter: bodies of a realistic length).
enum Words {
    static let places = ["Northbridge", "Riverside", "Eastfield", "Harbour", "Westgate", "Millbrook", "Kingsway", "Ashford", "Lakeside"]
    static let sectors = [
        ("Libraries", "public libraries"), ("Dental", "healthcare"), ("Bakery", "food and drink"), ("Council", "local government"),
        ("Museum", "culture"), ("Builders", "construction"), ("Charity", "charity"), ("Hotel", "hospitality"), ("Garage", "motoring"),
    ]
    static let titles = ["Director", "Marketing Manager", "Communications Officer", "Head of Service", "Owner", "Customer Services Lead"]
    static let objectives = [
        ("service awareness", "Residents hear about events before they happen", "followers", Direction.up),
        ("customer service", "Answer customers' questions the same day", "hours-to-answer", .down),
        ("sales", "Bring in bookings from social channels", "bookings", .up),
        ("recruitment", "Attract volunteers for the summer programme", "volunteers", .up),
        ("reputation", "Fewer complaints left unanswered", "open-complaints", .down),
    ]
    static let topics = ["tone of voice", "scheduling", "answering complaints", "measuring reach", "photography", "live video", "policy"]
    static let activities = ["content plan", "account audit", "workshop preparation", "reporting", "community management"]
    static let items = [
        ("access", "Passwords and two-factor codes moved to the client's own accounts"),
        ("process", "Weekly content calendar owned by the client's team"),
        ("policy", "Social media policy signed off by the sponsor"),
        ("training", "Champions trained to answer complaints"),
        ("reporting", "Monthly metrics report produced in-house"),
    ]
    static let lostReasons = ["price", "timing", "went with an agency", "no reply", "budget cut"]
}
