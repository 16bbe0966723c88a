import ArgumentParser
import CallCenterDomain
import EventContract
import Foundation
import KafkaClient
import ServiceRuntime

let services = ServiceDeclaration.all.map(\.name)

struct Topics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The deployment's topics with partitions, end offsets and each service's lag.")

    @OptionGroup var kafka: KafkaOptions

    func run() async throws {
        let c = try kafka.consumer()
        let md: ClusterMetadata
        do { md = try await c.metadata() } catch { fail("cannot reach Kafka at \(kafka.bootstrapServers): \(error)") }
        let prefix = kafka.topicPrefix
        let names = md.topics.map(\.name).filter { $0.hasPrefix(prefix + "cc.") }.sorted()
        out("TOPIC".padding(toLength: 44, withPad: " ", startingAt: 0) + " PARTS  END-OFFSETS   " +
            services.map { $0.replacingOccurrences(of: "-service", with: "") + "-lag" }.joined(separator: "  "))
        var lagConsumers: [String: KafkaConsumer] = [:]
        for s in services {
            lagConsumers[s] = try KafkaConsumer(configuration: ConsumerConfiguration(
                common: KafkaConfiguration(bootstrapServers: kafka.bootstrapServers, clientID: "ccctl", overrides: KafkaOptions.properties),
                groupID: prefix + s), topics: [])
        }
        for name in names {
            let parts = md.topics.first { $0.name == name }!.partitionCount
            var end: Int64 = 0
            var perPartition: [TopicPartition: Int64] = [:]
            for p in 0..<parts {
                let tp = TopicPartition(topic: name, partition: Int32(p))
                let high = try await c.watermarks(tp).high
                perPartition[tp] = high
                end += high
            }
            var lags: [String] = []
            for s in services {
                let committed = (try? await lagConsumers[s]!.committed(Array(perPartition.keys))) ?? [:]
                if committed.values.allSatisfy({ $0 == nil }) { lags.append("-".padding(toLength: 12, withPad: " ", startingAt: 0)); continue }
                let lag = perPartition.reduce(Int64(0)) { sum, kv in sum + max(0, kv.value - ((committed[kv.key] ?? nil) ?? 0)) }
                lags.append(String(lag).padding(toLength: 12, withPad: " ", startingAt: 0))
            }
            out(name.padding(toLength: 44, withPad: " ", startingAt: 0) + " " + String(parts).padding(toLength: 6, withPad: " ", startingAt: 0)
                + String(end).padding(toLength: 14, withPad: " ", startingAt: 0) + lags.joined(separator: " "))
        }
        for lc in lagConsumers.values { await lc.close() }
        await c.close()
    }
}

struct Tail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A topic's events, decoded, one per line: partition:offset, time, tenant, type and data.")

    @Argument(help: "A contract topic without the prefix, e.g. cc.routing.decisions.")
    var topic: String
    @Option(help: "Only this tenant's events.") var tenant: String?
    @Option(help: "Only events of this CloudEvents type, e.g. cc.call.dtmf.v1.") var type: String?
    @Option(help: "Only events about this call (its subject, or its id in the data).") var call: String?
    @Option(help: "Only events about this persistent agent leg (F12: its subject, or its id in the data).") var leg: String?
    @Option(help: """
        Only events of this trace: a W3C trace id (32 hex digits) or a whole traceparent. An input's traceparent goes         onto every event derived from it, so one call can be followed from cc.telephony.events through every topic.
        """) var trace: String?
    @Option(help: "Stop after this many events.") var limit: Int?
    @Flag(help: "Keep following the topic for new events (Ctrl-C stops).") var follow = false
    @Flag(help: "Show phone numbers as they are (masked by default).") var showNumbers = false
    @OptionGroup var kafka: KafkaOptions

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be 1 or more") }
        if let trace, traceID(trace) == nil {
            throw ValidationError("--trace takes a trace id (32 lower-case hex digits) or a traceparent (00-<trace id>-<parent id>-<flags>)")
        }
    }

    /// The trace id `value` names: itself, or a traceparent's.
    func traceID(_ value: String) -> Substring? {
        if let id = TraceParent.traceID(of: value) { return id }
        return TraceParent.traceID(of: "00-\(value)-0000000000000001-01")
    }

    func run() async throws {
        var shown = 0
        let traceID = trace.flatMap(traceID)
        try await kafka.read(topic, follow: follow) { m in
            let e = decode(m)
            if let tenant, e?.attributes.tenantID != tenant { return true }
            if let type, e?.attributes.type != type { return true }
            for id in [call, leg].compactMap({ $0 }) where e?.attributes.subject != id && !dataJSON(m).contains("\"\(id)\"") {
                return true
            }
            if let traceID, e?.attributes.traceparent.flatMap(TraceParent.traceID(of:)) != traceID { return true }
            let head = e.map { "\(RFC3339.format($0.attributes.time)) \($0.attributes.tenantID) \($0.attributes.type)" }
                ?? "(not a contract event)"
            // Only the data is masked: the position and the time are digits a mask would take for a number.
            let data = dataJSON(m)
            out("\(m.partition):\(m.offset) \(head) \(showNumbers ? data : mask(data))")
            shown += 1
            return limit.map { shown < $0 } ?? true
        }
    }
}

