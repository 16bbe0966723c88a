import Foundation
import ServiceRuntime
import TestSupport
import Testing

/// Token verification without a server: what a token must be to name a caller.
@Suite("Access tokens")
struct AccessVerifierTests {
    static func verifier(issuer: String? = nil) async throws -> AccessVerifier {
        try await AccessVerifier.load(AccessConfiguration(jwksFile: TestAuthority.shared.jwksFile, issuer: issuer))
    }

    static func refused(_ result: Result<Caller, HTTPRefusal>) -> Bool {
        if case .failure(let refusal) = result { return refusal.status == .unauthorized }
        return false
    }

    @Test("a valid ES256 or RS256 token names its tenant, subject and role")
    func valid() async throws {
        let verifier = try await Self.verifier()
        for key in [TestAuthority.Key.es256, .rs256] {
            let token = try await TestAuthority.shared.token(tenant: "tenant-a", role: "systemAdministrator", subject: "admin", key: key)
            let caller = try await verifier.verify(token: token).get()
            #expect(caller.tenant == "tenant-a" && caller.accountID == "admin" && caller.role == .systemAdministrator)
        }
    }

    @Test("refused: unknown key, expired, not yet valid, wrong audience, unknown role, altered, oversize, alg none or HS256")
    func refusals() async throws {
        let verifier = try await Self.verifier()
        let authority = TestAuthority.shared
        #expect(Self.refused(await verifier.verify(token: try await authority.token(tenant: "t", key: .unknown))))
        #expect(Self.refused(await verifier.verify(token: try await authority.token(tenant: "t", validFor: -120))))
        #expect(Self.refused(await verifier.verify(token: try await authority.token(tenant: "t", notBefore: Date().addingTimeInterval(300)))))
        #expect(!Self.refused(await verifier.verify(token: try await authority.token(tenant: "t", notBefore: Date().addingTimeInterval(30)))),
                "60 s leeway on nbf")
        #expect(Self.refused(await verifier.verify(token: try await authority.token(tenant: "t", audience: ["other"]))))
        #expect(Self.refused(await verifier.verify(token: try await authority.token(tenant: "t", role: "root"))))
        let good = try await authority.token(tenant: "t")
        let parts = good.split(separator: ".").map(String.init)
        let forgedClaims = Data(#"{"exp":4102444800,"aud":["callcenter"],"sub":"x","tenant":"other","role":"supervisor"}"#.utf8)
            .base64EncodedString().replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
        #expect(Self.refused(await verifier.verify(token: [parts[0], forgedClaims, parts[2]].joined(separator: "."))), "altered claims")
        #expect(Self.refused(await verifier.verify(token: String(repeating: "a", count: 9_000))), "oversize")
        for header in [#"{"alg":"none","kid":"test-es256"}"#, #"{"alg":"HS256","kid":"test-es256"}"#] {
            let encoded = Data(header.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
            #expect(Self.refused(await verifier.verify(token: [encoded, parts[1], parts[2]].joined(separator: "."))), "\(header)")
        }
        #expect(Self.refused(await verifier.verify(token: "")))
        #expect(Self.refused(await verifier.verify(token: "a.b")))
    }

    @Test("the issuer is checked when one is configured")
    func issuer() async throws {
        let verifier = try await Self.verifier(issuer: "https://id.example")
        #expect(Self.refused(await verifier.verify(token: try await TestAuthority.shared.token(tenant: "t"))))
    }

    @Test("a JWKS without usable keys, or with a symmetric key, is refused at start")
    func badKeySets() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("jwks"))
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in [("empty", #"{"keys":[]}"#), ("oct", #"{"keys":[{"kty":"oct","kid":"k","k":"c2VjcmV0"}]}"#),
                             ("nokid", #"{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}"#), ("json", "{")] {
            let file = dir.appendingPathComponent(name + ".json")
            try Data(text.utf8).write(to: file)
            await #expect(throws: (any Error).self, "\(name)") {
                _ = try await AccessVerifier.load(AccessConfiguration(jwksFile: file.path))
            }
        }
        await #expect(throws: (any Error).self) {
            _ = try await AccessVerifier.load(AccessConfiguration(jwksFile: dir.appendingPathComponent("missing.json").path))
        }
    }

    @Test("configuration: no JWKS file is an error unless authentication is disabled by name")
    func configuration() throws {
        #expect(throws: ConfigurationError.self) { _ = try AccessConfiguration.fromEnvironment([:]) }
        #expect(throws: ConfigurationError.self) { _ = try AccessConfiguration.fromEnvironment(["CC_AUTH_DISABLED": "yes please"]) }
        #expect(try AccessConfiguration.fromEnvironment(["CC_AUTH_DISABLED": "true"]).isDisabled)
        let c = try AccessConfiguration.fromEnvironment(["CC_AUTH_JWKS_FILE": "/k.json", "CC_AUTH_AUDIENCE": "cc"])
        #expect(c.jwksFile == "/k.json" && c.audience == "cc" && !c.isDisabled)
    }
}
