import JWTKit

/// The claims of an access token. Time, audience and issuer are checked by `AccessVerifier` against its
/// configuration and clock, so this type's own `verify` only requires what decoding cannot.
struct AccessTokenClaims: JWTPayload {
    var exp: ExpirationClaim
    var nbf: NotBeforeClaim?
    var aud: AudienceClaim?
    var iss: IssuerClaim?
    var sub: SubjectClaim
    var tenant: String
    var role: String

    func verify(using _: some JWTAlgorithm) async throws {}
}
