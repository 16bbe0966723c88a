import CallCenterDomain
import Foundation

/// One tenant's report data (P1–P4): a record per call and per outbound request,
/// and the channel usage timeline. Reports are computed from these for any range.
///
/// Calls in progress and calls that ended less than `archiveAfter` ago (event time) are held in
/// `calls`; older ones move to `archivedCalls`, which the store keeps on disk (not in memory),
/// keyed by offer time so that a report reads only the calls offered in its range.
public struct ReportState: Codable, Sendable, Hashable {
    public struct CallRecord: Codable, Sendable, Hashable {
        public var callID: CallID
        public var callCenterID: CallCenterID
        public var offeredAt: Timestamp
        public var ringingAt: Timestamp?
        /// When the agent who has the call now was rung (ring time of the answering agent).
        public var lastOfferedAt: Timestamp?
        public var answeredAt: Timestamp?
        public var endedAt: Timestamp?
        public var agent: AccountID?
        public var delivery: DeviceKind = .softphone
        public var phoneType: PhoneType?
        /// Holds counted for reports (P1: none on personal phones).
        public var countedHolds = 0
        public var rejected = false
        /// Agents that were rung and did not answer.
        public var noAnswers: [AccountID] = []
    }

    public struct OutboundRecord: Codable, Sendable, Hashable {
        public var requestID: String
        public var accountID: AccountID
        public var device: DeviceKind
        public var via: OutboundPolicy.Via
        public var allowed: Bool
        public var at: Timestamp
    }

    public var tenant: Tenant?
    public var callCenterNames: [CallCenterID: String] = [:]
    public var accountNames: [AccountID: String] = [:]
    public var calls = ChangeTrackedDictionary<CallRecord>()
    /// Finished calls leaving memory for the store (see `ReportArchive`).
    public var archivedCalls = ArchiveLog<CallRecord>()
    /// Event time of the last look for calls to archive.
    public var lastArchiveSweep: Timestamp?
    public var outbound: [OutboundRecord] = []
    public var usage = ChannelUsageTimeline()
    public var refusals: [Timestamp] = []

    public init() {}

    /// States stored before the archive existed have no `archivedCalls` or `lastArchiveSweep`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tenant = try c.decodeIfPresent(Tenant.self, forKey: .tenant)
        callCenterNames = try c.decode([CallCenterID: String].self, forKey: .callCenterNames)
        accountNames = try c.decode([AccountID: String].self, forKey: .accountNames)
        calls = try c.decode(ChangeTrackedDictionary<CallRecord>.self, forKey: .calls)
        archivedCalls = try c.decodeIfPresent(ArchiveLog<CallRecord>.self, forKey: .archivedCalls) ?? ArchiveLog()
        lastArchiveSweep = try c.decodeIfPresent(Timestamp.self, forKey: .lastArchiveSweep)
        outbound = try c.decode([OutboundRecord].self, forKey: .outbound)
        usage = try c.decode(ChannelUsageTimeline.self, forKey: .usage)
        refusals = try c.decode([Timestamp].self, forKey: .refusals)
    }

    /// Every call the reports count: those in memory and those archived in this batch or the one
    /// before (still in the log's memory). Calls archived earlier come from the store
    /// (`ReportArchive.including`).
    public var callRecords: [CallRecord] {
        guard !archivedCalls.records.isEmpty else { return Array(calls.values) }
        var all = calls.dictionary
        for r in archivedCalls.records where all[r.value.callID] == nil { all[r.value.callID] = r.value }
        return Array(all.values)
    }
}

/// Where finished calls go: the store's archive, keyed by offer time.
public enum ReportArchive {
    /// The `ArchiveLog` field of `ReportState` that holds the calls.
    public static let callsField = "archivedCalls"
    /// How long after its end (event time) a call stays in memory: events about it that come late (an
    /// agent's no-answer reported after the hang-up) still find it. Later ones are ignored.
    public static let archiveAfterMilliseconds: Int64 = 60_000
    /// A call with no end this long after its offer (its end event lost) is archived as it stands.
    public static let staleAfterMilliseconds: Int64 = 86_400_000
    /// How often (event time) the calls in memory are looked through for ended ones.
    public static let sweepEveryMilliseconds: Int64 = 10_000

    /// The archive key of a call: its offer time (zero-padded milliseconds, so keys sort by time), then its id.
    public static func key(offeredAt: Timestamp, callID: CallID) -> String {
        rangeKey(offeredAt) + "~" + callID
    }

    /// The key before which every call offered before `time` sorts (a report range's bound).
    public static func rangeKey(_ time: Timestamp) -> String {
        let ms = String(max(0, time.millisecondsSinceEpoch))
        return String(repeating: "0", count: max(0, 15 - ms.count)) + ms
    }

    /// Moves calls that ended (or were rejected) more than `archiveAfterMilliseconds` before `now` to the archive,
    /// and calls offered more than `staleAfterMilliseconds` before; looks at most every `sweepEveryMilliseconds`.
    public static func sweep(_ state: inout ReportState, now: Timestamp) {
        if let last = state.lastArchiveSweep, now.milliseconds(since: last) < sweepEveryMilliseconds { return }
        state.lastArchiveSweep = now
        let cutoff = now.adding(milliseconds: -archiveAfterMilliseconds)
        let stale = now.adding(milliseconds: -staleAfterMilliseconds)
        let ended = state.calls.values.filter { c in
            (c.endedAt ?? (c.rejected ? c.offeredAt : nil)).map { $0 < cutoff } ?? (c.offeredAt < stale)
        }
            .sorted { ($0.offeredAt, $0.callID) < ($1.offeredAt, $1.callID) }
        for call in ended {
            state.calls[call.callID] = nil
            state.archivedCalls.append(call, key: key(offeredAt: call.offeredAt, callID: call.callID))
        }
    }

    /// The state a report over [from, to) is computed from: the calls in memory and the archived calls
    /// offered in the range (`archived`: their stored JSON, as the store returns them).
    public static func including(_ archived: [Data], in state: ReportState) -> ReportState {
        guard !archived.isEmpty else { return state }
        var merged = state.calls.dictionary
        let decoder = JSONDecoder()
        for data in archived {
            guard let call = try? decoder.decode(ReportState.CallRecord.self, from: data), merged[call.callID] == nil else { continue }
            merged[call.callID] = call
        }
        var s = state
        s.calls = ChangeTrackedDictionary(merged)  // a fresh journal: the live state's is not touched
        return s
    }
}
