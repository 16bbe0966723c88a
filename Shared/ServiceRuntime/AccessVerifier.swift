import Foundation
import JWTKit

/// Checks bearer tokens against the keys of a JWKS file: RS256 or ES256, the key chosen by `kid`, `exp`
/// required, `nbf` honoured with a minute's leeway, the configured audience and issuer.
public struct AccessVerifier: Sendable {
    /// The algorithms the contract allows; anything else (`none`, HMAC, RS384...) is refused before any key is used.
    static let algorithms: Set<String> = ["RS256", "ES256"]
    static let notBeforeLeeway: TimeInterval = 60
    /// A token larger than this is refused unread (a header of 8 KB is what servers commonly accept at all).
    static let maximumTokenBytes = 8_192

    private let keys: JWTKeyCollection
    private let keyIDs: Set<String>
    private let configuration: AccessConfiguration

    /// Loads the keys of `configuration.jwksFile`; an unreadable or invalid file, or one with a key the contract
    /// does not allow, is an error (the service then refuses to start).
    public static func load(_ configuration: AccessConfiguration) async throws -> AccessVerifier {
        guard let path = configuration.jwksFile else { throw AccessSetupError("no JWKS file is configured") }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw AccessSetupError("cannot read the JWKS file \(path): \(error.localizedDescription)")
        }
        let jwks: JWKS
        do { jwks = try JSONDecoder().decode(JWKS.self, from: data) } catch {
            throw AccessSetupError("the JWKS file \(path) is not a JWKS document (RFC 7517)")
        }
        let keys = JWTKeyCollection()
        var keyIDs: Set<String> = []
        for jwk in jwks.keys {
            guard let kid = jwk.keyIdentifier?.string, !kid.isEmpty else {
                throw AccessSetupError("a key of \(path) has no kid")
            }
            guard jwk.keyType == .rsa || jwk.keyType == .ecdsa else {
                throw AccessSetupError("key \(kid) of \(path) is of type \(jwk.keyType.rawValue); only RSA and EC keys are allowed")
            }
            if let alg = jwk.algorithm?.rawValue, !algorithms.contains(alg) {
                throw AccessSetupError("key \(kid) of \(path) is for \(alg); only RS256 and ES256 are allowed")
            }
            do { try await keys.add(jwk: jwk) } catch {
                throw AccessSetupError("key \(kid) of \(path) cannot be used: \(error)")
            }
            keyIDs.insert(kid)
        }
        guard !keyIDs.isEmpty else { throw AccessSetupError("the JWKS file \(path) holds no keys") }
        return AccessVerifier(keys: keys, keyIDs: keyIDs, configuration: configuration)
    }

    /// The caller a token names, or why it is refused (always a 401: the token proves nothing).
    public func verify(token: String, now: Date = Date()) async -> Result<Caller, HTTPRefusal> {
        guard token.utf8.count <= Self.maximumTokenBytes else { return .failure(.invalidToken("the token is too large")) }
        guard let header = Self.header(of: token) else { return .failure(.invalidToken("the token is not a JWT")) }
        guard let alg = header.alg, Self.algorithms.contains(alg) else {
            return .failure(.invalidToken("the token must be signed RS256 or ES256"))
        }
        guard let kid = header.kid, keyIDs.contains(kid) else {
            return .failure(.invalidToken("the token's key (kid) is not one of the service's keys"))
        }
        let claims: AccessTokenClaims
        do { claims = try await keys.verify(token, as: AccessTokenClaims.self) } catch {
            return .failure(.invalidToken("the token's signature or claims are invalid"))
        }
        if claims.exp.value <= now { return .failure(.invalidToken("the token has expired")) }
        if let nbf = claims.nbf, nbf.value > now.addingTimeInterval(Self.notBeforeLeeway) {
            return .failure(.invalidToken("the token is not valid yet"))
        }
        guard claims.aud?.value.contains(configuration.audience) == true else {
            return .failure(.invalidToken("the token is not meant for audience \(configuration.audience)"))
        }
        if let issuer = configuration.issuer, claims.iss?.value != issuer {
            return .failure(.invalidToken("the token is not from the expected issuer"))
        }
        guard !claims.tenant.isEmpty, !claims.sub.value.isEmpty else {
            return .failure(.invalidToken("the token names no tenant or no subject"))
        }
        guard let role = Caller.Role(rawValue: claims.role) else {
            return .failure(.invalidToken("the token's role is not one of \(Caller.Role.allCases.map(\.rawValue))"))
        }
        return .success(Caller(tenant: claims.tenant, accountID: claims.sub.value, role: role, expiresAt: claims.exp.value))
    }

    /// The protected header, read before any key is chosen: the algorithm and key the token says it uses.
    private static func header(of token: String) -> (alg: String?, kid: String?)? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Data(base64URLEncoded: parts[0]),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return (object["alg"] as? String, object["kid"] as? String)
    }
}

/// Why the access settings cannot be used: the service refuses to start with this message.
public struct AccessSetupError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension Data {
    /// Base64url without padding (RFC 7515 section 2), as JWT segments are written.
    init?(base64URLEncoded text: Substring) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }
}
