import BugZotDomain
import BugZotWAMP
import BugZotWire
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket
import Synchronization

/// One `/ws` connection's WAMP session, run by the connection's own task: it reads the client's
/// messages in order, answers those about the session itself, and hands routing to the router.
/// Built-in procedures run as child tasks of the connection (at most `maxCallsInFlight`), so a
/// slow database call holds up nothing else the session does.
final class RouterSession {
    let router: WAMPRouter
    let outbound: Outbound
    let writer: WebSocketOutboundWriter
    let transport: TransportDetails
    /// The session id WELCOME announces (drawn at once: a WAMP-CRA challenge names it).
    let id = WAMPID.random()
    let calls = CallCount()
    /// Which messages are legal now (BugZotWAMP's session state machine).
    private var protocolState = WAMPSession()
    /// The challenge sent, while its AUTHENTICATE is awaited.
    private var pending: PendingChallenge?
    /// Closes the connection unless WELCOME is sent in time.
    private var joinDeadline: Scheduled<Void>?

    init(router: WAMPRouter, outbound: Outbound, writer: WebSocketOutboundWriter, transport: TransportDetails) {
        self.router = router
        self.outbound = outbound
        self.writer = writer
        self.transport = transport
    }

    /// Reads messages until the client leaves, the session is closed, or the connection goes;
    /// rethrows what ended the transport (a message too large, text that is not UTF-8), which
    /// closes the connection with its code.
    func run(_ messages: WebSocketInboundMessageStream) async throws {
        joinDeadline = outbound.channel.eventLoop.scheduleTask(in: TimeAmount(router.settings.joinTimeout)) { [outbound, router, id] in
            guard router.identity(of: id) == nil else { return }
            outbound.close(
                code: .policyViolation, reason: "no session",
                last: .abort(details: ["message": "the session was not established in time"], reason: WAMPErrorURI.authenticationFailed))
        }
        var failure: (any Error)?
        await withDiscardingTaskGroup { group in
            do {
                for try await message in messages {
                    guard let decoded = try await decode(message) else { break }
                    guard try await handle(decoded, group: &group) else { break }
                }
            } catch {
                failure = error
            }
            group.cancelAll()
        }
        joinDeadline?.cancel()
        router.leave(id)
        if let failure { throw failure }
    }

    /// The WAMP message in a WebSocket message; nil when the connection is being closed for it.
    private func decode(_ message: WebSocketMessage) async throws -> WAMPMessage? {
        let bytes: ByteBuffer
        switch message {
        case .text(let text):
            guard !outbound.serializer.usesBinaryFrames else {
                try await writer.close(.unacceptableData, reason: "wamp.2.msgpack takes binary frames only")
                return nil
            }
            bytes = ByteBuffer(string: text)
        case .binary(let buffer):
            guard outbound.serializer.usesBinaryFrames else {
                try await writer.close(.unacceptableData, reason: "wamp.2.json takes text frames only")
                return nil
            }
            bytes = buffer
        }
        do {
            return try outbound.serializer.decode(bytes)
        } catch {
            try await violation(error.message)
            return nil
        }
    }

    /// ABORT `wamp.error.protocol_violation`, then close (spec §7).
    private func violation(_ message: String) async throws {
        guard case .abort(let abort) = protocolState.violation(message) else { return }
        try await abortAndClose(abort)
    }

    private func abortAndClose(_ abort: WAMPMessage) async throws {
        outbound.send(abort)
        try await writer.close(.protocolError, reason: "WAMP protocol violation")
    }

    private func abort(reason: String, message: String) async throws {
        protocolState.aborted()
        outbound.send(.abort(details: ["message": .string(message)], reason: reason))
        try await writer.close(.normalClosure, reason: nil)
    }

    /// Acts on one message; false when the session is over.
    private func handle(_ message: WAMPMessage, group: inout DiscardingTaskGroup) async throws -> Bool {
        switch protocolState.receive(message) {
        case .ignore:
            return true
        case .close:
            return false
        case .abort(let abort):
            try await abortAndClose(abort)
            return false
        case .goodbye(let reply):
            outbound.send(reply)
            try await writer.close(.normalClosure, reason: nil)
            return false
        case .handle(.hello(let realm, let details)):
            guard realm == SessionAuthenticator.realm else {
                try await abort(reason: WAMPErrorURI.noSuchRealm, message: "no realm \(realm) here: BugZot's realm is bugzot")
                return false
            }
            guard case .object(let roles)? = details["roles"], !roles.isEmpty else {
                try await violation("HELLO.Details.roles must name the client's roles")
                return false
            }
            return try await proceed(await router.authenticator.hello(details: details, session: id, transport: transport))
        case .handle(.authenticate(let signature, _)):
            guard let pending else {
                try await violation("AUTHENTICATE without a CHALLENGE")
                return false
            }
            self.pending = nil
            return try await proceed(await router.authenticator.authenticate(signature: signature, pending: pending, transport: transport))
        case .handle(let request):
            return try await handleEstablished(request, group: &group)
        }
    }

