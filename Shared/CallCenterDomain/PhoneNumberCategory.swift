/// What a number is, as far as forwarding and charges are concerned (S4).
public enum PhoneNumberCategory: String, Codable, Sendable, CaseIterable {
    /// JP 070/080/090.
    case mobile
    /// JP geographic numbers 0[1-9]… (10 digits).
    case landline
    /// JP 050.
    case ipPhone
    /// JP 0120 / 0800.
    case tollFree
    /// JP 0990 (dial Q2): never a destination.
    case premiumRate
    /// JP 0570 (NaviDial, caller pays a premium): never a destination.
    case sharedCost
    /// Emergency and short service numbers: 110, 118, 119 and every 1xx. Never a destination.
    case emergencyOrService
    /// JP 020 (pagers, M2M) and 060: not reachable as a person's phone.
    case nonPersonal
    /// Any number outside Japan (+ other than +81).
    case foreign

    /// The phone type a device on this number has, when it can be derived.
    public var derivedPhoneType: PhoneType? {
        switch self {
        case .mobile: .mobile
        case .landline: .landline
        case .ipPhone: .ipPhone
        default: nil
        }
    }
}
