// ccctl: the operator's view of a call-center deployment, against any Kafka cluster.
//
//   ccctl topics                                  topics with partitions, end offsets and each service's lag
//   ccctl tail TOPIC [--tenant T] [--type X] [--call C] [--leg L] [--limit N] [--follow] [--show-numbers]
//   ccctl deadletters [--tenant T] [--code C] [--limit N]
//   ccctl replay-deadletters [--tenant T] [--code C] [--yes]
//   ccctl agent ACCOUNT --tenant T [--settings-url URL] [--token JWT]   (or CC_ACCESS_TOKEN)
//   ccctl report KIND --tenant T [--from T] [--to T] [--report-url URL] [--token JWT]   a report as CSV
//   ccctl auth-keys DIR                           a development ES256 key pair: DIR/signing-key.pem, DIR/jwks.json
//   ccctl auth-token --key FILE --tenant T [--role R] [--hours H]   a development token signed with that key
//
// Common options: --brokers H:P (or KAFKA_BROKERS), --prefix P (or CC_TOPIC_PREFIX).
// TOPIC is a contract name without prefix, e.g. cc.routing.decisions.
import CallCenterDomain
import EventContract
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KafkaClient
import ServiceRuntime

let services = ["settings-service", "routing-service", "status-service", "report-service"]

struct Arguments {
    var positional: [String] = []
    var options: [String: String] = [:]
    var flags: Set<String> = []

    init(_ args: [String]) {
        var i = 0
        let flagNames: Set<String> = ["--follow", "--show-numbers", "--yes"]
        while i < args.count {
            let a = args[i]
            if flagNames.contains(a) { flags.insert(String(a.dropFirst(2))) } else if a.hasPrefix("--"), i + 1 < args.count {
                options[String(a.dropFirst(2))] = args[i + 1]
                i += 1
            } else { positional.append(a) }
            i += 1
        }
    }

    var brokers: String { options["brokers"] ?? ProcessInfo.processInfo.environment["KAFKA_BROKERS"] ?? "127.0.0.1:9092" }
    var prefix: String { options["prefix"] ?? ProcessInfo.processInfo.environment["CC_TOPIC_PREFIX"] ?? "" }
    var limit: Int? { options["limit"].flatMap(Int.init) }
}

func out(_ s: String) { FileHandle.standardOutput.write(Data((s + "\n").utf8)) }
func fail(_ s: String, code: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("ccctl: \(s)\n".utf8))
    exit(code)
}

/// Masks phone numbers in any format (and long digit runs) unless asked not to.
func mask(_ text: String) -> String { PhoneNumber.maskNumbers(in: text) }

/// librdkafka properties from `KAFKA_PROPERTY_*` (a secured cluster's settings), as the services read them.
let kafkaProperties = KafkaConfiguration.properties(fromEnvironment: ProcessInfo.processInfo.environment)

func consumer(_ a: Arguments) throws -> KafkaConsumer {
    try KafkaConsumer(configuration: ConsumerConfiguration(
        common: KafkaConfiguration(bootstrapServers: a.brokers, clientID: "ccctl", connectTimeoutMilliseconds: 5_000,
                                   overrides: kafkaProperties),
        groupID: "ccctl-\(UUID().uuidString.prefix(8))"), topics: [])
}

/// Reads a topic from the beginning (or follows it), calling `each` for every message.
func read(_ a: Arguments, topic: String, follow: Bool, _ each: (ConsumedMessage) -> Bool) async throws {
    let c = try consumer(a)
    let md = try await c.metadata(topic: topic)
    guard let t = md.topics.first(where: { $0.name == topic }) else { fail("no topic \(topic)") }
    var assignment: [TopicPartition: Int64?] = [:]
    var ends: [TopicPartition: Int64] = [:]
    for p in 0..<t.partitionCount {
        let tp = TopicPartition(topic: topic, partition: Int32(p))
        assignment[tp] = 0
        ends[tp] = try await c.watermarks(tp).high
    }
    try await c.assign(assignment)
    var idle = 0
    while true {
        let batch = try await c.poll(maxMessages: 1_000, timeout: .milliseconds(200))
        for m in batch where !each(m) { await c.close(); return }
        if batch.isEmpty {
            idle += 1
            // Without --follow, stop once nothing new came for a second (end offsets may lag on some brokers).
            if !follow && idle >= 5 { break }
        } else { idle = 0 }
    }
    await c.close()
}

func decode(_ m: ConsumedMessage) -> DecodedEvent? {
    try? CloudEventCodec.decode(value: m.value, headers: m.headers.map { ($0.key, $0.value) })
}

func dataJSON(_ m: ConsumedMessage) -> String {
    guard let obj = try? JSONSerialization.jsonObject(with: Data(m.value)) as? [String: Any],
          let data = obj["data"], let json = try? JSONSerialization.data(withJSONObject: data, options: [.sortedKeys]) else {
        return String(decoding: m.value.prefix(300), as: UTF8.self)
    }
    return String(decoding: json, as: UTF8.self)
}

