import BackOffice
import EventStore
import Foundation
import Reports

/// Filters of the `list` commands; nil means any.
public struct ListFilter: Sendable {
    public var organisation: String?
    public var engagement: String?
    /// A lead's stage, or `disqualified` (then `lost` means the other lost leads).
    public var stage: LeadOutcome?
    /// Only what is still open (leads, engagements, objectives).
    public var open = false
    /// Only what started (was registered, captured, set) on or after this day.
    public var since: Day?

    public init(
        organisation: String? = nil, engagement: String? = nil, stage: LeadOutcome? = nil, open: Bool = false, since: Day? = nil
    ) {
        self.organisation = organisation
        self.engagement = engagement
        self.stage = stage
        self.open = open
        self.since = since
    }
}

/// What can be listed, shown and searched.
public enum Noun: String, Sendable, CaseIterable {
    case org, person, lead, engagement, objective, referrer
}

extension Recorder {
    // MARK: - Listing

    /// Every record of a kind, from the read models (brought up to date first) and people's
    /// details, as a one-section report: table, JSON or CSV like every other.
    public func list(_ noun: Noun, _ filter: ListFilter = ListFilter()) throws -> Report {
        catchUpReadModels()
        let organisation = try filter.organisation.map { try resolve(.organisation, $0, field: "org").id }
        let engagement = try filter.engagement.map { try resolve(.engagement, $0, field: "engagement").id }
        let since = filter.since?.date
        var report = Report(name: "\(noun.rawValue)-list", title: title(noun), asOf: Date())
        var section: Section
        let t = tenant.rawValue
        switch noun {
        case .org:
            section = Section(
                "organisations", "Organisations",
                [
                    Column("handle", "Handle"), Column("name", "Name", .text, .high), Column("sector", "Sector", .text, .low),
                    Column("open_leads", "Open leads"),
                    Column("engagements", "Engagements"), Column("registered", "Registered"),
                ])
            section.empty = "No organisations yet: consult org add NAME."
            for row in try connection.execute(
                """
                SELECT o.handle, o.name, o.sector,
                       (SELECT count(*) FROM consult.pipeline p WHERE p.tenant_id = o.tenant_id AND p.organisation_id = o.organisation_id
                           AND p.stage IN ('new', 'contacted', 'qualified', 'proposal'))::int,
                       (SELECT count(*) FROM consult.engagement_status e
                         WHERE e.tenant_id = o.tenant_id AND e.organisation_id = o.organisation_id)::int,
                       o.registered_at
                  FROM consult.organisations o
                 WHERE o.tenant_id = \(t) AND (\(organisation)::uuid IS NULL OR o.organisation_id = \(organisation))
                   AND (\(since)::timestamptz IS NULL OR o.registered_at >= \(since))
                 ORDER BY o.handle
                """)
            {
                section.rows.append([
                    .text(try row.decode(String.self, at: 0)), .text(try row.decode(String.self, at: 1)),
                    .optional(try row.decode(String?.self, at: 2)), .int(try row.decode(Int.self, at: 3)),
                    .int(try row.decode(Int.self, at: 4)),
                    .day(Day(try row.decode(Date.self, at: 5))),
                ])
            }
        case .person:
            section = Section(
                "people", "People",
                [
                    Column("handle", "Handle"), Column("name", "Name", .text, .high), Column("organisation", "Organisation"),
                    Column("title", "Title", .text),
                    Column("level", "Level", .whole, .low), Column("left", "Left"),
                ])
            section.empty = "No people yet: consult person add NAME --org ORG."
            // A merged duplicate is listed as the person kept, not apart (issue 16 item 6); its
            // row names the person kept (db/migrations/0068).
            for row in try connection.execute(
                """
                SELECT d.handle, d.name, o.handle, p.title, p.level, coalesce(p.has_left, false)
                  FROM consult.person_details d
                  LEFT JOIN consult.people p ON p.tenant_id = d.tenant_id AND p.person_id = d.person_id
                  LEFT JOIN consult.organisations o ON o.tenant_id = p.tenant_id AND o.organisation_id = p.organisation_id
                 WHERE d.tenant_id = \(t) AND (\(organisation)::uuid IS NULL OR p.organisation_id = \(organisation))
                   AND p.merged_into IS NULL
                 ORDER BY d.handle
                """)
            {
                section.rows.append([
                    .text(try row.decode(String.self, at: 0)), .text(try row.decode(String.self, at: 1)),
                    .optional(try row.decode(String?.self, at: 2)), .optional(try row.decode(String?.self, at: 3)),
                    .optional(try row.decode(String?.self, at: 4)), .bool(try row.decode(Bool.self, at: 5)),
                ])
            }
        case .lead:
            section = Section(
                "leads", "Leads",
                [
                    Column("handle", "Handle"), Column("organisation", "Organisation"), Column("stage", "Stage"),
                    Column("source", "Source", .whole, .low),
                    Column("value", "Value", .whole, .high), Column("currency", "Currency"),
                    Column("expected_close", "Expected close", .whole, .high),
                    Column("captured", "Captured", .whole, .low),
                    // Why a lead was lost or disqualified, and the note with it (the pipeline's closed leads).
                    Column("reason", "Reason", .text, .low), Column("note", "Note", .text, .low),
                ])
            section.empty = "No leads: consult lead capture ORG --source S."
            for row in try connection.execute(
                """
                SELECT p.handle, o.handle, p.outcome, p.source, p.value_minor, p.currency, p.expected_close, p.captured_at,
                       p.close_reason, p.close_note
                  FROM (SELECT p.*, CASE WHEN p.stage = 'lost' AND p.disqualified THEN 'disqualified' ELSE p.stage END AS outcome
                          FROM consult.pipeline p) p
                  LEFT JOIN consult.organisations o ON o.tenant_id = p.tenant_id AND o.organisation_id = p.organisation_id
                 WHERE p.tenant_id = \(t) AND (\(organisation)::uuid IS NULL OR p.organisation_id = \(organisation))
                   AND (\(filter.stage?.rawValue)::text IS NULL OR p.outcome = \(filter.stage?.rawValue))
                   AND (NOT \(filter.open) OR p.stage IN ('new', 'contacted', 'qualified', 'proposal'))
                   AND (\(since)::timestamptz IS NULL OR p.captured_at >= \(since))
                 ORDER BY p.captured_at, p.handle
                """)
            {
                let currency = try row.decode(String?.self, at: 5)
                section.rows.append([
                    .text(try row.decode(String.self, at: 0)), .optional(try row.decode(String?.self, at: 1)),
                    .text(try row.decode(String.self, at: 2)), .text(try row.decode(String.self, at: 3)),
                    .money(try row.decode(Int64?.self, at: 4), currency), .optional(currency),
                    .optional(try row.decode(Date?.self, at: 6).map { Day($0) }), .day(Day(try row.decode(Date.self, at: 7))),
                    .optional(try row.decode(String?.self, at: 8)), .optional(try row.decode(String?.self, at: 9)),
                ])
            }
        case .engagement:
            section = Section(
                "engagements", "Engagements",
                [
                    Column("handle", "Handle"), Column("organisation", "Organisation"), Column("title", "Title", .text),
                    Column("kind", "Kind", .whole, .low),
                    Column("phase", "Phase"), Column("handover", "Handover"), Column("started", "Started"),
                ])
            section.empty = "No engagements: consult engagement start ORG --title T, or consult lead win LEAD."
            for row in try connection.execute(
                """
                SELECT e.handle, o.handle, e.title, e.kind, e.phase, e.handover_state, e.started_at
                  FROM consult.engagement_status e
                  LEFT JOIN consult.organisations o ON o.tenant_id = e.tenant_id AND o.organisation_id = e.organisation_id
                 WHERE e.tenant_id = \(t) AND (\(organisation)::uuid IS NULL OR e.organisation_id = \(organisation))
                   AND (NOT \(filter.open) OR e.phase <> 'closed')
                   AND (\(since)::timestamptz IS NULL OR e.started_at >= \(since))
                 ORDER BY e.started_at, e.handle
                """)
            {
                section.rows.append([
                    .text(try row.decode(String.self, at: 0)), .optional(try row.decode(String?.self, at: 1)),
                    .text(try row.decode(String.self, at: 2)), .text(try row.decode(String.self, at: 3)),
                    .text(try row.decode(String.self, at: 4)), .text(try row.decode(String.self, at: 5)),
                    .day(Day(try row.decode(Date.self, at: 6))),
                ])
            }
        case .objective:
            section = Section(
                "objectives", "Objectives",
                [
                    Column("handle", "Handle"), Column("engagement", "Engagement"), Column("metric", "Metric", .text),
                    Column("baseline", "Baseline"),
                    Column("latest", "Latest", .whole, .high), Column("target", "Target", .whole, .high),
                    Column("due", "Due", .whole, .high), Column("status", "Status"),
                ])
            section.empty = "No objectives: consult objective set ENGAGEMENT …"
            for row in try connection.execute(
                """
                SELECT b.handle, e.handle, b.metric, b.baseline, b.latest, b.target, b.due, b.status, b.decimals
                  FROM consult.objective_progress b
                  LEFT JOIN consult.engagement_status e ON e.tenant_id = b.tenant_id AND e.engagement_id = b.engagement_id
                 WHERE b.tenant_id = \(t) AND (\(engagement)::uuid IS NULL OR b.engagement_id = \(engagement))
                   AND (\(organisation)::uuid IS NULL OR e.organisation_id = \(organisation))
                   AND (NOT \(filter.open) OR b.status = 'open')
                   AND (\(since)::timestamptz IS NULL OR b.set_at >= \(since))
                 ORDER BY e.handle, b.handle
                """)
            {
                let decimals = try row.decode(Int.self, at: 8)
                section.rows.append([
                    .text(try row.decode(String.self, at: 0)), .optional(try row.decode(String?.self, at: 1)),
                    .text(try row.decode(String.self, at: 2)), try Self.metric(row.decode(String?.self, at: 3), decimals: decimals),
                    try Self.metric(row.decode(String?.self, at: 4), decimals: decimals),
                    try Self.metric(row.decode(String?.self, at: 5), decimals: decimals),
                    .day(Day(try row.decode(Date.self, at: 6))), .text(try row.decode(String.self, at: 7)),
                ])
            }
        case .referrer:
            section = Section(
                "referrers", "Referrers",
                [
                    Column("handle", "Handle"), Column("name", "Name", .text, .high), Column("referrals", "Referrals"),
                    Column("won", "Won"),
                    Column("not_thanked", "Not thanked"),
                ])
            section.empty = "No referrals yet: consult referral receive ORG --from PERSON."
            // A merged duplicate's referrals count for the person kept (issue 16 item 6).
            let merged = try merges()
            let (handles, names) = (try people.handles(), try people.names())
            var counts: [UUID: (referrals: Int, won: Int, notThanked: Int)] = [:]
            for row in try connection.execute(
                "SELECT referrer_id, stage = 'won', thanked_on IS NULL FROM consult.referrals WHERE tenant_id = \(t)")
            {
                let referrer = ReportInput.canonical(try row.decode(UUID.self, at: 0), merged)
                var count = counts[referrer] ?? (0, 0, 0)
                count.referrals += 1
                if try row.decode(Bool.self, at: 1) { count.won += 1 }
                if try row.decode(Bool.self, at: 2) { count.notThanked += 1 }
                counts[referrer] = count
            }
            let rows = counts.map { (handle: handles[$0.key] ?? $0.key.uuidString.lowercased(), name: names[$0.key], count: $0.value) }
            for row in rows.sorted(by: { $0.handle < $1.handle }) {
                section.rows.append([
                    .text(row.handle), .text(row.name ?? "(erased)"), .int(row.count.referrals), .int(row.count.won),
                    .int(row.count.notThanked),
                ])
            }
        }
        report.sections = [section]
        return report
    }

