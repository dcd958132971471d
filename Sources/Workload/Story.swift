import BackOffice
import Foundation
import Recording

/// One lead's life, planned when it starts: the client (new or known), the lead through the
/// pipeline, and, when won, the engagement to its handover and follow-ups. Each step runs the
/// domain's decider when its time comes, so it sees the people added before it.
final class Story {
    typealias Step = (Date, (inout [Workload.Event]) -> Void)
    private var steps: [Step] = []
    private var next = 0

    var finished: Bool { next >= steps.count }
    var nextAt: Date { finished ? .distantFuture : steps[next].0 }

    func step(_ generator: Generator) -> Workload.Command? {
        let (date, build) = steps[next]
        next += 1
        defer { if finished { end() } }
        return generator.command(at: date, build)
    }

    /// Drops the steps: their closures hold the story, and the story holds them.
    func end() { steps = [] }

    init(generator g: Generator, at start: Date) {
        var t = start
        let day = 86_400.0
        func later(_ days: ClosedRange<Double>) -> Date {
            t += g.random.double(days) * day
            return t
        }
        func add(_ date: Date, _ build: @escaping (inout [Workload.Event]) -> Void) { steps.append((date, build)) }

        let client = g.organisation(at: t, commands: &steps)
        let organisation = g.organisations[client].id
        func people(_ level: Level? = nil) -> [PersonFacts] {
            let all = g.organisations[client].people
            return level == nil ? all : all.enumerated().filter { i, _ in level == .executive ? i == 0 : i > 0 }.map(\.1)
        }

        // The lead: a third by referral from someone at another client, when there is one.
        let leadID = g.random.uuid()
        let number = g.next()
        let leadStream = StreamName.entity(.lead, leadID)
        let referrerOrganisation = g.organisations.indices.filter { $0 != client && !g.organisations[$0].people.isEmpty }
        let referred = !referrerOrganisation.isEmpty && g.random.chance(0.33)
        let referrerIndex = referred ? g.random.pick(referrerOrganisation) : nil
        let source = referred ? LeadSource.referral : g.random.pick([.repeat, .inbound, .talk, .content, .outbound])
        let value = try! Money(minorUnits: Int64(g.random.int(20...250)) * 10_000, currency: "GBP")
        let need = "Help \(g.random.pick(Words.objectives).1.lowercased()) through social media"
        let captured = later(1...2)
        let expectedClose = Day(captured.addingTimeInterval(60 * day))
        add(captured) { events in
            let referral = referrerIndex.map {
                LeadState.Referral(referrer: g.random.pick(g.organisations[$0].people), via: nil, warmth: "warm introduction")
            }
            g.apply(
                {
                    try Plans.captureLead(
                        g, id: leadID, organisation: organisation, source: source, value: value, expectedClose: expectedClose, need: need,
                        referral: referral
                    ).changes
                }, into: &events)
        }

        // Where it ends: disqualified, lost, won, or still open when the log ends.
        let fate = g.random.double(0...1)
        add(later(2...10)) { events in _ = g.decide(LeadState.self, leadStream, .advance(to: .contacted, probability: 20), into: &events) }
        if fate < 0.10 {
            add(later(3...20)) { events in
                _ = g.decide(LeadState.self, leadStream, .disqualify(reason: .noBusinessObjective, note: nil), into: &events)
            }
            return
        }
        let objective = g.random.pick(Words.objectives)
        add(later(5...15)) { events in
            let sponsor = people(.executive).first
            _ = g.decide(
                LeadState.self, leadStream, .qualify(statedObjectives: [objective.1], budgetSource: .existingSpend, sponsor: sponsor),
                into: &events)
        }
        if g.random.chance(0.2) {
            let moved = later(1...10)
            add(moved) { events in
                _ = g.decide(LeadState.self, leadStream, .moveExpectedClose(to: Day(moved.addingTimeInterval(45 * day))), into: &events)
            }
        }
        if fate < 0.15 { return }  // stuck at qualified
        let proposed = later(5...20)
        add(proposed) { events in
            _ = g.decide(
                LeadState.self, leadStream, .propose(value: value, validUntil: Day(proposed.addingTimeInterval(30 * day))), into: &events)
        }
        if fate < 0.45 {
            let reason = g.random.pick(Words.lostReasons)
            add(later(5...30)) { events in _ = g.decide(LeadState.self, leadStream, .lose(reason: reason, note: nil), into: &events) }
            return
        }
        if fate < 0.52 { return }  // waiting on the proposal

        // Won: the engagement starts in the same command.
        let engagementID = g.random.uuid()
        let engagementStream = StreamName.entity(.engagement, engagementID)
        let weeks = g.random.int(10...30)
        let plannedHandover = Day(t.addingTimeInterval(Double(weeks * 7 + 40) * day))
        add(later(3...20)) { events in
            let terms = EngagementTerms(
                title: "\(objective.0.capitalized) online", kind: g.random.pick([.launch, .coaching, .strategy, .retainer]), fee: value,
                budgetHours: Quantity(weeks * 6), hoursPerMonth: 24, plannedHandover: plannedHandover)
            g.apply({ try Plans.winLead(g, lead: leadID, engagement: engagementID, terms: terms).changes }, into: &events)
        }
        if referred {
            let thanked = later(1...5)
            add(thanked) { events in _ = g.decide(LeadState.self, leadStream, .thankReferrer(on: Day(thanked)), into: &events) }
        }
        func onEngagement(_ days: ClosedRange<Double>, _ command: @escaping () -> EngagementState.Command?) {
            add(later(days)) { events in
                if let command = command() { g.decide(EngagementState.self, engagementStream, command, into: &events) }
            }
        }
        onEngagement(0.5...2) { .statePurpose("Their own staff speak for the organisation, so the work outlives the engagement.") }
        onEngagement(0.5...2) { people(.executive).first.map { .appointSponsor($0) } }
        onEngagement(1...3) { people(.manager).first.map { .nominateChampion($0, level: .manager) } }

        // Objectives: each claims its handle and is set in one command.
        var objectives: [(id: UUID, baseline: Double, target: Double)] = []
        for k in 0..<g.random.int(1...3) {
            let spec = Words.objectives[(Words.objectives.firstIndex { $0.0 == objective.0 }! + k) % Words.objectives.count]
            let id = g.random.uuid()
            let baseline = Double(g.random.int(50...500))
            let target = spec.3 == .up ? baseline * g.random.double(1.5...4) : baseline * g.random.double(0.2...0.7)
            objectives.append((id, baseline, target.rounded()))
            let due = Day(t.addingTimeInterval(Double(weeks * 7) * day))
            add(later(0.5...3)) { events in
                g.apply(
                    {
                        try Plans.setObjective(
                            g, engagement: engagementID, id: id, handle: nil, businessArea: spec.0, statement: spec.1, metric: spec.2,
                            unit: nil, direction: spec.3, baseline: Quantity(Int(baseline)), target: Quantity(Int(target.rounded())),
                            due: due
                        ).changes
                    }, into: &events)
            }
        }
        let channel = g.random.pick([Channel.twitter, .facebook, .instagram, .linkedin])
        onEngagement(0.5...2) { .adoptChannel(channel, handle: "@client\(number)", serves: objectives.map(\.id)) }

        // The weeks of work: a measurement of each objective, logged hours, a session every
        // other week, and now and then a correction or a pause.
        let reach = g.random.double(0.6...1.2)
        for week in 1...weeks {
            let progress = min(1, reach * Double(week) / Double(weeks))
            for objective in objectives {
                let measurement = g.random.uuid()
                let noise = g.random.double(-0.05...0.05)
                let value = (objective.baseline + (objective.target - objective.baseline) * (progress + noise)).rounded()
                onEngagement(0.5...2) {
                    .recordMeasurement(
                        objective: objective.id, measurement: measurement, value: Quantity(Int(value)), source: "platform insights",
                        note: nil)
                }
                if g.random.chance(0.03) {
                    onEngagement(0.1...0.5) {
                        .correctMeasurement(
                            objective: objective.id, corrects: measurement, value: Quantity(Int(value + 1)), reason: "typo in the export")
                    }
                }
            }
            let hours = Double(g.random.int(2...12))
            let activity = g.random.pick(Words.activities)
            onEngagement(0.5...2) { .logWork(hours: Quantity(Int(hours)), activity: activity, billable: true) }
            if week % 2 == 0 {
                let topics = [g.random.pick(Words.topics), g.random.pick(Words.topics)]
                onEngagement(0.5...2) { .holdSession(attendees: people(), topics: topics, minutes: 90) }
            }
            if week == weeks / 2, g.random.chance(0.08) {
                onEngagement(1...2) { .pause(reason: "the client's busy season") }
                onEngagement(7...21) { .resume }
            }
        }
        for objective in objectives where reach >= 1 { onEngagement(0.5...2) { .achieveObjective(objective.id) } }

        // The handover, three times in four; otherwise the engagement just ends.
        guard g.random.chance(0.75) else {
            onEngagement(1...5) { .close(.completed, reason: "the work was done without a handover") }
            return
        }
        onEngagement(1...3) { .planHandover(on: plannedHandover, owners: people(.manager), sponsor: people(.executive).first) }
        let count = g.random.int(3...5)
        let items = (0..<count).map { _ in g.random.uuid() }
        for (k, item) in items.enumerated() {
            let spec = Words.items[k]
            onEngagement(0.1...1) { .addHandoverItem(id: item, handle: spec.0, category: spec.0, text: spec.1) }
        }
        for (k, item) in items.enumerated() {
            onEngagement(1...7) {
                k == count - 1 && count > 3 ? .waiveHandoverItem(item, reason: "not needed for this client") : .completeHandoverItem(item)
            }
        }
        onEngagement(1...3) { people(.manager).first.map { .transferAccountControl(channel, to: $0) } }
        onEngagement(1...3) { people(.executive).first.map { .completeHandover(signedOffBy: $0) } }
        onEngagement(0...1) { .close(.handedOver, reason: nil) }
        onEngagement(28...32) { .checkFollowUp(daysAfter: 30, accountActive: true, postsPerWeek: 4, note: nil) }
        onEngagement(55...65) { .checkFollowUp(daysAfter: 90, accountActive: g.random.chance(0.85), postsPerWeek: 3, note: nil) }
    }
}
