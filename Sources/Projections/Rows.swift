import BackOffice
import Foundation
import Postgres

// MARK: - The rows

public struct PipelineRow: ProjectedRow {
    public static let schema = TableSchema<PipelineRow>(
        "pipeline",
        blank: PipelineRow(
            leadID: Blank.id, handle: "", organisationID: Blank.id, source: "", value: nil, expectedClose: nil, at: Blank.date),
        [
            .column("lead_id", \.leadID), .column("handle", \.handle), .column("organisation_id", \.organisationID),
            .column("stage", \.stage),
        ] + ColumnSpec<PipelineRow>.money("value_minor", "currency", \.value) + [
            .column("probability", \.probability), .column("weighted_minor", \.weightedMinor), .column("source", \.source),
            .column("referrer_id", \.referrerID), .column("expected_close", \.expectedClose),
            .column("entered_stage_at", \.enteredStageAt), .column("captured_at", \.capturedAt), .column("closed_at", \.closedAt),
            .column("close_reason", \.closeReason), .column("engagement_id", \.engagementID),
            .column("disqualified", \.disqualified), .column("close_note", \.closeNote),
        ])
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
    /// Why it was lost, or disqualified (a `DisqualifyReason`'s raw value then).
    public var closeReason: String?
    public var engagementID: UUID?
    /// Whether the lead was closed by disqualifying it: its stage is lost, but its outcome is
    /// its own (see ``outcome``), apart from the win rate.
    public var disqualified = false
    /// The note given when it was lost or disqualified.
    public var closeNote: String?

    /// What became of the lead: its stage, or `disqualified` for a lead closed that way.
    public var outcome: String { stage == .lost && disqualified ? "disqualified" : stage.rawValue }

    /// Value × probability, in minor units (stored; recomputed by ``refresh()``).
    public var weightedMinor: Int64?

    public var key: UUID { leadID }

    mutating func refresh() {
        weightedMinor = value.map { $0.minorUnits * Int64(probability) / 100 }
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
    public struct Key: Hashable, Sendable, Codable {
        public let lead: UUID
        public let seq: Int
    }
    public static let schema = TableSchema<StageRow>(
        "stage_history", keyColumns: 2, blank: StageRow(leadID: Blank.id, seq: 0, stage: .new, enteredAt: Blank.date),
        [
            .column("lead_id", \.leadID), .column("seq", \.seq), .column("stage", \.stage), .column("entered_at", \.enteredAt),
            .column("exited_at", \.exitedAt),
        ])
    public var leadID: UUID
    public var seq: Int
    public var stage: Stage
    public var enteredAt: Date
    public var exitedAt: Date?

    public var key: Key { Key(lead: leadID, seq: seq) }

    init(leadID: UUID, seq: Int, stage: Stage, enteredAt: Date) {
        self.leadID = leadID
        self.seq = seq
        self.stage = stage
        self.enteredAt = enteredAt
    }

}

public struct EngagementRow: ProjectedRow {
    public static let schema = TableSchema<EngagementRow>(
        "engagement_status",
        blank: EngagementRow(engagementID: Blank.id, handle: "", organisationID: Blank.id, title: "", kind: "", startedAt: Blank.date),
        [
            .column("engagement_id", \.engagementID), .column("handle", \.handle), .column("organisation_id", \.organisationID),
            .column("lead_id", \.leadID), .column("title", \.title), .column("kind", \.kind), .column("phase", \.phase),
            .column("sponsor_id", \.sponsorID), .column("champions", \.champions), .column("channels", \.channels),
            .column("planned_handover", \.plannedHandover), .column("handover_state", \.handoverState),
            .column("handover_on", \.handoverOn), .column("checklist_total", \.checklistTotal),
            .column("checklist_done", \.checklistDone), .column("checklist_waived", \.checklistWaived),
            .column("budget_hours", \.budgetHours), .column("hours_per_month", \.hoursPerMonth),
            .json("hours_by_month", \.hoursByMonth), .column("started_at", \.startedAt), .column("closed_at", \.closedAt),
            .column("outcome", \.outcome),
        ])
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
    public var budgetHours: Quantity?
    public var hoursPerMonth: Quantity?
    /// Hours logged per month (`2026-11`), summed exactly.
    public var hoursByMonth: [String: Quantity] = [:]
    public var startedAt: Date
    public var closedAt: Date?
    public var outcome: String?

    public var key: UUID { engagementID }

