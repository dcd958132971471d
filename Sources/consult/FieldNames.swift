import BackOffice

/// How the command line spells the fields of the domain: the one place that knows flag names.
///
/// BackOffice names the input a rule violation concerns by a domain key (`target`, `budgetHours`,
/// `objective`); the command line shows it as the user gave it: an option as `--` and the key in
/// kebab case (`--target`, `--budget-hours`), a positional argument by its bare name
/// (`objective`), and the few options named otherwise through ``renamed``.
enum FieldNames {
    /// Keys shown bare: positional arguments (`objective measure OBJECTIVE VALUE`), and things
    /// that are no input of their own (the handover, an amount's currency).
    static let bare: [FieldKey: String] = [
        "activity": "activity", "champion": "champion", "channel": "channel", "checklist": "checklist", "currency": "currency",
        "day": "day", "engagement": "engagement", "handover": "handover", "introduction": "introduction", "item": "item",
        "lead": "lead", "measuredValue": "value", "name": "name", "objective": "objective", "organisation": "organisation",
        "person": "person", "purpose": "purpose", "text": "text",
        // Corrections name an earlier entry by its number in `consult log` (issue 16).
        "entry": "entry", "session": "session", "check": "check",
    ]

    /// Options whose flag is not `--` and the key in kebab case.
    static let renamed: [FieldKey: String] = [
        // `lead qualify --objective`: a business objective stated in words, not an objective's handle.
        "statedObjective": "--objective"
    ]

    /// `target` → `--target`, `budgetHours` → `--budget-hours`, `objective` → `objective`.
    static func spelling(of key: FieldKey) -> String {
        if let spelling = bare[key] ?? renamed[key] { return spelling }
        var flag = "--"
        for character in key.name {
            if character.isUppercase { flag += "-" + character.lowercased() } else { flag.append(character) }
        }
        return flag
    }

    /// The key of a field the command line names by its own spelling (`Session.day(since,
    /// field: "--since")`): the inverse of ``spelling(of:)``, so the message names it as given.
    static func key(spelled spelling: String) -> FieldKey {
        if let known = bare.first(where: { $0.value == spelling }) ?? renamed.first(where: { $0.value == spelling }) {
            return known.key
        }
        guard spelling.hasPrefix("--") else {
            assertionFailure("\(spelling) is neither a flag nor a bare name of FieldNames")
            return FieldKey(spelling)
        }
        var key = ""
        var upper = false
        for character in spelling.dropFirst(2) {
            if character == "-" {
                upper = true
            } else {
                key += upper ? character.uppercased() : String(character)
                upper = false
            }
        }
        return FieldKey(key)
    }
}

extension RuleViolation {
    /// The line the command line prints: `--target: the target must differ from the baseline (rule 1)`.
    var cliMessage: String { description(spelling: FieldNames.spelling(of:)) }
}
