import BackOffice
import Foundation
import Postgres

/// A row of a read-model table: how it is keyed, written (bound values in column order) and
/// read back. `tenant_id` is implied: every statement names it first.
public protocol ProjectedRow: Sendable, Equatable {
    associatedtype Key: Hashable & Sendable
    /// The table in schema `consult`.
    static var table: String { get }
    /// The columns after `tenant_id`, the key's first.
    static var columns: [String] { get }
    static var keyColumns: Int { get }
    var key: Key { get }
    /// The values of ``columns``, in order.
    var values: [PostgresValue] { get }
    /// Reads a row selected as ``columns``, in order.
    init(row: Row) throws
}

extension ProjectedRow {
    /// The values as COPY text fields.
    var copyFields: [String?] {
        values.map { $0.bytes.map { String(decoding: $0, as: UTF8.self) } }
    }
}

// MARK: - Value helpers

enum Value {
    static func text(_ value: String?) -> PostgresValue { value.map { .text($0) } ?? .null(.text) }
    static func uuid(_ value: UUID?) -> PostgresValue { value.map(\.postgresValue) ?? .null(.uuid) }
    static func date(_ value: Date?) -> PostgresValue { value.map(\.postgresValue) ?? .null(.timestamptz) }
    static func day(_ value: Day?) -> PostgresValue { value.map { .text($0.description, as: .date) } ?? .null(.date) }
    static func int(_ value: Int64?) -> PostgresValue { value.map(\.postgresValue) ?? .null(.int8) }
    static func int(_ value: Int) -> PostgresValue { value.postgresValue }
    static func double(_ value: Double?) -> PostgresValue { value.map(\.postgresValue) ?? .null(.float8) }
    static func uuids(_ values: [UUID]) -> PostgresValue { .array(values) }
    static func texts(_ values: [String]) -> PostgresValue { .array(values) }
    static func json(_ value: some Encodable) -> PostgresValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return .jsonb((try? encoder.encode(value)) ?? Data("null".utf8))
    }

    static func day(_ row: Row, _ index: Int) throws -> Day? {
        try row.decode(Date?.self, at: index).map { Day($0) }
    }

    /// `{a,b}` → [a, b] (uuid[] and text[] of simple values, as the server writes them).
    static func array(_ row: Row, _ index: Int) throws -> [String] {
        let text = try row.decode(String.self, at: index)
        guard text.count > 2 else { return [] }
        return text.dropFirst().dropLast().split(separator: ",").map { part in
            var value = String(part)
            if value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
                    .replacingOccurrences(of: "\\\\", with: "\\")
            }
            return value
        }
    }

    static func uuidArray(_ row: Row, _ index: Int) throws -> [UUID] {
        try array(row, index).compactMap { UUID(uuidString: $0) }
    }
}

// MARK: - The rows

public struct PipelineRow: ProjectedRow {
    public static let table = "pipeline"
    public static let columns = [
        "lead_id", "handle", "organisation_id", "stage", "value_minor", "currency", "probability", "weighted_minor", "source",
        "referrer_id", "expected_close", "entered_stage_at", "captured_at", "closed_at", "close_reason", "engagement_id",
    ]
    public static let keyColumns = 1
    public var leadID: UUID
    public var handle: String
    public var organisationID: UUID
    public var stage: Stage
    public var value: Money?
    public var probability: Int
    public var source: String
    public var referrerID: UUID?
    public var expectedClose: Day?
    public var enteredStageAt: Date
    public var capturedAt: Date
    public var closedAt: Date?
    public var closeReason: String?
    public var engagementID: UUID?

    /// Value × probability, in minor units (stored; recomputed by ``refresh()``).
    public var weightedMinor: Int64?

    public var key: UUID { leadID }

    mutating func refresh() {
        weightedMinor = value.map { $0.minorUnits * Int64(probability) / 100 }
    }

    public var values: [PostgresValue] {
        [
            Value.uuid(leadID), Value.text(handle), Value.uuid(organisationID), Value.text(stage.rawValue), Value.int(value?.minorUnits),
            Value.text(value?.currency), Value.int(probability), Value.int(weightedMinor), Value.text(source), Value.uuid(referrerID),
            Value.day(expectedClose), Value.date(enteredStageAt), Value.date(capturedAt), Value.date(closedAt), Value.text(closeReason),
            Value.uuid(engagementID),
        ]
    }