    init(engagementID: UUID, handle: String, organisationID: UUID, title: String, kind: String, startedAt: Date) {
        self.engagementID = engagementID
        self.handle = handle
        self.organisationID = organisationID
        self.title = title
        self.kind = kind
        phase = "planning"
        self.startedAt = startedAt
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

}

public struct ObjectiveRow: ProjectedRow {
    public static let schema = TableSchema<ObjectiveRow>(
        "objective_progress",
        blank: ObjectiveRow(
            objectiveID: Blank.id, engagementID: Blank.id, handle: "", businessArea: "", metric: "", direction: .up, baseline: 0,
            target: 0, due: Blank.day, setAt: Blank.date),
        [
            .column("objective_id", \.objectiveID), .column("engagement_id", \.engagementID), .column("handle", \.handle),
            .column("business_area", \.businessArea), .column("metric", \.metric), .column("unit", \.unit),
            .column("direction", \.direction), .column("baseline", \.baseline), .column("target", \.target), .column("due", \.due),
            .column("latest", \.latest), .column("previous", \.previous), .column("progress", \.progress), .column("trend", \.trend),
            .column("measurements", \.measurements), .column("last_measured_at", \.lastMeasuredAt), .column("set_at", \.setAt),
            .column("status", \.status), .column("latest_id", \.latestID), .column("previous_id", \.previousID),
            .column("previous_measured_at", \.previousMeasuredAt), .column("decimals", \.decimals),
        ])
    public var objectiveID: UUID
    public var engagementID: UUID
    public var handle: String
    public var businessArea: String
    public var metric: String
    public var unit: String?
    public var direction: Direction
    public var baseline: Quantity
    public var target: Quantity
    public var due: Day
    public var latest: Quantity?
    public var previous: Quantity?
    public var measurements = 0
    /// When the latest measurement was taken.
    public var lastMeasuredAt: Date?
    public var setAt: Date
    public var status = "open"
    public var latestID: UUID?
    public var previousID: UUID?
    /// When the previous measurement was taken.
    public var previousMeasuredAt: Date?
    /// The metric's own precision: the most decimals among every value given for it (its
    /// baseline, its targets, its measurements and their corrections). Reports show the
    /// metric's values with this many; JSON and CSV carry them exactly.
    public var decimals = 0

    /// Takes in a value given for the metric.
    mutating func widen(to value: Quantity) { decimals = max(decimals, value.decimals) }

    /// The latest and previous measurements (rule 8), as the row stores them.
    var measured: LatestMeasurements {
        get {
            func taken(_ id: UUID?, _ value: Quantity?, _ at: Date?) -> LatestMeasurements.Taken? {
                guard let id, let value, let at else { return nil }
                return LatestMeasurements.Taken(id: id, value: value, takenAt: at)
            }
            return LatestMeasurements(
                latest: taken(latestID, latest, lastMeasuredAt), previous: taken(previousID, previous, previousMeasuredAt))
        }
        set {
            latest = newValue.latest?.value
            latestID = newValue.latest?.id
            lastMeasuredAt = newValue.latest?.takenAt
            previous = newValue.previous?.value
            previousID = newValue.previous?.id
            previousMeasuredAt = newValue.previous?.takenAt
        }
    }

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
            // Compared exactly: 2.4 after 2.40 is flat, 0.1 + 0.2 after 0.3 is flat.
            let rising = latest > previous
            let falling = latest < previous
            trend = rising || falling ? (rising == (direction == .up) ? "improving" : "worsening") : "flat"
        } else {
            trend = nil
        }
    }

    init(
        objectiveID: UUID, engagementID: UUID, handle: String, businessArea: String, metric: String, direction: Direction,
        baseline: Quantity, target: Quantity, due: Day, setAt: Date
    ) {
        self.objectiveID = objectiveID
        self.engagementID = engagementID
        self.handle = handle
        self.businessArea = businessArea
        self.metric = metric
        self.direction = direction
        self.baseline = baseline
        self.target = target
        self.due = due
        self.setAt = setAt
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
        decimals = Quantity.precision(of: [e.baseline, e.target])
        refresh()
    }

}

public struct ReferralRow: ProjectedRow {
    public static let schema = TableSchema<ReferralRow>(
        "referrals", blank: ReferralRow(leadID: Blank.id, referrerID: Blank.id, stage: .new, receivedAt: Blank.date),
        [
            .column("lead_id", \.leadID), .column("referrer_id", \.referrerID), .column("via_engagement_id", \.viaEngagementID),
            .column("warmth", \.warmth), .column("received_at", \.receivedAt), .column("thanked_on", \.thankedOn),
            .column("stage", \.stage),
        ] + ColumnSpec<ReferralRow>.money("won_value_minor", "currency", \.wonValue) + [.column("engagement_id", \.engagementID)])
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

    init(leadID: UUID, referrerID: UUID, stage: Stage, receivedAt: Date) {
        self.leadID = leadID
        self.referrerID = referrerID
        self.stage = stage
        self.receivedAt = receivedAt
    }

    init(leadID: UUID, _ e: ReferralReceived, stage: Stage, at: Date) {
        self.leadID = leadID
        referrerID = e.referrer
        viaEngagementID = e.via
        warmth = e.warmth
        receivedAt = at
        self.stage = stage
    }

}

public struct HandoverRow: ProjectedRow {
    public struct FollowUp: Codable, Sendable, Equatable {
        public var daysAfter: Int
        public var accountActive: Bool
        public var postsPerWeek: Double?
        public var checkedAt: Date

        init(_ stored: FollowUpJSON) {
            daysAfter = stored.daysAfter
            accountActive = stored.accountActive
            postsPerWeek = stored.postsPerWeek
            checkedAt = Date(timeIntervalSince1970: stored.checkedAt)
        }

