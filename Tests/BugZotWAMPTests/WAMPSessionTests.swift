import BugZotWAMP
import BugZotWire
import NIOCore
import Testing

let hello = WAMPMessage.hello(realm: "bugzot", details: ["roles": ["caller": [:]]])
let subscribe = WAMPMessage.subscribe(request: 1, options: [:], topic: "bugzot.bug.changed")

/// A session that has been welcomed as session 77.
func established() -> WAMPSession {
    var session = WAMPSession()
    _ = session.receive(hello)
    _ = session.welcomed(session: 77, details: WAMPRouterFeatures.bugzot.roles)
    return session
}

/// The ABORT's message if `decision` is a protocol violation.
func violationMessage(_ decision: WAMPSession.Decision) -> String? {
    guard case .abort(.abort(let details, let reason)) = decision, reason == "wamp.error.protocol_violation",
        case .string(let message)? = details["message"]
    else { return nil }
    return message
}

@Suite("The session state machine (wamp.md §3, §7)")
struct WAMPSessionTests {
    @Test("HELLO must come first; anything else before it is a violation, GOODBYE and results included")
    func helloFirst() {
        for message: WAMPMessage in [
            subscribe, .goodbye(details: [:], reason: "wamp.close.normal"),
            .error(requestType: 68, request: 1, details: [:], error: "e", arguments: nil, argumentsKw: nil),
            .yield(request: 1, options: [:], arguments: nil, argumentsKw: nil), .authenticate(signature: "x", extra: [:]),
            .welcome(session: 1, details: [:]), .result(request: 1, details: [:], arguments: nil, argumentsKw: nil),
        ] {
            var session = WAMPSession()
            #expect(violationMessage(session.receive(message)) == "\(message.type.name) before HELLO")
            #expect(session.phase == .closed)
            #expect(session.receive(hello) == .ignore, "nothing is processed after a violation")
        }
        var session = WAMPSession()
        #expect(session.receive(hello) == .handle(hello))
        #expect(session.phase == .deciding)
    }

    @Test("a ticket or CRA round: CHALLENGE, then only AUTHENTICATE; WELCOME establishes the session")
    func authentication() {
        var session = WAMPSession()
        _ = session.receive(hello)
        session.challenged()
        #expect(violationMessage(session.receive(subscribe)) == "SUBSCRIBE while AUTHENTICATE was awaited")

        session = WAMPSession()
        _ = session.receive(hello)
        session.challenged()
        #expect(violationMessage(session.receive(hello)) == "a second HELLO")

        session = WAMPSession()
        _ = session.receive(hello)
        session.challenged()
        let authenticate = WAMPMessage.authenticate(signature: "ticket", extra: [:])
        #expect(session.receive(authenticate) == .handle(authenticate))
        #expect(session.welcomed(session: 5, details: [:]) == .welcome(session: 5, details: [:]))
        #expect(session.id == 5 && session.isEstablished)
        #expect(violationMessage(session.receive(authenticate)) == "AUTHENTICATE on an established session")
    }

    @Test("a second HELLO on an established session is a violation")
    func secondHello() {
        var session = established()
        #expect(violationMessage(session.receive(hello)) == "HELLO on an established session")
    }

    @Test("requests flow once established, with whatever ids the client picks")
    func requests() {
        var session = established()
        for message: WAMPMessage in [
            subscribe, .subscribe(request: 3_735_928_559, options: [:], topic: "t"), .subscribe(request: 0, options: [:], topic: "t"),
            .unsubscribe(request: 9, subscription: 1),
            .publish(request: 7, options: ["acknowledge": true], topic: "com.example.t", arguments: nil, argumentsKw: nil),
            .call(request: 4, options: [:], procedure: "bugzot.bug.get", arguments: [42], argumentsKw: nil),
            .cancel(request: 4, options: [:]), .register(request: 2, options: [:], procedure: "com.example.echo"),
            .unregister(request: 3, registration: 1), .yield(request: 1, options: [:], arguments: nil, argumentsKw: nil),
            .error(requestType: 68, request: 1, details: [:], error: "com.example.oops", arguments: nil, argumentsKw: nil),
        ] {
            #expect(session.receive(message) == .handle(message))
        }
        #expect(session.id == 77)
    }

    @Test("messages only the router sends are violations from a client")
    func routerMessages() {
        for message: WAMPMessage in [
            .welcome(session: 1, details: [:]), .challenge(method: "ticket", extra: [:]), .published(request: 1, publication: 2),
            .subscribed(request: 1, subscription: 2), .unsubscribed(request: 1),
            .event(subscription: 1, publication: 2, details: [:], arguments: nil, argumentsKw: nil),
            .result(request: 1, details: [:], arguments: nil, argumentsKw: nil), .registered(request: 1, registration: 2),
            .unregistered(request: 1), .invocation(request: 1, registration: 2, details: [:], arguments: nil, argumentsKw: nil),
            .interrupt(request: 1, options: [:]),
        ] {
            var session = established()
            #expect(violationMessage(session.receive(message)) == "\(message.type.name) is the router's to send, not a client's")
        }
    }

