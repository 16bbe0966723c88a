import CallCenterDomain
import EventContract
import FastJSON
import Foundation

/// Splits a service's state into small entities, so that a batch stores (in SQLite
/// and on the changelog) only the entities it changed rather than the whole state.
///
/// The split follows the state's stored properties (by reflection), so services
/// need no extra code: a `[String: V]` dictionary becomes one entity per entry
/// (`agents/<id>`), an array one entity per element (`outbound[]/<index>`,
/// append-only arrays write only their new elements), a struct holding such
/// containers is split further (`ledger.legs/<call>`), anything else is one entity
/// (`tenant`). A state is rebuilt by assembling the entities into the state's JSON
/// and decoding it, which requires the synthesized `Codable` (property names as
/// keys) for the state and for every struct it splits; a round-trip test per
/// service state checks this.
///
/// A dictionary or array that the batch did not touch still shares its storage
/// with the copy taken before the batch (copy-on-write), which is detected in
/// O(1); a touched one is compared entry by entry, without encoding.
public enum StateEntities {
    /// Changed entities: the new JSON of each, or nil for one that no longer exists.
    public typealias Changes = [String: Data?]

    /// Entity keys of archived records (`ArchiveLog`) start with this: stored, never restored into memory.
    /// (Other `~` keys, such as the runtime's recent event ids, are restored.)
    public static let archivePrefix = "~archive/"

    /// Adds to `changes` every entity of `new` that differs from `old` (all of them when `old` is nil).
    public static func diff(old: Any?, new: Any, into changes: inout Changes) {
        let oldChildren = old.map(fields) ?? [:]
        for (label, value) in orderedFields(new) {
            diffValue(path: label, old: oldChildren[label], new: value, depth: 1, into: &changes)
        }
    }

    private static func diffValue(path: String, old: Any?, new: Any, depth: Int,
                                  into changes: inout Changes) {
        if let archive = new as? any ArchiveEntityLog {
            archive.diffArchive(path: path, old: old, into: &changes)
        } else if let tracked = new as? any TrackedEntityTable {
            tracked.diffTracked(path: path, old: old, into: &changes)
        } else if let table = new as? any EntityTable {
            table.diffEntries(path: path, old: old, into: &changes)
        } else if let log = new as? any EntityLog {
            log.diffElements(path: path, old: old, into: &changes)
        } else if depth < 3, holdsContainers(new) {
            let oldChildren = old.map(fields) ?? [:]
            for (label, value) in orderedFields(new) {
                diffValue(path: path + "." + label, old: oldChildren[label], new: value, depth: depth + 1, into: &changes)
            }
        } else if old == nil || !equal(old!, new) {
            changes[path] = encode(new)
        }
    }

    /// Rebuilds a state from all of its entities.
    public static func restore<State: Decodable>(_ type: State.Type, from entities: [String: Data]) throws -> State {
        let root = Node.object([:])
        for (key, value) in entities { root.insert(key: key, value: value) }
        var json = Data()
        root.write(to: &json)
        return try JSON.decode(State.self, from: json)
    }

    /// An entity's bytes: sorted keys, so that an unchanged entity always has the same bytes.
    static func entity<T: Encodable>(_ value: T) throws -> Data { Data(try JSON.encode(value)) }

    // MARK: reflection

    private static func orderedFields(_ value: Any) -> [(String, Any)] {
        Mirror(reflecting: value).children.compactMap { child in child.label.map { ($0, child.value) } }
    }

    private static func fields(_ value: Any) -> [String: Any] {
        Dictionary(orderedFields(value), uniquingKeysWith: { a, _ in a })
    }

    /// A struct is split only when it directly holds a dictionary or an array; others
    /// (timestamps, small value types, possibly with their own Codable) stay whole.
    private static func holdsContainers(_ value: Any) -> Bool {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .struct else { return false }
        return mirror.children.contains {
            $0.value is any EntityTable || $0.value is any EntityLog || $0.value is any TrackedEntityTable
                || $0.value is any ArchiveEntityLog
        }
    }

    static func equal(_ a: Any, _ b: Any) -> Bool {
        guard let a = a as? any Equatable else { return false }
        return isEqual(a, b)
    }

    private static func isEqual<T: Equatable>(_ a: T, _ b: Any) -> Bool {
        guard let b = b as? T else { return false }
        return a == b
    }

    static func encode(_ value: Any) -> Data? {
        guard let encodable = value as? any Encodable else { return nil }
        return try? entity(encodable)
    }

    /// True when two one-word copy-on-write containers share their storage (so they are equal).
    static func sameStorage<T>(_ a: T, _ b: T) -> Bool {
        withUnsafeBytes(of: a) { ra in withUnsafeBytes(of: b) { rb in ra.elementsEqual(rb) } }
    }

    // MARK: assembling JSON

    /// The JSON tree of a state being rebuilt; entity keys are `field(.field)*` + `/entry` or `[]/index`.
    private final class Node {
        enum Kind { case object, array, raw }
        var kind: Kind
        var raw = Data()
        var children: [String: Node] = [:]
        var elements: [Int: Data] = [:]

        init(_ kind: Kind) { self.kind = kind }
        static func object(_ children: [String: Node]) -> Node {
            let n = Node(.object)
            n.children = children
            return n
        }

