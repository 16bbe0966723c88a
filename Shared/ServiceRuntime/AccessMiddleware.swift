import Hummingbird

/// Guards the data routes: a verified bearer token (RFC 6750) whose role may read them, or a 401/403.
public struct AccessMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    /// Nil when authentication is disabled.
    let verifier: AccessVerifier?
    let allowedRoles: Set<Caller.Role>

    public init(verifier: AccessVerifier?, allowedRoles: Set<Caller.Role> = Caller.dataRoles) {
        self.verifier = verifier
        self.allowedRoles = allowedRoles
    }

    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        guard let verifier else {
            context.access = .unrestricted
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization] else { throw HTTPRefusal.noToken("this route needs a bearer token") }
        let scheme = "bearer "
        guard header.count > scheme.count, header.prefix(scheme.count).lowercased() == scheme else {
            throw HTTPRefusal.invalidToken("the Authorization header must be: Bearer <token>")
        }
        let token = String(header.dropFirst(scheme.count)).trimmingCharacters(in: .whitespaces)
        switch await verifier.verify(token: token) {
        case .failure(let refusal):
            context.logger.info("request refused", metadata: ["status": "401", "path": "\(request.uri.path)",
                                                              "reason": "\(refusal.message)"])
            throw refusal
        case .success(let caller):
            guard allowedRoles.contains(caller.role) else {
                context.logger.info("request refused", metadata: ["status": "403", "path": "\(request.uri.path)",
                                                                  "subject": "\(caller.accountID)", "role": "\(caller.role.rawValue)"])
                throw HTTPRefusal.forbidden("role \(caller.role.rawValue) may not see this route")
            }
            context.access = .caller(caller)
            return try await next(request, context)
        }
    }
}
