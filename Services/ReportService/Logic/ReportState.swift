import CallCenterDomain
import FastJSON
import Foundation

/// One tenant's report data (P1–P4): a record per call and per outbound request,
/// and the channel usage timeline. Reports are computed from these for any range.
///
/// Calls in progress and calls that ended less than `ReportArchive.archiveAfterMilliseconds` ago (event time) are held in
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
        public var delivery: DeliveryKind = .softphone
        public var phoneType: PhoneType?
        /// Holds counted for reports (P1: none on personal phones).
        public var countedHolds = 0
        public var rejected = false
        /// Agents that were rung and did not answer.
        public var noAnswers: [AccountID] = []
        /// F13: agents that declined the call with the decline key (not no-answers).
        public var declinedBy: [AccountID]?
        /// F14: agents whose phone was answered by a machine (also in `noAnswers`).
        public var voicemailAt: [AccountID]?
    }

    /// An agent's persistent leg (F12): a forwarded leg for charges (P3) from connected to disconnected.
    public struct LegRecord: Codable, Sendable, Hashable {
        public var legID: LegID
        public var accountID: AccountID
        /// The call center whose number the agent's phone was shown.
        public var callCenterID: CallCenterID?
        /// From routing's open command (nil while only the telephony layer's events were read: not charged).
        public var phoneType: PhoneType?
        public var openedAt: Timestamp
        public var connectedAt: Timestamp?
        /// When it ended: disconnected, failed, or closed by routing (the earliest of these seen).
        public var endedAt: Timestamp?

        /// Milliseconds connected (nil: never connected, or not ended yet).
        public var connectedMilliseconds: Int64? {
            guard let connectedAt, let endedAt else { return nil }
            return max(0, endedAt.milliseconds(since: connectedAt))
        }
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
    /// While more is due than a sweep archives: events to go before the next sweep (see `ReportArchive.sweep`).
    public var eventsUntilSweep: Int?
    public var outbound: [OutboundRecord] = []
    /// Refusals counted; points recorded by versions before `recentUsage` (moved there on the next change).
    public var usage = ChannelUsageTimeline()
    /// Channel usage points of the last minute or so (event time), keyed by their number (`usageKey`).
    public var recentUsage = ChangeTrackedDictionary<ChannelUsageTimeline.Point>()
    /// How many usage points were ever recorded (the next one's number).
    public var usageRecorded = 0
    /// Older usage points leaving memory for the store (see `ReportArchive`).
    public var archivedUsage = ArchiveLog<ChannelUsageTimeline.Point>()
    public var refusals: [Timestamp] = []
    /// Agent legs open or recently ended (F12), by leg id; older ones move to `archivedLegs`.
    public var agentLegs = ChangeTrackedDictionary<LegRecord>()
    public var archivedLegs = ArchiveLog<LegRecord>()

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
        eventsUntilSweep = try c.decodeIfPresent(Int.self, forKey: .eventsUntilSweep)
        outbound = try c.decode([OutboundRecord].self, forKey: .outbound)
        usage = try c.decode(ChannelUsageTimeline.self, forKey: .usage)
        recentUsage = try c.decodeIfPresent(ChangeTrackedDictionary<ChannelUsageTimeline.Point>.self, forKey: .recentUsage)
            ?? ChangeTrackedDictionary()
        usageRecorded = try c.decodeIfPresent(Int.self, forKey: .usageRecorded) ?? 0
        archivedUsage = try c.decodeIfPresent(ArchiveLog<ChannelUsageTimeline.Point>.self, forKey: .archivedUsage) ?? ArchiveLog()
        refusals = try c.decode([Timestamp].self, forKey: .refusals)
        agentLegs = try c.decodeIfPresent(ChangeTrackedDictionary<LegRecord>.self, forKey: .agentLegs) ?? ChangeTrackedDictionary()
        archivedLegs = try c.decodeIfPresent(ArchiveLog<LegRecord>.self, forKey: .archivedLegs) ?? ArchiveLog()
    }

    /// Routing's command dialling an agent leg. The telephony layer's events about it come on another topic and
    /// may have been read first: what they said is kept.
    public mutating func openLeg(_ leg: LegID, account: AccountID, callCenter: CallCenterID?, phoneType: PhoneType,
                                 at: Timestamp) {
        updateLeg(leg, account: account, at: at) { record in
            record.callCenterID = callCenter
            record.phoneType = phoneType
            record.openedAt = min(record.openedAt, at)
        }
    }

    /// The telephony layer connected an agent leg.
    public mutating func connectLeg(_ leg: LegID, account: AccountID, at: Timestamp) {
        updateLeg(leg, account: account, at: at) { record in if record.connectedAt == nil { record.connectedAt = at } }
    }

    /// Records that an agent leg ended at `at` (the earliest end reported counts).
    public mutating func endLeg(_ leg: LegID, account: AccountID, at: Timestamp) {
        updateLeg(leg, account: account, at: at) { record in if record.endedAt.map({ at < $0 }) ?? true { record.endedAt = at } }
    }

    /// Changes a leg's record, made when this is the first that is heard of the leg.
    private mutating func updateLeg(_ leg: LegID, account: AccountID, at: Timestamp, _ change: (inout LegRecord) -> Void) {
        var record = agentLegs[leg] ?? LegRecord(legID: leg, accountID: account, openedAt: at)
        change(&record)
        agentLegs[leg] = record
    }

    /// Every agent leg the reports count: in memory and in the archive log's memory (as for `callRecords`).
    public var legRecords: [LegRecord] {
        guard !archivedLegs.records.isEmpty else { return Array(agentLegs.values) }
        var all = agentLegs.dictionary
        for r in archivedLegs.records where all[r.value.legID] == nil { all[r.value.legID] = r.value }
        return Array(all.values)
    }

    /// Records a channel usage point (moving points of an older version's timeline first).
    public mutating func recordUsage(_ point: ChannelUsageTimeline.Point) {
        if !usage.points.isEmpty {
            for p in usage.points { append(p) }
            usage = ChannelUsageTimeline(points: [], refusedCalls: usage.refusedCalls)
        }
        append(point)
        func append(_ p: ChannelUsageTimeline.Point) {
            recentUsage[ReportArchive.number(usageRecorded)] = p
            usageRecorded += 1
        }
    }

    /// The usage timeline the reports read: the points in memory and those in the archive log's memory (as
    /// for `callRecords`), in order of time, then of recording.
    public var usageTimeline: ChannelUsageTimeline {
        var byKey: [String: ChannelUsageTimeline.Point] = [:]
        for (number, p) in recentUsage { byKey[ReportArchive.usageKey(p.at, number: number)] = p }
        for r in archivedUsage.records { byKey[r.key] = r.value }
        for p in usage.points.indices { byKey[ReportArchive.usageKey(usage.points[p].at, number: "l" + ReportArchive.number(p))] = usage.points[p] }
        return ChannelUsageTimeline(points: byKey.sorted { $0.key < $1.key }.map(\.value), refusedCalls: usage.refusedCalls)
    }

    /// The latest event time the state has seen (nil: none yet): where a report with no range ends.
    public var latestEventTime: Timestamp? {
        var latest = lastArchiveSweep
        func see(_ t: Timestamp?) { if let t, latest.map({ t > $0 }) ?? true { latest = t } }
        for c in calls.values { see(c.endedAt ?? c.answeredAt ?? c.lastOfferedAt ?? c.offeredAt) }
        for p in recentUsage.values { see(p.at) }
        for l in agentLegs.values { see(l.endedAt ?? l.connectedAt ?? l.openedAt) }
        see(outbound.last?.at)
        see(refusals.last)
        return latest
    }

    /// Every call the reports count: those in memory and those in the archive log's memory (archived in
    /// this batch or the one before, or read back from the store by `ReportArchive.including`).
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
    /// The `ArchiveLog` field of `ReportState` that holds channel usage points.
    public static let usageField = "archivedUsage"
    /// The `ArchiveLog` field of `ReportState` that holds ended agent legs (F12), keyed by when they were opened.
    public static let legsField = "archivedLegs"
    /// How long after its end (event time) a call stays in memory: events about it that come late (an
    /// agent's no-answer reported after the hang-up) still find it. Later ones are ignored.
    public static let archiveAfterMilliseconds: Int64 = 60_000
    /// A call with no end this long after its offer (its end event lost) is archived as it stands.
    public static let staleAfterMilliseconds: Int64 = 86_400_000
    /// How often (event time) the calls in memory are looked through for ended ones.
    public static let sweepEveryMilliseconds: Int64 = 10_000
    /// At most this many calls (and twice as many usage points) leave memory per sweep, oldest first: what a sweep
    /// archives is one batch's writes (an archive record, a removal and their changelog messages each), and ten
    /// seconds of calls at once were report-service's peak memory. With more due, the next sweep comes
    /// `sweepRetryEvents` events later - counted in events, not event time: while catching up, a batch's events
    /// span minutes of event time, and sweeps every 100 ms of it made one batch archive 21,501 calls and 63,952
    /// points (172,258 outgoing messages). So a batch of `CC_MAX_BATCH` events holds at most
    /// `CC_MAX_BATCH / sweepRetryEvents + 1` sweeps, and up to 2 calls per event leave memory.
    public static let maxArchivedPerSweep = 500
    public static let sweepRetryEvents = 250

    /// The archive key of a call: its offer time (zero-padded milliseconds, so keys sort by time), then its id.
    public static func key(offeredAt: Timestamp, callID: CallID) -> String {
        rangeKey(offeredAt) + "~" + callID
    }

    /// The key before which every call offered before `time` sorts (a report range's bound).
    public static func rangeKey(_ time: Timestamp) -> String { padded(max(0, time.millisecondsSinceEpoch)) }

    /// A usage point's number as a key (zero-padded, so that keys sort by number).
    public static func number(_ n: Int) -> String { padded(Int64(n)) }

    /// Fifteen digits, so that keys sort as the numbers do.
    private static func padded(_ n: Int64) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, 15 - digits.count)) + digits
    }

    /// The archive key of a usage point: its time, then its number.
    public static func usageKey(_ at: Timestamp, number: String) -> String { rangeKey(at) + "~" + number }

    /// Moves calls that ended (or were rejected) more than `archiveAfterMilliseconds` before `now` to the archive,
    /// and calls offered more than `staleAfterMilliseconds` before; looks at most every `sweepEveryMilliseconds`.
    public static func sweep(_ state: inout ReportState, now: Timestamp) {
        if let wait = state.eventsUntilSweep {
            if wait > 1 {
                state.eventsUntilSweep = wait - 1
                return
            }
        } else if let last = state.lastArchiveSweep, now.milliseconds(since: last) < sweepEveryMilliseconds {
            return
        }
        state.lastArchiveSweep = now
        state.eventsUntilSweep = nil
        let cutoff = now.adding(milliseconds: -archiveAfterMilliseconds)
        let stale = now.adding(milliseconds: -staleAfterMilliseconds)
        let ended = state.calls.values.filter { c in
            (c.endedAt ?? (c.rejected ? c.offeredAt : nil)).map { $0 < cutoff } ?? (c.offeredAt < stale)
        }
            .sorted { ($0.offeredAt, $0.callID) < ($1.offeredAt, $1.callID) }
        for call in ended.prefix(maxArchivedPerSweep) {
            state.calls[call.callID] = nil
            state.archivedCalls.append(call, key: key(offeredAt: call.offeredAt, callID: call.callID))
        }
        // Usage points older than the cutoff, but the newest of them (the usage in force at the cutoff).
        let old = state.recentUsage.filter { $0.value.at < cutoff }.sorted { $0.key < $1.key }.dropLast()
        for (number, point) in old.prefix(2 * maxArchivedPerSweep) {
            state.recentUsage[number] = nil
            state.archivedUsage.append(point, key: usageKey(point.at, number: number))
        }
        let endedLegs = state.agentLegs.values.filter { l in l.endedAt.map { $0 < cutoff } ?? (l.openedAt < stale) }
            .sorted { ($0.openedAt, $0.legID) < ($1.openedAt, $1.legID) }
        for leg in endedLegs.prefix(maxArchivedPerSweep) {
            state.agentLegs[leg.legID] = nil
            state.archivedLegs.append(leg, key: key(offeredAt: leg.openedAt, callID: leg.legID))
        }
        if ended.count > maxArchivedPerSweep || old.count > 2 * maxArchivedPerSweep || endedLegs.count > maxArchivedPerSweep {
            state.eventsUntilSweep = sweepRetryEvents
        }
    }

    /// The state a report over [from, to) is computed from: what is in memory, the archived calls offered in
    /// the range, and the archived usage points in the range with the last one before it (as the store returns
    /// them: archive key and JSON).
    /// A new log with `log`'s records and the stored ones (JSON; the i-th keyed by `key(record, i)`); records that do
    /// not decode are left out.
    private static func merged<Value: Codable & Sendable>(_ log: ArchiveLog<Value>, _ stored: [Data],
                                                          key: (Value, Int) -> String) -> ArchiveLog<Value> {
        var result = ArchiveLog<Value>()
        for r in log.records { result.append(r.value, key: r.key) }
        for (i, data) in stored.enumerated() {
            if let value = try? JSON.decode(Value.self, from: data) { result.append(value, key: key(value, i)) }
        }
        return result
    }

    public static func including(calls: [Data], usage: [(key: String, value: Data)] = [], legs: [Data] = [],
                                 in state: ReportState) -> ReportState {
        guard !calls.isEmpty || !usage.isEmpty || !legs.isEmpty else { return state }
        // Into logs of this copy's own (the live state's are not touched): `callRecords` and `usageTimeline`
        // merge a log's records with what is in memory, once each.
        var s = state
        if !calls.isEmpty {
            s.archivedCalls = merged(state.archivedCalls, calls) { c, _ in key(offeredAt: c.offeredAt, callID: c.callID) }
        }
        if !usage.isEmpty {
            s.archivedUsage = merged(state.archivedUsage, usage.map(\.value)) { _, i in usage[i].key }
        }
        if !legs.isEmpty {
            s.archivedLegs = merged(state.archivedLegs, legs) { l, _ in key(offeredAt: l.openedAt, callID: l.legID) }
        }
        return s
    }
}
