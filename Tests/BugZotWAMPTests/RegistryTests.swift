import BugZotWAMP
import Testing

@Suite("The broker's topic registry")
struct TopicRegistryTests {
    @Test("one subscription per (topic, match), shared across sessions; the same session twice gets the same id")
    func sharedSubscriptions() {
        var registry = TopicRegistry()
        func outcome(_ subscribed: TopicRegistry.Subscribed) -> [UInt64] {
            [subscribed.subscription, subscribed.created ? 1 : 0, subscribed.alreadySubscribed ? 1 : 0]
        }
        #expect(outcome(registry.subscribe(session: 1, topic: "bugzot.bug.changed", match: .exact)) == [1, 1, 0])
        #expect(outcome(registry.subscribe(session: 2, topic: "bugzot.bug.changed", match: .exact)) == [1, 0, 0])
        #expect(outcome(registry.subscribe(session: 1, topic: "bugzot.bug.changed", match: .exact)) == [1, 0, 1])
        // Another match of the same text is another subscription.
        #expect(registry.subscribe(session: 1, topic: "bugzot.bug.changed", match: .prefix).subscription == 2)
        #expect(registry.lookup(topic: "bugzot.bug.changed", match: .prefix) == 2)
        #expect(registry.lookup(topic: "bugzot.bug.changed", match: .wildcard) == nil)
        #expect(registry.subscription(1)?.sessions == [1, 2])
        #expect(registry.subscriptions(of: 1) == [1, 2])
    }

    @Test("exact, prefix and wildcard subscriptions match the contract's topics")
    func matching() {
        var registry = TopicRegistry()
        let exact = registry.subscribe(session: 1, topic: "bugzot.bug.changed.12345", match: .exact).subscription
        let bugs = registry.subscribe(session: 2, topic: "bugzot.bug.", match: .prefix).subscription
        let product = registry.subscribe(session: 3, topic: "bugzot.product.Widget.", match: .prefix).subscription
        let anyKind = registry.subscribe(session: 4, topic: "bugzot.bug..12345", match: .wildcard).subscription
        let characterPrefix = registry.subscribe(session: 5, topic: "bugzot.bug.chan", match: .prefix).subscription
        registry.subscribe(session: 6, topic: "bugzot.bug.changed.1", match: .exact)
        registry.subscribe(session: 7, topic: "bugzot.product.Gadget.", match: .prefix)
        registry.subscribe(session: 8, topic: "bugzot.bug..1", match: .wildcard)

        let item = ["bugzot.product.Widget.bug.changed.12345", "bugzot.bug.changed.12345", "bugzot.bug.changed"]
        let hits = registry.subscriptions(matching: item)
        #expect(Set(hits.map(\.subscription)) == [exact, bugs, product, anyKind, characterPrefix])
        #expect(hits.count == 5, "one hit per subscription though bugzot.bug. matches two of the item's topics")
        #expect(hits.first { $0.subscription == bugs }?.topic == "bugzot.bug.changed.12345", "the first topic it matched")
        #expect(hits.first { $0.subscription == product }?.sessions == [3])
        #expect(hits.first { $0.subscription == anyKind }?.match == .wildcard)
        #expect(registry.subscriptions(matching: ["bugzot.bug.commented.9"]).map(\.subscription) == [bugs])
        #expect(registry.subscriptions(matching: ["com.example.other"]).isEmpty)
    }

    @Test("a wildcard's empty component matches exactly one component")
    func wildcardComponents() {
        var registry = TopicRegistry()
        let pattern = registry.subscribe(session: 1, topic: "a..c", match: .wildcard).subscription
        #expect(registry.subscriptions(matching: ["a.b.c"]).map(\.subscription) == [pattern])
        #expect(registry.subscriptions(matching: ["a.b.b.c"]).isEmpty)
        #expect(registry.subscriptions(matching: ["a.c"]).isEmpty)
        #expect(registry.subscriptions(matching: ["x.b.c"]).isEmpty)
    }

    @Test("wildcard patterns sharing components match independently, and removing one keeps the others")
    func wildcardsSharingComponents() {
        var registry = TopicRegistry()
        let anyKind = registry.subscribe(session: 1, topic: "bugzot.bug..12", match: .wildcard).subscription
        let anyBug = registry.subscribe(session: 2, topic: "bugzot.bug.changed.", match: .wildcard).subscription
        let both = registry.subscribe(session: 3, topic: "bugzot.bug..", match: .wildcard).subscription
        let longer = registry.subscribe(session: 4, topic: "bugzot.bug..12.x", match: .wildcard).subscription
        #expect(Set(registry.subscriptions(matching: ["bugzot.bug.changed.12"]).map(\.subscription)) == [anyKind, anyBug, both])
        #expect(Set(registry.subscriptions(matching: ["bugzot.bug.created.12.x"]).map(\.subscription)) == [longer])
        registry.unsubscribe(session: 1, subscription: anyKind)
        registry.unsubscribe(session: 4, subscription: longer)
        #expect(Set(registry.subscriptions(matching: ["bugzot.bug.changed.12"]).map(\.subscription)) == [anyBug, both])
        #expect(registry.subscriptions(matching: ["bugzot.bug.created.12.x"]).isEmpty)
        let again = registry.subscribe(session: 1, topic: "bugzot.bug..12", match: .wildcard).subscription
        #expect(Set(registry.subscriptions(matching: ["bugzot.bug.commented.12"]).map(\.subscription)) == [again, both])
    }

