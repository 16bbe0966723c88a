import CallCenterDomain
import KafkaClient

/// The tenants a loop holds: each one's state and recent event ids with its partition, the partitions it owns and
/// the offsets it has consumed.
struct TenantTable<State: Codable & Sendable>: Sendable {
    struct Slot: Sendable {
        var partition: Int32
        var record: TenantRecord<State>
    }

    var owned: Set<Int32> = []
    var slots: [TenantID: Slot] = [:]
    var offsets: [TopicPartition: Int64] = [:]
}
