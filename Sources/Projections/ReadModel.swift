import BackOffice
import Foundation

/// The read models of one tenant, or the part of them a batch of events touches: a pure fold.
///
/// `apply` changes rows and remembers which (``dirty``), so a catch-up writes only those; a
/// rebuild folds the whole log into an empty model and writes everything. Both run the same
/// code, which is what makes `--verify` a fair comparison.
public struct ReadModel: Sendable, Equatable {
    public var pipeline: [UUID: PipelineRow] = [:]
    public var stages: [StageRow.Key: StageRow] = [:]
    public var engagements: [UUID: EngagementRow] = [:]
    public var objectives: [UUID: ObjectiveRow] = [:]
    public var referrals: [UUID: ReferralRow] = [:]
    public var handovers: [UUID: HandoverRow] = [:]
    public var people: [UUID: PersonRow] = [:]
    public var organisations: [UUID: OrganisationRow] = [:]
    /// Events of the log this version could not decode, by position: left out of every row.
    public var quarantine: [Int64: QuarantineRow] = [:]

    /// Keys changed since the model was loaded (or created).
    public struct Dirty: Sendable, Equatable {
        public var pipeline: Set<UUID> = []
        public var stages: Set<StageRow.Key> = []
        public var engagements: Set<UUID> = []
        public var objectives: Set<UUID> = []
        public var referrals: Set<UUID> = []
        public var handovers: Set<UUID> = []
        public var people: Set<UUID> = []
        public var organisations: Set<UUID> = []
        public var quarantine: Set<Int64> = []
    }
    public var dirty = Dirty()

    public init() {}

    /// Whether both hold the same rows (what changed since loading aside).
    public func sameRows(as other: ReadModel) -> Bool {
        ReadModelTable.all.allSatisfy { $0.sameRows(self, other) }
    }

    /// Records an event this version cannot decode, in place of applying it.
    public mutating func quarantine(_ row: QuarantineRow) {
        quarantine[row.position] = row
        dirty.quarantine.insert(row.position)
    }

    /// Applies one event of `stream` that happened at `at`. Events of a handle's stream, or of
    /// a stream this version does not name, change no read model.
    public mutating func apply(_ event: any DomainEvent, stream: String, at: Date) {
        guard let entity = StreamName(parsing: stream)?.entity else { return }
        apply(event, of: entity.kind, entity.id, at: at)
    }

    /// Applies one event of the stream of entity `id` of `kind` that happened at `at`.
    public mutating func apply(_ event: any DomainEvent, of kind: EntityKind, _ id: UUID, at: Date) {
        switch kind {
        case .lead: applyLead(event, lead: id, at: at)
        case .engagement: applyEngagement(event, engagement: id, at: at)
        case .person: applyPerson(event, person: id, at: at)
        case .organisation: applyOrganisation(event, organisation: id, at: at)
        case .objective: break  // objectives live in their engagement's stream
        }
    }

    // MARK: - Leads

