import Hummingbird
import NIOCore

/// A request the service will not answer, as the JSON error body every route uses (`{"error": "..."}`).
/// 401 carries the `WWW-Authenticate: Bearer` challenge of RFC 6750.
public struct HTTPRefusal: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var message: String
    /// The `WWW-Authenticate` value of a 401.
    var challenge: String?

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    /// No credentials at all: the bare challenge (RFC 6750 section 3.1 gives no error code then).
    public static func noToken(_ message: String) -> HTTPRefusal {
        var refusal = HTTPRefusal(.unauthorized, message)
        refusal.challenge = #"Bearer realm="callcenter""#
        return refusal
    }

    /// A token that is malformed, wrongly signed, expired or meant for someone else.
    public static func invalidToken(_ message: String) -> HTTPRefusal {
        var refusal = HTTPRefusal(.unauthorized, message)
        // Says why without echoing anything of the token.
        let reason = message.replacingOccurrences(of: "\"", with: "'")
        refusal.challenge = #"Bearer realm="callcenter", error="invalid_token", error_description="\#(reason)""#
        return refusal
    }

    public static func forbidden(_ message: String) -> HTTPRefusal { HTTPRefusal(.forbidden, message) }
    public static func badRequest(_ message: String) -> HTTPRefusal { HTTPRefusal(.badRequest, message) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONResponse.error(status, message)
        if status == .unauthorized { response.headers[.wwwAuthenticate] = challenge ?? #"Bearer realm="callcenter""# }
        return response
    }
}