    init(leadID: UUID, handle: String, organisationID: UUID, source: String, value: Money?, expectedClose: Day?, at: Date) {
        self.leadID = leadID
        self.handle = handle
        self.organisationID = organisationID
        stage = .new
        self.value = value
        probability = Self.defaultProbability(.new)
        self.source = source
        self.expectedClose = expectedClose
        enteredStageAt = at
        capturedAt = at
        refresh()
    }

    public init(row: Row) throws {
        leadID = try row.decode(UUID.self, at: 0)
        handle = try row.decode(String.self, at: 1)
        organisationID = try row.decode(UUID.self, at: 2)
        stage = Stage(rawValue: try row.decode(String.self, at: 3)) ?? .new
        if let minor = try row.decode(Int64?.self, at: 4), let currency = try row.decode(String?.self, at: 5) {
            value = try Money(minorUnits: minor, currency: currency)
        }
        probability = try row.decode(Int.self, at: 6)
        weightedMinor = try row.decode(Int64?.self, at: 7)
        source = try row.decode(String.self, at: 8)
        referrerID = try row.decode(UUID?.self, at: 9)
        expectedClose = try Value.day(row, 10)
        enteredStageAt = try row.decode(Date.self, at: 11)
        capturedAt = try row.decode(Date.self, at: 12)
        closedAt = try row.decode(Date?.self, at: 13)
        closeReason = try row.decode(String?.self, at: 14)
        engagementID = try row.decode(UUID?.self, at: 15)
    }

    /// The chance of winning a lead at each stage, when the consultant gave none.
    public static func defaultProbability(_ stage: Stage) -> Int {
        switch stage {
        case .new: 10
        case .contacted: 20
        case .qualified: 40
        case .proposal: 60
        case .won: 100
        case .lost: 0
        }
    }
}

public struct StageRow: ProjectedRow {
    public struct Key: Hashable, Sendable {
        public let lead: UUID
        public let seq: Int
    }
    public static let table = "stage_history"
    public static let columns = ["lead_id", "seq", "stage", "entered_at", "exited_at"]
    public static let keyColumns = 2
    public var leadID: UUID
    public var seq: Int
    public var stage: Stage
    public var enteredAt: Date
    public var exitedAt: Date?

    public var key: Key { Key(lead: leadID, seq: seq) }
    public var values: [PostgresValue] {
        [Value.uuid(leadID), Value.int(seq), Value.text(stage.rawValue), Value.date(enteredAt), Value.date(exitedAt)]
    }

    init(leadID: UUID, seq: Int, stage: Stage, enteredAt: Date) {
        self.leadID = leadID
        self.seq = seq
        self.stage = stage
        self.enteredAt = enteredAt
    }

    public init(row: Row) throws {
        leadID = try row.decode(UUID.self, at: 0)
        seq = try row.decode(Int.self, at: 1)
        stage = Stage(rawValue: try row.decode(String.self, at: 2)) ?? .new
        enteredAt = try row.decode(Date.self, at: 3)
        exitedAt = try row.decode(Date?.self, at: 4)
    }
}

public struct EngagementRow: ProjectedRow {
    public static let table = "engagement_status"
    public static let columns = [
        "engagement_id", "handle", "organisation_id", "lead_id", "title", "kind", "phase", "sponsor_id", "champions", "channels",
        "planned_handover", "handover_state", "handover_on", "checklist_total", "checklist_done", "checklist_waived", "budget_hours",
        "hours_per_month", "hours_by_month", "started_at", "closed_at", "outcome",
    ]
    public static let keyColumns = 1
    public var engagementID: UUID
    public var handle: String
    public var organisationID: UUID
    public var leadID: UUID?
    public var title: String
    public var kind: String
    public var phase: String
    public var sponsorID: UUID?
    public var champions: [UUID] = []
    public var channels: [String] = []
    public var plannedHandover: Day?
    public var handoverState = "none"
    public var handoverOn: Day?
    public var checklistTotal = 0
    public var checklistDone = 0
    public var checklistWaived = 0
    public var budgetHours: Double?
    public var hoursPerMonth: Double?
    public var hoursByMonth: [String: Double] = [:]
    public var startedAt: Date
    public var closedAt: Date?
    public var outcome: String?

