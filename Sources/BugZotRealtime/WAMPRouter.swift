import BugZotDomain
import BugZotServices
import BugZotWAMP
import BugZotWire
import Logging
import NIOCore
import Synchronization

/// Realm `bugzot`'s router, shared by every `/ws` connection of this instance: its sessions,
/// subscriptions, registrations and the invocations under way, behind one lock that is never
/// held across an `await` (each operation takes it once, decides, and sends after letting go).
public final class WAMPRouter: Sendable {
    let services: AppServices
    /// The bug calls `bugzot.bug.*` make, as REST's routes do.
    let operations: BugOperations
    let settings: RealtimeSettings
    let logger: Logger
    let authenticator: SessionAuthenticator
    let state = Mutex(RouterState())

    public init(services: AppServices, operations: BugOperations, settings: RealtimeSettings = RealtimeSettings(), logger: Logger) {
        self.services = services
        self.operations = operations
        self.settings = settings
        self.logger = logger
        self.authenticator = SessionAuthenticator(services: services, challengeWindow: settings.challengeWindow)
    }
}

/// A joined session as the router keeps it.
struct Member: Sendable {
    let outbound: Outbound
    var identity: SessionIdentity
    let clientAddress: String
    /// The ids of the INVOCATIONs sent to it, from 1.
    var invocationIDs = WAMPIDCounter()
}

/// A call routed to a callee, waiting for its YIELD or ERROR.
struct PendingInvocation: Sendable {
    /// The caller and its CALL's request id; nil caller when it has left (the answer is dropped).
    var caller: UInt64?
    let request: UInt64
    /// The caller's count of calls under way, which the answer lowers.
    let callerCalls: CallCount
}

/// How many calls a session has under way, against `RealtimeSettings.maxCallsInFlight`.
final class CallCount: Sendable {
    private let count = Atomic<Int>(0)

    /// Counts one more unless `limit` are under way; false when refused.
    func begin(limit: Int) -> Bool {
        if count.wrappingAdd(1, ordering: .relaxed).newValue <= limit { return true }
        count.wrappingSubtract(1, ordering: .relaxed)
        return false
    }

    func end() { count.wrappingSubtract(1, ordering: .relaxed) }
}

/// An invocation by its callee session and INVOCATION request id.
struct InvocationKey: Hashable, Sendable {
    let callee: UInt64
    let invocation: UInt64
}

/// Everything the router's lock guards.
struct RouterState: Sendable {
    var members: [UInt64: Member] = [:]
    var topics = TopicRegistry()
    var procedures = ProcedureRegistry()
    var invocations: [InvocationKey: PendingInvocation] = [:]
}

/// A request the router refuses: the ERROR's URI and what it says.
struct RouterRefusal: Error, Sendable {
    let uri: String
    let message: String

    /// The ERROR answering request `request` of type `type`: `[message]` as its arguments and
    /// `{"message", "code"}` (Bugzilla's code, when there is one) as its keyword arguments. Its
    /// details stay empty, as Crossbar.io's do (wampy fails on an ERROR with details).
    func error(_ type: WAMPMessageType, request: UInt64, code: Int? = nil) -> WAMPMessage {
        var keywords: JSONObject = ["message": .string(message)]
        if let code { keywords["code"] = .int(code) }
        return .error(
            requestType: type.rawValue, request: request, details: [:], error: uri, arguments: [.string(message)], argumentsKw: keywords)
    }

    static func limit(_ message: String) -> RouterRefusal { RouterRefusal(uri: "bugzot.error.limit_exceeded", message: message) }
}

extension WAMPRouter {
    /// Adds a session that has been welcomed.
    func join(_ id: UInt64, _ member: Member) {
        state.withLock { $0.members[id] = member }
    }

    /// The current identity of a session (its principal is refreshed when its account changes).
    func identity(of id: UInt64) -> SessionIdentity? {
        state.withLock { $0.members[id]?.identity }
    }

    /// Removes a session with its subscriptions and registrations; the callers of invocations it
    /// had not answered get `wamp.error.canceled`.
    func leave(_ id: UInt64) {
        var canceled: [(Outbound, UInt64)] = []
        state.withLock { state in
            guard state.members.removeValue(forKey: id) != nil else { return }
            state.topics.removeAll(session: id)
            state.procedures.removeAll(session: id)
            for (key, pending) in state.invocations {
                if key.callee == id {
                    state.invocations[key] = nil
                    pending.callerCalls.end()
                    if let caller = pending.caller, let outbound = state.members[caller]?.outbound { canceled.append((outbound, pending.request)) }
                } else if pending.caller == id {
                    state.invocations[key]?.caller = nil
                }
            }
        }
        let refusal = RouterRefusal(uri: WAMPErrorURI.canceled, message: "the callee left before it answered")
        for (outbound, request) in canceled { outbound.send(refusal.error(.call, request: request)) }
    }
}
