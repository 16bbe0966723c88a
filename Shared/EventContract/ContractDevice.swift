import CallCenterDomain

/// A sign-in device as JSON: `{kind, number?, phoneType?, persistentConnection?}`.
public struct ContractDevice: Codable, Sendable, Hashable {
    public var kind: DeviceKind
    public var number: String?
    public var phoneType: PhoneType?
    /// F12: keep a call to the phone up between customer calls (external numbers only; absent means false).
    public var persistentConnection: Bool?

    public init(kind: DeviceKind, number: String? = nil, phoneType: PhoneType? = nil, persistentConnection: Bool? = nil) {
        self.kind = kind
        self.number = number
        self.phoneType = phoneType
        self.persistentConnection = persistentConnection
    }

    public init(_ device: SignInDevice, persistentConnection: Bool = false) {
        self.init(kind: device.kind, number: device.number?.e164, phoneType: device.phoneType,
                  persistentConnection: persistentConnection && device.isExternal ? true : nil)
    }

    /// The domain device of an already validated, normalised event (e.g. a `changed` event).
    public var signInDevice: SignInDevice? {
        switch kind {
        case .softphone: return .softphone
        case .externalNumber:
            guard let number, let parsed = try? PhoneNumber.parse(number) else { return nil }
            return .externalNumber(parsed, phoneType ?? parsed.category.derivedPhoneType ?? .mobile)
        }
    }

    public var request: DeviceRequest {
        DeviceRequest(kind: kind, number: number, phoneType: phoneType, persistentConnection: persistentConnection)
    }
}
