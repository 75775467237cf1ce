import BugZotDomain
import BugZotWAMP
import BugZotWire
import Synchronization

extension WAMPRouter {
    /// Registers a procedure for a trusted component: administrators only, never under `bugzot.`
    /// or `wamp.`.
    func register(_ id: UInt64, procedure: String) throws(RouterRefusal) -> UInt64 {
        guard WAMPURI.isValid(procedure), !procedure.hasPrefix("wamp.") else {
            throw RouterRefusal(uri: WAMPErrorURI.invalidURI, message: "\(procedure) is not a procedure URI a client may register")
        }
        guard !procedure.hasPrefix("bugzot.") else {
            throw RouterRefusal(uri: WAMPErrorURI.notAuthorized, message: "procedures under bugzot. are the server's")
        }
        let limit = settings.maxRegistrations
        return try state.withLock { state throws(RouterRefusal) in
            guard let member = state.members[id] else { throw RouterRefusal(uri: WAMPErrorURI.noSuchSession, message: "the session has left") }
            guard member.identity.principal.isAdmin else {
                throw RouterRefusal(uri: WAMPErrorURI.notAuthorized, message: "only administrators' sessions may register procedures")
            }
            guard state.procedures.registrations(of: id).count < limit else { throw .limit("a session may hold at most \(limit) registrations") }
            guard let registration = state.procedures.register(session: id, procedure: procedure) else {
                throw RouterRefusal(uri: WAMPErrorURI.procedureAlreadyExists, message: "\(procedure) is already registered")
            }
            return registration
        }
    }

    /// Ends one of a session's registrations; false when it holds none of that id.
    func unregister(_ id: UInt64, registration: UInt64) -> Bool {
        state.withLock { $0.procedures.unregister(session: id, registration: registration) != nil }
    }

    /// Routes a CALL to the procedure's callee as an INVOCATION.
    func route(
        call request: UInt64, from caller: UInt64, calls: CallCount, procedure: String, arguments: [JSONValue]?, argumentsKw: JSONObject?
    ) throws(RouterRefusal) {
        let (outbound, invocation, registration) = try state.withLock { state throws(RouterRefusal) in
            guard let (registration, callee) = state.procedures.callee(of: procedure), state.members[callee] != nil else {
                throw RouterRefusal(uri: WAMPErrorURI.noSuchProcedure, message: "no procedure \(procedure) is registered")
            }
            let invocation = state.members[callee]!.invocationIDs.next()
            state.invocations[InvocationKey(callee: callee, invocation: invocation)] = PendingInvocation(
                caller: caller, request: request, callerCalls: calls)
            return (state.members[callee]!.outbound, invocation, registration)
        }
        outbound.send(.invocation(request: invocation, registration: registration, details: [:], arguments: arguments, argumentsKw: argumentsKw))
    }

    /// Passes a callee's answer (YIELD or ERROR) to the caller as RESULT or ERROR; false when
    /// the callee has no such invocation under way.
    func answer(invocation: UInt64, from callee: UInt64, _ message: (_ callRequest: UInt64) -> WAMPMessage) -> Bool {
        let found: (Outbound?, UInt64)? = state.withLock { state in
            guard let pending = state.invocations.removeValue(forKey: InvocationKey(callee: callee, invocation: invocation)) else { return nil }
            pending.callerCalls.end()
            return (pending.caller.flatMap { state.members[$0]?.outbound }, pending.request)
        }
        guard let (outbound, request) = found else { return false }
        outbound?.send(message(request))
        return true
    }
}
