import CallCenterDomain

/// A small tenant used across the domain tests.
enum Fixtures {
    static let tenantID = "tenant-a"
    static let t0 = Timestamp(seconds: 1_800_000_000)

    static let rates = ChargeRates(mobileYenPerMinute: 16.5, landlineYenPerMinute: 8.8, ipPhoneYenPerMinute: 8.0,
                                   billingIncrementSeconds: 30)

    static func tenant(limit: Int = 10, version: String = "3.2.0", callback: Bool = true,
                       international: Bool = false) -> Tenant {
        Tenant(id: tenantID, concurrentCallLimit: limit, platformVersion: PlatformVersion(version)!,
               callbackDialingOption: callback, allowInternationalForwarding: international, rates: rates)
    }

    static func account(_ id: String, _ role: Role, ext: String = "", editable: Set<String> = [],
                        tenant: String = tenantID) -> Account {
        Account(id: id, tenantID: tenant, name: id.uppercased(), role: role, extension: ext.isEmpty ? "2\(id.count)0" : ext,
                editableCallCenterIDs: editable)
    }

    static func callCenter(_ id: String, members: [String], noAnswer: Int = 35, wrapUp: Int = 35,
                           confirmation: AnswerConfirmation? = nil, maxNoAnswer: Int = 3) -> CallCenter {
        CallCenter(id: id, tenantID: tenantID, name: "Center \(id)", externalNumber: "+81312345678",
                   noAnswerTimeoutSeconds: noAnswer, wrapUpSeconds: wrapUp, memberAccountIDs: members,
                   answerConfirmation: confirmation, maxNoAnswer: maxNoAnswer)
    }

    static let mobile = SignInDevice.externalNumber(try! PhoneNumber.parse("090-1234-5678"), .mobile)
    static let landline = SignInDevice.externalNumber(try! PhoneNumber.parse("03-1234-5678"), .landline)
    static let ipPhone = SignInDevice.externalNumber(try! PhoneNumber.parse("050-1234-5678"), .ipPhone)
}
