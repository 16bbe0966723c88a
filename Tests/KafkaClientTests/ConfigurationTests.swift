import KafkaClient
import Testing

@Suite("Kafka client configuration")
struct ConfigurationTests {
    @Test("KAFKA_PROPERTY_* variables become librdkafka properties: lower-cased, _ to ., __ to _")
    func propertiesFromEnvironment() {
        let properties = KafkaConfiguration.properties(fromEnvironment: [
            "KAFKA_PROPERTY_SECURITY_PROTOCOL": "SASL_SSL",
            "KAFKA_PROPERTY_SASL_MECHANISMS": "SCRAM-SHA-512",
            "KAFKA_PROPERTY_SASL_PASSWORD": "hunter2",
            "KAFKA_PROPERTY_LOG__LEVEL": "6",
            "KAFKA_PROPERTY_": "ignored",
            "KAFKA_BROKERS": "b:9092",
            "PATH": "/bin",
        ])
        #expect(properties == ["security.protocol": "SASL_SSL", "sasl.mechanisms": "SCRAM-SHA-512",
                               "sasl.password": "hunter2", "log_level": "6"])
    }

    @Test("a property librdkafka refuses is named in the error; a secret's value never appears")
    func refusedProperties() throws {
        let unknown = #expect(throws: KafkaError.self) {
            try KafkaProducer(configuration: ProducerConfiguration(common: KafkaConfiguration(overrides: ["no.such.property": "1"])))
        }
        #expect(unknown?.reason.contains("no.such.property") == true)
        let secret = #expect(throws: KafkaError.self) {
            try KafkaProducer(configuration: ProducerConfiguration(common: KafkaConfiguration(
                overrides: ["sasl.password.typo": "hunter2"])))
        }
        #expect(secret?.reason.contains("sasl.password.typo") == true)
        #expect(secret?.reason.contains("hunter2") == false)
        // Issue 23: a property not named like a secret (librdkafka refuses it when built without SASL/OAUTH
        // support, or with a bad value) must not show its value either.
        for (key, value) in [("sasl.jaas.config", "org.Login required password=\"S3cretJaas\";"),
                             ("sasl.mechanisms", "NOT-A-MECHANISM-S3cret"), ("acks", "S3cretAcks")] {
            let refused = try? KafkaProducer(configuration: ProducerConfiguration(common: KafkaConfiguration(
                overrides: [key: value])))
            if refused == nil {
                let error = #expect(throws: KafkaError.self) {
                    try KafkaProducer(configuration: ProducerConfiguration(common: KafkaConfiguration(overrides: [key: value])))
                }
                #expect(error?.reason.contains(key) == true || error?.reason.contains("(hidden)") == true)
                #expect(error?.reason.contains("S3cret") == false, "\(key)'s value shown: \(error?.reason ?? "")")
            }
        }
        #expect(KafkaConfiguration.isSecret("sasl.password") && KafkaConfiguration.isSecret("ssl.key.password")
            && !KafkaConfiguration.isSecret("security.protocol"))
    }

    @Test("the consumer bounds what librdkafka fetches ahead (queued.max.messages.kbytes) and accepts the setting")
    func consumerQueue() async throws {
        let cluster = try MockKafkaCluster()
        let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(
            common: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers), groupID: "g", queuedMaxKilobytes: 2_048),
            topics: [])
        await consumer.close()
        #expect(ConsumerConfiguration(groupID: "g").queuedMaxKilobytes == 16_384)
    }
}