func topics(_ a: Arguments) async throws {
    let c = try consumer(a)
    let md: ClusterMetadata
    do { md = try await c.metadata() } catch { fail("cannot reach Kafka at \(a.brokers): \(error)") }
    let names = md.topics.map(\.name).filter { $0.hasPrefix(a.prefix + "cc.") }.sorted()
    out("TOPIC".padding(toLength: 44, withPad: " ", startingAt: 0) + " PARTS  END-OFFSETS   " +
        services.map { $0.replacingOccurrences(of: "-service", with: "") + "-lag" }.joined(separator: "  "))
    var lagConsumers: [String: KafkaConsumer] = [:]
    for s in services {
        lagConsumers[s] = try KafkaConsumer(configuration: ConsumerConfiguration(
            common: KafkaConfiguration(bootstrapServers: a.brokers, clientID: "ccctl", overrides: kafkaProperties), groupID: a.prefix + s), topics: [])
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

func tail(_ a: Arguments) async throws {
    guard let name = a.positional.dropFirst().first else { fail("tail needs a TOPIC", code: 2) }
    var shown = 0
    try await read(a, topic: a.prefix + name, follow: a.flags.contains("follow")) { m in
        let e = decode(m)
        if let t = a.options["tenant"], e?.attributes.tenantID != t { return true }
        if let t = a.options["type"], e?.attributes.type != t { return true }
        if let call = a.options["call"], e?.attributes.subject != call && !dataJSON(m).contains("\"\(call)\"") { return true }
        // F12: an agent leg's commands, telephony events and channels carry its id.
        if let leg = a.options["leg"], e?.attributes.subject != leg && !dataJSON(m).contains("\"\(leg)\"") { return true }
        let head = e.map { "\(RFC3339.format($0.attributes.time)) \($0.attributes.tenantID) \($0.attributes.type)" }
            ?? "(not a contract event)"
        // Only the data is masked: the position and the time are digits a mask would take for a number.
        let data = dataJSON(m)
        out("\(m.partition):\(m.offset) \(head) \(a.flags.contains("show-numbers") ? data : mask(data))")
        shown += 1
        return a.limit.map { shown < $0 } ?? true
    }
}

func deadLetters(_ a: Arguments) async throws -> [(StatusEvents.DeadLetter, String)] {
    var letters: [(StatusEvents.DeadLetter, String)] = []
    try await read(a, topic: a.prefix + "cc.deadletter", follow: false) { m in
        guard let e = decode(m), case .deadLetter(let d) = e.event else { return true }
        if let t = a.options["tenant"], d.key != t { return true }
        if let c = a.options["code"], d.error.code != c { return true }
        letters.append((d, e.attributes.id))
        return a.limit.map { letters.count < $0 } ?? true
    }
    return letters
}

func showDeadLetters(_ a: Arguments) async throws {
    let letters = try await deadLetters(a)
    for (d, _) in letters {
        out(mask("\(d.at) \(d.service) \(d.error.code) \(d.originalTopic)[\(d.partition)]@\(d.offset) key=\(d.key ?? "-"): \(d.error.message)"))
    }
    out("\(letters.count) dead letters")
}

/// Replays only what a service of this deployment dead-lettered from one of its own input topics: anything else
/// in `cc.deadletter` (written by another producer, or naming another topic) would let a writer of that topic
/// publish to any topic through ccctl.
func replay(_ a: Arguments) async throws {
    let all = try await deadLetters(a)
    let letters = all.filter { DeploymentInputs.service($0.0.service, reads: $0.0.originalTopic, prefix: a.prefix) }
    if letters.count < all.count {
        out("skipping \(all.count - letters.count) dead letters that no service of this deployment wrote from one of its input topics")
    }
    guard !letters.isEmpty else { out("nothing to replay"); return }
    for (d, id) in letters {
        out(mask("  \(d.originalTopic)[\(d.partition)]@\(d.offset) key=\(d.key ?? "-") \(d.service) \(d.error.code): \(d.error.message) (dead letter \(id))"))
    }
    if !a.flags.contains("yes") {
        guard isatty(STDIN_FILENO) == 1 else {
            out("\(letters.count) dead letters would be published again to their original topics; add --yes to do it")
            return
        }
        FileHandle.standardOutput.write(Data("publish these \(letters.count) messages again to their original topics? [y/N] ".utf8))
        guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else { out("nothing replayed"); return }
    }
    let producer = try KafkaProducer(configuration: ProducerConfiguration(
        common: KafkaConfiguration(bootstrapServers: a.brokers, clientID: "ccctl", overrides: kafkaProperties)))
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

/// GET `base + path` with the caller's token; nil when it fails or answers other than 200 (401 and 403 end ccctl
/// with what to do).
func authorizedGet(_ a: Arguments, base: String, path: String, service: String, tenant: String) async -> Data? {
    let token = a.options["token"] ?? ProcessInfo.processInfo.environment["CC_ACCESS_TOKEN"]
    guard let url = URL(string: base + path) else { return nil }
    var request = URLRequest(url: url)
    if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
    guard let (data, r) = try? await URLSession.shared.data(for: request) else { return nil }
    switch (r as? HTTPURLResponse)?.statusCode {
    case 200: return data
    case 401: fail("\(service) at \(base) refused the token (401): set CC_ACCESS_TOKEN or --token to a valid one", code: 3)
    case 403: fail("\(service) at \(base) refused access to tenant \(tenant) (403): the token needs that tenant and role supervisor or systemAdministrator", code: 3)
    default: return nil
    }
}

func query(_ value: String) -> String { value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value }

/// A report of report-service as CSV (F12: the charges report shows agent legs apart from calls).
func report(_ a: Arguments) async throws {
    guard let kind = a.positional.dropFirst().first, let tenant = a.options["tenant"] else {
        fail("report needs KIND (callcenter, agent, outbound, charges, channels) and --tenant", code: 2)
    }
    let base = a.options["report-url"] ?? "http://127.0.0.1:8084"
    var path = "/reports/\(query(kind))?format=csv&tenant=\(query(tenant))"
    for bound in ["from", "to"] { if let v = a.options[bound] { path += "&\(bound)=\(query(v))" } }
    guard let data = await authorizedGet(a, base: base, path: path, service: "report-service", tenant: tenant) else {
        fail("report-service at \(base) gave no \(kind) report for \(tenant)")
    }
    FileHandle.standardOutput.write(data)
}

func agent(_ a: Arguments) async throws {
    guard let account = a.positional.dropFirst().first, let tenant = a.options["tenant"] else {
        fail("agent needs ACCOUNT and --tenant", code: 2)
    }
    let base = a.options["settings-url"] ?? "http://127.0.0.1:8081"
    func get(_ path: String) async -> Any? {
        await authorizedGet(a, base: base, path: path, service: "settings-service", tenant: tenant)
            .flatMap { try? JSONSerialization.jsonObject(with: $0) }
    }
    let t = tenant.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? tenant
    let acc = account.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? account
    guard let accounts = await get("/api/accounts?tenant=\(t)") as? [[String: Any]] else { fail("settings-service at \(base) does not know tenant \(tenant)") }
    guard let entry = accounts.first(where: { $0["accountId"] as? String == account }) else { fail("no account \(account) in \(tenant)") }
    let device = entry["device"] as? [String: Any] ?? [:]
    let persistent = device["persistentConnection"] as? Bool == true ? " (persistent connection)" : ""
    out("\(account) (\(entry["name"] ?? "")), \(entry["role"] ?? ""): \(device["kind"] ?? "") \(device["phoneType"] ?? "") \(device["number"] ?? "")\(persistent)")
    let trail = await get("/api/audit?tenant=\(t)&account=\(acc)&limit=50") as? [[String: Any]] ?? []
    for e in trail {
        let prev = e["previous"] as? [String: Any] ?? [:], cur = e["current"] as? [String: Any] ?? [:]
        out("  \(e["at"] ?? "") \(e["screen"] ?? "") by \(e["actorAccountId"] ?? ""): \(prev["kind"] ?? "") \(prev["number"] ?? "") → \(cur["kind"] ?? "") \(cur["number"] ?? "")")
    }
    out("\(trail.count) changes")
}

let a = Arguments(Array(CommandLine.arguments.dropFirst()))
do {
    switch a.positional.first {
    case "topics": try await topics(a)
    case "tail": try await tail(a)
    case "deadletters": try await showDeadLetters(a)
    case "replay-deadletters": try await replay(a)
    case "agent": try await agent(a)
    case "report": try await report(a)
    case "auth-keys": try AccessCommands.makeKeys(a)
    case "auth-token": try await AccessCommands.makeToken(a)
    default:
        fail("""
            usage: ccctl topics | tail TOPIC [--tenant T] [--type X] [--call C] [--leg L] [--limit N] [--follow] [--show-numbers]
                   | deadletters [--tenant T] [--code C] [--limit N] | replay-deadletters [--tenant T] [--code C] [--yes]
                   | agent ACCOUNT --tenant T [--settings-url URL] [--token JWT (CC_ACCESS_TOKEN)]
                   | report KIND --tenant T [--from T] [--to T] [--report-url URL] [--token JWT (CC_ACCESS_TOKEN)]
                   | auth-keys DIR [--kid K]
                   | auth-token --key FILE --tenant T [--role R] [--hours H] [--subject S] [--kid K] [--audience A]
                   options: --brokers H:P (KAFKA_BROKERS), --prefix P (CC_TOPIC_PREFIX)
            """, code: 2)
    }
} catch {
    fail("\(error)")
}
