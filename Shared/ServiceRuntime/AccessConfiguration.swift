import Foundation

/// How the service checks HTTP callers: the JWKS file whose keys sign access tokens, the audience a token must
/// name and the issuer it must come from. Authentication is off only when asked for by name.
public struct AccessConfiguration: Sendable, Equatable {
    /// The JWKS document (RFC 7517) with the public keys that sign access tokens; nil only when disabled.
    public var jwksFile: String?
    /// A token's `aud` must contain this.
    public var audience: String
    /// When set, a token's `iss` must equal it.
    public var issuer: String?
    /// True only with `CC_AUTH_DISABLED=true`: every route answers without a token (development only).
    public var isDisabled: Bool

    public init(jwksFile: String?, audience: String = "callcenter", issuer: String? = nil, isDisabled: Bool = false) {
        self.jwksFile = jwksFile
        self.audience = audience
        self.issuer = issuer
        self.isDisabled = isDisabled
    }

    /// No authentication: for services built in tests that never serve HTTP to anyone else.
    public static let disabled = AccessConfiguration(jwksFile: nil, isDisabled: true)

    /// Reads `CC_AUTH_JWKS_FILE`, `CC_AUTH_AUDIENCE`, `CC_AUTH_ISSUER` and `CC_AUTH_DISABLED`; without a JWKS
    /// file the service refuses to start unless authentication is disabled explicitly.
    public static func fromEnvironment(_ environment: [String: String]) throws(ConfigurationError) -> AccessConfiguration {
        func value(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        var disabled = false
        if let raw = value("CC_AUTH_DISABLED") {
            guard let flag = ["true": true, "1": true, "false": false, "0": false][raw.lowercased()] else {
                throw ConfigurationError(variable: "CC_AUTH_DISABLED", value: raw, expected: "true|false")
            }
            disabled = flag
        }
        let configuration = AccessConfiguration(jwksFile: value("CC_AUTH_JWKS_FILE"),
                                                audience: value("CC_AUTH_AUDIENCE") ?? "callcenter",
                                                issuer: value("CC_AUTH_ISSUER"), isDisabled: disabled)
        if configuration.jwksFile == nil && !disabled {
            throw ConfigurationError(
                variable: "CC_AUTH_JWKS_FILE", value: "",
                expected: "the path of the JWKS file (RFC 7517) whose keys sign access tokens, "
                    + "or CC_AUTH_DISABLED=true to serve every route without authentication (development only)")
        }
        return configuration
    }
}
