/// A tenant's contract settings (`cc.tenant.configured.v1`).
public struct Tenant: Hashable, Codable, Sendable {
    public var id: TenantID
    /// Concurrent-call channels of the contract (F3).
    public var concurrentCallLimit: Int
    public var platformVersion: PlatformVersion
    public var callbackDialingOption: Bool
    public var allowInternationalForwarding: Bool
    public var rates: ChargeRates

    public init(id: TenantID, concurrentCallLimit: Int, platformVersion: PlatformVersion,
                callbackDialingOption: Bool, allowInternationalForwarding: Bool, rates: ChargeRates) {
        self.id = id
        self.concurrentCallLimit = concurrentCallLimit
        self.platformVersion = platformVersion
        self.callbackDialingOption = callbackDialingOption
        self.allowInternationalForwarding = allowInternationalForwarding
        self.rates = rates
    }
}