    private mutating func applyLead(_ event: any DomainEvent, lead: UUID, at: Date) {
        switch event {
        case let e as LeadCaptured:
            pipeline[lead] = PipelineRow(
                leadID: lead, handle: e.handle, organisationID: e.organisation, source: e.source.rawValue, value: e.value,
                expectedClose: e.expectedClose, at: at)
            dirty.pipeline.insert(lead)
            setStage(StageRow(leadID: lead, seq: 1, stage: .new, enteredAt: at))
        case let e as ReferralReceived:
            updatePipeline(lead) { $0.referrerID = e.referrer }
            referrals[lead] = ReferralRow(leadID: lead, e, stage: pipeline[lead]?.stage ?? .new, at: at)
            dirty.referrals.insert(lead)
        case let e as LeadStageChanged:
            moveStage(lead, to: e.to, probability: e.probability, at: at)
        case let e as LeadDisqualified:
            updatePipeline(lead) { row in
                row.closeReason = e.reason.rawValue
                row.closeNote = e.note
                row.disqualified = true
            }
        case let e as LeadLost:
            updatePipeline(lead) { row in
                row.closeReason = e.reason
                row.closeNote = e.note
                row.disqualified = false
            }
        case let e as ProposalSent:
            updatePipeline(lead) { $0.value = e.value }
        case let e as LeadValueRevised:
            updatePipeline(lead) { $0.value = e.to }
        case let e as ExpectedCloseMoved:
            updatePipeline(lead) { $0.expectedClose = e.to }
        case let e as LeadWon:
            updatePipeline(lead) { $0.engagementID = e.engagement }
            let value = pipeline[lead]?.value
            updateReferral(lead) { row in
                row.engagementID = e.engagement
                row.wonValue = value
            }
        case let e as ReferrerThanked:
            updateReferral(lead) { $0.thankedOn = e.on }
        case let e as LeadMovedBack:
            // As a stage change: the stage history gains a row, the probability is the stage's.
            moveStage(lead, to: e.to, probability: nil, at: at)
        case let e as LeadValueCorrected:
            updatePipeline(lead) { $0.value = e.to }
            if pipeline[lead]?.stage == .won { updateReferral(lead) { $0.wonValue = e.to } }
        case let e as ReferrerCorrected:
            updatePipeline(lead) { $0.referrerID = e.to }
            updateReferral(lead) { $0.referrerID = e.to }
        default: break
        }
    }

    /// A lead entering a stage, forward (`LeadStageChanged`) or back (`LeadMovedBack`): the
    /// pipeline row, the stage history and the referral follow it.
    private mutating func moveStage(_ lead: UUID, to: Stage, probability: Int?, at: Date) {
        updatePipeline(lead) { row in
            row.stage = to
            row.probability = probability ?? PipelineRow.defaultProbability(to)
            row.enteredStageAt = at
            row.closedAt = to.isOpen ? nil : at
            if to.isOpen {
                row.closeReason = nil
                row.closeNote = nil
                row.disqualified = false
            }
        }
        let history = stages.values.filter { $0.leadID == lead }
        if var last = history.max(by: { $0.seq < $1.seq }) {
            last.exitedAt = at
            setStage(last)
        }
        setStage(StageRow(leadID: lead, seq: (history.map(\.seq).max() ?? 0) + 1, stage: to, enteredAt: at))
        updateReferral(lead) { $0.stage = to }
    }

    // MARK: - Engagements

