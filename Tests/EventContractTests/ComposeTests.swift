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

    @Test("the Dockerfile builds on a distribution whose librdkafka is 2.2 or newer and runs the service as non-root")
    func dockerfile() throws {
        let text = try String(contentsOf: TestBroker.projectRoot.appendingPathComponent("compose/Dockerfile"), encoding: .utf8)
        #expect(text.contains("FROM swift:6.1-noble AS build") && text.contains("FROM ubuntu:24.04"), "noble ships librdkafka 2.3")
        #expect(text.contains("librdkafka1") && text.contains("USER callcenter") && text.contains("STOPSIGNAL SIGTERM"))
    }
}
