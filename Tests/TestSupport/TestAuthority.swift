import Foundation
import ServiceRuntime

/// The token issuer of the tests: an ES256 and an RS256 key whose JWKS every service process started by the tests
/// is given, and a third key the services do not know (a forger's).
public final class TestAuthority: Sendable {
    public enum Key: Sendable { case es256, rs256, unknown }

    public let jwksFile: String
    private let es256: AccessTokenIssuer
    private let rs256: AccessTokenIssuer
    private let stranger: AccessTokenIssuer

    /// One per test process: written once, shared by every service the tests start.
    public static let shared: TestAuthority = {
        do { return try TestAuthority() } catch { fatalError("the tests' token issuer cannot be made: \(error)") }
    }()

    init() throws {
        es256 = AccessTokenIssuer.generateES256(keyID: "test-es256")
        rs256 = try AccessTokenIssuer(rs256PrivateKeyPEM: Self.rsaPrivateKey, keyID: "test-rs256")
        // The same kid as a real key: only the signature can tell the forgery apart.
        stranger = AccessTokenIssuer.generateES256(keyID: "test-es256")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("auth"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("jwks.json")
        try AccessTokenIssuer.jwks([es256, rs256]).write(to: file, atomically: true, encoding: .utf8)
        jwksFile = file.path
    }

    /// A token valid for an hour unless told otherwise.
    public func token(tenant: String, role: String = Caller.Role.supervisor.rawValue, subject: String = "test-user",
                      key: Key = .es256, audience: [String] = ["callcenter"], validFor: TimeInterval = 3_600,
                      notBefore: Date? = nil) async throws -> String {
        let issuer = switch key { case .es256: es256; case .rs256: rs256; case .unknown: stranger }
        return try await issuer.token(tenant: tenant, subject: subject, role: role, audience: audience,
                                      expiresAt: Date().addingTimeInterval(validFor), notBefore: notBefore)
    }

    /// The `Authorization` header of a token.
    public func header(tenant: String, role: Caller.Role = .supervisor) async throws -> [String: String] {
        ["Authorization": "Bearer " + (try await token(tenant: tenant, role: role.rawValue))]
    }

    /// A 2048-bit RSA key made once with `openssl genpkey -algorithm RSA` (generating one takes seconds).
    static let rsaPrivateKey = """
-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDZI6cNgLm+Adgb
Yp+31JnqFqKsAsdj/guuJ2pgZdPrP3IYGLUM0DfdSkERSvMGJDYmpiU9lgQb+ldn
Rynho5VGrTVGr6R4/4i68HvL14K2Hlt+Wxz/a8BUqcPsFDpFQrF8pwB/HwfaguGH
JT86SGy6XggPBRLOoQzkUoHOGoRObjNcxUALWsAlxOL9j9wVJLXjcF7zIeCrQFrC
yQqKU9xIqZpiIyBQvn0HbehGacd3o1FEBUQhxkGFH+L+3m5OVtsnxKmdOxW4l8+N
ap9bEjo4a7EJB3HEINuNI2BXfy4dGupYCWmaU46tUQLmnLMnnHERYBPq1S2lgOQI
dgjKTBfzAgMBAAECggEAVKBmjQasXXdOiG3JndXIHsmvoKZ8m2X5m2hVNzi4fSj/
CJEojtPf0ekMrvas/KnESQ/b18LN2zGYOvIrSnt8xEzhRKlTyqyc126+cNWPZfcy
5W4RQSL3lIeNikbf5vp1PgXAVcr8Ppdf2lIT8F0lswTO0zvA9rMh2SKm4HLJOd9V
VM1TQyBLfXV15RPlgoXP/j3pkKRSrJfzyfm7DdtvJSZ1VKwcswPPhNQi/kUVt0dq
uJhteF43WHStkSH7AMbQQekmT4u2FQlTcF1RM3w29qzOJhjfTM61TB214ezxLUie
PUc2oLoLbX0xmQ76IsV+KWZILaWmt5uB4zuhQuKGkQKBgQD0OrhyPPA8cDyjPk+N
SecJNxuuLP8PuNv4fj1NOobBUPuwuLh9UlpRLDxoFw8fgZvP5igv9cA00lvqEiHf
024IXMwAWQvae3Jgr3sSqBlioGSWiZOFG23ftFawY+YKtDMPn7HlxrcTLelgpE1v
R5NkPE9TO5QhfDp/FDvUgNGoZQKBgQDjmrJg4AAWUuETpErOQi1aNK5BYEQtula/
x8SZGAKJT8htkb+dkfXlaQSkD+wQ0KIdmbpMocYHBMqG6IgTiLPaYf/a87Ox+vt0
BY7Vt22P5wyRUWsXKJGba4/emdOZiQAdNjZmnvw84WaPfnXM7ZwdLi7TNQ8XNrQB
+30XQY/9dwKBgQCG7bYfLvmOeneVvIQYy95/YdnCFYvotLmahKv7cb0nKkWTMcqD
Oi85r1XEMBEj1+gsKLzFGmFRDXLIU7IxRU8CAbqW6ps43oCnV+uHuCUmLvTDkkhU
/n1qXOiT1O0vtrSLCjAvgOR+DRxlTwCU3RdaBlPQ6RaClW5/7L7NPUoXXQKBgHDd
vsVBb2mikdC+sQXVVU4dP6hVx5lxhSE3PCu6908GTFrhYscNoYWw7Uc6ShMQksPg
/ryPoHbMjm4WE5y0NpP98vWt0hdZYaZoNyuN+XvZ1KafXF6wlHwg+8gkOgUyJedW
geWjw2uhTs2rpVkJH1htFXVRI3mce+lbv+1vaqsDAoGAHhqIWne16EkXkA8G3J2m
7966lrlrxNd6WGrLvdqs5td9y7sypRVM68OasHHXORArJWhfEkHKcd1x9XthrHVx
FjHq1Ujx+tCov00EfkN+P2fNaMqer5Gpgr4MmzZHB1DZ1Yc0J1mX/ACMuGzGeB66
u2AqwB0Lc00cE5hw2+z+aXA=
-----END PRIVATE KEY-----
"""
}
