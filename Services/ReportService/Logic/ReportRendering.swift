import CallCenterDomain
import EventContract

/// CSV and SVG renderings of the reports.
public enum ReportRendering {
    /// RFC 4180 CSV with a header row. Names come from other systems, so a cell that a spreadsheet would run as
    /// a formula (starting with `= + - @`, tab or CR) is prefixed with `'`, unless it is a plain number.
    public static func csv(header: [String], rows: [[String]]) -> String {
        ([header] + rows).map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// One CSV cell: neutralised if it could be a formula, quoted if it holds a comma, quote, CR or LF.
    public static func csvField(_ raw: String) -> String {
        let formulaStarts: Set<Character> = ["=", "+", "-", "@", "\t", "\r"]
        var s = raw
        if let first = s.unicodeScalars.first, formulaStarts.contains(Character(first)), Double(s) == nil { s = "'" + s }
        guard s.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func csv(_ kind: Reports.Kind, _ s: ReportState, from: Timestamp, to: Timestamp) -> String {
        // Whole numbers without ".0"; Int(d) only where it cannot trap (finite and well inside Int's range).
        func n(_ d: Double) -> String { d.isFinite && d.magnitude < 1e15 && d == d.rounded() ? String(Int(d)) : String(d) }
        switch kind {
        case .callcenter:
            return csv(header: ["callCenterId", "name", "offered", "answered", "abandoned", "rejected", "averageWaitSeconds",
                                "averageTalkSeconds", "holdCount"],
                       rows: Reports.callCenters(s, from: from, to: to).map {
                           [$0.callCenterId, $0.name, "\($0.offered)", "\($0.answered)", "\($0.abandoned)", "\($0.rejected)",
                            n($0.averageWaitSeconds), n($0.averageTalkSeconds), "\($0.holdCount)"] })
        case .agent:
            return csv(header: ["accountId", "name", "offered", "answered", "noAnswer", "averageRingSeconds", "averageTalkSeconds",
                                "holdCount", "declined", "voicemail"],
                       rows: Reports.agents(s, from: from, to: to).map {
                           [$0.accountId, $0.name, "\($0.offered)", "\($0.answered)", "\($0.noAnswer)", n($0.averageRingSeconds),
                            n($0.averageTalkSeconds), "\($0.holdCount)", "\($0.declined)", "\($0.voicemail)"] })
        case .outbound:
            return csv(header: ["accountId", "name", "counted", "viaCallbackDialing", "refused"],
                       rows: Reports.outbound(s, from: from, to: to).map {
                           [$0.accountId, $0.name, "\($0.counted)", "\($0.viaCallbackDialing)", "\($0.refused)"] })
        case .charges:
            return csv(header: ["accountId", "callCenterId", "phoneType", "calls", "talkSeconds", "billedSeconds", "yen",
                                "agentLegs", "agentLegSeconds"],
                       rows: Reports.charges(s, from: from, to: to).map {
                           [$0.accountId, $0.callCenterId, $0.phoneType.rawValue, "\($0.calls)", "\($0.talkSeconds)",
                            "\($0.billedSeconds)", String(format2: $0.yen), "\($0.agentLegs)", "\($0.agentLegSeconds)"] })
        case .channels:
            return csv(header: ["at", "inUse", "limit"],
                       rows: Reports.channels(s, from: from, to: to).points.map { [RFC3339.format($0.at), "\($0.inUse)", "\($0.limit)"] })
        }
    }

    /// Channels in use over [from, to) as a step line against the contract limit (P4).
    public static func channelsSVG(_ s: ReportState, from: Timestamp, to: Timestamp, width: Int = 720, height: Int = 260) -> String {
        let report = Reports.channels(s, from: from, to: to)
        let left = 48.0, right = 16.0, top = 24.0, bottom = 36.0
        let w = Double(width) - left - right, h = Double(height) - top - bottom
        let span = max(1, Double(to.milliseconds(since: from)))
        // Capped: the axis labels are whole numbers, and Int(Double(Int.max)) traps.
        let maxY = Double(min(max(report.limit, report.peak, 1), 1_000_000_000))
        func x(_ t: Timestamp) -> Double { left + w * Double(t.milliseconds(since: from)) / span }
        func y(_ v: Int) -> Double { top + h - h * Double(v) / maxY }
        let before = s.usageTimeline.usage(at: from)
        var path = "M\(f(left)),\(f(y(before)))"
        var last = before
        for p in report.points {
            path += " L\(f(x(p.at))),\(f(y(last))) L\(f(x(p.at))),\(f(y(p.inUse)))"
            last = p.inUse
        }
        path += " L\(f(left + w)),\(f(y(last)))"
        let limitY = f(y(report.limit))
        var ticks = ""
        for i in 0...4 {
            let v = Int((maxY * Double(i) / 4).rounded())
            ticks += "<text x=\"\(f(left - 8))\" y=\"\(f(y(v) + 4))\" text-anchor=\"end\">\(v)</text>"
        }
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="sans-serif" font-size="11">
        <rect width="100%" height="100%" fill="#ffffff"/>
        <text x="\(f(left))" y="16" font-size="13" font-weight="bold">Channels in use (同時通話数) — peak \(report.peak) of \(report.limit), refused \(report.refusedCalls)</text>
        <line x1="\(f(left))" y1="\(f(top + h))" x2="\(f(left + w))" y2="\(f(top + h))" stroke="#888"/>
        <line x1="\(f(left))" y1="\(f(top))" x2="\(f(left))" y2="\(f(top + h))" stroke="#888"/>
        \(ticks)
        <line x1="\(f(left))" y1="\(limitY)" x2="\(f(left + w))" y2="\(limitY)" stroke="#d9480f" stroke-dasharray="6 4" stroke-width="2"/>
        <text x="\(f(left + w))" y="\(f(y(report.limit) - 6))" text-anchor="end" fill="#d9480f">limit \(report.limit)</text>
        <path d="\(path)" fill="none" stroke="#1c7ed6" stroke-width="2.5"/>
        <text x="\(f(left))" y="\(height - 10)">\(RFC3339.format(from))</text>
        <text x="\(f(left + w))" y="\(height - 10)" text-anchor="end">\(RFC3339.format(to))</text>
        </svg>
        """
    }

    /// Charges of forwarded legs per agent over [from, to), as horizontal bars in yen (P3).
    public static func chargesSVG(_ s: ReportState, from: Timestamp, to: Timestamp, width: Int = 720) -> String {
        var perAgent: [String: Double] = [:]
        for row in Reports.charges(s, from: from, to: to) { perAgent[row.accountId, default: 0] += row.yen }
        let rows = perAgent.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        let top = 32.0, barHeight = 22.0, gap = 8.0, left = 160.0, right = 90.0
        let height = Int(top + Double(max(rows.count, 1)) * (barHeight + gap) + 16)
        let maxYen = max(rows.first?.value ?? 0, 0.01)
        var bars = ""
        for (i, (agent, yen)) in rows.enumerated() {
            let y = top + Double(i) * (barHeight + gap)
            let w = (Double(width) - left - right) * yen / maxYen
            let name = (s.accountNames[agent] ?? agent).replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            bars += "<text x=\"\(f(left - 8))\" y=\"\(f(y + 15))\" text-anchor=\"end\">\(name)</text>"
            bars += "<rect x=\"\(f(left))\" y=\"\(f(y))\" width=\"\(f(max(w, 1)))\" height=\"\(f(barHeight))\" fill=\"#2f9e44\"/>"
            bars += "<text x=\"\(f(left + w + 6))\" y=\"\(f(y + 15))\">¥\(String(format2: yen))</text>"
        }
        if rows.isEmpty { bars = "<text x=\"\(f(left))\" y=\"\(f(top + 15))\">no charges in this period</text>" }
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="#ffffff"/>
        <text x="12" y="20" font-size="13" font-weight="bold">Call charges of forwarded legs per agent (通話料), yen</text>
        \(bars)
        </svg>
        """
    }

    private static func f(_ d: Double) -> String { String((d * 10).rounded() / 10) }
}

extension String {
    /// Two decimals without Foundation's formatter.
    init(format2 value: Double) {
        // Int(_:) traps outside Int's range: such amounts (never real ones) are printed as they are.
        guard value.isFinite, value.magnitude < 1e15 else {
            self = "\(value)"
            return
        }
        let cents = Int((value * 100).rounded())
        let frac = abs(cents % 100)
        self = "\(cents / 100).\(frac < 10 ? "0" : "")\(frac)"
    }
}
