/// Call charges of the forwarded leg by destination type (P3).
public struct ChargeRates: Hashable, Codable, Sendable {
    public var mobileYenPerMinute: Double
    public var landlineYenPerMinute: Double
    public var ipPhoneYenPerMinute: Double
    /// Calls are billed in whole increments of this many seconds, rounded up.
    public var billingIncrementSeconds: Int

    public init(mobileYenPerMinute: Double, landlineYenPerMinute: Double, ipPhoneYenPerMinute: Double,
                billingIncrementSeconds: Int) {
        self.mobileYenPerMinute = mobileYenPerMinute
        self.landlineYenPerMinute = landlineYenPerMinute
        self.ipPhoneYenPerMinute = ipPhoneYenPerMinute
        self.billingIncrementSeconds = billingIncrementSeconds
    }

    public func yenPerMinute(for type: PhoneType) -> Double {
        switch type {
        case .mobile: mobileYenPerMinute
        case .landline: landlineYenPerMinute
        case .ipPhone: ipPhoneYenPerMinute
        }
    }
}