    /// Applies what authentication decided.
    private func proceed(_ outcome: SessionAuthenticator.Outcome) async throws -> Bool {
        switch outcome {
        case .abort(let reason, let message):
            try await abort(reason: reason, message: message)
            return false
        case .challenge(let challenge, let pending):
            protocolState.challenged()
            self.pending = pending
            outbound.send(challenge)
            return true
        case .welcome(let identity):
            joinDeadline?.cancel()
            joinDeadline = nil
            router.join(id, Member(outbound: outbound, identity: identity, clientAddress: transport.clientAddress))
            let details = WAMPRouterFeatures.bugzot.welcomeDetails(
                realm: SessionAuthenticator.realm, authid: identity.authid, authrole: identity.authrole, authmethod: identity.authmethod,
                authprovider: SessionAuthenticator.provider)
            outbound.send(protocolState.welcomed(session: id, details: details))
            return true
        }
    }

    private func handleEstablished(_ message: WAMPMessage, group: inout DiscardingTaskGroup) async throws -> Bool {
        switch message {
        case .subscribe(let request, let options, let topic):
            do {
                outbound.send(.subscribed(request: request, subscription: try router.subscribe(id, topic: topic, options: options)))
            } catch {
                outbound.send(error.error(.subscribe, request: request))
            }
        case .unsubscribe(let request, let subscription):
            if router.unsubscribe(id, subscription: subscription) {
                outbound.send(.unsubscribed(request: request))
            } else {
                outbound.send(
                    RouterRefusal(uri: WAMPErrorURI.noSuchSubscription, message: "this session holds no subscription \(subscription)")
                        .error(.unsubscribe, request: request))
            }
        case .publish(let request, let options, let topic, let arguments, let argumentsKw):
            let acknowledge = options["acknowledge"] == .bool(true)
            do {
                let publication = try router.publish(
                    from: id, topic: topic, excludeMe: options["exclude_me"] != .bool(false), arguments: arguments, argumentsKw: argumentsKw)
                if acknowledge { outbound.send(.published(request: request, publication: publication)) }
            } catch {
                if acknowledge { outbound.send(error.error(.publish, request: request)) }
            }
        case .call(let request, _, let procedure, let arguments, let argumentsKw):
            call(request: request, procedure: procedure, arguments: arguments, argumentsKw: argumentsKw, group: &group)
        case .register(let request, _, let procedure):
            do {
                outbound.send(.registered(request: request, registration: try router.register(id, procedure: procedure)))
            } catch {
                outbound.send(error.error(.register, request: request))
            }
        case .unregister(let request, let registration):
            if router.unregister(id, registration: registration) {
                outbound.send(.unregistered(request: request))
            } else {
                outbound.send(
                    RouterRefusal(uri: WAMPErrorURI.noSuchRegistration, message: "this session holds no registration \(registration)")
                        .error(.unregister, request: request))
            }
        case .yield(let request, _, let arguments, let argumentsKw):
            guard router.answer(invocation: request, from: id, { .result(request: $0, details: [:], arguments: arguments, argumentsKw: argumentsKw) })
            else {
                try await violation("YIELD for an unknown invocation \(request)")
                return false
            }
        case .error(_, let request, let details, let error, let arguments, let argumentsKw):
            // The session state machine passes only an INVOCATION's ERROR.
            _ = router.answer(invocation: request, from: id) {
                .error(
                    requestType: WAMPMessageType.call.rawValue, request: $0, details: details, error: error, arguments: arguments,
                    argumentsKw: argumentsKw)
            }
        case .cancel:
            break  // call canceling is not announced: a CANCEL changes nothing
        default:
            break  // the session state machine passes only requests
        }
        return true
    }

    /// A CALL: to a built-in procedure (run as a child task) or routed to a registered callee.
    private func call(request: UInt64, procedure: String, arguments: [JSONValue]?, argumentsKw: JSONObject?, group: inout DiscardingTaskGroup) {
        let limit = router.settings.maxCallsInFlight
        guard calls.begin(limit: limit) else {
            return outbound.send(RouterRefusal.limit("a session may have at most \(limit) calls under way").error(.call, request: request))
        }
        guard let builtIn = router.builtIn(procedure) else {
            do {
                try router.route(call: request, from: id, calls: calls, procedure: procedure, arguments: arguments, argumentsKw: argumentsKw)
            } catch {
                calls.end()
                outbound.send(error.error(.call, request: request))
            }
            return
        }
        let (router, outbound, calls, id) = (router, outbound, calls, id)
        group.addTask {
            defer { calls.end() }
            guard let identity = router.identity(of: id) else { return }
            let reply = await builtIn(ProcedureCall(session: id, identity: identity, arguments: arguments ?? [], argumentsKw: argumentsKw ?? [:]))
            outbound.send(reply.message(request: request))
        }
    }
}
