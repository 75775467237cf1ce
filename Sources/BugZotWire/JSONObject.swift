/// A JSON object: its members kept in key order, the order responses are written in, so that
/// writing one needs no sort, and building one key after another in that order needs neither
/// hashing nor moving members (a key out of order is put in its place by a binary search).
public struct JSONObject: Sendable, Equatable {
    /// The members, ordered by key, each key once.
    public private(set) var members: [(key: String, value: JSONValue)]

    /// An object with no members.
    public init() { members = [] }

    /// The members of `dictionary`, in key order.
    public init(_ dictionary: [String: JSONValue]) {
        members = dictionary.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
    }

    /// The keys, in order.
    public var keys: [String] { members.map(\.key) }

    /// Whether it has no members.
    public var isEmpty: Bool { members.isEmpty }

    /// The value of `key`; setting nil removes the member.
    public subscript(key: String) -> JSONValue? {
        get {
            let place = position(of: key)
            guard place.found else { return nil }
            return members[place.index].value
        }
        set {
            let place = position(of: key)
            switch (place.found, newValue) {
            case (true, let value?): members[place.index].value = value
            case (true, nil): members.remove(at: place.index)
            case (false, let value?): members.insert((key: key, value: value), at: place.index)
            case (false, nil): break
            }
        }
    }

    /// Adds `other`'s members; `combine` picks the value of a key both have.
    public mutating func merge(_ other: JSONObject, uniquingKeysWith combine: (JSONValue, JSONValue) -> JSONValue) {
        for (key, value) in other {
            self[key] = self[key].map { combine($0, value) } ?? value
        }
    }

    /// This object with `other`'s members added; `combine` picks the value of a key both have.
    public func merging(_ other: JSONObject, uniquingKeysWith combine: (JSONValue, JSONValue) -> JSONValue) -> JSONObject {
        var result = self
        result.merge(other, uniquingKeysWith: combine)
        return result
    }

    /// Where `key` is, or where it goes to keep the order. A key after the last one, as when an
    /// object is built in order, is placed without a search.
    private func position(of key: String) -> (index: Int, found: Bool) {
        guard let last = members.last, key <= last.key else { return (members.count, false) }
        var low = 0
        var high = members.count - 1
        while low < high {
            let middle = (low + high) / 2
            if members[middle].key < key { low = middle + 1 } else { high = middle }
        }
        return (low, members[low].key == key)
    }

    public static func == (left: JSONObject, right: JSONObject) -> Bool {
        left.members.elementsEqual(right.members) { $0.key == $1.key && $0.value == $1.value }
    }
}

extension JSONObject: Sequence {
    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> { members.makeIterator() }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// The members in key order; of a repeated key, the last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init()
        for (key, value) in elements { self[key] = value }
    }
}
