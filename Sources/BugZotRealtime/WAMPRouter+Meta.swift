import BugZotDomain
import BugZotWAMP
import BugZotWire
import Synchronization

extension WAMPRouter {
    /// The session meta API (`wamp.session.count/list/get`), for administrators only.
    func metaProcedure(_ procedure: String) -> BuiltInProcedure? {
        let answer: (@Sendable (WAMPRouter, ProcedureCall) -> ProcedureReply)? =
            switch procedure {
            case "wamp.session.count": { router, call in .result(.int(router.sessions(roles: Self.roles(call)).count)) }
            case "wamp.session.list": { router, call in .result(.array(router.sessions(roles: Self.roles(call)).map { .int(Int($0)) })) }
            case "wamp.session.get": { router, call in router.sessionDetails(call) }
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
