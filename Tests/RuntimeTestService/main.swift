import Foundation
import Hummingbird
import ServiceRuntime
import TestSupport

// GET /state?tenant=T -> {"count":N,"digest":D} for tenants this instance owns (404 otherwise).
await ServiceMain.run(serviceName: "runtime-test-service", defaultHTTPPort: 8090, processor: CountingProcessor()) { loop in
    { router in
        router.get("state") { request, _ -> Response in
            guard let tenant = request.uri.queryParameters["tenant"].map(String.init),
                  let state = loop.state(of: tenant) else { return Response(status: .notFound) }
            let body = #"{"count":\#(state.count),"digest":\#(state.digest)}"#
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }
}
