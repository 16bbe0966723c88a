/// How the seat view labels a call one agent dials to another (T4).
public enum SeatViewCallLabel: String, Codable, Sendable {
    /// 内線通話
    case extensionCall
    /// 発信通話
    case outboundCall
    /// 外線通話
    case externalCall

    /// A call to an agent whose device is an external number is not an extension
    /// call: the caller shows an outbound call, the callee an external call.
    public static func labels(calleeDevice: SignInDevice) -> (from: SeatViewCallLabel, to: SeatViewCallLabel) {
        calleeDevice.isExternal ? (.outboundCall, .externalCall) : (.extensionCall, .extensionCall)
    }
}
