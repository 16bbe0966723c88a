import Foundation
import ServiceRuntime

// Development keys and tokens for a deployment without an identity provider (`make run`, a laptop): a real
// deployment's provider signs tokens and publishes its JWKS; the services only ever verify.
enum AccessCommands {
    static let defaultKeyID = "dev-es256"

    /// `ccctl auth-keys DIR [--kid K]`: a new ES256 key pair, the private half readable only by its owner.
    static func makeKeys(_ a: Arguments) throws {
        guard let directory = a.positional.dropFirst().first else { fail("auth-keys needs DIR", code: 2) }
        let issuer = AccessTokenIssuer.generateES256(keyID: a.options["kid"] ?? defaultKeyID)
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                    attributes: [.posixPermissions: 0o700])
        let keyPath = directory + "/signing-key.pem", jwksPath = directory + "/jwks.json"
        manager.createFile(atPath: keyPath, contents: nil, attributes: [.posixPermissions: 0o600])
        try manager.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyPath)
        try Data(issuer.privateKey.utf8).write(to: URL(fileURLWithPath: keyPath))
        try Data(AccessTokenIssuer.jwks([issuer]).utf8).write(to: URL(fileURLWithPath: jwksPath))
        out("wrote \(keyPath) (private, mode 0600) and \(jwksPath) (give it to the services as CC_AUTH_JWKS_FILE)")
    }

    /// `ccctl auth-token --key FILE --tenant T [--role R] [--hours H] [--subject S] [--kid K] [--audience A]`.
    static func makeToken(_ a: Arguments) async throws {
        guard let keyPath = a.options["key"], let tenant = a.options["tenant"] else {
            fail("auth-token needs --key FILE and --tenant T", code: 2)
        }
        let role = a.options["role"] ?? Caller.Role.supervisor.rawValue
        guard Caller.Role(rawValue: role) != nil else {
            fail("--role must be systemAdministrator, supervisor or agent", code: 2)
        }
        guard let hours = Double(a.options["hours"] ?? "8"), hours > 0, hours <= 24 * 30 else {
            fail("--hours must be more than 0 and at most 720", code: 2)
        }
        let pem: String
        do { pem = try String(contentsOfFile: keyPath, encoding: .utf8) } catch { fail("cannot read \(keyPath)", code: 2) }
        let issuer: AccessTokenIssuer
        do { issuer = try AccessTokenIssuer(es256PrivateKeyPEM: pem, keyID: a.options["kid"] ?? defaultKeyID) } catch {
            fail("\(keyPath) is not an ES256 private key in PEM form", code: 2)
        }
        let token = try await issuer.token(tenant: tenant, subject: a.options["subject"] ?? "ccctl", role: role,
                                           audience: [a.options["audience"] ?? "callcenter"],
                                           expiresAt: Date().addingTimeInterval(hours * 3_600))
        out(token)
    }
}