        init(daysAfter: Int, accountActive: Bool, postsPerWeek: Double?, checkedAt: Date) {
            self.daysAfter = daysAfter
            self.accountActive = accountActive
            self.postsPerWeek = postsPerWeek
            self.checkedAt = checkedAt
        }
    }
    public static let schema = TableSchema<HandoverRow>(
        "handovers", blank: HandoverRow(engagementID: Blank.id, plannedOn: Blank.day, sponsorID: Blank.id, plannedAt: Blank.date),
        [
            .column("engagement_id", \.engagementID), .column("planned_on", \.plannedOn), .column("owners", \.owners),
            .column("sponsor_id", \.sponsorID), .column("planned_at", \.plannedAt), .column("completed_at", \.completedAt),
            .column("signed_off_by", \.signedOffBy),
            ColumnSpec(
                "follow_ups", encode: { ColumnSpec<HandoverRow>.jsonValue($0.followUps.map(FollowUpJSON.init)) },
                decode: { row, cells, _ in row.followUps = try cells.decodeJSON([FollowUpJSON].self, "follow_ups").map(FollowUp.init) }),
        ])
    public var engagementID: UUID
    public var plannedOn: Day
    public var owners: [UUID]
    public var sponsorID: UUID
    public var plannedAt: Date
    public var completedAt: Date?
    public var signedOffBy: UUID?
    public var followUps: [FollowUp] = []

    public var key: UUID { engagementID }

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

    init(engagementID: UUID, plannedOn: Day, sponsorID: UUID, plannedAt: Date) {
        self.engagementID = engagementID
        self.plannedOn = plannedOn
        owners = []
        self.sponsorID = sponsorID
        self.plannedAt = plannedAt
    }

    init(engagementID: UUID, _ e: HandoverPlanned, at: Date) {
        self.engagementID = engagementID
        plannedOn = e.on
        owners = e.receivingOwners
        sponsorID = e.sponsor
        plannedAt = at
    }

}

public struct PersonRow: ProjectedRow {
    public static let schema = TableSchema<PersonRow>(
        "people", blank: PersonRow(personID: Blank.id),
        [
            .column("person_id", \.personID), .column("organisation_id", \.organisationID), .column("has_left", \.hasLeft),
            .column("title", \.title), .column("level", \.level), .column("introduction_asked_at", \.introductionAskedAt),
            .column("introduction_outcome", \.introductionOutcome), .column("merged_into", \.mergedInto),
        ])
    public var personID: UUID
    public var organisationID: UUID?
    public var hasLeft = false
    public var title: String?
    public var level: String?
    public var introductionAskedAt: Date?
    public var introductionOutcome: String?
    /// The person this one was merged into, when they are a duplicate (db/migrations/0068).
    public var mergedInto: UUID?

    public var key: UUID { personID }

    init(personID: UUID) {
        self.personID = personID
    }

    init(_ e: PersonAdded) {
        personID = e.person
        organisationID = e.organisation
        title = e.title
        level = e.level?.rawValue
    }

}

public struct OrganisationRow: ProjectedRow {
    public static let schema = TableSchema<OrganisationRow>(
        "organisations", blank: OrganisationRow(organisationID: Blank.id, handle: "", name: "", registeredAt: Blank.date),
        [
            .column("organisation_id", \.organisationID), .column("handle", \.handle), .column("name", \.name),
            .column("sector", \.sector), .column("registered_at", \.registeredAt),
        ])
    public var organisationID: UUID
    public var handle: String
    public var name: String
    public var sector: String?
    public var registeredAt: Date

    public var key: UUID { organisationID }

    init(organisationID: UUID, handle: String, name: String, registeredAt: Date) {
        self.organisationID = organisationID
        self.handle = handle
        self.name = name
        self.registeredAt = registeredAt
    }

    init(_ e: OrganisationRegistered, at: Date) {
        organisationID = e.organisation
        handle = e.handle
        name = e.name
        sector = e.sector
        registeredAt = at
    }

}

/// An event of the log this version cannot decode, left out of every other row: where it is,
/// what it claims to be, and why it does not decode (db/migrations/0028).
public struct QuarantineRow: ProjectedRow {
    public static let schema = TableSchema<QuarantineRow>(
        "projection_quarantine", blank: QuarantineRow(position: 0, stream: "", type: "", schemaVersion: 0, error: ""),
        [
            .column("position", \.position), .column("stream", \.stream), .column("type", \.type),
            .column("schema_version", \.schemaVersion), .column("error", \.error),
        ])
    public var position: Int64
    public var stream: String
    public var type: String
    public var schemaVersion: Int
    /// The decoder's reason (``EventDecodingError/reason``).
    public var error: String

    public var key: Int64 { position }

    public init(position: Int64, stream: String, type: String, schemaVersion: Int, error: String) {
        self.position = position
        self.stream = stream
        self.type = type
        self.schemaVersion = schemaVersion
        self.error = error
    }
}
