import CallCenterDomain
import EventContract
import Foundation
import KafkaClient
import ServiceRuntime
import TestSupport
import Testing

/// The runtime, in a real test service process, against the broker.
@Suite("ServiceRuntime in a real process", .serialized)
struct RuntimeProcessTests {
    let brokers: String
    let prefix: String
    let dir: URL
    var topics: (input: String, output: String, deadLetter: String)

    init() throws {
        brokers = try TestBroker.bootstrapServers
        prefix = uniqueName("rt") + "."
        dir = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("runtime"))
        topics = (prefix + "cc.telephony.events", prefix + "cc.routing.decisions", prefix + "cc.deadletter")
    }

    func start(_ instance: String, extra: [String: String] = [:]) throws -> ServiceProcess {
        try ServiceProcess("runtime-test-service", environment: [
            "KAFKA_BROKERS": brokers, "CC_TOPIC_PREFIX": prefix,
            "CC_DATA_DIR": dir.appendingPathComponent(instance).path, "CC_LOG_LEVEL": "info",
        ].merging(extra) { _, new in new }, httpPort: try FreePort.find(), logDirectory: dir)
    }

    func ready(_ s: ServiceProcess) async throws {
        try await eventually(timeout: .seconds(60), "\(s.name) ready") { await s.get("/readyz")?.status == 200 }
    }

    /// Inputs for `tenants` tenants, `perTenant` each, ids `in-<tenant>-<n>`; with the expected final state per tenant.
    func inputs(tenants: Int, perTenant: Int) -> (messages: [OutgoingMessage], expected: [String: CountingProcessor.State]) {
        var messages: [OutgoingMessage] = []
        var expected: [String: CountingProcessor.State] = [:]
        for n in 0..<perTenant {
            for t in 0..<tenants {
                let tenant = "tenant-\(t)", id = "in-\(tenant)-\(n)"
                messages.append(TestEvents.callOffered(topic: topics.input, tenant: tenant, id: id, callID: "call-\(t)-\(n)",
                                                       at: TestEvents.t0.adding(seconds: n)))
                var s = expected[tenant] ?? CountingProcessor.State()
                s.count += 1
                s.digest = CountingProcessor.fold(s.digest, id)
                expected[tenant] = s
            }
        }
        return (messages, expected)
    }

    func state(_ s: ServiceProcess, tenant: String) async -> CountingProcessor.State? {
        guard let r = await s.get("/state?tenant=\(tenant)"), r.status == 200,
              let d = try? JSONDecoder().decode(CountingProcessor.State.self, from: Data(r.body.utf8)) else { return nil }
        return d
    }

    /// Waits until the live instances together hold exactly the expected state for every tenant.
    func expectFinalState(_ instances: [ServiceProcess], _ expected: [String: CountingProcessor.State]) async throws {
        try await eventually(timeout: .seconds(120), "every tenant's final state") {
            for (tenant, want) in expected {
                var found: CountingProcessor.State?
                for s in instances where s.isRunning { if let st = await state(s, tenant: tenant) { found = st } }
                if found != want { return false }
            }
            return true
        }
    }

    func expectOutputIDs(_ expected: Set<String>) async throws {
        let out = try await TopicReader.read(topics.output, brokers: brokers) {
            Set(TopicReader.decode($0).map(\.attributes.id)).count >= expected.count
        }
        #expect(Set(TopicReader.decode(out).map(\.attributes.id)) == expected)
    }

    @Test("120 malformed messages of 6 kinds among 1,000 valid ones (a type of another topic among them): all 120 dead-lettered with the right reason, the 1,000 processed")
    func deadLetters() async throws {
        let s = try start("a")
        try await ready(s)
        let (valid, expected) = inputs(tenants: 5, perTenant: 200)
        var bad: [OutgoingMessage] = []
        for i in 0..<20 {
            let tenant = "tenant-\(i % 5)"
            bad.append(TestEvents.raw(topic: topics.input, key: tenant, value: "{not json \(i)"))
            bad.append(TestEvents.raw(topic: topics.input, key: tenant, value: #"{"hello":"world","n":\#(i)}"#))
            bad.append(TestEvents.raw(topic: topics.input, key: tenant, value: #"{"specversion":"1.0","id":"u\#(i)","source":"/x","type":"cc.unknown.v1","time":"2026-01-01T00:00:00Z","tenantid":"\#(tenant)","data":{}}"#))
            bad.append(TestEvents.raw(topic: topics.input, key: tenant, value: #"{"specversion":"1.0","id":"s\#(i)","source":"/x","type":"cc.call.offered.v1","time":"2026-01-01T00:00:00Z","tenantid":"\#(tenant)","data":{"callCenterId":"cc1"}}"#))
            bad.append(TestEvents.callOffered(topic: topics.input, tenant: tenant, id: "r\(i)", callID: "rc\(i)", callCenter: "reject"))
            // A valid contract event of cc.config, written to cc.telephony.events (issue 23: topics are trust boundaries).
            bad.append(TestEvents.raw(topic: topics.input, key: tenant, value: #"{"specversion":"1.0","id":"t\#(i)","source":"/x","type":"cc.account.configured.v1","time":"2026-01-01T00:00:00Z","tenantid":"\#(tenant)","data":{"accountId":"a\#(i)","name":"x","role":"systemAdministrator","extension":"2\#(i)","editableCallCenterIds":[]}}"#))
        }
        // Mix the bad ones in: every 10th message is malformed.
        var mixed: [OutgoingMessage] = []
        for (i, m) in valid.enumerated() {
            mixed.append(m)
            if i % 10 == 9 { mixed.append(bad[i / 10]) }
        }
        mixed += bad.suffix(from: valid.count / 10)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(common: KafkaConfiguration(bootstrapServers: brokers)))
        try await producer.send(batch: mixed)
        try await expectFinalState([s], expected)
        let dead = try await TopicReader.read(topics.deadLetter, brokers: brokers) { $0.count >= 120 }
        let letters = TopicReader.decode(dead).compactMap { e -> StatusEvents.DeadLetter? in
            if case .deadLetter(let d) = e.event { d } else { nil }
        }
        #expect(letters.count == 120)
        let byCode = Dictionary(grouping: letters, by: \.error.code).mapValues(\.count)
        #expect(byCode == ["invalidJSON": 20, "notACloudEvent": 20, "unknownType": 20, "schemaViolation": 20, "handlerRejected": 20,
                           "typeNotAllowedOnTopic": 20])
        for l in letters {
            #expect(l.originalTopic == topics.input && l.service == "runtime-test-service")
            #expect(Data(base64Encoded: l.payloadBase64) != nil)
        }
        let original = try #require(letters.first { $0.error.code == "invalidJSON" })
        #expect(String(decoding: Data(base64Encoded: original.payloadBase64)!, as: UTF8.self).hasPrefix("{not json"))
        try await expectOutputIDs(Set(valid.indices.map { i in
            EventIdentity.derivedID(inputID: "in-tenant-\(i % 5)-\(i / 5)", source: "/tests", service: "runtime-test-service",
                                    index: 0) }))
        s.signal(SIGTERM)
        #expect(await s.waitForExit(timeout: .seconds(10)) && s.exitCode == 0)
    }

    @Test("duplicates are per (source, id): the same id from two sources is applied twice, a re-delivery once")
    func dedupPerSource() async throws {
        let s = try start("a")
        try await ready(s)
        let tenant = "tenant-dedup"
        let messages = [
            TestEvents.callOffered(topic: topics.input, tenant: tenant, id: "same", callID: "c1", source: "/telephony-a"),
            TestEvents.callOffered(topic: topics.input, tenant: tenant, id: "same", callID: "c2", source: "/telephony-b"),
            TestEvents.callOffered(topic: topics.input, tenant: tenant, id: "same", callID: "c1", source: "/telephony-a"),
        ]
        let producer = try KafkaProducer(configuration: ProducerConfiguration(common: KafkaConfiguration(bootstrapServers: brokers)))
        try await producer.send(batch: messages)
        var want = CountingProcessor.State()
        want.count = 2
        want.digest = CountingProcessor.fold(CountingProcessor.fold(want.digest, "same"), "same")
        try await expectFinalState([s], [tenant: want])
        // Each source's event gets its own derived id: downstream dedup must not drop one of them.
        try await expectOutputIDs(Set(["/telephony-a", "/telephony-b"].map {
            EventIdentity.derivedID(inputID: "same", source: $0, service: "runtime-test-service", index: 0) }))
        s.signal(SIGTERM)
        #expect(await s.waitForExit(timeout: .seconds(10)) && s.exitCode == 0)
    }

    @Test("state stored by the previous release (whole-state JSON, in SQLite and on the changelog) is upgraded when the store opens and when a partition is restored, and events go on from it")
    func previousReleaseState() async throws {
        // What the service reads at its first start was written "by the previous release".
        let changelog = prefix + "cc.runtime-test-service.changelog"
        _ = try await KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: brokers)).createTopics(
            [topics.input, changelog].map { TopicSpecification(name: $0, partitions: 6, replicationFactor: 1) })
        let producer = try KafkaProducer(configuration: ProducerConfiguration(common: KafkaConfiguration(bootstrapServers: brokers)))
        var old = CountingProcessor.State()
        old.count = 41
        old.digest = 4_141
        let inSQLite = "tenant-sqlite", onChangelog = "tenant-changelog"
        var partition: [String: Int32] = [:]
        for tenant in [inSQLite, onChangelog] {
            let report = try await producer.send(TestEvents.callOffered(topic: topics.input, tenant: tenant, id: "new-\(tenant)",
                                                                        callID: "c-\(tenant)"))
            partition[tenant] = report.partition
        }
        try await producer.send(OutgoingMessage(topic: changelog, partition: partition[onChangelog]!, key: Array("t:\(onChangelog)".utf8),
                                                value: Array(try PreviousReleaseStore.wholeStateJSON(old))))
        try PreviousReleaseStore.write(directory: dir.appendingPathComponent("b").path, wholeStates: [
            .init(tenant: inSQLite, partition: partition[inSQLite]!, json: try PreviousReleaseStore.wholeStateJSON(old)),
        ])

        let s = try start("b")
        try await ready(s)
        var want: [String: CountingProcessor.State] = [:]
        for tenant in [inSQLite, onChangelog] {
            var w = old
            w.count += 1
            w.digest = CountingProcessor.fold(old.digest, "new-\(tenant)")
            want[tenant] = w
        }
        try await expectFinalState([s], want)
        // The changelog now holds both tenants in the current format, and the old records are deleted (tombstones).
        let records = try await TopicReader.read(changelog, brokers: brokers) { messages in
            let keys = Set(messages.compactMap(\.keyString))
            return [inSQLite, onChangelog].allSatisfy { keys.contains("t:\($0)") }
        }
        for tenant in [inSQLite, onChangelog] {
            let tombstone = records.last { $0.keyString == "t:\(tenant)" }
            #expect(tombstone?.value.isEmpty == true, "\(tenant): its whole-state record is deleted")
            #expect(records.contains { $0.keyString?.hasPrefix("e:\(tenant.utf8.count):\(tenant)") == true && $0.partition == partition[tenant] },
                    "\(tenant): its entities are on the changelog")
        }
        s.signal(SIGTERM)
        #expect(await s.waitForExit(timeout: .seconds(10)) && s.exitCode == 0)
    }

    @Test("killed with SIGKILL at random moments while consuming 10,000 events: the same state and output ids as an uninterrupted run")
    func crashes() async throws {
        let (messages, expected) = inputs(tenants: 8, perTenant: 1_250)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(common: KafkaConfiguration(bootstrapServers: brokers)))
        try await producer.send(batch: messages)
        var rng = SystemRandomNumberGenerator()
        var midStreamKills = 0
        var killedAt: [Int] = []
        // A killed member holds its partitions until its session times out: keep that short here.
        // 1 ms per event makes the 10,000 events last at least 10 s of processing, on any machine.
        let fastFailover = ["CC_SESSION_TIMEOUT_MS": "2000", "CC_MAX_BATCH": "200", "RUNTIME_TEST_PAUSE_US": "1000"]
        for _ in 0..<8 {
            // The service kills itself (SIGKILL) at a random moment once it has handled an event of its own: the
            // moment must not depend on when this test process, busy with other suites, gets to poll it.
            let delay = Int.random(in: 0...150, using: &rng)
            let s = try start("a", extra: fastFailover.merging(["RUNTIME_TEST_KILL_AFTER_MS": "\(delay)"]) { _, new in new })
            try await eventually(timeout: .seconds(120), "the service killed itself, or had nothing left to do") {
                if !s.isRunning { return true }
                var total = 0
                for tenant in expected.keys { total += await state(s, tenant: tenant)?.count ?? 0 }
                return total == messages.count
            }
            if s.isRunning {
                s.signal(SIGKILL)
                _ = await s.waitForExit(timeout: .seconds(5))
                killedAt.append(messages.count)
                continue
            }
            guard let line = s.log.split(separator: "\n").last(where: { $0.contains("killing itself after") }),
                  let progress = Int(line.split(separator: " ").dropLast().last ?? "") else {
                Issue.record("the service exited without killing itself (status \(s.exitCode)); log: \(s.logURL.path)")
                continue
            }
            if progress < messages.count { midStreamKills += 1 }
            killedAt.append(progress)
        }
        let s = try start("a", extra: fastFailover)
        try await ready(s)
        try await expectFinalState([s], expected)
        try await expectOutputIDs(Set(expected.keys.flatMap { tenant in
            (0..<1_250).map { EventIdentity.derivedID(inputID: "in-\(tenant)-\($0)", source: "/tests", service: "runtime-test-service", index: 0) } }))
        #expect(midStreamKills >= 5, "kills that interrupted processing: \(midStreamKills); events processed at each kill: \(killedAt)")
        s.signal(SIGTERM)
        #expect(await s.waitForExit(timeout: .seconds(10)))
    }

    @Test("HTTP views answer while a batch is being decided: they read the state as of the last decided batch")
    func viewsDoNotWaitForABatch() async throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let hold = dir.appendingPathComponent("hold").path
        let s = try start("a", extra: ["RUNTIME_TEST_HOLD_FILE": hold, "CC_MAX_BATCH": "100"])
        try await ready(s)
        let (messages, expected) = inputs(tenants: 1, perTenant: 300)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(common: KafkaConfiguration(bootstrapServers: brokers)))
        try await producer.send(batch: Array(messages[..<100]))
        try await eventually(timeout: .seconds(60), "the first 100 events decided") { await state(s, tenant: "tenant-0")?.count == 100 }
        // The next batch blocks in the handler until the file is removed.
        _ = FileManager.default.createFile(atPath: hold, contents: nil)
        try await producer.send(batch: Array(messages[100...]))
        try await eventually(timeout: .seconds(60), "a batch blocked in the handler") {
            FileManager.default.fileExists(atPath: hold + ".reached")
        }
        // The view answers (the HTTP client gives up after 5 s) with the last decided batch's state.
        #expect(await state(s, tenant: "tenant-0")?.count == 100)
        try FileManager.default.removeItem(atPath: hold)
        try await expectFinalState([s], expected)
        s.signal(SIGTERM)
        #expect(await s.waitForExit(timeout: .seconds(10)))
    }

    @Test("SIGTERM during load: exit 0 within 10 s, nothing lost on restart")
    func sigterm() async throws {
        let s = try start("a")
        try await ready(s)
        let (messages, expected) = inputs(tenants: 4, perTenant: 1_000)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(common: KafkaConfiguration(bootstrapServers: brokers)))
        try await producer.send(batch: messages)
        try await eventually("some events processed") {
            let metrics = await s.get("/metrics")?.body ?? ""
            return metrics.contains("cc_events_consumed_total{service=\"runtime-test-service\"} ")
                && !metrics.contains("cc_events_consumed_total{service=\"runtime-test-service\"} 0\n")
        }
        let stopAt = ContinuousClock.now
        s.signal(SIGTERM)
        #expect(await s.waitForExit(timeout: .seconds(10)), "exits within 10 s")
        #expect(s.exitCode == 0)
        #expect(ContinuousClock.now - stopAt < .seconds(10))
        let again = try start("a")
        try await ready(again)
        try await expectFinalState([again], expected)
        again.signal(SIGTERM)
        #expect(await again.waitForExit(timeout: .seconds(10)))
    }

    @Test("two instances share the partitions; one stops mid-stream, a third joins: outputs and state equal a single run")
    func scaleOut() async throws {
        let a = try start("a"), b = try start("b")
        try await ready(a)
        try await ready(b)
        let (messages, expected) = inputs(tenants: 12, perTenant: 250)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(common: KafkaConfiguration(bootstrapServers: brokers)))
        let half = messages.count / 2
        try await producer.send(batch: Array(messages[..<half]))
        try await eventually(timeout: .seconds(60), "both instances own partitions and work") {
            let ma = await a.get("/metrics")?.body ?? "", mb = await b.get("/metrics")?.body ?? ""
            return !ma.contains("consumed_total{service=\"runtime-test-service\"} 0\n")
                && !mb.contains("consumed_total{service=\"runtime-test-service\"} 0\n")
        }
        a.signal(SIGTERM)
        #expect(await a.waitForExit(timeout: .seconds(10)) && a.exitCode == 0)
        try await producer.send(batch: Array(messages[half...]))
        let c = try start("c")
        try await ready(c)
        try await expectFinalState([b, c], expected)
        try await expectOutputIDs(Set(expected.keys.flatMap { tenant in
            (0..<250).map { EventIdentity.derivedID(inputID: "in-\(tenant)-\($0)", source: "/tests", service: "runtime-test-service", index: 0) } }))
        for s in [b, c] { s.signal(SIGTERM) }
        for s in [b, c] { #expect(await s.waitForExit(timeout: .seconds(10)) && s.exitCode == 0) }
    }
}