    private mutating func applyEngagement(_ event: any DomainEvent, engagement: UUID, at: Date) {
        switch event {
        case let e as EngagementStarted:
            engagements[engagement] = EngagementRow(e, at: at)
            dirty.engagements.insert(engagement)
        case let e as SponsorAppointed:
            updateEngagement(engagement) { $0.sponsorID = e.person }
        case let e as ChampionNominated:
            updateEngagement(engagement) { if !$0.champions.contains(e.person) { $0.champions.append(e.person) } }
        case let e as ChampionStoodDown:
            updateEngagement(engagement) { $0.champions.removeAll { $0 == e.person } }
        case let e as ChannelAdopted:
            // One entry per account: two Instagram accounts are two entries (issue 16 item 10).
            updateEngagement(engagement) { $0.channels.append(e.channel.rawValue) }
        case let e as ChannelRetired:
            updateEngagement(engagement) { row in row.channels.firstIndex(of: e.channel.rawValue).map { _ = row.channels.remove(at: $0) } }
        case let e as WorkLogged:
            let month = String(Day(at).description.prefix(7))
            updateEngagement(engagement) { $0.hoursByMonth[month, default: 0] += e.hours }
        case let e as ObjectiveSet:
            objectives[e.objective] = ObjectiveRow(e, engagement: engagement, at: at)
            dirty.objectives.insert(e.objective)
            updateEngagement(engagement) { if $0.phase == "planning" { $0.phase = "active" } }
        case let e as MeasurementRecorded:
            updateObjective(e.objective) { row in
                row.measured.record(.init(id: e.measurement, value: e.value, takenAt: at))
                row.measurements += 1
                row.widen(to: e.value)
            }
        case let e as MeasurementCorrected:
            updateObjective(e.objective) { row in
                row.measured.correct(e.corrects, to: e.value)
                row.widen(to: e.value)
            }
        case let e as TargetRevised:
            updateObjective(e.objective) { row in
                row.target = e.to
                row.widen(to: e.to)
                if let due = e.due { row.due = due }
            }
        case let e as ObjectiveAchieved:
            updateObjective(e.objective) { $0.status = "achieved" }
        case let e as ObjectiveDropped:
            updateObjective(e.objective) { $0.status = "dropped" }
        case let e as HandoverPlanned:
            if var row = handovers[engagement] {
                row.plannedOn = e.on
                row.owners = e.receivingOwners
                row.sponsorID = e.sponsor
                handovers[engagement] = row
            } else {
                handovers[engagement] = HandoverRow(engagementID: engagement, e, at: at)
            }
            dirty.handovers.insert(engagement)
            updateEngagement(engagement) { row in
                if row.handoverState != "completed" { row.handoverState = "planned" }
                row.handoverOn = e.on
            }
        case is HandoverItemAdded:
            updateEngagement(engagement) { $0.checklistTotal += 1 }
        case is HandoverItemCompleted:
            updateEngagement(engagement) { $0.checklistDone += 1 }
        case is HandoverItemWaived:
            updateEngagement(engagement) { $0.checklistWaived += 1 }
        case let e as HandoverItemReopened:
            updateEngagement(engagement) { row in
                if e.was == "completed" { row.checklistDone -= 1 } else { row.checklistWaived -= 1 }
            }
        case let e as WorkEntryCorrected:
            // In the month the entry was logged for, whenever the correction was made.
            let month = String(e.day.description.prefix(7))
            updateEngagement(engagement) { $0.hoursByMonth[month, default: 0] += e.to - e.from }
        case let e as FollowUpCorrected:
            updateHandover(engagement) { row in
                guard let index = row.followUps.lastIndex(where: { $0.daysAfter == e.daysAfter }) else { return }
                row.followUps[index].accountActive = e.accountActive
                row.followUps[index].postsPerWeek = e.postsPerWeek
            }
        case let e as HandoverCompleted:
            updateHandover(engagement) { row in
                row.completedAt = at
                row.signedOffBy = e.signedOffBy
            }
            updateEngagement(engagement) { $0.handoverState = "completed" }
        case let e as FollowUpChecked:
            updateHandover(engagement) {
                $0.followUps.append(
                    .init(daysAfter: e.daysAfter, accountActive: e.accountActive, postsPerWeek: e.postsPerWeek, checkedAt: at))
            }
        case is EngagementPaused:
            updateEngagement(engagement) { $0.phase = "paused" }
        case is EngagementResumed:
            let hasObjective = objectives.values.contains { $0.engagementID == engagement }
            updateEngagement(engagement) { $0.phase = hasObjective ? "active" : "planning" }
        case let e as EngagementClosed:
            updateEngagement(engagement) { row in
                row.phase = "closed"
                row.closedAt = at
                row.outcome = e.outcome.rawValue
            }
        default: break
        }
    }

    // MARK: - People

    private mutating func applyOrganisation(_ event: any DomainEvent, organisation: UUID, at: Date) {
        switch event {
        case let e as OrganisationRegistered:
            organisations[organisation] = OrganisationRow(e, at: at)
            dirty.organisations.insert(organisation)
        case let e as OrganisationRenamed:
            guard var row = organisations[organisation] else { return }
            row.name = e.name
            row.handle = e.handle
            organisations[organisation] = row
            dirty.organisations.insert(organisation)
        case let e as OrganisationSectorChanged:
            guard var row = organisations[organisation] else { return }
            row.sector = e.to
            organisations[organisation] = row
            dirty.organisations.insert(organisation)
        default: break
        }
    }

