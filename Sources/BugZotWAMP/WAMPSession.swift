import BugZotWire

/// One connection's protocol state, as the router sees it: which messages are legal when
/// (wamp.md §3, §7), what a GOODBYE or an ABORT means, and the ids the router picks for it. It
/// performs no I/O: `receive(_:)` says what to do, the router does it and tells the session what it
/// sent (`challenged()`, `welcomed(...)`, `aborted()`, `goodbye(reason:)`).
///
/// Request ids are not checked beyond their range: whatever id in 0...2^53 a client sends is echoed
/// (wampy sends random ones, Crossbar accepts them). A YIELD or an INVOCATION's ERROR comes out as
/// `.handle`, and the router — which knows the invocations under way — calls `violation(_:)` for one
/// it doesn't know.
public struct WAMPSession: Sendable {
    /// Where the session is in its life.
    public enum Phase: Sendable, Equatable {
        /// Nothing received yet: only HELLO is legal.
        case awaitingHello
        /// HELLO or AUTHENTICATE received; the router is deciding (CHALLENGE, WELCOME or ABORT).
        case deciding
        /// CHALLENGE sent: only AUTHENTICATE is legal.
        case challenged
        /// WELCOME sent: requests flow.
        case established(session: UInt64)
        /// The router said GOODBYE and awaits the client's.
        case closing
        /// Over: nothing more is processed.
        case closed
    }

    /// What the router does with a received message.
    public enum Decision: Sendable, Equatable {
        /// A legal HELLO, AUTHENTICATE or request: the router handles it.
        case handle(WAMPMessage)
        /// The client said GOODBYE: send `reply`, drop the session's subscriptions and registrations, close.
        case goodbye(reply: WAMPMessage)
        /// The client aborted, or answered the router's GOODBYE: drop everything and close, sending nothing.
        case close
        /// A protocol violation: send `abort`, drop the session's subscriptions and registrations, close.
        case abort(WAMPMessage)
        /// Nothing to do (the session is closing or closed).
        case ignore
    }

    /// The current phase.
    public private(set) var phase: Phase = .awaitingHello
    private var requestIDs = WAMPIDCounter()

    /// A connection that has sent nothing yet.
    public init() {}

    /// The session id once WELCOME was sent.
    public var id: UInt64? {
        if case .established(let session) = phase { session } else { nil }
    }

    /// Whether the session is established.
    public var isEstablished: Bool { id != nil }

    /// What to do with `message`, which the client sent.
    public mutating func receive(_ message: WAMPMessage) -> Decision {
        let type = message.type
        switch phase {
        case .closed:
            return .ignore
        case .closing:
            // After its GOODBYE the router waits for the client's and ignores the rest.
            switch type {
            case .goodbye, .abort:
                phase = .closed
                return .close
            default:
                return .ignore
            }
        case _ where type == .abort:
            // ABORT is never answered.
            phase = .closed
            return .close
        case .awaitingHello:
            guard type == .hello else { return violation("\(type.name) before HELLO") }
            phase = .deciding
            return .handle(message)
        case .deciding:
            return violation("\(type.name) before the router answered HELLO")
        case .challenged:
            guard type == .authenticate else {
                return violation(type == .hello ? "a second HELLO" : "\(type.name) while AUTHENTICATE was awaited")
            }
            phase = .deciding
            return .handle(message)
        case .established:
            switch message {
            case .hello:
                return violation("HELLO on an established session")
            case .authenticate:
                return violation("AUTHENTICATE on an established session")
            case .goodbye:
                phase = .closed
                return .goodbye(reply: .goodbye(details: [:], reason: WAMPErrorURI.closeGoodbyeAndOut))
            case .error(let requestType, _, _, _, _, _):
                guard let requested = WAMPMessageType(rawValue: requestType) else {
                    return violation("ERROR with an invalid REQUEST.Type \(requestType)")
                }
                guard requested == .invocation else {
                    return violation("ERROR for \(requested.name): a client sends ERROR only for an INVOCATION")
                }
                return .handle(message)
            case .publish, .subscribe, .unsubscribe, .call, .cancel, .register, .unregister, .yield:
                return .handle(message)
            case .welcome, .abort, .challenge, .published, .subscribed, .unsubscribed, .event, .result, .registered,
                .unregistered, .invocation, .interrupt:
                return violation("\(type.name) is the router's to send, not a client's")
            }
        }
    }

    /// The router sent CHALLENGE: AUTHENTICATE is awaited (a method may take several rounds).
    public mutating func challenged() {
        phase = .challenged
    }

    /// The router sends WELCOME for session `id`: the message to send.
    public mutating func welcomed(session id: UInt64, details: JSONObject) -> WAMPMessage {
        phase = .established(session: id)
        return .welcome(session: id, details: details)
    }

    /// The router sent ABORT (no such realm, authentication failed, …): the session is over.
    public mutating func aborted() {
        phase = .closed
    }

    /// The router ends the session (shutdown, killed): the GOODBYE to send; the client's GOODBYE is then awaited.
    public mutating func goodbye(reason: String, message: String? = nil) -> WAMPMessage {
        phase = .closing
        return .goodbye(details: message.map { ["message": .string($0)] } ?? [:], reason: reason)
    }

    /// A violation the router found (a YIELD for no invocation under way): the ABORT to send, and the session is over.
    public mutating func violation(_ message: String) -> Decision {
        phase = .closed
        return .abort(WAMPProtocolViolation(message).abort)
    }

    /// A session-scope id for a request the router makes of this client (an INVOCATION's): 1, 2, 3, …
    public mutating func nextRequestID() -> UInt64 {
        requestIDs.next()
    }
}

/// The features the router announces in WELCOME: only those it implements (autobahn accepts
/// unknown names, so announcing one it lacks would mislead a client, not break it).
public struct WAMPRouterFeatures: Sendable, Equatable {
    /// Broker features, e.g. `publisher_exclusion`.
    public var broker: Set<String>
    /// Dealer features, e.g. `caller_identification`.
    public var dealer: Set<String>

    /// The given features.
    public init(broker: Set<String>, dealer: Set<String>) {
        self.broker = broker
        self.dealer = dealer
    }

    /// The Basic Profile's roles with no advanced feature.
    public static let basic = WAMPRouterFeatures(broker: [], dealer: [])

    /// What BugZot's router implements: prefix and wildcard subscriptions, `exclude_me`, and the
    /// session meta API (announced on both roles, as the spec asks).
    public static let bugzot = WAMPRouterFeatures(
        broker: ["pattern_based_subscription", "publisher_exclusion", "session_meta_api"],
        dealer: ["session_meta_api"])

    /// WELCOME's `roles`: `{"broker": {"features": {…: true}}, "dealer": {…}}`.
    public var roles: JSONObject {
        func role(_ features: Set<String>) -> JSONValue {
            var flags = JSONObject()
            for feature in features { flags[feature] = true }
            return features.isEmpty ? .object([:]) : ["features": .object(flags)]
        }
        return ["broker": role(broker), "dealer": role(dealer)]
    }

    /// WELCOME's details for an authenticated session, in the shape autobahn's `Welcome.parse` accepts.
    public func welcomeDetails(
        realm: String, authid: String, authrole: String, authmethod: String, authprovider: String, authextra: JSONObject? = nil
    ) -> JSONObject {
        var details: JSONObject = [
            "agent": "BugZot", "authid": .string(authid), "authmethod": .string(authmethod), "authprovider": .string(authprovider),
            "authrole": .string(authrole), "realm": .string(realm), "roles": .object(roles),
        ]
        if let authextra { details["authextra"] = .object(authextra) }
        return details
    }
}
