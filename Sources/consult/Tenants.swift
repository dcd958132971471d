import ArgumentParser
import BackOffice
import EventStore
import Foundation
import Postgres
import Recording
import Reports

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Consult {
    struct TenantCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tenant",
            abstract: "Manage tenants (consultancies). Owner only.",
            subcommands: [Create.self, Edit.self, List.self, Drop.self])

        struct Create: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "create",
                abstract: "Create a tenant and a login role for its first member.",
                discussion: """
                    The tenant's name is the slug commands use (`--tenant speak-for-yourself`); \
                    `--display` is how reports title the consultancy, and `--currency` the \
                    currency of an amount typed without one. Given a name that is not a slug \
                    ("Speak For Yourself"), the slug is made from it and the name becomes the \
                    display name.

                    The member's password comes from CONSULT_MEMBER_PASSWORD, or is asked for \
                    (without echo) on a terminal; it is never an argument, so it never shows in \
                    `ps` or the shell's history. It is hashed (SCRAM-SHA-256) before it leaves \
                    this process.

                    Example: CONSULT_MEMBER_PASSWORD=… consult tenant create "Hill & Co" --currency GBP --member ann
                    """)

            @OptionGroup var global: GlobalOptions

            @Argument(help: "The tenant's name: a slug (letters, digits, - and _), or its display name to make one from.")
            var name: String

            @Option(help: ArgumentHelp("How reports title the consultancy: \"Speak For Yourself\".", valueName: "name"))
            var display: String?

            @Option(help: ArgumentHelp("The currency of amounts typed without one (ISO 4217: GBP, EUR, USD).", valueName: "code"))
            var currency: String?

            @Option(help: ArgumentHelp("The first member's login role (lowercase letters, digits, _).", valueName: "role"))
            var member: String

            func run() throws {
                let profile = try TenantProfile(name: name, display: display, currency: currency)
                let password = try MemberPassword.read(for: member)
                let (connection, _) = try global.connect()
                defer { connection.close() }
                let tenancy = Tenancy(connection: connection)
                let tenant = try TenancyErrors.explained(tenant: profile.slug, role: member) {
                    try connection.withTransaction { _ in
                        let tenant = try tenancy.createTenant(profile.slug, displayName: profile.display, currency: profile.currency)
                        try tenancy.addMember(member, to: tenant.id, password: password)
                        return tenant
                    }
                }
                let extras = [tenant.displayName.map { "display name \"\($0)\"" }, tenant.currency.map { "currency \($0)" }]
                    .compactMap { $0 }
                let described = extras.isEmpty ? "" : ", " + extras.joined(separator: ", ")
                print("Created tenant \(tenant.name) (id \(tenant.id)\(described)) with member \(member).")
            }
        }

        struct Edit: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "edit",
                abstract: "Change a tenant's display name or currency.",
                discussion: """
                    Amounts recorded already keep their currency; the new one applies to amounts \
                    typed without one from now on.

                    Example: consult tenant edit speak-for-yourself --display "Speak For Yourself Ltd" --currency EUR
                    """)

            @OptionGroup var global: GlobalOptions

            @Argument(help: "The tenant.") var name: String

            @Option(help: ArgumentHelp("How reports title the consultancy.", valueName: "name")) var display: String?

            @Option(help: ArgumentHelp("The currency of amounts typed without one (ISO 4217).", valueName: "code"))
            var currency: String?

            func run() throws {
                guard display != nil || currency != nil else {
                    throw CommandFailure("nothing to change: give --display or --currency", exitCode: 64)
                }
                let profile = try TenantProfile(name: name, display: display, currency: currency)
                let (connection, _) = try global.connect()
                defer { connection.close() }
                let tenancy = Tenancy(connection: connection)
                guard let found = try tenancy.tenant(named: name) else {
                    throw CommandFailure("there is no tenant named \(name); nothing was changed")
                }
                try TenancyErrors.explained(tenant: found.name, role: "") {
                    try tenancy.setProfile(of: found.id, displayName: profile.display, currency: profile.currency)
                }
                let now = try tenancy.tenant(id: found.id) ?? found
                print(
                    "Tenant \(now.name): display name \(now.displayName.map { "\"\($0)\"" } ?? "none"), currency \(now.currency ?? "none")."
                )
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list",
                abstract: "List the tenants: name, display name, currency, members.",
                discussion: "Example: consult tenant list --format json")

            @OptionGroup var global: GlobalOptions
            @Option(help: "table, json, csv, markdown or html.") var format: ReportFormat = .table
            @OptionGroup var display: DisplayOptions

            func run() throws {
                let (connection, _) = try global.connect()
                defer { connection.close() }
                let tenancy = Tenancy(connection: connection)
                var section = Section(
                    "tenants", "Tenants",
                    [
                        Column("name", "Name", .key), Column("display_name", "Display name", .text, .high),
                        Column("currency", "Currency"), Column("members", "Members", .text, .low), Column("id", "Id", .whole, .low),
                    ])
                section.empty = "No tenants yet: consult tenant create NAME --member ROLE."
                for tenant in try tenancy.allTenants() {
                    section.rows.append([
                        .text(tenant.name), .optional(tenant.displayName), .optional(tenant.currency),
                        .text(try tenancy.members(of: tenant.id).joined(separator: " ")), .int(Int(tenant.id.rawValue)),
                    ])
                }
                try ReportSettings(format: format, display: display).print(section, name: "tenant-list")
            }
        }
    }
    struct MemberCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "member",
            abstract: "Manage the members of a tenant. Owner only.",
            subcommands: [Add.self, List.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "add",
                abstract: "Add a member (a login role) to a tenant.",
                discussion: """
                    The password comes from CONSULT_MEMBER_PASSWORD or a no-echo prompt, never from an argument.

                    Example: consult member add bob --tenant hill-and-co
                    """)

            @OptionGroup var global: GlobalOptions

            @Argument(help: "The member's login role (lowercase letters, digits, _).")
            var role: String

            func run() throws {
                guard let tenant = global.tenant else {
                    throw CommandFailure("--tenant: name the tenant the member joins", exitCode: 64)
                }
                let password = try MemberPassword.read(for: role)
                let (connection, _) = try global.connect()
                defer { connection.close() }
                let tenancy = Tenancy(connection: connection)
                guard let found = try tenancy.tenant(named: tenant) else {
                    throw CommandFailure(
                        "there is no tenant named \(tenant)", advice: ["Create it with: consult tenant create \(tenant) --member ROLE"])
                }
                try TenancyErrors.explained(tenant: tenant, role: role) {
                    try tenancy.addMember(role, to: found.id, password: password)
                }
                print("Added member \(role) to tenant \(found.name).")
            }
        }
    }
}