/// Which dead letters a command looks at.
struct DeadLetterFilter: ParsableArguments {
    @Option(help: "Only dead letters of this tenant (their Kafka key).") var tenant: String?
    @Option(help: "Only dead letters with this error code, e.g. schemaViolation.") var code: String?
    @Option(help: "At most this many.") var limit: Int?

    func letters(_ kafka: KafkaOptions) async throws -> [(StatusEvents.DeadLetter, String)] {
        var letters: [(StatusEvents.DeadLetter, String)] = []
        try await kafka.read("cc.deadletter", follow: false) { m in
            guard let e = decode(m), case .deadLetter(let d) = e.event else { return true }
            if let tenant, d.key != tenant { return true }
            if let code, d.error.code != code { return true }
            letters.append((d, e.attributes.id))
            return limit.map { letters.count < $0 } ?? true
        }
        return letters
    }
}

struct DeadLetters: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deadletters", abstract: "What the services refused, and why (numbers masked).")

    @OptionGroup var filter: DeadLetterFilter
    @OptionGroup var kafka: KafkaOptions

    func run() async throws {
        let letters = try await filter.letters(kafka)
        for (d, _) in letters {
            out(mask("\(d.at) \(d.service) \(d.error.code) \(d.originalTopic)[\(d.partition)]@\(d.offset) key=\(d.key ?? "-"): \(d.error.message)"))
        }
        out("\(letters.count) dead letters")
    }
}

/// Replays only what a service of this deployment dead-lettered from one of its own input topics: anything else
/// in `cc.deadletter` (written by another producer, or naming another topic) would let a writer of that topic
/// publish to any topic through ccctl.
struct ReplayDeadLetters: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay-deadletters",
        abstract: "Publishes dead-lettered messages again to their original topics (after fixing their producer or the service).",
        discussion: "Only messages a service of this deployment dead-lettered from one of its own input topics are replayed.")

    @OptionGroup var filter: DeadLetterFilter
    @Flag(help: "Replay without asking (needed when stdin is not a terminal).") var yes = false
    @OptionGroup var kafka: KafkaOptions

    func run() async throws {
        let all = try await filter.letters(kafka)
        let letters = all.filter { DeploymentInputs.service($0.0.service, reads: $0.0.originalTopic, prefix: kafka.topicPrefix) }
        if letters.count < all.count {
            out("skipping \(all.count - letters.count) dead letters that no service of this deployment wrote from one of its input topics")
        }
        guard !letters.isEmpty else { out("nothing to replay"); return }
        for (d, id) in letters {
            out(mask("  \(d.originalTopic)[\(d.partition)]@\(d.offset) key=\(d.key ?? "-") \(d.service) \(d.error.code): \(d.error.message) (dead letter \(id))"))
        }
        if !yes {
            guard isatty(STDIN_FILENO) == 1 else {
                out("\(letters.count) dead letters would be published again to their original topics; add --yes to do it")
                return
            }
            FileHandle.standardOutput.write(Data("publish these \(letters.count) messages again to their original topics? [y/N] ".utf8))
            guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else { out("nothing replayed"); return }
        }
        let producer = try KafkaProducer(configuration: ProducerConfiguration(
            common: KafkaConfiguration(bootstrapServers: kafka.bootstrapServers, clientID: "ccctl", overrides: KafkaOptions.properties)))
        var replayed = 0
        for (i, (d, id)) in letters.enumerated() {
            guard let payload = Data(base64Encoded: d.payloadBase64) else {
                out("  skipped \(d.originalTopic)[\(d.partition)]@\(d.offset): its payload is not base64")
                continue
            }
            try await producer.send(OutgoingMessage(topic: d.originalTopic, key: d.key.map { Array($0.utf8) }, value: Array(payload),
                                                    headers: [KafkaHeader(key: "ccctl-replay-of", string: "\(d.originalTopic)/\(d.partition)/\(d.offset)")]))
            replayed += 1
            // What was replayed, one line each, on stderr: the operator's record of it (stdout shows the progress).
            FileHandle.standardError.write(Data(mask("ccctl: replayed \(d.originalTopic)[\(d.partition)]@\(d.offset) (dead letter \(id))\n").utf8))
            let width = 30, filled = width * (i + 1) / letters.count
            FileHandle.standardOutput.write(Data("\rreplaying [\(String(repeating: "█", count: filled))\(String(repeating: "·", count: width - filled))] \(i + 1)/\(letters.count)".utf8))
        }
        out("\nreplayed \(replayed) messages")
    }
}