    private func title(_ noun: Noun) -> String {
        switch noun {
        case .org: "Organisations"
        case .person: "People"
        case .lead: "Leads"
        case .engagement: "Engagements"
        case .objective: "Objectives"
        case .referrer: "Referrers"
        }
    }

    /// A metric's value (`numeric`) exactly as stored, shown with the metric's own precision.
    static func metric(_ text: String?, decimals: Int) throws -> Cell {
        guard let text else { return .empty }
        guard let value = Quantity.parse(text) else { throw CommandFailure("objective_progress holds \"\(text)\", which is not a number") }
        return .decimal(value, decimals: max(decimals, value.decimals))
    }

    // MARK: - Showing

    /// One record: its fields (one per row, like psql's expanded display) and its history.
    /// `engagement` scopes a bare objective handle (`objective show followers --engagement X`).
    public func show(_ noun: Noun, _ text: String, engagement scope: String? = nil) throws -> Report {
        let listed: Report
        let history: [TimelineEntry]
        switch noun {
        case .org:
            // Named as the argument it is (`org show ORG`), not as list's --org.
            _ = try resolve(.organisation, text, field: "organisation")
            listed = try list(.org, ListFilter(organisation: text))
            history = try timeline(org: text, engagement: nil, person: nil, since: nil, until: nil)
        case .person, .referrer:
            let facts = try person(text, field: "person")
            let handle = try people.handles()[facts.id]
            // A referrer's record is their referrals (made, won, not thanked); a person's, who they are.
            listed = Self.only(try list(noun)) { $0.first == .text(handle ?? "") }
            if noun == .referrer, listed.sections.first?.rows.isEmpty != false {
                throw CommandFailure(
                    "referrer: \(handle ?? text) has made no referral", advice: ["`consult person show \(handle ?? text)` shows them."])
            }
            history = try timeline(org: nil, engagement: nil, person: facts.id.uuidString, since: nil, until: nil)
        case .lead:
            let id = try resolve(.lead, text, field: "lead").id
            let all = try list(.lead)
            let handle = try connection.execute(
                "SELECT handle FROM consult.pipeline WHERE tenant_id = \(tenant.rawValue) AND lead_id = \(id)"
            )
            .first?.decode(String.self, at: 0)
            listed = Self.only(all) { $0.first == .text(handle ?? "") }
            let stream = StreamName.entity(.lead, id).description
            history = try timeline(org: nil, engagement: nil, person: nil, since: nil, until: nil).filter { $0.recorded.stream == stream }
        case .engagement:
            let id = try resolve(.engagement, text, field: "engagement").id
            let all = try list(.engagement)
            let handle = try connection.execute(
                "SELECT handle FROM consult.engagement_status WHERE tenant_id = \(tenant.rawValue) AND engagement_id = \(id)"
            ).first?.decode(String.self, at: 0)
            listed = Self.only(all) { $0.first == .text(handle ?? "") }
            history = try timeline(org: nil, engagement: id.uuidString, person: nil, since: nil, until: nil)
        case .objective:
            let found = try objective(
                text, field: "objective", engagement: try scope.map { try resolve(.engagement, $0, field: "engagement").id })
            let (id, engagement): (UUID, UUID?) = (found.id, found.engagement)
            let all = try list(.objective, ListFilter(engagement: engagement?.uuidString))
            let handle = try connection.execute(
                "SELECT handle FROM consult.objective_progress WHERE tenant_id = \(tenant.rawValue) AND objective_id = \(id)"
            ).first?.decode(String.self, at: 0)
            listed = Self.only(all) { $0.first == .text(handle ?? "") }
            history =
                try engagement.map { try timeline(org: nil, engagement: $0.uuidString, person: nil, since: nil, until: nil) }?
                .filter { Self.body($0.recorded.data, names: id) } ?? []
        }
        guard let fields = listed.sections.first, let record = fields.rows.first else {
            throw CommandFailure("\(noun.rawValue): there is no \(noun.rawValue) \"\(text)\"")
        }
        var report = Report(
            name: "\(noun.rawValue)-show", title: "\(title(noun).dropLast(noun == .person ? 0 : 1)): \(record.first?.display ?? text)",
            asOf: Date())
        var details = Section("record", "Record", [Column("field", "Field"), Column("value", "Value", .text)])
        details.rows = zip(fields.columns, record).map { [.text($0.key), $1] }
        var past = Section(
            "history", "History",
            [
                // The entry's number in the log: what `work void`, `session correct` and the like take.
                Column("entry", "#"), Column("when", "When (UTC)"), Column("who", "Who", .whole, .low), Column("what", "What", .text),
            ])
        past.rows = history.map {
            [
                .int(Int($0.recorded.position)), .instant($0.recorded.metadata.occurredAt), .text($0.recorded.metadata.actor),
                .text($0.summary),
            ]
        }
        report.sections = [details, past]
        return report
    }

