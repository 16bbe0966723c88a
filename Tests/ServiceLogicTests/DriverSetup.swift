import CallCenterDomain
import EventContract
import ServiceRuntime

extension ProcessorTestDriver {
    /// The tenant (4 channels) and its call center Support (`cc1`, +81399990000, 30 s to answer, 5 s of wrap-up) with
    /// these members, on `cc.config` at the driver's clock.
    mutating func configureTenant(_ tenant: TenantID, members: [AccountID]) {
        send(ConfigEvents.TenantConfigured(Tenant(id: tenant, concurrentCallLimit: 4, platformVersion: PlatformVersion("3.2.0")!,
                                                  callbackDialingOption: true, allowInternationalForwarding: false,
                                                  rates: ScriptedDay.rates)),
             on: .config, tenant: tenant, id: "cfg-tenant", time: clock)
        send(ConfigEvents.CallCenterConfigured(Self.supportCenter(tenant, members: members)),
             on: .config, tenant: tenant, id: "cfg-cc1", time: clock)
    }

    static func supportCenter(_ tenant: TenantID, members: [AccountID]) -> CallCenter {
        CallCenter(id: "cc1", tenantID: tenant, name: "Support", externalNumber: "+81399990000", noAnswerTimeoutSeconds: 30,
                   wrapUpSeconds: 5, memberAccountIDs: members)
    }
}
