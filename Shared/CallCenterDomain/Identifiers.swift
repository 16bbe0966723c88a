/// Identifiers as other systems send them. Plain strings: the registry, not the
/// type, decides whether one exists and to which tenant it belongs.
public typealias TenantID = String
public typealias AccountID = String
public typealias CallCenterID = String
public typealias CallID = String
public typealias RequestID = String
public typealias LegID = String
