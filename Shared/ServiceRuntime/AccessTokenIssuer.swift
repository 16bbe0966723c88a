import Foundation
import JWTKit

/// Signs access tokens with one private key and publishes its public half as a JWKS document. It is what
/// `make run` and the tests use in place of the identity provider a deployment has; services only verify.
public struct AccessTokenIssuer: Sendable {
    public enum Algorithm: String, Sendable { case es256 = "ES256", rs256 = "RS256" }

    public let keyID: String
    public let algorithm: Algorithm
    /// The public key as a JWK (RFC 7517), with `kid`, `alg` and `use`.
    public let publicJWK: JWK
    private let key: SigningKey
    private let privateKeyPEM: String

    private enum SigningKey: Sendable {
        case es256(ES256PrivateKey)
        case rs256(Insecure.RSA.PrivateKey)
    }

    /// A new ES256 key pair.
    public static func generateES256(keyID: String) -> AccessTokenIssuer {
        // A freshly generated P-256 key always has a PEM form that reads back.
        try! AccessTokenIssuer(es256PrivateKeyPEM: ES256PrivateKey().pemRepresentation, keyID: keyID)
    }

    public init(es256PrivateKeyPEM pem: String, keyID: String) throws {
        let key = try ES256PrivateKey(pem: pem)
        guard let parameters = key.publicKey.parameters else { throw AccessSetupError("the EC key has no public point") }
        self.keyID = keyID
        algorithm = .es256
        privateKeyPEM = pem
        publicJWK = .ecdsa(.es256, identifier: JWKIdentifier(string: keyID), x: parameters.x, y: parameters.y, curve: .p256)
        self.key = .es256(key)
    }

    public init(rs256PrivateKeyPEM pem: String, keyID: String) throws {
        let key = try Insecure.RSA.PrivateKey(pem: pem)
        let (modulus, exponent) = try key.publicKey.getKeyPrimitives()
        self.keyID = keyID
        algorithm = .rs256
        privateKeyPEM = pem
        publicJWK = .rsa(.rs256, identifier: JWKIdentifier(string: keyID), modulus: modulus.base64URLEncodedString(),
                         exponent: exponent.base64URLEncodedString())
        self.key = .rs256(key)
    }

    /// The private key, PEM encoded: write it only to a file only its owner can read.
    public var privateKey: String { privateKeyPEM }

    /// A JWKS document with the public keys of `issuers`.
    public static func jwks(_ issuers: [AccessTokenIssuer]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(JWKS(keys: issuers.map(\.publicJWK)))) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// A signed token. `role` is a string so that tests can sign roles the contract does not know.
    public func token(tenant: String, subject: String, role: String, audience: [String] = ["callcenter"],
                      expiresAt: Date, notBefore: Date? = nil, issuer: String? = nil) async throws -> String {
        let claims = AccessTokenClaims(exp: ExpirationClaim(value: expiresAt), nbf: notBefore.map { NotBeforeClaim(value: $0) },
                                       aud: AudienceClaim(value: audience), iss: issuer.map { IssuerClaim(value: $0) },
                                       sub: SubjectClaim(value: subject), tenant: tenant, role: role)
        let keys = JWTKeyCollection()
        let kid = JWKIdentifier(string: keyID)
        switch key {
        case .es256(let key): await keys.add(ecdsa: key, kid: kid)
        case .rs256(let key): await keys.add(rsa: key, digestAlgorithm: .sha256, kid: kid)
        }
        var header = JWTHeader()
        header.typ = "JWT"
        return try await keys.sign(claims, kid: kid, header: header)
    }
}

extension Data {
    /// Base64url without padding (RFC 7515 section 2).
    func base64URLEncodedString() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
