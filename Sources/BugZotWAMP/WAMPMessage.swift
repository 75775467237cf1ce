import BugZotWire

/// One WAMP v2 message: the Basic Profile's, plus CHALLENGE/AUTHENTICATE and CANCEL/INTERRUPT of
/// the Advanced Profile. Ids are `UInt64` in 0...2^53; `arguments`/`argumentsKw` are nil when the
/// message has none (an empty list or dict on the wire reads as nil, and is never written last).
public enum WAMPMessage: Sendable, Equatable {
    /// Client → router: join `realm`, announcing roles and auth methods in `details`.
    case hello(realm: String, details: JSONObject)
    /// Router → client: the session `session` is open.
    case welcome(session: UInt64, details: JSONObject)
    /// Either way: the session ends before or instead of opening (never answered).
    case abort(details: JSONObject, reason: String)
    /// Router → client: prove who you are by `method` (`ticket`, `wampcra`).
    case challenge(method: String, extra: JSONObject)
    /// Client → router: the answer to CHALLENGE.
    case authenticate(signature: String, extra: JSONObject)
    /// Either way: the session closes; the peer answers with GOODBYE.
    case goodbye(details: JSONObject, reason: String)
    /// A request failed; `requestType` is the failed message's code (a callee's ERROR answers an INVOCATION).
    case error(requestType: Int, request: UInt64, details: JSONObject, error: String, arguments: [JSONValue]?, argumentsKw: JSONObject?)
    /// Client → router: publish to `topic` (PUBLISHED only with `acknowledge`).
    case publish(request: UInt64, options: JSONObject, topic: String, arguments: [JSONValue]?, argumentsKw: JSONObject?)
    /// Router → publisher: the publication was accepted.
    case published(request: UInt64, publication: UInt64)
    /// Client → router: subscribe to `topic` (or pattern, by the `match` option).
    case subscribe(request: UInt64, options: JSONObject, topic: String)
    /// Router → subscriber: the subscription's id.
    case subscribed(request: UInt64, subscription: UInt64)
    /// Client → router: end a subscription.
    case unsubscribe(request: UInt64, subscription: UInt64)
    /// Router → subscriber: the subscription has ended.
    case unsubscribed(request: UInt64)
    /// Router → subscriber: a publication matching `subscription`.
    case event(subscription: UInt64, publication: UInt64, details: JSONObject, arguments: [JSONValue]?, argumentsKw: JSONObject?)
    /// Client → router: call `procedure`.
    case call(request: UInt64, options: JSONObject, procedure: String, arguments: [JSONValue]?, argumentsKw: JSONObject?)
    /// Client → router: cancel a CALL under way.
    case cancel(request: UInt64, options: JSONObject)
    /// Router → caller: a CALL's result.
    case result(request: UInt64, details: JSONObject, arguments: [JSONValue]?, argumentsKw: JSONObject?)
    /// Callee → router: answer calls of `procedure`.
    case register(request: UInt64, options: JSONObject, procedure: String)
    /// Router → callee: the registration's id.
    case registered(request: UInt64, registration: UInt64)
    /// Callee → router: end a registration.
    case unregister(request: UInt64, registration: UInt64)
    /// Router → callee: the registration has ended.
    case unregistered(request: UInt64)
    /// Router → callee: a CALL of its registration, under the router's own request id.
    case invocation(request: UInt64, registration: UInt64, details: JSONObject, arguments: [JSONValue]?, argumentsKw: JSONObject?)
    /// Router → callee: stop an INVOCATION (its caller canceled).
    case interrupt(request: UInt64, options: JSONObject)
    /// Callee → router: an INVOCATION's result.
    case yield(request: UInt64, options: JSONObject, arguments: [JSONValue]?, argumentsKw: JSONObject?)
}

/// The message type codes (the first element of every message).
public enum WAMPMessageType: Int, Sendable, CaseIterable {
    case hello = 1, welcome = 2, abort = 3, challenge = 4, authenticate = 5, goodbye = 6, error = 8
    case publish = 16, published = 17, subscribe = 32, subscribed = 33, unsubscribe = 34, unsubscribed = 35, event = 36
    case call = 48, cancel = 49, result = 50
    case register = 64, registered = 65, unregister = 66, unregistered = 67, invocation = 68, interrupt = 69, yield = 70

    /// The name the specification gives it: `HELLO`, `CALL`, ….
    public var name: String { String(describing: self).uppercased() }
}

extension WAMPMessage {
    /// The message's type.
    public var type: WAMPMessageType {
        switch self {
        case .hello: .hello
        case .welcome: .welcome
        case .abort: .abort
        case .challenge: .challenge
        case .authenticate: .authenticate
        case .goodbye: .goodbye
        case .error: .error
        case .publish: .publish
        case .published: .published
        case .subscribe: .subscribe
        case .subscribed: .subscribed
        case .unsubscribe: .unsubscribe
        case .unsubscribed: .unsubscribed
        case .event: .event
        case .call: .call
        case .cancel: .cancel
        case .result: .result
        case .register: .register
        case .registered: .registered
        case .unregister: .unregister
        case .unregistered: .unregistered
        case .invocation: .invocation
        case .interrupt: .interrupt
        case .yield: .yield
        }
    }
}

/// A message that breaks the protocol (malformed, undecodable, or out of place): the router answers
/// it with ABORT `wamp.error.protocol_violation` carrying `message`, then closes.
public struct WAMPProtocolViolation: Error, Sendable, Equatable {
    /// What was wrong, for the ABORT's `message` detail.
    public let message: String

    /// A violation described by `message`.
    public init(_ message: String) { self.message = message }

    /// The ABORT that answers it.
    public var abort: WAMPMessage {
        .abort(details: ["message": .string(message)], reason: WAMPErrorURI.protocolViolation)
    }
}
