import Foundation
import Hummingbird
import ServiceRuntime
import TestSupport

// RUNTIME_TEST_PAUSE_US: time spent per event (microseconds), to make crash tests independent of machine speed.
let pause = ProcessInfo.processInfo.environment["RUNTIME_TEST_PAUSE_US"].flatMap(Int.init) ?? 0
// RUNTIME_TEST_HOLD_FILE: while this file exists, the handler blocks (see CountingProcessor).
let hold = ProcessInfo.processInfo.environment["RUNTIME_TEST_HOLD_FILE"]

// GET /state?tenant=T -> {"count":N,"digest":D} for tenants this instance owns (404 otherwise).
await ServiceMain.run(serviceName: "runtime-test-service", defaultHTTPPort: 8090, processor: CountingProcessor(pausePerEvent: .microseconds(pause), holdWhileFileExists: hold)) { loop in
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