extension Consult.MemberCommand {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the members of a tenant (or of every tenant).",
            discussion: "Example: consult member list --tenant hill-and-co --format csv")

        @OptionGroup var global: GlobalOptions
        @Option(help: "table, json, csv, markdown or html.") var format: ReportFormat = .table
        @OptionGroup var display: DisplayOptions

        func run() throws {
            let (connection, _) = try global.connect()
            defer { connection.close() }
            let tenancy = Tenancy(connection: connection)
            var tenants = try tenancy.allTenants()
            if let name = global.tenant {
                guard let found = tenants.first(where: { $0.name.lowercased() == name.lowercased() }) else {
                    throw CommandFailure("there is no tenant named \(name)")
                }
                tenants = [found]
            }
            var section = Section("members", "Members", [Column("role", "Role", .key), Column("tenant", "Tenant")])
            section.empty = "No members: consult member add ROLE --tenant NAME."
            for tenant in tenants {
                for role in try tenancy.members(of: tenant.id) { section.rows.append([.text(role), .text(tenant.name)]) }
            }
            try ReportSettings(format: format, display: display).print(section, name: "member-list")
        }
    }
}

extension ReportSettings {
    /// Prints one section as a report of its own, titled as the section.
    func print(_ section: Section, name: String) throws {
        var report = Report(name: name, title: section.title, asOf: Date())
        report.sections = [section]
        try print(report)
    }
}

/// A tenant's slug, display name and currency as typed, checked before anything is written.
struct TenantProfile {
    let slug: String
    let display: String?
    let currency: String?

    init(name: String, display: String?, currency: String?) throws {
        let isSlug = name.range(of: "^[a-z0-9][a-z0-9_-]{0,62}$", options: .regularExpression) != nil
        slug = isSlug ? name : Handle.slug(name)
        guard !slug.isEmpty, slug.count <= 63 else {
            throw CommandFailure("\"\(name)\" makes no tenant name: use 1-63 lowercase letters, digits, - and _", exitCode: 64)
        }
        do {
            self.display = try Text.checkIfPresent(display ?? (isSlug ? nil : name), field: "display")
        } catch {
            throw CommandFailure("--display: the name \(error.message)", exitCode: 64)
        }
        if let currency {
            do {
                self.currency = try Money.currency(currency, field: "currency")
            } catch {
                throw CommandFailure("--currency: \(error.message)", exitCode: 64)
            }
        } else {
            self.currency = nil
        }
    }
}

