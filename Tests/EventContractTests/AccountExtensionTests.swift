import CallCenterDomain
import EventContract
import Testing

@Suite("F9 S4 account extensions at the contract boundary")
struct AccountExtensionTests {
    static func account(_ ext: String) -> ConfigEvents.AccountConfigured {
        ConfigEvents.AccountConfigured(Account(id: "a1", tenantID: "t", name: "A", role: .agent, extension: ext))
    }

    @Test("F9 S4 cc.account.configured.v1 with an extension that would dial outside the tenant is a schema violation")
    func refused() {
        for ext in ["110", "119", "0990123456", "0312345678"] {
            #expect(throws: SchemaViolation.self, "\(ext)") { try Self.account(ext).validate() }
        }
        for ext in ["", "201", "7000"] { #expect(throws: Never.self) { try Self.account(ext).validate() } }
    }
}
