import CallCenterDomain
import EventContract
import Foundation
@testable import ReportService
import Testing

/// Issue 23: report-service holds other systems' names and numbers; none of them may trap it or reach a spreadsheet
/// as a formula.
@Suite("P reports against hostile input")
struct ReportHardeningTests {
    @Test("P1 CSV: cells a spreadsheet would run as formulas are neutralised; CR and LF are quoted; numbers stay numbers")
    func csvCells() {
        #expect(ReportRendering.csvField("=HYPERLINK(\"http://x\",\"y\")") == "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"")
        for start in ["+", "-", "@", "\t", "\r"] {
            #expect(ReportRendering.csvField(start + "cmd").hasPrefix("'") || ReportRendering.csvField(start + "cmd").hasPrefix("\"'"),
                    "a cell starting with \(start.debugDescription) is not neutralised")
        }
        #expect(ReportRendering.csvField("line\rbreak") == "\"line\rbreak\"")
        #expect(ReportRendering.csvField("line\nbreak") == "\"line\nbreak\"")
        #expect(ReportRendering.csvField("-5") == "-5")
        #expect(ReportRendering.csvField("12.5") == "12.5")
        #expect(ReportRendering.csvField("Support") == "Support")
        let table = ReportRendering.csv(header: ["name"], rows: [["=1+1"]])
        #expect(table == "name\r\n'=1+1\r\n")
    }

    @Test("P3 charges saturate instead of trapping on extreme talk times and rates")
    func extremeCharges() {
        let rates = ChargeRates(mobileYenPerMinute: 99_999, landlineYenPerMinute: .infinity, ipPhoneYenPerMinute: .nan,
                                billingIncrementSeconds: Int.max)
        for type in [PhoneType.mobile, .landline, .ipPhone] {
            let charge = ChargeCalculator.charge(talkMilliseconds: Int64.max, phoneType: type, rates: rates)
            #expect(charge.sen >= 0 && charge.billedSeconds >= charge.talkSeconds)
        }
        #expect(ChargeCalculator.charge(talkMilliseconds: -5, phoneType: .mobile, rates: rates).sen == 0)
    }

    @Test("P4 chart, CSV and report of a usage timeline with extreme values render without trapping")
    func extremeUsage() {
        var state = ReportState()
        let t0 = Timestamp(seconds: 1_700_000_000)
        state.recordUsage(.init(at: t0, inUse: Int.max, limit: Int.max))
        state.recordUsage(.init(at: t0.adding(seconds: 1), inUse: Int.min, limit: 0))
        let to = t0.adding(seconds: 60)
        #expect(ReportRendering.channelsSVG(state, from: t0, to: to).hasPrefix("<svg"))
        #expect(ReportRendering.csv(.channels, state, from: t0, to: to).contains("\r\n"))
        _ = ReportRendering.chargesSVG(state, from: t0, to: to)
        for amount in [Double.infinity, -.infinity, .nan, 9.3e16, -1e300, 1e300] { #expect(!String(format2: amount).isEmpty) }
        #expect(String(format2: 8.8) == "8.80")
    }

    @Test("cc.usage.channels-changed.v1 outside the contract's ranges is a schema violation (dead-lettered)")
    func usageRanges() throws {
        func value(inUse: Int, limit: Int, delta: Int) -> [UInt8] {
            Array(#"{"specversion":"1.0","id":"u1","source":"/routing-service","type":"cc.usage.channels-changed.v1","time":"2026-01-01T00:00:00Z","tenantid":"t","datacontenttype":"application/json","data":{"inUse":\#(inUse),"limit":\#(limit),"at":"2026-01-01T00:00:00Z","callId":"c1","delta":\#(delta)}}"#.utf8)
        }
        _ = try CloudEventCodec.decode(value: value(inUse: 3, limit: 10, delta: 1), headers: [])
        for (inUse, limit, delta) in [(9_223_372_036_854_775_807, 10, 1), (-1, 10, 1), (3, -10, 1), (3, 10, 999)] {
            let error = #expect(throws: EventDecodingError.self) {
                try CloudEventCodec.decode(value: value(inUse: inUse, limit: limit, delta: delta), headers: [])
            }
            #expect(error?.code == .schemaViolation)
        }
    }
}
