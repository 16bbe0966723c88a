import CallCenterDomain

/// The reports of P1–P4 over a time range [from, to), computed from a tenant's records.
public enum Reports {
    public enum Kind: String, CaseIterable, Sendable { case callcenter, agent, outbound, charges, channels }

    public struct CallCenterRow: Codable, Sendable, Hashable {
        public var callCenterId: String
        public var name: String
        public var offered: Int
        public var answered: Int
        public var abandoned: Int
        public var rejected: Int
        public var averageWaitSeconds: Double
        public var averageTalkSeconds: Double
        /// P1: holds on personal phones are not counted.
        public var holdCount: Int
    }

    public struct AgentRow: Codable, Sendable, Hashable {
        public var accountId: String
        public var name: String
        public var offered: Int
        public var answered: Int
        public var noAnswer: Int
        public var averageRingSeconds: Double
        public var averageTalkSeconds: Double
        public var holdCount: Int
        /// F13: offers the agent declined with the decline key (not in `noAnswer`).
        public var declined: Int = 0
        /// F14: no-answers where a machine answered the agent's phone (included in `noAnswer`).
        public var voicemail: Int = 0
    }

    public struct OutboundRow: Codable, Sendable, Hashable {
        public var accountId: String
        public var name: String
        /// P2: calls from personal phones count only via callback dialing.
        public var counted: Int
        public var viaCallbackDialing: Int
        public var refused: Int
    }

    public struct ChargeRow: Codable, Sendable, Hashable {
        public var accountId: String
        public var callCenterId: String
        public var phoneType: PhoneType
        public var calls: Int
        public var talkSeconds: Int
        public var billedSeconds: Int
        public var yen: Double
        /// F12: agent legs connected in the period, and their connected time (apart from `talkSeconds`; their billed
        /// time and charges are in `billedSeconds` and `yen`).
        public var agentLegs: Int = 0
        public var agentLegSeconds: Int = 0
    }

    public struct ChannelReport: Codable, Sendable, Hashable {
        public struct Point: Codable, Sendable, Hashable { public var at: Timestamp; public var inUse: Int; public var limit: Int }
        public var limit: Int
        public var peak: Int
        public var secondsAtLimit: Double
        public var refusedCalls: Int
        public var points: [Point]
    }

    static func inRange(_ t: Timestamp, _ from: Timestamp, _ to: Timestamp) -> Bool { t >= from && t < to }

    static func average(_ ms: [Int64]) -> Double {
        ms.isEmpty ? 0 : (Double(ms.reduce(0, +)) / Double(ms.count) / 1000 * 10).rounded() / 10
    }

    public static func callCenters(_ s: ReportState, from: Timestamp, to: Timestamp) -> [CallCenterRow] {
        let calls = s.callRecords.filter { inRange($0.offeredAt, from, to) }
        return Dictionary(grouping: calls, by: \.callCenterID).map { id, calls in
            let answered = calls.filter { $0.answeredAt != nil }
            return CallCenterRow(
                callCenterId: id, name: s.callCenterNames[id] ?? id, offered: calls.count, answered: answered.count,
                abandoned: calls.filter { $0.answeredAt == nil && !$0.rejected && $0.endedAt != nil }.count,
                rejected: calls.filter(\.rejected).count,
                averageWaitSeconds: average(answered.map { $0.answeredAt!.milliseconds(since: $0.offeredAt) }),
                averageTalkSeconds: average(answered.compactMap { c in c.endedAt.map { $0.milliseconds(since: c.answeredAt!) } }),
                holdCount: calls.reduce(0) { $0 + $1.countedHolds })
        }.sorted { $0.callCenterId < $1.callCenterId }
    }

    public static func agents(_ s: ReportState, from: Timestamp, to: Timestamp) -> [AgentRow] {
        let calls = s.callRecords.filter { inRange($0.offeredAt, from, to) }
        var ids = Set(calls.flatMap { $0.noAnswers + ($0.declinedBy ?? []) + ($0.agent.map { [$0] } ?? []) })
        ids.remove("")
        func count(_ list: KeyPath<ReportState.CallRecord, [AccountID]?>, _ id: AccountID) -> Int {
            calls.reduce(0) { $0 + ($1[keyPath: list]?.filter { $0 == id }.count ?? 0) }
        }
        return ids.sorted().map { id in
            let answered = calls.filter { $0.agent == id && $0.answeredAt != nil }
            let noAnswers = calls.reduce(0) { $0 + $1.noAnswers.filter { $0 == id }.count }
            let declined = count(\.declinedBy, id)
            // A call still with the agent, neither answered nor given up by it, is an offer in progress.
            let ringing = calls.filter {
                $0.agent == id && $0.answeredAt == nil && $0.noAnswers.last != id && $0.declinedBy?.last != id
            }
            return AgentRow(
                accountId: id, name: s.accountNames[id] ?? id, offered: answered.count + noAnswers + declined + ringing.count,
                answered: answered.count, noAnswer: noAnswers,
                averageRingSeconds: average(answered.map { $0.answeredAt!.milliseconds(since: $0.lastOfferedAt ?? $0.offeredAt) }),
                averageTalkSeconds: average(answered.compactMap { c in c.endedAt.map { $0.milliseconds(since: c.answeredAt!) } }),
                holdCount: answered.reduce(0) { $0 + $1.countedHolds },
                declined: declined, voicemail: count(\.voicemailAt, id))
        }
    }

