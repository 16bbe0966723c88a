import KafkaClient
import ServiceRuntime
import Testing

@Suite("Service configuration from the environment")
struct ServiceConfigurationTests {
    @Test("defaults, and KAFKA_PROPERTY_* passed to every Kafka client of the service")
    func kafkaProperties() throws {
        let plain = try ServiceConfiguration.fromEnvironment(serviceName: "routing-service", defaultHTTPPort: 8082, environment: [:])
        #expect(plain.brokers == "127.0.0.1:9092" && plain.consumerQueueKilobytes == 16_384 && plain.kafkaProperties.isEmpty)
        #expect(plain.consumer.queuedMaxKilobytes == 16_384 && plain.mallocTrimMilliseconds == 5_000)
        #expect(plain.mergeBufferEvents == 10_000 && plain.consumer.fetchMaxKilobytes == 1_024)
        #expect(plain.producer.lingerMilliseconds == 0 && plain.producer.idempotent)
        let secured = try ServiceConfiguration.fromEnvironment(serviceName: "routing-service", defaultHTTPPort: 8082, environment: [
            "KAFKA_BROKERS": "kafka-1:9093", "KAFKA_PROPERTY_SECURITY_PROTOCOL": "SSL",
            "KAFKA_PROPERTY_SSL_CA_LOCATION": "/etc/kafka/ca.pem", "CC_CONSUMER_QUEUE_KB": "4096",
            "CC_MERGE_BUFFER_EVENTS": "2000", "CC_FETCH_MAX_KB": "2048", "CC_LINGER_MS": "5",
        ])
        #expect(secured.producer.lingerMilliseconds == 5)
        #expect(secured.consumer.fetchMaxKilobytes == 2_048)
        #expect(secured.mergeBufferEvents == 2_000)
        let expected = ["security.protocol": "SSL", "ssl.ca.location": "/etc/kafka/ca.pem"]
        #expect(secured.kafka.overrides == expected && secured.producer.common.overrides == expected)
        #expect(secured.consumer.common.overrides == expected)
        #expect(secured.consumer.queuedMaxKilobytes == 4_096)
    }

    @Test("an invalid value is reported with its variable's name")
    func invalidValues() {
        for (variable, value) in [("CC_CONSUMER_QUEUE_KB", "12"), ("CC_MALLOC_TRIM_MS", "-1"), ("CC_MERGE_BUFFER_EVENTS", "10"), ("CC_MAX_BATCH", "lots"), ("CC_LINGER_MS", "-2"), ("CC_LOG_LEVEL", "loud")] {
            let error = #expect(throws: ConfigurationError.self) {
                try ServiceConfiguration.fromEnvironment(serviceName: "s", defaultHTTPPort: 1, environment: [variable: value])
            }
            #expect(error?.variable == variable && error?.description.contains(value) == true)
        }
    }
}