        func insert(key: String, value: Data) {
            let slash = key.firstIndex(of: "/")
            let fieldPath = slash.map { String(key[..<$0]) } ?? key
            let entry = slash.map { String(key[key.index(after: $0)...]) }
            var node = self
            var components = fieldPath.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            let last = components.removeLast()
            for c in components { node = node.child(c, .object) }
            if last.hasSuffix("[]") {
                let array = node.child(String(last.dropLast(2)), .array)
                if let entry, let index = Int(entry) { array.elements[index] = value }
            } else if let entry {
                node.child(last, .object).children[entry] = Node.leaf(value)
            } else if value == Data("{}".utf8) {
                _ = node.child(last, .object)  // an empty table's marker
            } else {
                node.children[last] = Node.leaf(value)
            }
        }

        private static func leaf(_ value: Data) -> Node {
            let n = Node(.raw)
            n.raw = value
            return n
        }

        private func child(_ name: String, _ kind: Kind) -> Node {
            if let existing = children[name], existing.kind == kind { return existing }
            let n = Node(kind)
            children[name] = n
            return n
        }

        func write(to out: inout Data) {
            switch kind {
            case .raw:
                out.append(raw)
            case .array:
                out.append(UInt8(ascii: "["))
                for (i, index) in elements.keys.sorted().enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    out.append(elements[index]!)
                }
                out.append(UInt8(ascii: "]"))
            case .object:
                out.append(UInt8(ascii: "{"))
                for (i, (name, node)) in children.enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    var literal: [UInt8] = []
                    JSONString.append(name, to: &literal)
                    out.append(contentsOf: literal)
                    out.append(UInt8(ascii: ":"))
                    node.write(to: &out)
                }
                out.append(UInt8(ascii: "}"))
            }
        }
    }
}

/// A `[String: V]` dictionary: stored one entity per entry.
protocol EntityTable {
    func diffEntries(path: String, old: Any?, into changes: inout StateEntities.Changes)
}

extension Dictionary: EntityTable where Key == String, Value: Encodable & Equatable {
    func diffEntries(path: String, old: Any?, into changes: inout StateEntities.Changes) {
        guard let old = old as? [String: Value] else {
            changes[path] = Data("{}".utf8)  // the table exists even when empty
            for (k, v) in self { changes[path + "/" + k] = try? StateEntities.entity(v) }
            return
        }
        if StateEntities.sameStorage(old, self) { return }
        for (k, v) in self where old[k] != v { changes[path + "/" + k] = try? StateEntities.entity(v) }
        for k in old.keys where self[k] == nil { changes[path + "/" + k] = .some(nil) }
    }
}

/// An array: stored one entity per element; appending writes only the new elements.
protocol EntityLog {
    func diffElements(path: String, old: Any?, into changes: inout StateEntities.Changes)
}

extension Array: EntityLog where Element: Encodable & Equatable {
    func diffElements(path: String, old: Any?, into changes: inout StateEntities.Changes) {
        let prefix = path + "[]/"
        var from = 0
        if let old = old as? [Element] {
            if StateEntities.sameStorage(old, self) { return }
            if old.count <= count, self[..<old.count].elementsEqual(old) {
                from = old.count
            } else {
                for i in count..<Swift.max(count, old.count) { changes[prefix + String(i)] = .some(nil) }
            }
        } else {
            changes[path + "[]"] = Data("[]".utf8)  // the array exists even when empty
        }
        for i in from..<count { changes[prefix + String(i)] = try? StateEntities.entity(self[i]) }
    }
}

/// A `ChangeTrackedDictionary`: like a table, but only the keys its journal names are compared.
protocol TrackedEntityTable {
    func diffTracked(path: String, old: Any?, into changes: inout StateEntities.Changes)
}

extension ChangeTrackedDictionary: TrackedEntityTable {
    func diffTracked(path: String, old: Any?, into changes: inout StateEntities.Changes) {
        defer { trimJournal() }
        guard let old = old as? Self, let keys = changedKeys(since: old) else {
            // First write, or not from the same journal (e.g. restored): as a plain table, every entry compared
            // (rare, so the O(n) conversions do not matter).
            dictionary.diffEntries(path: path, old: (old as? Self)?.dictionary, into: &changes)
            return
        }
        for k in keys {
            let value = self[k]
            guard value != old[k] else { continue }
            changes[path + "/" + k] = value.map { try? StateEntities.entity($0) } ?? .some(nil)
        }
    }
}

/// An `ArchiveLog`: each record written once under `~archive/<path>/<key>`, never deleted, never loaded back
/// (`StateStore` skips keys under `~archive/` when it restores a state; `archived` reads them by range).
protocol ArchiveEntityLog {
    func diffArchive(path: String, old: Any?, into changes: inout StateEntities.Changes)
}

extension ArchiveLog: ArchiveEntityLog {
    func diffArchive(path: String, old: Any?, into changes: inout StateEntities.Changes) {
        if old == nil { changes[path] = Data("{}".utf8) }  // the log exists (it restores empty)
        for r in records(since: old as? Self) { changes[StateEntities.archivePrefix + path + "/" + r.key] = try? StateEntities.entity(r.value) }
        markWritten()
    }
}