    @Test("ERROR with an invalid REQUEST.Type, or for anything but an INVOCATION, is a violation")
    func errorRequestType() {
        var session = established()
        #expect(violationMessage(session.receive(.error(requestType: 1, request: 1, details: [:], error: "e", arguments: nil, argumentsKw: nil)))
            == "ERROR for HELLO: a client sends ERROR only for an INVOCATION")
        session = established()
        #expect(violationMessage(session.receive(.error(requestType: 999, request: 1, details: [:], error: "e", arguments: nil, argumentsKw: nil)))
            == "ERROR with an invalid REQUEST.Type 999")
        session = established()
        #expect(violationMessage(session.receive(.error(requestType: 48, request: 1, details: [:], error: "e", arguments: nil, argumentsKw: nil)))
            == "ERROR for CALL: a client sends ERROR only for an INVOCATION")
    }

    @Test("a YIELD for an invocation the router doesn't know: the router says so, and the session is over")
    func unknownInvocation() {
        var session = established()
        let yield = WAMPMessage.yield(request: 4242, options: [:], arguments: nil, argumentsKw: nil)
        #expect(session.receive(yield) == .handle(yield))
        #expect(violationMessage(session.violation("YIELD for unknown invocation 4242")) == "YIELD for unknown invocation 4242")
        #expect(session.phase == .closed)
        #expect(session.receive(subscribe) == .ignore)
    }

    @Test("GOODBYE is answered with GOODBYE; ABORT is never answered")
    func closing() {
        var session = established()
        #expect(session.receive(.goodbye(details: [:], reason: "wamp.close.normal")) == .goodbye(reply: .goodbye(details: [:], reason: "wamp.close.goodbye_and_out")))
        #expect(session.phase == .closed)

        session = established()
        #expect(session.receive(.abort(details: [:], reason: "wamp.close.normal")) == .close)
        session = WAMPSession()
        #expect(session.receive(.abort(details: [:], reason: "wamp.error.canceled")) == .close, "an ABORT before HELLO is no violation")
    }

    @Test("the router's GOODBYE: the client's answer closes, and what comes before it is ignored")
    func routerGoodbye() {
        var session = established()
        #expect(session.goodbye(reason: "wamp.close.system_shutdown", message: "restarting") == .goodbye(details: ["message": "restarting"], reason: "wamp.close.system_shutdown"))
        #expect(session.receive(subscribe) == .ignore)
        #expect(session.receive(.goodbye(details: [:], reason: "wamp.close.goodbye_and_out")) == .close)
        #expect(session.phase == .closed)
    }

    @Test("the router's own request ids (INVOCATION) count from 1 per session")
    func requestIDs() {
        var callee = established()
        var other = established()
        #expect([callee.nextRequestID(), callee.nextRequestID(), callee.nextRequestID()] == [1, 2, 3])
        #expect(other.nextRequestID() == 1)
    }

    @Test("ids: global scope random and uniform over 1...2^53, router scope sequential, wrapping after 2^53")
    func ids() {
        var generator = SystemRandomNumberGenerator()
        let draws = (0..<1_000).map { _ in WAMPID.random(using: &generator) }
        #expect(draws.allSatisfy { (1...WAMPID.maximum).contains($0) })
        #expect(Set(draws).count > 990)
        // Uniform over the whole range: about half lie above 2^52.
        #expect((350...650).contains(draws.filter { $0 > WAMPID.maximum / 2 }.count))
        var counter = WAMPIDCounter()
        #expect([counter.next(), counter.next()] == [1, 2])
    }

    @Test("WELCOME as autobahn accepts it: 3 elements, roles broker and dealer with the features implemented")
    func welcome() throws {
        let details = WAMPRouterFeatures.bugzot.welcomeDetails(realm: "bugzot", authid: "alice", authrole: "user", authmethod: "ticket", authprovider: "bugzot")
        let message = WAMPMessage.welcome(session: 77, details: details)
        let text = String(buffer: WAMPSerializer.json.encode(message))
        #expect(text == #"[2,77,{"agent":"BugZot","authid":"alice","authmethod":"ticket","authprovider":"bugzot","authrole":"user","realm":"bugzot","roles":{"broker":{"features":{"pattern_based_subscription":true,"publisher_exclusion":true,"session_meta_api":true}},"dealer":{"features":{"session_meta_api":true}}}}]"#)
        #expect(try WAMPSerializer.json.decode(WAMPSerializer.json.encode(message)) == message, "WELCOME passes the checks autobahn makes")
        #expect(WAMPRouterFeatures.basic.roles == ["broker": [:], "dealer": [:]])
    }
}
