import EventContract
import ServiceRuntime
import Testing

@Suite("Topics are trust boundaries: each accepts only its contract's types")
struct ContractTopicTests {
    @Test("every contract type is accepted on exactly one topic, and nothing else is accepted anywhere")
    func everyTypeOnOneTopic() {
        var topicsOfType: [String: [ContractTopic]] = [:]
        for topic in ContractTopic.allCases {
            for type in topic.acceptedTypes { topicsOfType[type, default: []].append(topic) }
        }
        #expect(Set(topicsOfType.keys) == Set(ContractEvent.allTypes))
        for (type, topics) in topicsOfType { #expect(topics.count == 1, "\(type) is accepted on \(topics)") }
    }

    @Test("S2: account and tenant configuration are accepted on cc.config only; settings commands carry device changes only")
    func configurationOnlyOnConfig() {
        #expect(ContractTopic.config.acceptedTypes.contains(ConfigEvents.AccountConfigured.eventType))
        #expect(ContractTopic.settingsCommands.acceptedTypes == [SettingsEvents.ChangeRequested.eventType])
        #expect(!ContractTopic.telephonyEvents.acceptedTypes.contains(ConfigEvents.TenantConfigured.eventType))
        #expect(ContractTopic.usage.acceptedTypes == [StatusEvents.ChannelsChanged.eventType])
    }
}
