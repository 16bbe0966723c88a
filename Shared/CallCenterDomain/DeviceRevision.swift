/// Which sign-in device change a downstream service applies (S3).
///
/// settings-service numbers each account's applied changes 1, 2, ... and answers a repeated request id with its
/// first outcome, revision included. A service holding revision n ignores any change numbered n or lower, so a
/// repeated answer, or an old change read again, never brings back a device the agent has switched away from.
public enum DeviceRevision {
    /// Whether a change numbered `incoming` replaces the device held at revision `held`.
    /// Changes without a number come from a settings-service older than revisions: they apply only where no
    /// numbered change was seen yet.
    public static func supersedes(_ incoming: Int?, held: Int?) -> Bool {
        guard let incoming else { return held == nil }
        guard let held else { return true }
        return incoming > held
    }
}