    private static func only(_ report: Report, _ keep: ([Cell]) -> Bool) -> Report {
        var report = report
        if var section = report.sections.first {
            section.rows = section.rows.filter(keep)
            report.sections = [section]
        }
        return report
    }

    // MARK: - Searching

    /// Every record whose name, handle, title, statement, need or note contains `text`
    /// (case-insensitively), with the kind of each hit.
    public func search(_ text: String) throws -> Report {
        catchUpReadModels()
        let pattern =
            "%"
            + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
        let t = tenant.rawValue
        var section = Section(
            "hits", "Found",
            [Column("kind", "Kind"), Column("handle", "Handle", .key), Column("where", "Where"), Column("text", "Text", .text)])
        section.empty = "Nothing matches \"\(text)\"."
        for row in try connection.execute(
            """
            SELECT 'org', handle, 'name', name FROM consult.organisations WHERE tenant_id = \(t) AND (name ILIKE \(pattern) OR handle ILIKE \(pattern))
            UNION ALL
            SELECT 'org', handle, 'sector', sector FROM consult.organisations WHERE tenant_id = \(t) AND sector ILIKE \(pattern)
            UNION ALL
            SELECT 'person', handle, 'name', name FROM consult.person_details WHERE tenant_id = \(t) AND (name ILIKE \(pattern) OR handle ILIKE \(pattern))
            UNION ALL
            SELECT 'person', d.handle, 'title', p.title FROM consult.people p
              JOIN consult.person_details d ON d.tenant_id = p.tenant_id AND d.person_id = p.person_id
             WHERE p.tenant_id = \(t) AND p.title ILIKE \(pattern)
            UNION ALL
            SELECT 'lead', handle, 'handle', handle FROM consult.pipeline WHERE tenant_id = \(t) AND handle ILIKE \(pattern)
            UNION ALL
            SELECT 'engagement', handle, 'title', title FROM consult.engagement_status
             WHERE tenant_id = \(t) AND (title ILIKE \(pattern) OR handle ILIKE \(pattern))
            UNION ALL
            SELECT 'objective', coalesce(e.handle || '/', '') || b.handle,
                   CASE WHEN b.metric ILIKE \(pattern) OR b.handle ILIKE \(pattern) THEN 'metric' ELSE 'business area' END,
                   CASE WHEN b.metric ILIKE \(pattern) OR b.handle ILIKE \(pattern) THEN b.metric ELSE b.business_area END
              FROM consult.objective_progress b
              LEFT JOIN consult.engagement_status e ON e.tenant_id = b.tenant_id AND e.engagement_id = b.engagement_id
             WHERE b.tenant_id = \(t) AND (b.metric ILIKE \(pattern) OR b.handle ILIKE \(pattern) OR b.business_area ILIKE \(pattern))
            """)
        {
            section.rows.append([
                .text(try row.decode(String.self, at: 0)), .text(try row.decode(String.self, at: 1)),
                .text(try row.decode(String.self, at: 2)),
                .text(try row.decode(String.self, at: 3)),
            ])
        }
        // A merged duplicate's name is found as the person kept (issue 16 item 6).
        let merged = try merges()
        if !merged.isEmpty {
            let handles = try people.handles()
            let ids = Dictionary(handles.map { ($0.value, $0.key) }, uniquingKeysWith: { first, _ in first })
            section.rows = section.rows.map { row in
                guard row.first == .text("person"), case .text(let handle) = row[1], let id = ids[handle], merged[id] != nil,
                    let kept = handles[ReportInput.canonical(id, merged)]
                else { return row }
                return [row[0], .text(kept), row[2], row[3]]
            }
        }
        // Statements, needs and notes live in the events' bodies.
        var labels: [String: String] = [:]
        for entry in try timeline(org: nil, engagement: nil, person: nil, since: nil, until: nil) {
            labels[entry.recorded.stream] = entry.subject
            guard let body = try JSONSerialization.jsonObject(with: entry.recorded.data) as? [String: Any] else { continue }
            // A hit in the entry's body: its subject (`engagement libraries-on-twitter`) as kind
            // and handle, where, and the text; once each.
            func hit(_ place: String, _ value: String) {
                guard value.range(of: text, options: [.caseInsensitive, .diacriticInsensitive]) != nil else { return }
                let subject = entry.subject.split(separator: " ", maxSplits: 1).map(String.init)
                let row: [Cell] = [.text(subject.first ?? ""), .text(subject.count > 1 ? subject[1] : ""), .text(place), .text(value)]
                if !section.rows.contains(row) { section.rows.append(row) }
            }
            for key in ["statement", "need", "note", "purpose", "text", "reason"] {
                if let value = body[key] as? String { hit(key == "text" ? "checklist item" : key, value) }
            }
            // A channel and its account (`twitter @NorthbridgeLibs`).
            if entry.recorded.type == "ChannelAdopted", let channel = body["channel"] as? String {
                hit("channel", [channel, body["handle"] as? String].compactMap { $0 }.joined(separator: " "))
            }
        }
        var report = Report(name: "search", title: "Search: \(text)", asOf: Date())
        report.sections = [section]
        return report
    }
}

/// Instants as people read them, in UTC.
public enum Format {
    /// `2026-11-23 14:05`
    public static func minute(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }

    /// `2026-11-23 14:05 UTC`
    public static func timestamp(_ date: Date) -> String { minute(date) + " UTC" }
}
