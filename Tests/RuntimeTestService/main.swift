import Foundation
import Hummingbird
import ServiceRuntime
import TestSupport

// RUNTIME_TEST_PAUSE_US: time spent per event (microseconds), to make crash tests independent of machine speed.
let pause = ProcessInfo.processInfo.environment["RUNTIME_TEST_PAUSE_US"].flatMap(Int.init) ?? 0
// RUNTIME_TEST_HOLD_FILE: while this file exists, the handler blocks (see CountingProcessor).
let hold = ProcessInfo.processInfo.environment["RUNTIME_TEST_HOLD_FILE"]
// RUNTIME_TEST_KILL_AFTER_MS: once a batch of this process's own is decided (the tenants' published total
// grows past what was restored), the process SIGKILLs itself that many milliseconds later, first logging
// "killing itself after N events". Crash tests kill from inside so that the moment does not depend on how soon
// the test process, busy with other suites, gets to poll the service.
let killAfter = ProcessInfo.processInfo.environment["RUNTIME_TEST_KILL_AFTER_MS"].flatMap(Int.init)
let handled = HandledCounter()

// GET /state?tenant=T -> {"count":N,"digest":D} for tenants this instance owns (404 otherwise).
await ServiceMain.run(serviceName: "runtime-test-service", defaultHTTPPort: 8090, processor: CountingProcessor(pausePerEvent: .microseconds(pause), holdWhileFileExists: hold, handled: handled)) { loop in
    if let killAfter {
        Thread.detachNewThread {
            func total() -> Int { loop.tenants.reduce(0) { $0 + (loop.state(of: $1)?.count ?? 0) } }
            while handled.value == 0 { usleep(1_000) }
            let restored = total()  // the batch in hand is not published yet
            while total() <= restored { usleep(1_000) }
            usleep(UInt32(killAfter * 1_000))
            let processed = total()
            FileHandle.standardError.write(Data("runtime-test-service: killing itself after \(processed) events\n".utf8))
            kill(getpid(), SIGKILL)
        }
    }
    return { routes in
        routes.guarded.get("state") { request, context -> Response in
            guard let state = loop.state(of: try context.tenant(of: request)) else { return Response(status: .notFound) }
            let body = #"{"count":\#(state.count),"digest":\#(state.digest)}"#
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }
}
