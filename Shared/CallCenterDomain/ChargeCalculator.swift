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
        // Saturating throughout: times and rates come from other systems, and no input may trap the process.
        let seconds = Int(max(0, talkMilliseconds / 1000 + (talkMilliseconds % 1000 > 0 ? 1 : 0)))  // a started second counts
        let increment = min(max(1, rates.billingIncrementSeconds), 86_400)
        let billed = (seconds / increment + (seconds % increment > 0 ? 1 : 0)).saturatingMultiplied(by: increment)
        // Rates are yen per minute with up to two decimals: work in sen to stay exact.
        let yenPerMinute = rates.yenPerMinute(for: phoneType)
        let senPerMinute = yenPerMinute.isFinite ? Int(min(max(0, yenPerMinute), 1e12) * 100 + 0.5) : 0  // +0.5 rounds
        let product = billed.saturatingMultiplied(by: senPerMinute)
        let sen = product / 60 + (product % 60 > 0 ? 1 : 0)
        return Charge(talkSeconds: seconds, billedSeconds: billed, yen: Double(sen) / 100, sen: sen)
    }
}
