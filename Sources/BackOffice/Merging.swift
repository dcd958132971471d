import Foundation

// MARK: - Duplicates (issue 16 item 6): a person added twice is folded into the other, as events

/// This person (the duplicate, on whose stream the event is) is the same as `into`: from now on
/// every event of theirs counts for `into` in the reports, and their handle names `into`.
public struct PersonMerged: DomainEvent {
    public static let typeName = "PersonMerged"
    public static let schemaVersion = 1
    public var into: UUID
    public var reason: String
    public func summary(_ names: Names) -> String { "merged into \(names[into]): \(reason)" }
}

/// A merge was voided (`consult undo`): this person counts for themself again, not for `from`.
public struct PersonUnmerged: DomainEvent {
    public static let typeName = "PersonUnmerged"
    public static let schemaVersion = 1
    public var from: UUID
    public var reason: String
    public func summary(_ names: Names) -> String { "no longer merged into \(names[from]): \(reason)" }
}

extension PersonState {
    /// `person merge A B`, decided on B's stream (this state): B is folded into `into` (A, whose
    /// state is `target`). Refused for the same person, a forgotten one on either side, a B
    /// merged already, an A merged into someone else (merge into that one), and, unless
    /// `acrossOrganisations`, people at different organisations.
    public func decideMerge(into target: PersonState, reason: String, acrossOrganisations: Bool) throws(RuleViolation)
        -> [any DomainEvent]
    {
        guard let added, let into = target.added else { throw RuleViolation(rule: 0, field: "person", "does not exist") }
        let reason = try Text.check(reason, field: "reason", limit: 2000)
        guard added.person != into.person else {
            throw RuleViolation(rule: 0, field: "duplicate", "a person cannot be merged into themself")
        }
        guard !forgotten else { throw RuleViolation(rule: 0, field: "duplicate", "was forgotten: there is nothing left to merge") }
        guard !target.forgotten else { throw RuleViolation(rule: 0, field: "person", "was forgotten: nothing can be merged into them") }
        guard mergedInto == nil else { throw RuleViolation(rule: 0, field: "duplicate", "was merged already") }
        guard target.mergedInto == nil else {
            throw RuleViolation(rule: 0, field: "person", "was merged into someone else: merge into that person instead")
        }
        guard acrossOrganisations || organisation == target.organisation else {
            throw RuleViolation(
                rule: 0, field: "duplicate", "is at another organisation than the person kept; give --yes if they are the same person")
        }
        return [PersonMerged(into: into.person, reason: reason)]
    }

    /// `consult undo` of a merge: this person counts for themself again.
    public func decideUnmerge(reason: String) throws(RuleViolation) -> [any DomainEvent] {
        guard let mergedInto else { throw RuleViolation(rule: 0, field: "person", "is not merged into anyone") }
        return [PersonUnmerged(from: mergedInto, reason: reason)]
    }
}

/// Whether two names are close enough that one is likely a duplicate of the other: the same
/// once case, accents, punctuation and word order are set aside; one the other's beginning word
/// for word ("Harbour Bakery" and "Harbour Bakery Co"); or a few letters apart for their length
/// ("Jon Smith", "John Smith"). Names whose numbers differ ("Branch 1", "Branch 2") are not.
public enum Likeness {
    /// The name's words, folded as a handle is (lower case, accents gone, other scripts
    /// transliterated), punctuation dropped.
    static func words(_ name: String) -> [String] {
        Handle.slug(name).split(separator: "-").map(String.init)
    }

    public static func similar(_ a: String, _ b: String) -> Bool {
        let wa = words(a)
        let wb = words(b)
        guard !wa.isEmpty, !wb.isEmpty else { return false }
        let digits = { (words: [String]) in words.joined().filter(\.isNumber) }
        guard digits(wa) == digits(wb) else { return false }
        if wa.sorted() == wb.sorted() { return true }
        let compactA = wa.joined()
        let compactB = wb.joined()
        if compactA == compactB || wa.sorted().joined() == wb.sorted().joined() { return true }
        let (short, long) = wa.count <= wb.count ? (wa, wb) : (wb, wa)
        if long.starts(with: short), short.joined().count >= 3 { return true }
        // A few letters apart: one edit for every eight letters of the longer name, at least one.
        let distance = min(
            Handle.editDistance(compactA, compactB), Handle.editDistance(wa.sorted().joined(), wb.sorted().joined()))
        return distance <= max(1, max(compactA.count, compactB.count) / 8)
    }
}
