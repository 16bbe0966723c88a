import CallCenterDomain
import EventContract
import ServiceRuntime

/// settings-service's logic (S1–S5, F4, F5, F10, F11): keeps each tenant's account
/// registry and sign-in devices, and answers every device change request with a
/// `changed` or `change-rejected` event carrying the request id.
public struct SettingsProcessor: EventProcessor {
    public typealias State = SettingsRegistry

    public init() {}

    public var inputs: [ContractTopic] { ServiceDeclaration.settings.inputs }

    public func initialState(tenant: TenantID) -> SettingsRegistry { SettingsRegistry(tenantID: tenant) }

    public func handle(_ event: DecodedEvent, state: inout SettingsRegistry, context: HandlerContext)
        throws(HandlerRejection) -> [Emission] {
        let at = context.eventTime
        switch event.event {
        case .tenantConfigured(let t):
            state.configure(try t.tenant(checkedAgainst: context))
        case .callCenterConfigured(let c):
            state.configure(c.callCenter(tenantID: context.tenantID))
        case .accountConfigured(let a):
            state.configure(a.account(tenantID: context.tenantID))
        case .deviceChangeRequested(let command):
            let (outcome, _) = state.handle(command.request, at: at)
            return [Self.emission(for: outcome, targetAccountID: command.targetAccountId, at: at)]
        default:
            break
        }
        return []
    }

    /// The published answer to a request: the same for a repeated request id (S3).
    static func emission(for outcome: DeviceChangeOutcome, targetAccountID: AccountID, at: Timestamp) -> Emission {
        switch outcome {
        case .applied(let change):
            return Emission(.settingsEvents, SettingsEvents.Changed(change), subject: change.accountID, time: at)
        case .rejected(let requestID, let rejection, _):
            return Emission(.settingsEvents, SettingsEvents.ChangeRejected(
                requestId: requestID, targetAccountId: targetAccountID, rejection: rejection), subject: targetAccountID, time: at)
        }
    }
}
