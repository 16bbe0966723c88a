import ArgumentParser

struct Options: ParsableCommand {
    @Option(help: "Kafka bootstrap servers to measure against (default: start the local broker on a free port).")
    var brokers: String?
    @Option(help: "Calls of the throughput runs (each call is about six events).") var calls = 20_000
    @Option(help: "Calls offered per second in the latency run.") var rate = 1_000
    @Option(help: "Seconds the latency run lasts.") var seconds = 10
    @Option(help: "Where the services' executables are.") var bin = ".build/release"
    @Option(name: .customLong("write-doc"), help: "Also write the figures into this Markdown file's generated section.")
    var doc: String?
    /// Events the service has consumed in all when its peak RSS is read.
    @Option(help: "Events consumed in all when the services' peak RSS is read.") var memoryEvents = 1_000_000
    /// Also runs the other three services (settings, status, report) on the same topics.
    @Flag(help: "Run all four services (the system benchmark), not routing-service alone.") var system = false

    static let configuration = CommandConfiguration(
        commandName: "cc-bench",
        abstract: "How fast routing-service (or, with --system, all four services) is next to the raw limit of the same broker and client.",
        discussion: """
            Steps: a raw consume → produce passthrough; the pipeline on a realistic tenant; latency at a fixed call rate \
            against a raw relay; peak RSS after --memory-events events. Diagnostics: cc-bench --hop-probe H:P TOPIC N \
            (one hop's latency through the broker). cc-bench --relay H:P IN OUT is the relay the latency step starts.
            """)

    func validate() throws {
        guard calls > 0, rate > 0, seconds > 0, memoryEvents > 0 else {
            throw ValidationError("--calls, --rate, --seconds and --memory-events must be more than 0")
        }
    }
}
