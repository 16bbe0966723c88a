/// Charges of the forwarded leg to a personal phone (P3): from answer to hang-up,
/// in whole billing increments rounded up, at the tenant's rate for the phone type.
public enum ChargeCalculator {
    public struct Charge: Hashable, Codable, Sendable {
        public var talkSeconds: Int
        public var billedSeconds: Int
        /// Yen, rounded up to the sen (0.01 yen).
        public var yen: Double
        /// The same in sen, exact.
        public var sen: Int
    }

    public static func charge(talkMilliseconds: Int64, phoneType: PhoneType, rates: ChargeRates) -> Charge {
        let seconds = Int(max(0, (talkMilliseconds + 999) / 1000))  // a started second counts
        let increment = max(1, rates.billingIncrementSeconds)
        let billed = ((seconds + increment - 1) / increment) * increment
        // Rates are yen per minute with up to two decimals: work in sen to stay exact.
        let senPerMinute = Int(max(0, rates.yenPerMinute(for: phoneType)) * 100 + 0.5)  // rates are non-negative: +0.5 rounds
        let sen = (billed * senPerMinute + 59) / 60
        return Charge(talkSeconds: seconds, billedSeconds: billed, yen: Double(sen) / 100, sen: sen)
    }
}
