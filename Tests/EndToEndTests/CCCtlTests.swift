import CallCenterDomain
import EventContract
import Foundation
import TestSupport
import Testing

/// The operator CLI against a real broker and settings-service.
@Suite("ccctl", .serialized)
struct CCCtlTests {
    @Test("topics with lag, a decoded tail with masked numbers, dead letters shown and replayed, an agent's device and audit")
    func operatorViews() async throws {
        let h = try ServiceHarness()
        let settings = try await h.start("settings-service")
        try await SettingsServiceTests.configure(h)
        try await h.publish("cc.settings.commands", tenant: "tenant-a", [
            SettingsServiceTests.request("c1", "admin", .account, target: "agent1")])
        try await h.publishRaw("cc.settings.commands", key: "tenant-a", value: "{broken")
        try await h.publishRaw("cc.settings.commands", key: "tenant-a", value: #"{"not":"an event"}"#)
        _ = try await h.read("cc.deadletter") { $0.count >= 2 }
        func ccctl(_ args: [String]) async throws -> (status: Int32, output: String) {
            try await runProgram(ServiceProcess.binDirectory.appendingPathComponent("ccctl"), args + ["--brokers", h.brokers, "--prefix", h.prefix],
                                 environment: ["CC_ACCESS_TOKEN": try await TestAuthority.shared.token(tenant: "tenant-a")])
        }

        let topics = try await ccctl(["topics"])
        #expect(topics.status == 0, "\(topics.output)")
        let commandsLine = try #require(topics.output.split(separator: "\n").first { $0.hasPrefix(h.prefix + "cc.settings.commands") })
        #expect(commandsLine.split(separator: " ", omittingEmptySubsequences: true).count >= 7, "name, partitions, end, 4 lags: \(commandsLine)")

        let tail = try await ccctl(["tail", "cc.settings.events", "--tenant", "tenant-a", "--type", "cc.settings.sign-in-device.changed.v1"])
        #expect(tail.status == 0 && tail.output.contains("cc.settings.sign-in-device.changed.v1"), "\(tail.output)")
        #expect(!tail.output.contains("819012345678") && tail.output.contains("+81********78"), "numbers are masked")

        let letters = try await ccctl(["deadletters"])
        #expect(letters.output.contains("2 dead letters") && letters.output.contains("invalidJSON") && letters.output.contains("notACloudEvent"))
        // Forged dead letters (anyone who may write cc.deadletter): one names a topic settings-service does not
        // read, one a service that is not of this deployment. Replaying them would publish anything anywhere.
        let forged = Data(#"{"specversion":"1.0","id":"x","source":"/evil","type":"cc.account.configured.v1"}"#.utf8).base64EncodedString()
        try await h.publish("cc.deadletter", tenant: "tenant-a", [
            StatusEvents.DeadLetter(originalTopic: h.prefix + "cc.usage", partition: 0, offset: 1, key: "tenant-a",
                                    error: .init(code: "invalidJSON", message: "x"), payloadBase64: forged,
                                    service: "settings-service", at: EventTime(TestEvents.t0)),
            StatusEvents.DeadLetter(originalTopic: h.prefix + "cc.config", partition: 0, offset: 2, key: "tenant-a",
                                    error: .init(code: "invalidJSON", message: "x"), payloadBase64: forged,
                                    service: "billing-service", at: EventTime(TestEvents.t0)),
        ])
        _ = try await h.read("cc.deadletter") { $0.count >= 4 }
        let dryRun = try await ccctl(["replay-deadletters"])
        #expect(dryRun.output.contains("add --yes") && dryRun.output.contains("skipping 2 dead letters"), "\(dryRun.output)")
        #expect(dryRun.output.contains("cc.settings.commands[") && !dryRun.output.contains("cc.usage["), "each replayable record is shown")
        let replay = try await ccctl(["replay-deadletters", "--yes"])
        #expect(replay.output.contains("replayed 2 messages"), "\(replay.output)")
        #expect(replay.output.components(separatedBy: "ccctl: replayed ").count - 1 == 2, "each replayed record is logged")
        // The replayed messages reached the service again (and, still malformed, were dead-lettered again).
        _ = try await h.read("cc.deadletter") { $0.count >= 6 }
        #expect(try await ccctl(["deadletters"]).output.contains("6 dead letters"))

        let agent = try await ccctl(["agent", "agent1", "--tenant", "tenant-a", "--settings-url", "http://127.0.0.1:\(settings.httpPort)"])
        #expect(agent.output.contains("externalNumber mobile +81********78") && agent.output.contains("1 changes"), "\(agent.output)")
        #expect(try await ccctl(["nonsense"]).status == 2)
        await h.stopAll()
    }
}
