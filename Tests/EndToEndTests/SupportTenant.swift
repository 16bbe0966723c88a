import CallCenterDomain
import EventContract
import TestSupport

extension ServiceHarness {
    /// A tenant of 10 channels with admin (systemAdministrator, may edit cc1), agent1 (agent) and the call center
    /// Support (cc1, 03-1234-5678, 20 s to answer) whose member is agent1; on `cc.config` at t0.
    func configureSupportTenant(_ tenant: String, wrapUpSeconds: Int = 15) async throws {
        let rates = ChargeRates(mobileYenPerMinute: 16.5, landlineYenPerMinute: 8.8, ipPhoneYenPerMinute: 8, billingIncrementSeconds: 30)
        try await publish("cc.config", tenant: tenant, [
            ConfigEvents.TenantConfigured(Tenant(id: tenant, concurrentCallLimit: 10, platformVersion: PlatformVersion("3.2.0")!,
                                                 callbackDialingOption: true, allowInternationalForwarding: false, rates: rates)),
            ConfigEvents.AccountConfigured(Account(id: "admin", tenantID: tenant, name: "admin", role: .systemAdministrator,
                                                   extension: "201", editableCallCenterIDs: ["cc1"])),
            ConfigEvents.AccountConfigured(Account(id: "agent1", tenantID: tenant, name: "agent1", role: .agent, extension: "202",
                                                   editableCallCenterIDs: [])),
            ConfigEvents.CallCenterConfigured(CallCenter(id: "cc1", tenantID: tenant, name: "Support", externalNumber: "03-1234-5678",
                                                         noAnswerTimeoutSeconds: 20, wrapUpSeconds: wrapUpSeconds,
                                                         memberAccountIDs: ["agent1"])),
        ])
    }
}
