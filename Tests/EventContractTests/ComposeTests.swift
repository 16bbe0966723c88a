import Foundation
import TestSupport
import Testing

@Suite("Container deployment")
struct ComposeTests {
    @Test("compose/docker-compose.yml validates against the Compose Specification schema and runs every service as docs/event-contract.md says")
    func composeFile() async throws {
        let root = TestBroker.projectRoot
        let r = try await runProgram(root.appendingPathComponent(".venv/bin/python"),
                               [root.appendingPathComponent("scripts/validate-compose.py").path])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("5 services, 0 problems"))
    }

    @Test("the Dockerfile's base images are build arguments whose defaults ship librdkafka 2.2 or newer, and it runs the service as non-root")
    func dockerfile() throws {
        let text = try String(contentsOf: TestBroker.projectRoot.appendingPathComponent("compose/Dockerfile"), encoding: .utf8)
        #expect(text.contains("ARG BUILD_IMAGE=swift:6.1-noble") && text.contains("ARG RUNTIME_IMAGE=ubuntu:24.04"), "noble ships librdkafka 2.3")
        #expect(text.contains("FROM ${BUILD_IMAGE} AS build") && text.contains("FROM ${RUNTIME_IMAGE}"))
        #expect(text.contains("librdkafka1") && text.contains("USER callcenter") && text.contains("STOPSIGNAL SIGTERM"))
    }
}
