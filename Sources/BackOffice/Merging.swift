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
        // ASCII needs no folding; Foundation's folding is most of the time of comparing a new
        // name with thousands.
        if name.utf8.allSatisfy({ $0 < 0x80 }) {
            return name.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
        }
        return Handle.slug(name).split(separator: "-").map(String.init)
    }

    public static func similar(_ a: String, _ b: String) -> Bool {
        Name(a).isClose(to: Name(b))
    }

    /// A name folded for comparing, once: compare one new name with many.
    public struct Name: Sendable {
        let words: [String]
        let sorted: String
        let compact: String
        let digits: String

        public init(_ name: String) {
            words = Likeness.words(name)
            sorted = words.sorted().joined()
            compact = words.joined()
            digits = compact.filter(\.isNumber)
        }

        public func isClose(to other: Name) -> Bool {
            guard !words.isEmpty, !other.words.isEmpty, digits == other.digits else { return false }
            if sorted == other.sorted || compact == other.compact { return true }
            let (short, long) = words.count <= other.words.count ? (words, other.words) : (other.words, words)
            if long.starts(with: short), short.joined().count >= 3 { return true }
            // A few letters apart: one edit for every eight letters of the longer name, at least
            // one (a length difference beyond that needs as many edits at least).
            let allowed = max(1, max(compact.count, other.compact.count) / 8)
            guard abs(compact.count - other.compact.count) <= allowed else { return false }
            return min(Handle.editDistance(compact, other.compact), Handle.editDistance(sorted, other.sorted)) <= allowed
        }
    }
}
