/// The broker's subscriptions: one per (topic, match), shared by every session subscribed to it
/// (a session subscribing again gets the same id), matched exactly, by prefix or by wildcard.
/// Finding who gets an item stays cheap however many sessions there are: exact topics through a
/// dictionary, prefixes through an index per prefix length, wildcards through a tree of their
/// components (an item's topic walks its own components and the empty ones only); a
/// subscription's sessions come as one shared set.
public struct TopicRegistry: Sendable {
    /// One subscription and the sessions holding it.
    public struct Subscription: Sendable, Equatable {
        /// The subscription id (router scope, from 1).
        public let id: UInt64
        /// The topic URI or pattern.
        public let topic: String
        /// How `topic` matches.
        public let match: WAMPURI.Match
        /// The sessions subscribed, never empty (a subscription goes with its last session).
        public fileprivate(set) var sessions: Set<UInt64>
    }

    /// What a SUBSCRIBE did.
    public struct Subscribed: Sendable, Equatable {
        /// The subscription id for SUBSCRIBED.
        public let subscription: UInt64
        /// Whether the subscription is new (no session held it before).
        public let created: Bool
        /// Whether this session already held it (SUBSCRIBE repeated).
        public let alreadySubscribed: Bool
    }

    /// What an UNSUBSCRIBE did.
    public enum Unsubscribed: Sendable, Equatable {
        /// The session holds no subscription of that id: `wamp.error.no_such_subscription`.
        case notSubscribed
        /// The session left it; other sessions still hold it.
        case left
        /// The session was its last: the subscription is gone.
        case deleted
    }

    /// A subscription an item matches, with the first of the item's topics it matched.
    public struct Hit: Sendable, Equatable {
        /// The subscription id, for EVENT.
        public let subscription: UInt64
        /// How it matched: EVENT details name the topic for a pattern.
        public let match: WAMPURI.Match
        /// The first topic (in the order given) that matched: the one to name in EVENT details.
        public let topic: String
        /// The sessions subscribed.
        public let sessions: Set<UInt64>
    }

    private var ids = WAMPIDCounter()
    private var entries: [UInt64: Subscription] = [:]
    private var exact: [String: UInt64] = [:]
    private var prefixes: [Substring: UInt64] = [:]
    /// The UTF-8 lengths of the prefixes held, ascending, each with how many prefixes have it.
    private var prefixLengths: [(length: Int, count: Int)] = []
    private var wildcardIDs: [String: UInt64] = [:]
    private var wildcards = WildcardTree()
    private var bySession: [UInt64: Set<UInt64>] = [:]

    /// An empty registry; subscription ids count from 1.
    public init() {}

    /// Subscribes `session` to `topic` matched by `match` (the URI already checked with `WAMPURI.isValid`).
    @discardableResult
    public mutating func subscribe(session: UInt64, topic: String, match: WAMPURI.Match) -> Subscribed {
        if let id = lookup(topic: topic, match: match) {
            let inserted = entries[id]!.sessions.insert(session).inserted
            bySession[session, default: []].insert(id)
            return Subscribed(subscription: id, created: false, alreadySubscribed: !inserted)
        }
        let id = ids.next()
        entries[id] = Subscription(id: id, topic: topic, match: match, sessions: [session])
        bySession[session, default: []].insert(id)
        switch match {
        case .exact:
            exact[topic] = id
        case .prefix:
            prefixes[topic[...]] = id
            let length = topic.utf8.count
            let place = prefixLengths.partitioningIndex { $0.length >= length }
            if place < prefixLengths.count, prefixLengths[place].length == length {
                prefixLengths[place].count += 1
            } else {
                prefixLengths.insert((length, 1), at: place)
            }
        case .wildcard:
            wildcardIDs[topic] = id
            wildcards.insert(topic, subscription: id)
        }
        return Subscribed(subscription: id, created: true, alreadySubscribed: false)
    }

    /// Ends `session`'s hold on `subscription`.
    @discardableResult
    public mutating func unsubscribe(session: UInt64, subscription: UInt64) -> Unsubscribed {
        guard bySession[session]?.remove(subscription) != nil else { return .notSubscribed }
        if bySession[session]?.isEmpty == true { bySession[session] = nil }
        return leave(session: session, subscription: subscription)
    }

    /// Ends every subscription `session` holds (it left or was aborted); returns the ids of the
    /// subscriptions that went with it (it was their last session).
    @discardableResult
    public mutating func removeAll(session: UInt64) -> [UInt64] {
        guard let held = bySession.removeValue(forKey: session) else { return [] }
        return held.sorted().filter { leave(session: session, subscription: $0) == .deleted }
    }

