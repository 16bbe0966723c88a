/// Where an agent's calls ring (S1): the softphone, or an external number
/// (外線番号指定) with its phone type.
public enum SignInDevice: Hashable, Codable, Sendable {
    case softphone
    case externalNumber(PhoneNumber, PhoneType)

    public var kind: DeviceKind {
        switch self {
        case .softphone: .softphone
        case .externalNumber: .externalNumber
        }
    }

    public var number: PhoneNumber? {
        if case .externalNumber(let n, _) = self { return n }
        return nil
    }

    public var phoneType: PhoneType? {
        if case .externalNumber(_, let t) = self { return t }
        return nil
    }

    public var isExternal: Bool { kind == .externalNumber }

    /// Validates a requested device (S1, S4): a number is required for an external
    /// number and forbidden for the softphone; it must parse, be allowed as a
    /// destination, and agree with an explicitly given phone type.
    public static func validate(_ request: DeviceRequest, allowInternational: Bool)
        -> Result<SignInDevice, DeviceChangeRejection> {
        switch request.kind {
        case .softphone:
            if let n = request.number, !n.isEmpty {
                return .failure(.init(.invalidRequest, "a softphone device takes no number"))
            }
            if request.phoneType != nil {
                return .failure(.init(.invalidRequest, "a softphone device takes no phone type"))
            }
            if request.persistentConnection == true {
                return .failure(.init(.invalidRequest, "a persistent connection is for external numbers only"))
            }
            return .success(.softphone)
        case .externalNumber:
            guard let raw = request.number, !raw.isEmpty else {
                return .failure(.init(.invalidRequest, "an external number device needs a number"))
            }
            let number: PhoneNumber
            do {
                number = try PhoneNumber.parse(raw)
            } catch {
                return .failure(.init(.invalidNumber, "invalid number: \(error)"))
            }
            if let why = ForwardingPolicy.rejection(of: number, for: .signInDevice, allowInternational: allowInternational) {
                return .failure(.init(.forbiddenDestination, why.message))
            }
            let derived = number.category.derivedPhoneType
            if let given = request.phoneType, let derived, given != derived {
                return .failure(.init(.invalidNumber,
                                      "phone type \(given.rawValue) does not match the number, which is \(derived.rawValue)"))
            }
            // Foreign numbers carry no type; a mobile is the common case and takes the mobile rate.
            return .success(.externalNumber(number, request.phoneType ?? derived ?? .mobile))
        }
    }
}

/// The two kinds of sign-in device.
public enum DeviceKind: String, Codable, Sendable, CaseIterable {
    case softphone
    case externalNumber
}

/// A device as requested by a screen, before validation.
public struct DeviceRequest: Hashable, Codable, Sendable {
    public var kind: DeviceKind
    public var number: String?
    public var phoneType: PhoneType?
    /// F12: keep a call to the phone up between customer calls (external numbers only).
    public var persistentConnection: Bool?

    public init(kind: DeviceKind, number: String? = nil, phoneType: PhoneType? = nil, persistentConnection: Bool? = nil) {
        self.kind = kind
        self.number = number
        self.phoneType = phoneType
        self.persistentConnection = persistentConnection
    }
}
