import ArgumentParser
import Foundation
import ServiceRuntime

// Development keys and tokens for a deployment without an identity provider (`make run`, a laptop): a real
// deployment's provider signs tokens and publishes its JWKS; the services only ever verify.
let defaultKeyID = "dev-es256"

struct AuthKeys: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth-keys",
        abstract: "A new ES256 key pair for development: DIR/signing-key.pem (mode 0600) and DIR/jwks.json.")

    @Argument(help: "The directory to write them to (created, mode 0700).") var directory: String
    @Option(help: "The key id (kid) of the key.") var kid = defaultKeyID
    /// Accepted (and unused) so that scripts may give every ccctl command the Kafka options.
    @OptionGroup(visibility: .hidden) var kafka: KafkaOptions

    func run() throws {
        let issuer = AccessTokenIssuer.generateES256(keyID: kid)
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
}

struct AuthToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth-token", abstract: "A development token signed with a key of auth-keys, printed on stdout.")

    @Option(help: "The ES256 private key (PEM) to sign with.") var key: String
    @Option(help: "The one tenant the token may see.") var tenant: String
    @Option(help: "systemAdministrator, supervisor or agent.") var role = Caller.Role.supervisor.rawValue
    @Option(help: "Hours until it expires (at most 720).") var hours = 8.0
    @Option(help: "Its subject (the caller's account id).") var subject = "ccctl"
    @Option(help: "The key id (kid) the services look up in their JWKS.") var kid = defaultKeyID
    @Option(help: "Its audience (CC_AUTH_AUDIENCE of the services).") var audience = "callcenter"
    /// Accepted (and unused) so that scripts may give every ccctl command the Kafka options.
    @OptionGroup(visibility: .hidden) var kafka: KafkaOptions

    func validate() throws {
        guard Caller.Role(rawValue: role) != nil else { throw ValidationError("--role must be systemAdministrator, supervisor or agent") }
        guard hours > 0, hours <= 24 * 30 else { throw ValidationError("--hours must be more than 0 and at most 720") }
    }

    func run() async throws {
        let pem: String
        do { pem = try String(contentsOfFile: key, encoding: .utf8) } catch { fail("cannot read \(key)", code: 2) }
        let issuer: AccessTokenIssuer
        do { issuer = try AccessTokenIssuer(es256PrivateKeyPEM: pem, keyID: kid) } catch {
            fail("\(key) is not an ES256 private key in PEM form", code: 2)
        }
        let token = try await issuer.token(tenant: tenant, subject: subject, role: role, audience: [audience],
                                           expiresAt: Date().addingTimeInterval(hours * 3_600))
        out(token)
    }
}
