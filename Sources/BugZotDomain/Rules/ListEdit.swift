/// An `{add, remove, set}` edit of a list field; `set` replaces the list before add and remove.
public struct ListEdit<Element: Hashable & Sendable>: Sendable, Equatable {
    public var add: [Element]
    public var remove: [Element]
    public var set: [Element]?

    public init(add: [Element] = [], remove: [Element] = [], set: [Element]? = nil) {
        self.add = add
        self.remove = remove
        self.set = set
    }

    public var isEmpty: Bool { add.isEmpty && remove.isEmpty && set == nil }

    /// The edited list: order kept, additions appended, no repeats.
    public func applied(to list: [Element]) -> [Element] {
        var seen = Set(remove)
        var result: [Element] = []
        for item in (set ?? list) + add where seen.insert(item).inserted {
            result.append(item)
        }
        return result
    }

    /// How many items the edit names.
    public var count: Int { add.count + remove.count + (set?.count ?? 0) }
}