    private mutating func leave(session: UInt64, subscription id: UInt64) -> Unsubscribed {
        guard var entry = entries[id], entry.sessions.remove(session) != nil else { return .notSubscribed }
        guard entry.sessions.isEmpty else {
            entries[id] = entry
            return .left
        }
        entries[id] = nil
        switch entry.match {
        case .exact:
            exact[entry.topic] = nil
        case .prefix:
            prefixes[entry.topic[...]] = nil
            let length = entry.topic.utf8.count
            if let place = prefixLengths.firstIndex(where: { $0.length == length }) {
                prefixLengths[place].count -= 1
                if prefixLengths[place].count == 0 { prefixLengths.remove(at: place) }
            }
        case .wildcard:
            wildcardIDs[entry.topic] = nil
            wildcards.remove(entry.topic)
        }
        return .deleted
    }

    /// The subscription of `topic` with `match`, if any session holds it (`wamp.subscription.lookup`).
    public func lookup(topic: String, match: WAMPURI.Match) -> UInt64? {
        switch match {
        case .exact: exact[topic]
        case .prefix: prefixes[topic[...]]
        case .wildcard: wildcardIDs[topic]
        }
    }

    /// The subscription of an id (`wamp.subscription.get`).
    public func subscription(_ id: UInt64) -> Subscription? { entries[id] }

    /// Every subscription, by id.
    public var all: [Subscription] { entries.values.sorted { $0.id < $1.id } }

    /// The subscriptions `session` holds.
    public func subscriptions(of session: UInt64) -> Set<UInt64> { bySession[session] ?? [] }

    /// The subscriptions an item published under `topics` matches, each once however many of
    /// the topics it matches (pass the most specific topic first: a hit names the first it matched).
    public func subscriptions(matching topics: [String]) -> [Hit] {
        var hits: [Hit] = []
        var seen: Set<UInt64> = []
        func add(_ id: UInt64, _ topic: String) {
            guard seen.insert(id).inserted, let entry = entries[id] else { return }
            hits.append(Hit(subscription: id, match: entry.match, topic: topic, sessions: entry.sessions))
        }
        for topic in topics {
            if let id = exact[topic] { add(id, topic) }
            if !prefixLengths.isEmpty {
                let utf8 = topic.utf8
                let count = utf8.count
                for (length, _) in prefixLengths {
                    guard length <= count else { break }
                    let end = utf8.index(utf8.startIndex, offsetBy: length)
                    // A prefix ends where a scalar does; a cut inside one can't equal any.
                    if end < utf8.endIndex, UTF8.isContinuation(utf8[end]) { continue }
                    if let id = prefixes[topic[..<end]] { add(id, topic) }
                }
            }
            if !wildcards.isEmpty {
                wildcards.forEachMatch(of: topic) { add($0, topic) }
            }
        }
        return hits
    }
}

/// Wildcard patterns as a tree of their components: a node's children by component, the empty
/// (any) component among them, and the subscription of the pattern that ends there. A topic
/// follows, at each of its components, that component's child and the empty one; nodes no
/// pattern needs any more are taken out, so churn leaves nothing behind.
private struct WildcardTree: Sendable {
    struct Node: Sendable {
        var children: [Substring: Int] = [:]
        var subscription: UInt64?
        /// The parent and the component leading here (the root has none).
        var parent: Int
        var component: Substring
    }

    private var nodes = [Node(parent: -1, component: "")]
    private var unused: [Int] = []

    var isEmpty: Bool { nodes[0].children.isEmpty }

    mutating func insert(_ pattern: String, subscription: UInt64) {
        var node = 0
        for component in pattern.split(separator: ".", omittingEmptySubsequences: false) {
            if let child = nodes[node].children[component] {
                node = child
                continue
            }
            let fresh = Node(parent: node, component: component)
            let child: Int
            if let reused = unused.popLast() {
                nodes[reused] = fresh
                child = reused
            } else {
                nodes.append(fresh)
                child = nodes.count - 1
            }
            nodes[node].children[component] = child
            node = child
        }
        nodes[node].subscription = subscription
    }

    mutating func remove(_ pattern: String) {
        var node = 0
        for component in pattern.split(separator: ".", omittingEmptySubsequences: false) {
            guard let child = nodes[node].children[component] else { return }
            node = child
        }
        nodes[node].subscription = nil
        // Up from the end, each node left with neither a pattern nor children goes.
        while node != 0, nodes[node].subscription == nil, nodes[node].children.isEmpty {
            let parent = nodes[node].parent
            nodes[parent].children[nodes[node].component] = nil
            nodes[node] = Node(parent: -1, component: "")
            unused.append(node)
            node = parent
        }
    }

    /// Calls `body` with the subscription of each pattern `topic` matches.
    func forEachMatch(of topic: String, _ body: (UInt64) -> Void) {
        let components = topic.split(separator: ".", omittingEmptySubsequences: false)
        var pending = [(node: 0, depth: 0)]
        while let (node, depth) = pending.popLast() {
            guard depth < components.count else {
                if let subscription = nodes[node].subscription { body(subscription) }
                continue
            }
            let component = components[depth]
            if let exact = nodes[node].children[component] { pending.append((exact, depth + 1)) }
            if !component.isEmpty, let any = nodes[node].children[""] { pending.append((any, depth + 1)) }
        }
    }
}

extension Array {
    /// The first index whose element satisfies `belongs`, for an array partitioned by it (false before true).
    fileprivate func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
