import Foundation

// MARK: - Corrections (issue 16 item 4): a mistake is corrected by a new fact, never erased
//
// Each correction names what it corrects (an entry's event id, a checklist item, a stage) and
// why, and carries what the read models need to apply it without the original at hand (the day
// a work entry was logged, its hours before): the log shows both, the original and the
// correction, and as-of a date before the correction shows the original.

/// A person's details were edited. Names the fields that changed, never the personal values
/// (name, e-mail, phone live in the person details, so `consult forget` can destroy them);
/// title and level are in the log already (`PersonAdded`), so their values are here, with the
/// values before, so the edit can be undone.
public struct PersonDetailsEdited: DomainEvent {
    public static let typeName = "PersonDetailsEdited"
    public static let schemaVersion = 1
    /// Which fields changed: some of name, email, phone, title, level.
    public var changed: [String]
    public var title: String?
    public var previousTitle: String?
    public var level: Level?
    public var previousLevel: Level?
    public func summary(_ names: Names) -> String { "edited the person's details: \(changed.joined(separator: ", "))" }

    /// The fields that hold personal data, whose earlier values are not kept anywhere.
    public static let personal: Set<String> = ["name", "email", "phone"]
}

/// An organisation's sector was changed (or cleared).
public struct OrganisationSectorChanged: DomainEvent {
    public static let typeName = "OrganisationSectorChanged"
    public static let schemaVersion = 1
    public var from: String?
    public var to: String?
    public func summary(_ names: Names) -> String {
        "changed the sector " + (from.map { "from \($0) " } ?? "") + (to.map { "to \($0)" } ?? "to none")
    }
}

/// A work entry's hours were corrected; `to` 0 voids it. `entry` is the id of the `WorkLogged`
/// event, `day` the day it was logged for (the month its hours count in).
public struct WorkEntryCorrected: DomainEvent {
    public static let typeName = "WorkEntryCorrected"
    public static let schemaVersion = 1
    public var entry: UUID
    public var day: Day
    public var from: Quantity
    public var to: Quantity
    public var reason: String
    public func summary(_ names: Names) -> String {
        to == .zero
            ? "voided the work entry of \(day) (\(from.formatted) h): \(reason)"
            : "corrected the work entry of \(day) from \(from.formatted) h to \(to.formatted) h: \(reason)"
    }
}

/// A coaching session's length was corrected; `to` 0 voids it (it did not take place).
public struct CoachingSessionCorrected: DomainEvent {
    public static let typeName = "CoachingSessionCorrected"
    public static let schemaVersion = 1
    public var session: UUID
    public var day: Day
    public var from: Int
    public var to: Int
    public var reason: String
    public func summary(_ names: Names) -> String {
        to == 0
            ? "voided the coaching session of \(day) (\(from) minutes): \(reason)"
            : "corrected the coaching session of \(day) from \(from) to \(to) minutes: \(reason)"
    }
}

/// A lead moved back to an earlier open stage (it was moved on too soon, or the client went
/// quiet).
public struct LeadMovedBack: DomainEvent {
    public static let typeName = "LeadMovedBack"
    public static let schemaVersion = 1
    public var from: Stage
    public var to: Stage
    public var reason: String
    public func summary(_ names: Names) -> String { "moved the lead back from \(from.rawValue) to \(to.rawValue): \(reason)" }
}

/// A checklist item marked completed or waived is open again.
public struct HandoverItemReopened: DomainEvent {
    public static let typeName = "HandoverItemReopened"
    public static let schemaVersion = 1
    public var item: UUID
    /// What it was: completed or waived.
    public var was: String
    public var reason: String
    public func summary(_ names: Names) -> String { "reopened checklist item \(names[item]) (was \(was)): \(reason)" }
}

/// A checklist item's category or text was worded wrongly: this is what it says now. Only what
/// changed is given, with what it said before (so that `consult undo` can put it back).
public struct HandoverItemCorrected: DomainEvent {
    public static let typeName = "HandoverItemCorrected"
    public static let schemaVersion = 1
    public var item: UUID
    public var category: String?
    public var previousCategory: String?
    public var text: String?
    public var previousText: String?
    public var reason: String
    public func summary(_ names: Names) -> String {
        let what = [category.map { "category \"\($0)\"" }, text.map { "text \"\($0)\"" }].compactMap { $0 }.joined(separator: ", ")
        return "corrected checklist item \(names[item]) to \(what): \(reason)"
    }
}

/// A follow-up check was recorded wrongly: these are its figures now. `check` is the id of the
/// `FollowUpChecked` event; `daysAfter` the original's, by which the read model finds it.
public struct FollowUpCorrected: DomainEvent {
    public static let typeName = "FollowUpCorrected"
    public static let schemaVersion = 1
    public var check: UUID
    public var daysAfter: Int
    public var accountActive: Bool
    public var postsPerWeek: Double?
    public var previousActive: Bool
    public var previousPostsPerWeek: Double?
    public var reason: String
    public func summary(_ names: Names) -> String {
        "corrected the check \(daysAfter) days after the handover: " + (accountActive ? "active" : "inactive")
            + (postsPerWeek.map { ", \($0.formatted()) posts a week" } ?? "") + ": \(reason)"
    }
}

/// A referral was credited to the wrong person.
public struct ReferrerCorrected: DomainEvent {
    public static let typeName = "ReferrerCorrected"
    public static let schemaVersion = 1
    public var from: UUID
    public var to: UUID
    public var reason: String
    public func summary(_ names: Names) -> String { "credited the referral to \(names[to]) instead of \(names[from]): \(reason)" }
}

/// A lead's value was recorded wrongly (on an open lead, or the value it was won at). Unlike
/// `LeadValueRevised` (the client's budget moved), this puts a mistake right, and says why.
public struct LeadValueCorrected: DomainEvent {
    public static let typeName = "LeadValueCorrected"
    public static let schemaVersion = 1
    public var from: Money?
    public var to: Money
    public var reason: String
    public func summary(_ names: Names) -> String {
        "corrected the lead's value " + (from.map { "from \($0) " } ?? "") + "to \(to): \(reason)"
    }
}
