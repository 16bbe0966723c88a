/// Which numbers calls may be forwarded or transferred to (S4, toll-fraud protection).
public enum ForwardingPolicy {
    /// What the number is used for: a sign-in device must reach a person's phone;
    /// a transfer target may also be a toll-free line.
    public enum Use: Sendable { case signInDevice, transferTarget, outboundCall }

    /// Checks a parsed number against the rules; nil when it is allowed.
    public static func rejection(of number: PhoneNumber, for use: Use, allowInternational: Bool) -> ForwardingRejection? {
        switch number.category {
        case .emergencyOrService: return .emergencyOrServiceNumber
        case .premiumRate: return .premiumRate
        case .sharedCost: return .sharedCost
        case .nonPersonal: return .notAPersonalPhone
        case .foreign: return allowInternational ? nil : .internationalNotAllowed
        case .tollFree: return use == .signInDevice ? .notAPersonalPhone : nil
        case .mobile, .landline, .ipPhone: return nil
        }
    }
}

extension ForwardingPolicy {
    /// Whether digits may be an account's extension (F9 targets, S4): never a number the network would route
    /// outside the tenant, i.e. nothing with a national or international prefix (`0`) and no emergency or short
    /// service number (three digits starting with `1`: 110, 118, 119, 104, 117, 177, ...). Otherwise a transfer
    /// "to an extension" would dial them unchecked.
    public static func isAllowedExtension(_ digits: String) -> Bool {
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        if digits.hasPrefix("0") { return false }
        if digits.count == 3 && digits.hasPrefix("1") { return false }
        if let number = try? PhoneNumber.parse(digits), number.category == .emergencyOrService { return false }
        return true
    }
}

/// Why a number may not be a destination.
public enum ForwardingRejection: String, Error, Codable, Sendable, CaseIterable {
    case emergencyOrServiceNumber
    case premiumRate
    case sharedCost
    case notAPersonalPhone
    case internationalNotAllowed

    public var message: String {
        switch self {
        case .emergencyOrServiceNumber: "emergency and short service numbers (110, 118, 119, 1xx) are never destinations"
        case .premiumRate: "premium-rate numbers (0990) are never destinations"
        case .sharedCost: "shared-cost numbers (0570, 0180) are never destinations"
        case .notAPersonalPhone: "the number does not reach a personal phone"
        case .internationalNotAllowed: "foreign numbers are not allowed for this tenant"
        }
    }
}
