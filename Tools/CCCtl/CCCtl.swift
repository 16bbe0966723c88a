import ArgumentParser

/// The root command: its subcommands are the operator's views.
struct CCCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ccctl",
        abstract: "The operator's view of a call-center deployment, against any Kafka cluster.",
        discussion: """
            Numbers in events are masked unless --show-numbers is given. Commands that read a service's HTTP views send \
            the bearer token of --token or CC_ACCESS_TOKEN. A secured cluster's librdkafka settings come from \
            KAFKA_PROPERTY_* variables, as for the services.
            """,
        subcommands: [Topics.self, Tail.self, DeadLetters.self, ReplayDeadLetters.self, AgentView.self, ReportView.self,
                      AuthKeys.self, AuthToken.self])
}
