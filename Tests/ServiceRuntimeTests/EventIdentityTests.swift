import ServiceRuntime
import Testing

@Suite("Event identity: dedup keys and derived ids per (source, id)")
struct EventIdentityTests {
    @Test("no two (source, id) pairs share a dedup key, even when their concatenations are equal")
    func deliveryKeys() {
        #expect(EventIdentity.deliveryKey(source: "/a", id: "b") != EventIdentity.deliveryKey(source: "/ab", id: ""))
        #expect(EventIdentity.deliveryKey(source: "/a", id: "x") != EventIdentity.deliveryKey(source: "/b", id: "x"))
        #expect(EventIdentity.deliveryKey(source: "/a", id: "x") == EventIdentity.deliveryKey(source: "/a", id: "x"))
    }

    @Test("derived ids are deterministic, differ per source and stay within 100 bytes for ids of 200 bytes")
    func derivedIDs() {
        let a = EventIdentity.derivedID(inputID: "e1", source: "/telephony", service: "routing-service", index: 0)
        #expect(a == EventIdentity.derivedID(inputID: "e1", source: "/telephony", service: "routing-service", index: 0))
        #expect(a != EventIdentity.derivedID(inputID: "e1", source: "/other", service: "routing-service", index: 0))
        #expect(a != EventIdentity.derivedID(inputID: "e1", source: "/telephony", service: "routing-service", index: 1))
        #expect(a.hasPrefix("e1~"))
        let long = EventIdentity.derivedID(inputID: String(repeating: "é", count: 100), source: String(repeating: "/s", count: 100),
                                           service: String(repeating: "x", count: 80), index: 99)
        #expect(long.utf8.count <= 100)
    }
}