    @Test("a prefix is matched by characters, never inside a multi-byte character")
    func unicodePrefix() {
        var registry = TopicRegistry()
        let cafe = registry.subscribe(session: 1, topic: "com.café", match: .prefix).subscription
        #expect(registry.subscriptions(matching: ["com.café.menu"]).map(\.subscription) == [cafe])
        #expect(registry.subscriptions(matching: ["com.caf"]).isEmpty)
    }

    @Test("unsubscribing leaves the subscription to the others, and deletes it with its last session")
    func unsubscribe() {
        var registry = TopicRegistry()
        let id = registry.subscribe(session: 1, topic: "t.prefix.", match: .prefix).subscription
        registry.subscribe(session: 2, topic: "t.prefix.", match: .prefix)
        #expect(registry.unsubscribe(session: 3, subscription: id) == .notSubscribed)
        #expect(registry.unsubscribe(session: 1, subscription: id) == .left)
        #expect(registry.unsubscribe(session: 1, subscription: id) == .notSubscribed)
        #expect(registry.subscriptions(matching: ["t.prefix.x"]).map(\.sessions) == [[2]])
        #expect(registry.unsubscribe(session: 2, subscription: id) == .deleted)
        #expect(registry.subscriptions(matching: ["t.prefix.x"]).isEmpty)
        #expect(registry.lookup(topic: "t.prefix.", match: .prefix) == nil)
        #expect(registry.all.isEmpty)
    }

    @Test("removeAll(session:) ends all of a session's subscriptions, of every match")
    func removeAll() {
        var registry = TopicRegistry()
        let a = registry.subscribe(session: 1, topic: "a.b", match: .exact).subscription
        let b = registry.subscribe(session: 1, topic: "a.", match: .prefix).subscription
        let c = registry.subscribe(session: 1, topic: "a..c", match: .wildcard).subscription
        registry.subscribe(session: 2, topic: "a.b", match: .exact)
        #expect(registry.removeAll(session: 1) == [b, c], "a.b is still held by session 2")
        #expect(registry.subscriptions(matching: ["a.b", "a.x.c"]).map(\.subscription) == [a])
        #expect(registry.subscriptions(of: 1).isEmpty)
        #expect(registry.removeAll(session: 1).isEmpty)
    }

    @Test("matching stays cheap with 10,000 sessions (30,000 subscriptions of every match) and 1,000 subscribers of one topic")
    func scale() {
        var registry = TopicRegistry()
        for session in UInt64(1)...10_000 {
            registry.subscribe(session: session, topic: "bugzot.bug.changed.\(session)", match: .exact)
            registry.subscribe(session: session, topic: "bugzot.product.P\(session % 100).", match: .prefix)
            registry.subscribe(session: session, topic: "bugzot.bug..\(session)", match: .wildcard)
            if session <= 1_000 { registry.subscribe(session: session, topic: "com.example.bench.topic", match: .exact) }
        }
        let clock = ContinuousClock()
        var delivered = 0
        let elapsed = clock.measure {
            for bug in 1...1_000 {
                let topics = ["bugzot.product.P\(bug % 100).bug.changed.\(bug)", "bugzot.bug.changed.\(bug)", "bugzot.bug.changed"]
                delivered += registry.subscriptions(matching: topics).reduce(0) { $0 + $1.sessions.count }
            }
            delivered += registry.subscriptions(matching: ["com.example.bench.topic"])[0].sessions.count
        }
        #expect(delivered == 1_000 * 102 + 1_000)
        #expect(elapsed < .seconds(5), "1,000 lookups in \(elapsed)")
    }
}

@Suite("The dealer's procedure registry")
struct ProcedureRegistryTests {
    @Test("a procedure has one callee; registering it again is procedure_already_exists")
    func registration() {
        var registry = ProcedureRegistry()
        let id = registry.register(session: 1, procedure: "com.example.bench.echo")
        #expect(id == 1)
        #expect(registry.register(session: 2, procedure: "com.example.bench.echo") == nil)
        #expect(registry.register(session: 1, procedure: "com.example.bench.echo") == nil)
        #expect(registry.callee(of: "com.example.bench.echo")! == (1, 1))
        #expect(registry.callee(of: "com.example.bench.echo.more") == nil, "exact match only")
    }

    @Test("only the callee unregisters; unregistering frees the procedure")
    func unregister() {
        var registry = ProcedureRegistry()
        let id = registry.register(session: 1, procedure: "p.q")!
        #expect(registry.unregister(session: 2, registration: id) == nil)
        #expect(registry.unregister(session: 1, registration: id)?.procedure == "p.q")
        #expect(registry.unregister(session: 1, registration: id) == nil)
        #expect(registry.callee(of: "p.q") == nil)
        #expect(registry.register(session: 2, procedure: "p.q") == 2)
    }

    @Test("removeAll(session:) ends every registration of a session, and only its")
    func removeAll() {
        var registry = ProcedureRegistry()
        _ = registry.register(session: 1, procedure: "a")
        _ = registry.register(session: 1, procedure: "b")
        _ = registry.register(session: 2, procedure: "c")
        #expect(registry.removeAll(session: 1).map(\.procedure) == ["a", "b"])
        #expect(registry.callee(of: "a") == nil && registry.callee(of: "b") == nil)
        #expect(registry.callee(of: "c")?.session == 2)
        #expect(registry.registrations(of: 1).isEmpty && registry.registrations(of: 2) == [3])
    }
}