    public static func outbound(_ s: ReportState, from: Timestamp, to: Timestamp) -> [OutboundRow] {
        let records = s.outbound.filter { inRange($0.at, from, to) }
        return Dictionary(grouping: records, by: \.accountID).map { id, rs in
            OutboundRow(accountId: id, name: s.accountNames[id] ?? id,
                        counted: rs.filter { $0.allowed && ReportRules.countsOutbound(device: $0.device, via: $0.via) }.count,
                        viaCallbackDialing: rs.filter { $0.allowed && $0.via == .callbackDialing }.count,
                        refused: rs.filter { !$0.allowed }.count)
        }.sorted { $0.accountId < $1.accountId }
    }

    /// P3: the forwarded leg of calls answered on personal phones, from answer to hang-up; and agent legs (F12),
    /// from connected to disconnected (calls bridged onto them add no forwarded leg of their own).
    public static func charges(_ s: ReportState, from: Timestamp, to: Timestamp) -> [ChargeRow] {
        guard let rates = s.tenant?.rates else { return [] }
        var rows: [String: (row: ChargeRow, sen: Int)] = [:]
        func add(agent: AccountID, callCenter: CallCenterID, type: PhoneType, milliseconds: Int64, leg: Bool) {
            let charge = ChargeCalculator.charge(talkMilliseconds: milliseconds, phoneType: type, rates: rates)
            let key = "\(agent)|\(callCenter)|\(type.rawValue)"
            var entry = rows[key] ?? (ChargeRow(accountId: agent, callCenterId: callCenter, phoneType: type, calls: 0,
                                                talkSeconds: 0, billedSeconds: 0, yen: 0), 0)
            // Saturating: the times come from other systems, and a report must never trap the service.
            if leg {
                entry.row.agentLegs += 1
                entry.row.agentLegSeconds = entry.row.agentLegSeconds.saturatingAdding(charge.talkSeconds)
            } else {
                entry.row.calls += 1
                entry.row.talkSeconds = entry.row.talkSeconds.saturatingAdding(charge.talkSeconds)
            }
            entry.row.billedSeconds = entry.row.billedSeconds.saturatingAdding(charge.billedSeconds)
            entry.sen = entry.sen.saturatingAdding(charge.sen)
            entry.row.yen = Double(entry.sen) / 100
            rows[key] = entry
        }
        for c in s.callRecords where inRange(c.offeredAt, from, to) && c.delivery == .externalNumber {
            guard let agent = c.agent, let answered = c.answeredAt, let ended = c.endedAt, let type = c.phoneType else { continue }
            add(agent: agent, callCenter: c.callCenterID, type: type, milliseconds: ended.milliseconds(since: answered), leg: false)
        }
        for l in s.legRecords where inRange(l.openedAt, from, to) {
            guard let milliseconds = l.connectedMilliseconds, let type = l.phoneType else { continue }
            add(agent: l.accountID, callCenter: l.callCenterID ?? "", type: type, milliseconds: milliseconds, leg: true)
        }
        return rows.values.map(\.row).sorted { ($0.accountId, $0.callCenterId) < ($1.accountId, $1.callCenterId) }
    }

    public static func channels(_ s: ReportState, from: Timestamp, to: Timestamp) -> ChannelReport {
        let usage = s.usageTimeline
        let points = usage.points.filter { inRange($0.at, from, to) }
            .map { ChannelReport.Point(at: $0.at, inUse: $0.inUse, limit: $0.limit) }
        return ChannelReport(limit: s.tenant?.concurrentCallLimit ?? points.last?.limit ?? 0,
                             peak: usage.peak(from: from, to: to),
                             secondsAtLimit: Double(usage.millisecondsAtLimit(from: from, to: to)) / 1000,
                             refusedCalls: s.refusals.filter { inRange($0, from, to) }.count, points: points)
    }
}
