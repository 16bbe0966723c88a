import CallCenterDomain
import EventContract

extension ConfigEvents.TenantConfigured {
    /// The tenant it configures, if it is the tenant of the event: the key (`tenantid`) decides
    /// the tenant, and a payload naming another one is refused rather than applied.
    public func tenant(checkedAgainst context: HandlerContext) throws(HandlerRejection) -> Tenant {
        guard tenantId == context.tenantID else {
            throw HandlerRejection(code: "tenantMismatch", message: "tenantId does not match the event's tenantid")
        }
        return tenant
    }
}