    private mutating func applyPerson(_ event: any DomainEvent, person: UUID, at: Date) {
        switch event {
        case let e as PersonAdded:
            people[person] = PersonRow(e)
            dirty.people.insert(person)
        case let e as PersonMovedOrganisation:
            updatePerson(person) { row in
                row.organisationID = e.to
                row.hasLeft = false
            }
        case is PersonLeftOrganisation:
            updatePerson(person) { $0.hasLeft = true }
        case is IntroductionRequested:
            updatePerson(person) { row in
                row.introductionAskedAt = at
                row.introductionOutcome = nil
            }
        case let e as IntroductionAnswered:
            updatePerson(person) { $0.introductionOutcome = e.outcome.rawValue }
        case let e as PersonMerged:
            updatePerson(person) { $0.mergedInto = e.into }
        case is PersonUnmerged:
            updatePerson(person) { $0.mergedInto = nil }
        case let e as PersonDetailsEdited:
            updatePerson(person) { row in
                if e.changed.contains("title") { row.title = e.title }
                if e.changed.contains("level") { row.level = e.level?.rawValue }
            }
        default: break
        }
    }

    // MARK: - Updates that remember what changed

    private mutating func updatePipeline(_ key: UUID, _ change: (inout PipelineRow) -> Void) {
        guard var row = pipeline[key] else { return }
        change(&row)
        row.refresh()
        pipeline[key] = row
        dirty.pipeline.insert(key)
    }

    private mutating func setStage(_ row: StageRow) {
        stages[row.key] = row
        dirty.stages.insert(row.key)
    }

    private mutating func updateEngagement(_ key: UUID, _ change: (inout EngagementRow) -> Void) {
        guard var row = engagements[key] else { return }
        change(&row)
        engagements[key] = row
        dirty.engagements.insert(key)
    }

    private mutating func updateObjective(_ key: UUID, _ change: (inout ObjectiveRow) -> Void) {
        guard var row = objectives[key] else { return }
        change(&row)
        row.refresh()
        objectives[key] = row
        dirty.objectives.insert(key)
    }

    private mutating func updateReferral(_ key: UUID, _ change: (inout ReferralRow) -> Void) {
        guard var row = referrals[key] else { return }
        change(&row)
        referrals[key] = row
        dirty.referrals.insert(key)
    }

    private mutating func updateHandover(_ key: UUID, _ change: (inout HandoverRow) -> Void) {
        guard var row = handovers[key] else { return }
        change(&row)
        handovers[key] = row
        dirty.handovers.insert(key)
    }

    private mutating func updatePerson(_ key: UUID, _ change: (inout PersonRow) -> Void) {
        guard var row = people[key] else { return }
        change(&row)
        people[key] = row
        dirty.people.insert(key)
    }
}

// MARK: - Reading some of the tables

extension ReadModel {
    /// A read-model table, as a report names the ones it reads (``Projector/readModel(tables:)``);
    /// the raw value is the table in schema `consult`. The quarantine is not among them: it is
    /// always read, so a report always says what it left out.
    public enum Table: String, CaseIterable, Sendable, Hashable {
        case pipeline
        case stages = "stage_history"
        case engagements = "engagement_status"
        case objectives = "objective_progress"
        case referrals
        case handovers
        case people
        case organisations
    }
}

extension Projector {
    /// The rows of these read-model tables as they hold them now, and the quarantine; the
    /// model's other tables are left empty. One read-only snapshot, each table read by its
    /// tenant-leading primary key. A report reads what it names (Reports' `ReportNeeds`), not
    /// the eight tables ``readModel()`` reads.
    public func readModel(tables: Set<ReadModel.Table>) throws -> ReadModel {
        let names = Set(tables.map(\.rawValue) + [QuarantineRow.table])
        return try connection.withTransaction(.repeatableRead, readOnly: true) { _ in
            var model = ReadModel()
            for table in ReadModelTable.all where names.contains(table.name) { try table.load(self, nil, &model) }
            return model
        }
    }
}
