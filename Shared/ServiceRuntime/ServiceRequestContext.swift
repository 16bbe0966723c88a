import Hummingbird

/// The request context of every service route: Hummingbird's core storage and who the caller is.
public struct ServiceRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AccessMiddleware` on the routes it guards.
    public var access: RequestAccess = .unchecked

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// The tenant a request is about: the token's tenant (a `tenant` parameter may only repeat it), or with
    /// authentication disabled the required `tenant` parameter.
    public func tenant(of request: Request) throws(HTTPRefusal) -> String {
        let asked = request.uri.queryParameters["tenant"].map(String.init)
        switch access {
        case .caller(let caller):
            if let asked, asked != caller.tenant {
                logger.info("request refused", metadata: ["status": "403", "path": "\(request.uri.path)",
                                                          "subject": "\(caller.accountID)", "reason": "another tenant"])
                throw .forbidden("the token is for another tenant")
            }
            return caller.tenant
        case .unrestricted:
            guard let asked, !asked.isEmpty else { throw .badRequest("tenant is required") }
            return asked
        case .unchecked:
            throw .noToken("this route needs a bearer token")
        }
    }

    /// The tenant a request is about (as `tenant(of:)`) and its state in `reader`; 404 when this instance holds none.
    public func tenantState<Reader: TenantStateReader>(of request: Request,
                                                       in reader: Reader) throws(HTTPRefusal) -> (tenant: String, state: Reader.State) {
        let tenant = try tenant(of: request)
        guard let state = reader.state(of: tenant) else { throw HTTPRefusal(.notFound, "unknown tenant") }
        return (tenant, state)
    }
}

/// What the access check found for a request.
public enum RequestAccess: Sendable, Equatable {
    /// Not checked: a route outside the guarded group (it must not read tenant data).
    case unchecked
    /// Authentication is disabled (`CC_AUTH_DISABLED=true`): the caller may ask for any tenant.
    case unrestricted
    /// A verified token.
    case caller(Caller)
}
