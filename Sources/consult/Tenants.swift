import ArgumentParser
import EventStore
import Foundation
import Postgres
import Recording

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
            subcommands: [Create.self, Drop.self])

        struct Create: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Create a tenant and a login role for its first member.",
                discussion: """
                    The member's password comes from CONSULT_MEMBER_PASSWORD, or is asked for \
                    (without echo) on a terminal; it is never an argument, so it never shows in \
                    `ps` or the shell's history. It is hashed (SCRAM-SHA-256) before it leaves \
                    this process.

                    Example: CONSULT_MEMBER_PASSWORD=… consult tenant create hill-and-co --member ann
                    """)

            @OptionGroup var global: GlobalOptions

            @Argument(help: "The tenant's name: a lowercase slug (letters, digits, - and _).")
            var name: String

            @Option(help: ArgumentHelp("The first member's login role (lowercase letters, digits, _).", valueName: "role"))
            var member: String

            func run() throws {
                let password = try MemberPassword.read(for: member)
                let (connection, _) = try global.connect()
                defer { connection.close() }
                let tenancy = Tenancy(connection: connection)
                let tenant = try TenancyErrors.explained(tenant: name, role: member) {
                    try connection.withTransaction { _ in
                        let tenant = try tenancy.createTenant(name)
                        try tenancy.addMember(member, to: tenant.id, password: password)
                        return tenant
                    }
                }
                print("Created tenant \(tenant.name) (id \(tenant.id)) with member \(member).")
            }
        }
    }

    struct MemberCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "member",
            abstract: "Manage the members of a tenant. Owner only.",
            subcommands: [Add.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
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
                    "only the owner may create tenants and members: \(error.message)",
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
