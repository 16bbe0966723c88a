import Hummingbird

/// Every route of the services is read with GET: any other method is answered 405 Method Not Allowed with
/// `Allow: GET` (RFC 9110), not 404, so that a client knows the resource is there but read-only.
public struct ReadOnlyMethodsMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get else {
            var response = JSONResponse.error(.methodNotAllowed, "only GET is served here")
            response.headers[.allow] = "GET"
            return response
        }
        return try await next(request, context)
    }
}
