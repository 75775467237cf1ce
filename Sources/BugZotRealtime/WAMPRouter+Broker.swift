import BugZotDomain
import BugZotWAMP
import BugZotWire
import NIOCore
import Synchronization

extension WAMPRouter {
    /// Subscribes a session; the same topic and match again gives the same subscription.
    func subscribe(_ id: UInt64, topic: String, options: JSONObject) throws(RouterRefusal) -> UInt64 {
        guard let pattern = WAMPURI.Match(options: options) else {
            throw RouterRefusal(uri: WAMPErrorURI.invalidArgument, message: "SUBSCRIBE.Options.match must be exact, prefix or wildcard")
        }
        guard WAMPURI.isValid(topic, match: pattern) else {
            throw RouterRefusal(uri: WAMPErrorURI.invalidURI, message: "\(topic) is not a valid \(pattern.rawValue) topic URI")
        }
        let limit = settings.maxSubscriptions
        return try state.withLock { state throws(RouterRefusal) in
            guard state.members[id] != nil else { throw RouterRefusal(uri: WAMPErrorURI.noSuchSession, message: "the session has left") }
            let held = state.topics.subscriptions(of: id)
            if held.count >= limit, !(state.topics.lookup(topic: topic, match: pattern).map(held.contains) ?? false) {
                throw .limit("a session may hold at most \(limit) subscriptions")
            }
            return state.topics.subscribe(session: id, topic: topic, match: pattern).subscription
        }
    }

    /// Ends one of a session's subscriptions; false when it holds none of that id.
    func unsubscribe(_ id: UInt64, subscription: UInt64) -> Bool {
        state.withLock { $0.topics.unsubscribe(session: id, subscription: subscription) != .notSubscribed }
    }

    /// Routes a client's publication to every subscriber of a matching subscription (the
    /// publisher too only with `exclude_me: false`); returns the publication id. Topics under
    /// `bugzot.` are the server's and anonymous sessions may not publish.
    func publish(
        from id: UInt64, topic: String, excludeMe: Bool, arguments: [JSONValue]?, argumentsKw: JSONObject?
    ) throws(RouterRefusal) -> UInt64 {
        guard WAMPURI.isValid(topic) else { throw RouterRefusal(uri: WAMPErrorURI.invalidURI, message: "\(topic) is not a valid topic URI") }
        guard !topic.hasPrefix("bugzot."), !topic.hasPrefix("wamp.") else {
            throw RouterRefusal(uri: WAMPErrorURI.notAuthorized, message: "topics under bugzot. and wamp. are published by the server only")
        }
        guard identity(of: id)?.principal.isAnonymous == false else {
            throw RouterRefusal(uri: WAMPErrorURI.notAuthorized, message: "anonymous sessions may subscribe but not publish")
        }
        let publication = WAMPID.random()
        deliver(publication: publication, topics: [topic], excluding: excludeMe ? id : nil, payloads: [(arguments, argumentsKw)]) { _ in 0 }
        return publication
    }

    /// Sends one publication to the subscribers of `topics` (pattern subscriptions are told the
    /// first of them they matched, in EVENT's details): at most one EVENT per subscription and
    /// session, encoded once per subscription, payload and serializer and shared by all its
    /// sessions. `variant` tells which of `payloads` a session gets (nil: nothing).
    func deliver(
        publication: UInt64, topics: [String], excluding: UInt64?, payloads: [(arguments: [JSONValue]?, argumentsKw: JSONObject?)],
        variant: (UInt64) -> Int?
    ) {
        let hits: [(subscription: UInt64, topic: String?, sessions: [(UInt64, Outbound)])] = state.withLock { state in
            state.topics.subscriptions(matching: topics).map { hit in
                (
                    hit.subscription, hit.match == .exact ? nil : hit.topic,
                    hit.sessions.compactMap { session in
                        session == excluding ? nil : state.members[session].map { (session, $0.outbound) }
                    }
                )
            }
        }
        for hit in hits {
            let details: JSONObject = hit.topic.map { ["topic": .string($0)] } ?? [:]
            var json = Array(repeating: [Outbound](), count: payloads.count)
            var msgpack = json
            for (session, outbound) in hit.sessions {
                guard let index = variant(session) else { continue }
                if outbound.serializer == .json { json[index].append(outbound) } else { msgpack[index].append(outbound) }
            }
            for (index, payload) in payloads.enumerated() where !json[index].isEmpty || !msgpack[index].isEmpty {
                let message = WAMPMessage.event(
                    subscription: hit.subscription, publication: publication, details: details, arguments: payload.arguments,
                    argumentsKw: payload.argumentsKw)
                if !json[index].isEmpty { Outbound.send(encoded: WAMPSerializer.json.encode(message), to: json[index]) }
                if !msgpack[index].isEmpty { Outbound.send(encoded: WAMPSerializer.msgpack.encode(message), to: msgpack[index]) }
            }
        }
    }
}