    public var key: UUID { engagementID }
    public var values: [PostgresValue] {
        [
            Value.uuid(engagementID), Value.text(handle), Value.uuid(organisationID), Value.uuid(leadID), Value.text(title),
            Value.text(kind),
            Value.text(phase), Value.uuid(sponsorID), Value.uuids(champions), Value.texts(channels), Value.day(plannedHandover),
            Value.text(handoverState), Value.day(handoverOn), Value.int(checklistTotal), Value.int(checklistDone),
            Value.int(checklistWaived),
            Value.double(budgetHours), Value.double(hoursPerMonth), Value.json(hoursByMonth), Value.date(startedAt), Value.date(closedAt),
            Value.text(outcome),
        ]
    }

    init(_ e: EngagementStarted, at: Date) {
        engagementID = e.engagement
        handle = e.handle
        organisationID = e.organisation
        leadID = e.lead
        title = e.title
        kind = e.kind.rawValue
        phase = "planning"
        plannedHandover = e.plannedHandover
        budgetHours = e.budgetHours
        hoursPerMonth = e.hoursPerMonth
        startedAt = at
    }

    public init(row: Row) throws {
        engagementID = try row.decode(UUID.self, at: 0)
        handle = try row.decode(String.self, at: 1)
        organisationID = try row.decode(UUID.self, at: 2)
        leadID = try row.decode(UUID?.self, at: 3)
        title = try row.decode(String.self, at: 4)
        kind = try row.decode(String.self, at: 5)
        phase = try row.decode(String.self, at: 6)
        sponsorID = try row.decode(UUID?.self, at: 7)
        champions = try Value.uuidArray(row, 8)
        channels = try Value.array(row, 9)
        plannedHandover = try Value.day(row, 10)
        handoverState = try row.decode(String.self, at: 11)
        handoverOn = try Value.day(row, 12)
        checklistTotal = try row.decode(Int.self, at: 13)
        checklistDone = try row.decode(Int.self, at: 14)
        checklistWaived = try row.decode(Int.self, at: 15)
        budgetHours = try row.decode(Double?.self, at: 16)
        hoursPerMonth = try row.decode(Double?.self, at: 17)
        hoursByMonth = try row.decodeJSON([String: Double].self, EngagementRow.columns[18])
        startedAt = try row.decode(Date.self, at: 19)
        closedAt = try row.decode(Date?.self, at: 20)
        outcome = try row.decode(String?.self, at: 21)
    }
}

public struct ObjectiveRow: ProjectedRow {
    public static let table = "objective_progress"
    public static let columns = [
        "objective_id", "engagement_id", "handle", "business_area", "metric", "unit", "direction", "baseline", "target", "due", "latest",
        "previous", "progress", "trend", "measurements", "last_measured_at", "set_at", "status", "latest_id", "previous_id",
    ]
    public static let keyColumns = 1
    public var objectiveID: UUID
    public var engagementID: UUID
    public var handle: String
    public var businessArea: String
    public var metric: String
    public var unit: String?
    public var direction: Direction
    public var baseline: Double
    public var target: Double
    public var due: Day
    public var latest: Double?
    public var previous: Double?
    public var measurements = 0
    public var lastMeasuredAt: Date?
    public var setAt: Date
    public var status = "open"
    public var latestID: UUID?
    public var previousID: UUID?

    public var key: UUID { objectiveID }
    /// Rule 8, from the latest measurement (the baseline until there is one). Stored, so that
    /// verify compares what the table holds.
    public var progress: Double = 0
    /// Whether the last measurement moved the metric the right way.
    public var trend: String?

    /// Recomputes the derived columns after a change.
    mutating func refresh() {
        progress = BackOffice.progress(baseline: baseline, latest: latest ?? baseline, target: target)
        if let latest, let previous {
            let change = (latest - previous) * (direction == .up ? 1 : -1)
            trend = change > 0 ? "improving" : change < 0 ? "worsening" : "flat"
        } else {
            trend = nil
        }
    }

    public var values: [PostgresValue] {
        [
            Value.uuid(objectiveID), Value.uuid(engagementID), Value.text(handle), Value.text(businessArea), Value.text(metric),
            Value.text(unit),
            Value.text(direction.rawValue), Value.double(baseline), Value.double(target), Value.day(due), Value.double(latest),
            Value.double(previous), Value.double(progress), Value.text(trend), Value.int(measurements), Value.date(lastMeasuredAt),
            Value.date(setAt), Value.text(status), Value.uuid(latestID), Value.uuid(previousID),
        ]
    }

