import Foundation
import Postgres
import TestSupport
import Testing

/// The test server also listens on 127.0.0.1 with TLS (scripts/test, a self-signed certificate
/// for localhost): libpq's sslmode is honoured, and consult says whether a connection is
/// encrypted.
@Suite(
    "TLS when the server offers it",
    .enabled(
        if: TLSServer.url != nil,
        "no TLS server: CONSULT_TEST_TLS_URL is unset (scripts/test sets it when openssl is installed)"))
struct TLSTests {
    func encrypted(_ connection: Connection) throws -> Bool {
        try connection.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")[0].decode(Bool.self, at: 0)
    }

    @Test("sslmode=require and verify-full encrypt; disable does not; the server agrees with libpq")
    func modes() throws {
        let url = try #require(TLSServer.url)
        let root = try #require(TLSServer.root)
        for (query, expected) in [
            ("sslmode=require", true), ("sslmode=verify-full&sslrootcert=\(root)", true), ("sslmode=prefer", true),
            ("sslmode=disable", false),
        ] {
            let connection = try Connection.connect("\(url)?\(query)")
            #expect(try encrypted(connection) == expected, "\(query)")
            #expect((connection.tls != nil) == expected, "\(query)")
            if expected { #expect(connection.tls?.hasPrefix("TLSv1.") == true) }
        }
    }

    @Test("verify-full refuses a server whose certificate does not chain to the given root")
    func verifyFullRefusesUnknownRoot() throws {
        let url = try #require(TLSServer.url)
        let other = FileManager.default.temporaryDirectory.appendingPathComponent("consult-other-root-\(UUID().uuidString).crt")
        defer { try? FileManager.default.removeItem(at: other) }
        // A certificate that is not the server's: any PEM that is not its issuer will do.
        let make = Process()
        make.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        make.arguments = [
            "openssl", "req", "-new", "-x509", "-days", "1", "-nodes", "-subj", "/CN=someone-else", "-keyout", "/dev/null", "-out",
            other.path,
        ]
        make.standardOutput = FileHandle.nullDevice
        make.standardError = FileHandle.nullDevice
        try make.run()
        make.waitUntilExit()
        #expect(make.terminationStatus == 0)
        var refused: PostgresError?
        do {
            _ = try Connection.connect("\(url)?sslmode=verify-full&sslrootcert=\(other.path)")
        } catch {
            refused = error
        }
        #expect(refused?.kind == .connection)
        #expect(refused?.message.contains("certificate verify failed") == true, "\(String(describing: refused))")
    }

    @Test("consult doctor names the TLS protocol of an encrypted connection")
    func doctor() throws {
        let url = try #require(TLSServer.url)
        let output = try ConsultProcess.run(["doctor", "--database", "\(url)?sslmode=require"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("\ntls         TLSv1."))
        let plain = try ConsultProcess.run(["doctor", "--database", "\(url)?sslmode=disable"])
        #expect(plain.stdout.contains("\ntls         off\n"))
    }
}

enum TLSServer {
    static let url = ProcessInfo.processInfo.environment["CONSULT_TEST_TLS_URL"]
    static let root = ProcessInfo.processInfo.environment["CONSULT_TEST_TLS_ROOT"]
}
