import CallCenterDomain

/// A sign-in device as JSON: `{kind, number?, phoneType?}`.
public struct ContractDevice: Codable, Sendable, Hashable {
    public var kind: DeviceKind
    public var number: String?
    public var phoneType: PhoneType?

    public init(kind: DeviceKind, number: String? = nil, phoneType: PhoneType? = nil) {
        self.kind = kind
        self.number = number
        self.phoneType = phoneType
    }

    public init(_ device: SignInDevice) {
        self.init(kind: device.kind, number: device.number?.e164, phoneType: device.phoneType)
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

    public var request: DeviceRequest { DeviceRequest(kind: kind, number: number, phoneType: phoneType) }
}