    init(_ e: ObjectiveSet, engagement: UUID, at: Date) {
        objectiveID = e.objective
        engagementID = engagement
        handle = e.handle
        businessArea = e.businessArea
        metric = e.metric
        unit = e.unit
        direction = e.direction
        baseline = e.baseline
        target = e.target
        due = e.due
        setAt = at
        refresh()
    }

    public init(row: Row) throws {
        objectiveID = try row.decode(UUID.self, at: 0)
        engagementID = try row.decode(UUID.self, at: 1)
        handle = try row.decode(String.self, at: 2)
        businessArea = try row.decode(String.self, at: 3)
        metric = try row.decode(String.self, at: 4)
        unit = try row.decode(String?.self, at: 5)
        direction = Direction(rawValue: try row.decode(String.self, at: 6)) ?? .up
        baseline = try row.decode(Double.self, at: 7)
        target = try row.decode(Double.self, at: 8)
        due = try Value.day(row, 9) ?? Day(year: 1970, month: 1, day: 1)
        latest = try row.decode(Double?.self, at: 10)
        previous = try row.decode(Double?.self, at: 11)
        progress = try row.decode(Double.self, at: 12)
        trend = try row.decode(String?.self, at: 13)
        measurements = try row.decode(Int.self, at: 14)
        lastMeasuredAt = try row.decode(Date?.self, at: 15)
        setAt = try row.decode(Date.self, at: 16)
        status = try row.decode(String.self, at: 17)
        latestID = try row.decode(UUID?.self, at: 18)
        previousID = try row.decode(UUID?.self, at: 19)
    }
}

public struct ReferralRow: ProjectedRow {
    public static let table = "referrals"
    public static let columns = [
        "lead_id", "referrer_id", "via_engagement_id", "warmth", "received_at", "thanked_on", "stage", "won_value_minor", "currency",
        "engagement_id",
    ]
    public static let keyColumns = 1
    public var leadID: UUID
    public var referrerID: UUID
    public var viaEngagementID: UUID?
    public var warmth: String?
    public var receivedAt: Date
    public var thankedOn: Day?
    public var stage: Stage
    public var wonValue: Money?
    public var engagementID: UUID?

    public var key: UUID { leadID }
    public var values: [PostgresValue] {
        [
            Value.uuid(leadID), Value.uuid(referrerID), Value.uuid(viaEngagementID), Value.text(warmth), Value.date(receivedAt),
            Value.day(thankedOn), Value.text(stage.rawValue), Value.int(wonValue?.minorUnits), Value.text(wonValue?.currency),
            Value.uuid(engagementID),
        ]
    }

    init(leadID: UUID, _ e: ReferralReceived, stage: Stage, at: Date) {
        self.leadID = leadID
        referrerID = e.referrer
        viaEngagementID = e.via
        warmth = e.warmth
        receivedAt = at
        self.stage = stage
    }

    public init(row: Row) throws {
        leadID = try row.decode(UUID.self, at: 0)
        referrerID = try row.decode(UUID.self, at: 1)
        viaEngagementID = try row.decode(UUID?.self, at: 2)
        warmth = try row.decode(String?.self, at: 3)
        receivedAt = try row.decode(Date.self, at: 4)
        thankedOn = try Value.day(row, 5)
        stage = Stage(rawValue: try row.decode(String.self, at: 6)) ?? .new
        if let minor = try row.decode(Int64?.self, at: 7), let currency = try row.decode(String?.self, at: 8) {
            wonValue = try Money(minorUnits: minor, currency: currency)
        }
        engagementID = try row.decode(UUID?.self, at: 9)
    }
}

public struct HandoverRow: ProjectedRow {
    public struct FollowUp: Codable, Sendable, Equatable {
        public var daysAfter: Int
        public var accountActive: Bool
        public var postsPerWeek: Double?
        public var checkedAt: Date
    }
    public static let table = "handovers"
    public static let columns = [
        "engagement_id", "planned_on", "owners", "sponsor_id", "planned_at", "completed_at", "signed_off_by", "follow_ups",
    ]
    public static let keyColumns = 1
    public var engagementID: UUID
    public var plannedOn: Day
    public var owners: [UUID]
    public var sponsorID: UUID
    public var plannedAt: Date
    public var completedAt: Date?
    public var signedOffBy: UUID?
    public var followUps: [FollowUp] = []