/// Turns the database's refusals of a tenant or member into sentences, by SQLSTATE and
/// constraint.
enum TenancyErrors {
    static func explained<T>(tenant: String, role: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PostgresError {
            switch (error.sqlState, error.constraint) {
            case (.uniqueViolation?, "tenants_name_key"?):
                throw CommandFailure("a tenant named \(tenant) exists already; nothing was created")
            case (.checkViolation?, "tenants_name_check"?):
                throw CommandFailure(
                    "\(tenant) is not a tenant name: use 1-63 lowercase letters, digits, - and _, starting with a letter or digit")
            case (.duplicateObject?, _), (.uniqueViolation?, "members_role_key"?):
                throw CommandFailure("a role named \(role) exists already; choose another member name; nothing was created")
            case (.insufficientPrivilege?, _):
                throw CommandFailure(
                    "only the owner may manage tenants and members: \(error.message)",
                    advice: ["Connect as the role that ran `consult migrate` (or a superuser)."])
            case (SQLState("CN006")?, _):
                throw CommandFailure("\(error.message); nothing was created")
            default:
                throw error
            }
        }
    }
}

/// A new member's password: from CONSULT_MEMBER_PASSWORD, or typed twice without echo.
enum MemberPassword {
    static func read(for role: String) throws -> String {
        if let password = ProcessInfo.processInfo.environment["CONSULT_MEMBER_PASSWORD"] {
            guard password.count >= 8 else {
                throw CommandFailure("CONSULT_MEMBER_PASSWORD is shorter than 8 characters")
            }
            return password
        }
        guard isatty(STDIN_FILENO) == 1 else {
            throw CommandFailure(
                "no password for \(role)",
                advice: ["Set CONSULT_MEMBER_PASSWORD, or run on a terminal to be asked for it."])
        }
        let first = try prompt("Password for \(role): ")
        let second = try prompt("Again: ")
        guard first == second else { throw CommandFailure("the two passwords differ; nothing was created") }
        guard first.count >= 8 else { throw CommandFailure("the password is shorter than 8 characters; nothing was created") }
        return first
    }

    /// Reads a line from the terminal with echo turned off (and always turned back on).
    private static func prompt(_ text: String) throws -> String {
        FileHandle.standardError.write(Data(text.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = readLine(strippingNewline: true) else {
            throw CommandFailure("no password was typed")
        }
        return line
    }
}

extension Consult.TenantCommand {
    struct Drop: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "drop",
            abstract: "Remove a tenant completely: its events, read models, people's details and members' roles.",
            discussion: """
                Nothing of any other tenant is touched, and it happens in one transaction: all \
                of it or none. It cannot be undone: export the tenant first (`consult export \
                --tenant NAME`) to keep a copy. On a terminal you are asked to type the name \
                again; elsewhere, repeat it with --confirm.

                Example: consult tenant drop hill-and-co --confirm hill-and-co
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The tenant to remove.")
        var name: String

        @Option(help: ArgumentHelp("The tenant's name again, to confirm without a terminal.", valueName: "name"))
        var confirm: String?

        func run() throws {
            let (connection, _) = try global.connect()
            defer { connection.close() }
            let tenancy = Tenancy(connection: connection)
            guard let found = try tenancy.tenant(named: name) else {
                throw CommandFailure("there is no tenant named \(name); nothing was removed")
            }
            let confirmation: String
            if let confirm {
                confirmation = confirm
            } else if isatty(STDIN_FILENO) == 1 {
                FileHandle.standardError.write(
                    Data("This removes tenant \(found.name) and everything it holds; it cannot be undone.\nType its name to confirm: ".utf8)
                )
                confirmation = readLine(strippingNewline: true) ?? ""
            } else {
                throw CommandFailure(
                    "removing tenant \(found.name) needs a confirmation; nothing was removed",
                    advice: ["Repeat the name: consult tenant drop \(found.name) --confirm \(found.name)"], exitCode: 64)
            }
            guard confirmation.lowercased() == found.name.lowercased() else {
                throw CommandFailure("the confirmation \"\(confirmation)\" is not \(found.name); nothing was removed", exitCode: 64)
            }
            let removal: Tenancy.Removal
            do {
                removal = try tenancy.dropTenant(found.name)
            } catch let error as PostgresError where error.sqlState == .insufficientPrivilege {
                throw CommandFailure(
                    "only the owner may remove a tenant: \(error.message); nothing was removed",
                    advice: ["Connect as the role that ran `consult migrate` (or a superuser)."])
            }
            let roles =
                removal.roles.isEmpty ? "no members" : "members \(removal.roles.joined(separator: ", ")) (their login roles dropped)"
            print(
                "Removed tenant \(found.name) (id \(removal.tenant.rawValue)): \(removal.events) events, \(removal.otherRows) other rows, \(roles)."
            )
        }
    }
}
