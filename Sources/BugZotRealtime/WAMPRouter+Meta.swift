import BugZotDomain
import BugZotWAMP
import BugZotWire
import Synchronization

extension WAMPRouter {
    /// The session and subscription meta API (`wamp.session.count/list/get`,
    /// `wamp.subscription.list/lookup/match/get/list_subscribers/count_subscribers`), for
    /// administrators only.
    func metaProcedure(_ procedure: String) -> BuiltInProcedure? {
        let answer: (@Sendable (WAMPRouter, ProcedureCall) -> ProcedureReply)? =
            switch procedure {
            case "wamp.session.count": { router, call in .result(.int(router.sessions(roles: Self.roles(call)).count)) }
            case "wamp.session.list": { router, call in .result(.array(router.sessions(roles: Self.roles(call)).map { .int(Int($0)) })) }
            case "wamp.session.get": { router, call in router.sessionDetails(call) }
            case "wamp.subscription.list": { router, _ in router.subscriptionList() }
            case "wamp.subscription.lookup": { router, call in router.subscriptionLookup(call) }
            case "wamp.subscription.match": { router, call in router.subscriptionMatch(call) }
            case "wamp.subscription.get": { router, call in router.subscription(call) { .object(Self.details(of: $0)) } }
            case "wamp.subscription.list_subscribers":
                { router, call in router.subscription(call) { .array($0.sessions.sorted().map { .int(Int($0)) }) } }
            case "wamp.subscription.count_subscribers": { router, call in router.subscription(call) { .int($0.sessions.count) } }
            default: nil
            }
        guard let answer else { return nil }
        return { [self] call in
            guard call.identity.principal.isAdmin else {
                return .failure(RouterRefusal(uri: WAMPErrorURI.notAuthorized, message: "\(procedure) is for administrators"), code: nil)
            }
            return answer(self, call)
        }
    }

    /// `{"exact": [ids], "prefix": [ids], "wildcard": [ids]}`.
    private func subscriptionList() -> ProcedureReply {
        let all = state.withLock { $0.topics.all }
        var lists = JSONObject()
        for match in WAMPURI.Match.allCases {
            lists[match.rawValue] = .array(all.filter { $0.match == match }.map { .int(Int($0.id)) })
        }
        return .result(.object(lists))
    }

    /// The subscription of a topic and match (`lookup(topic, {"match": …})`), or null.
    private func subscriptionLookup(_ call: ProcedureCall) -> ProcedureReply {
        guard case .string(let topic)? = call.arguments.first else { return Self.badArgument("a topic URI") }
        var options = JSONObject()
        if call.arguments.count > 1, case .object(let given) = call.arguments[1] { options = given }
        guard let match = WAMPURI.Match(options: options) else { return Self.badArgument("match exact, prefix or wildcard") }
        return .result(state.withLock { $0.topics.lookup(topic: topic, match: match) }.map { .int(Int($0)) } ?? .null)
    }

    /// The subscriptions a publication to a topic would reach (`match(topic)`), or null.
    private func subscriptionMatch(_ call: ProcedureCall) -> ProcedureReply {
        guard case .string(let topic)? = call.arguments.first else { return Self.badArgument("a topic URI") }
        let ids = state.withLock { $0.topics.subscriptions(matching: [topic]).map(\.subscription) }
        return .result(ids.isEmpty ? .null : .array(ids.sorted().map { .int(Int($0)) }))
    }

    /// `answer` about the subscription the first argument names, or `wamp.error.no_such_subscription`.
    private func subscription(_ call: ProcedureCall, _ answer: (TopicRegistry.Subscription) -> JSONValue) -> ProcedureReply {
        guard case .int(let id)? = call.arguments.first, id > 0, let subscription = state.withLock({ $0.topics.subscription(UInt64(id)) }) else {
            return .failure(RouterRefusal(uri: WAMPErrorURI.noSuchSubscription, message: "no such subscription"), code: nil)
        }
        return .result(answer(subscription))
    }

    private static func details(of subscription: TopicRegistry.Subscription) -> JSONObject {
        ["id": .int(Int(subscription.id)), "uri": .string(subscription.topic), "match": .string(subscription.match.rawValue)]
    }

    private static func badArgument(_ expected: String) -> ProcedureReply {
        .failure(RouterRefusal(uri: WAMPErrorURI.invalidArgument, message: "expected \(expected)"), code: nil)
    }

    /// `filter_authroles`, the first positional argument when given.
    private static func roles(_ call: ProcedureCall) -> Set<String>? {
        guard case .array(let roles)? = call.arguments.first else { return nil }
        return Set(roles.compactMap { if case .string(let role) = $0 { role } else { nil } })
    }

    /// The joined sessions' ids, of the given roles only when `roles` is given.
    private func sessions(roles: Set<String>?) -> [UInt64] {
        state.withLock { state in
            state.members.compactMap { id, member in roles.map { $0.contains(member.identity.authrole) } ?? true ? id : nil }.sorted()
        }
    }

    private func sessionDetails(_ call: ProcedureCall) -> ProcedureReply {
        guard case .int(let requested)? = call.arguments.first, requested > 0,
            let member = state.withLock({ $0.members[UInt64(requested)] })
        else {
            return .failure(RouterRefusal(uri: WAMPErrorURI.noSuchSession, message: "no such session"), code: nil)
        }
        return .result([
            "session": .int(requested), "authid": .string(member.identity.authid), "authrole": .string(member.identity.authrole),
            "authmethod": .string(member.identity.authmethod), "authprovider": .string(SessionAuthenticator.provider),
            "transport": ["type": "websocket", "protocol": .string(member.outbound.serializer.subprotocol), "peer": .string(member.clientAddress)],
        ])
    }
}