    public var key: UUID { engagementID }
    public var values: [PostgresValue] {
        [
            Value.uuid(engagementID), Value.day(plannedOn), Value.uuids(owners), Value.uuid(sponsorID), Value.date(plannedAt),
            Value.date(completedAt), Value.uuid(signedOffBy), Value.json(followUps.map(FollowUpJSON.init)),
        ]
    }

    /// Follow-ups as stored: dates as text, so the JSON reads the same from every path.
    struct FollowUpJSON: Codable {
        var daysAfter: Int
        var accountActive: Bool
        var postsPerWeek: Double?
        var checkedAt: Double
        init(_ f: FollowUp) {
            daysAfter = f.daysAfter
            accountActive = f.accountActive
            postsPerWeek = f.postsPerWeek
            checkedAt = f.checkedAt.timeIntervalSince1970
        }
    }

    init(engagementID: UUID, _ e: HandoverPlanned, at: Date) {
        self.engagementID = engagementID
        plannedOn = e.on
        owners = e.receivingOwners
        sponsorID = e.sponsor
        plannedAt = at
    }

    public init(row: Row) throws {
        engagementID = try row.decode(UUID.self, at: 0)
        plannedOn = try Value.day(row, 1) ?? Day(year: 1970, month: 1, day: 1)
        owners = try Value.uuidArray(row, 2)
        sponsorID = try row.decode(UUID.self, at: 3)
        plannedAt = try row.decode(Date.self, at: 4)
        completedAt = try row.decode(Date?.self, at: 5)
        signedOffBy = try row.decode(UUID?.self, at: 6)
        followUps = try row.decodeJSON([FollowUpJSON].self, "follow_ups").map {
            FollowUp(
                daysAfter: $0.daysAfter, accountActive: $0.accountActive, postsPerWeek: $0.postsPerWeek,
                checkedAt: Date(timeIntervalSince1970: $0.checkedAt))
        }
    }
}

public struct PersonRow: ProjectedRow {
    public static let table = "people"
    public static let columns = [
        "person_id", "organisation_id", "has_left", "title", "level", "introduction_asked_at", "introduction_outcome",
    ]
    public static let keyColumns = 1
    public var personID: UUID
    public var organisationID: UUID?
    public var hasLeft = false
    public var title: String?
    public var level: String?
    public var introductionAskedAt: Date?
    public var introductionOutcome: String?

    public var key: UUID { personID }
    public var values: [PostgresValue] {
        [
            Value.uuid(personID), Value.uuid(organisationID), hasLeft.postgresValue, Value.text(title), Value.text(level),
            Value.date(introductionAskedAt), Value.text(introductionOutcome),
        ]
    }

    init(_ e: PersonAdded) {
        personID = e.person
        organisationID = e.organisation
        title = e.title
        level = e.level?.rawValue
    }

    public init(row: Row) throws {
        personID = try row.decode(UUID.self, at: 0)
        organisationID = try row.decode(UUID?.self, at: 1)
        hasLeft = try row.decode(Bool.self, at: 2)
        title = try row.decode(String?.self, at: 3)
        level = try row.decode(String?.self, at: 4)
        introductionAskedAt = try row.decode(Date?.self, at: 5)
        introductionOutcome = try row.decode(String?.self, at: 6)
    }
}

public struct OrganisationRow: ProjectedRow {
    public static let table = "organisations"
    public static let columns = ["organisation_id", "handle", "name", "sector", "registered_at"]
    public static let keyColumns = 1
    public var organisationID: UUID
    public var handle: String
    public var name: String
    public var sector: String?
    public var registeredAt: Date

    public var key: UUID { organisationID }
    public var values: [PostgresValue] {
        [Value.uuid(organisationID), Value.text(handle), Value.text(name), Value.text(sector), Value.date(registeredAt)]
    }

    init(_ e: OrganisationRegistered, at: Date) {
        organisationID = e.organisation
        handle = e.handle
        name = e.name
        sector = e.sector
        registeredAt = at
    }

    public init(row: Row) throws {
        organisationID = try row.decode(UUID.self, at: 0)
        handle = try row.decode(String.self, at: 1)
        name = try row.decode(String.self, at: 2)
        sector = try row.decode(String?.self, at: 3)
        registeredAt = try row.decode(Date.self, at: 4)
    }
}
