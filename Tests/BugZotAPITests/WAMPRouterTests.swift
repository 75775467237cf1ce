import BugZotServices
import BugZotWAMP
import BugZotWire
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// The WAMP router at /ws, spoken to over a real WebSocket (the real-client suites with
/// autobahn, wampy and raw frames are in tests/e2e).
@Suite("WAMP router at /ws", .timeLimit(.minutes(2)))
struct WAMPRouterTests {
    static let roles: JSONValue = ["subscriber": [:], "publisher": [:], "caller": [:], "callee": [:]]

    @Test("a ticket (an API key) joins realm bugzot as its owner, with the owner's role", arguments: TestBackend.all)
    func ticketJoins(backend: TestBackend) async throws {
        try await TestSite.with(backend, testing: .live) { site in
            try await WAMPPeer.connect(site) { peer in
                let (session, details) = try await WAMPPeer.joinWithTicket(peer, authid: "dev@example.com", ticket: site.keys["dev"]!)
                #expect(session >= 1 && session <= 1 << 53)
                #expect(details["authid"] == "dev@example.com")
                #expect(details["authrole"] == "user")
                #expect(details["authmethod"] == "ticket")
                try await peer.send(.goodbye(details: [:], reason: "wamp.close.normal"))
                #expect(try await peer.next() == .goodbye(details: [:], reason: WAMPErrorURI.closeGoodbyeAndOut))
            }
            try await WAMPPeer.connect(site) { peer in
                let (_, details) = try await WAMPPeer.joinWithTicket(peer, authid: "admin@example.com", ticket: site.keys["admin"]!)
                #expect(details["authrole"] == "admin")
            }
        }
    }

    @Test("a bad ticket is refused with ABORT wamp.error.not_authorized, as Crossbar.io words it", arguments: TestBackend.all)
    func badTicket(backend: TestBackend) async throws {
        try await TestSite.with(backend, testing: .live) { site in
            try await WAMPPeer.connect(site) { peer in
                try await peer.send(.hello(realm: "bugzot", details: ["roles": Self.roles, "authmethods": ["ticket"], "authid": "dev@example.com"]))
                #expect(try await peer.next() == .challenge(method: "ticket", extra: [:]))
                try await peer.send(.authenticate(signature: "not-a-key", extra: [:]))
                #expect(
                    try await peer.next()
                        == .abort(details: ["message": "ticket in static WAMP-Ticket authentication is invalid"], reason: "wamp.error.not_authorized"))
            }
            // Someone else's key is no ticket for this authid either.
            try await WAMPPeer.connect(site) { peer in
                try await peer.send(.hello(realm: "bugzot", details: ["roles": Self.roles, "authmethods": ["ticket"], "authid": "dev@example.com"]))
                _ = try await peer.next()
                try await peer.send(.authenticate(signature: site.keys["admin"]!, extra: [:]))
                guard case .abort(_, let reason) = try await peer.next() else { Issue.record("expected ABORT"); return }
                #expect(reason == "wamp.error.not_authorized")
            }
        }
    }

    @Test("salted WAMP-CRA: a signature made with the newest API key joins; a wrong one is refused", arguments: [TestBackend.sqlite])
    func wampcra(backend: TestBackend) async throws {
        try await TestSite.with(backend, testing: .live) { site in
            for (secret, joins) in [(site.keys["dev"]!, true), ("a wrong secret", false)] {
                try await WAMPPeer.connect(site) { peer in
                    try await peer.send(.hello(realm: "bugzot", details: ["roles": Self.roles, "authmethods": ["wampcra"], "authid": "dev@example.com"]))
                    guard case .challenge("wampcra", let extra) = try await peer.next(), case .string(let challenge)? = extra["challenge"],
                        case .string(let salt)? = extra["salt"], case .int(let iterations)? = extra["iterations"]
                    else { Issue.record("expected a salted WAMP-CRA challenge"); return }
                    #expect(extra["keylen"] == 32)
                    let key = try CRAKeys.derive(secret: secret, salt: salt, iterations: iterations)
                    try await peer.send(.authenticate(signature: CRAKeys.signature(of: challenge, key: key), extra: [:]))
                    let answer = try await peer.next()
                    if joins {
                        guard case .welcome(_, let details) = answer else { Issue.record("expected WELCOME, got \(answer)"); return }
                        #expect(details["authmethod"] == "wampcra")
                        #expect(details["authid"] == "dev@example.com")
                    } else {
                        guard case .abort(_, let reason) = answer else { Issue.record("expected ABORT, got \(answer)"); return }
                        #expect(reason == "wamp.error.not_authorized")
                    }
                }
            }
        }
    }

    @Test("publish and subscribe: prefix and wildcard matches name the topic, the publisher is left out unless it asks", arguments: [TestBackend.sqlite])
    func publishSubscribe(backend: TestBackend) async throws {
        try await TestSite.with(backend, testing: .live) { site in
            try await WAMPPeer.connect(site) { subscriber in
                _ = try await WAMPPeer.joinWithTicket(subscriber, authid: "dev@example.com", ticket: site.keys["dev"]!)
                try await subscriber.send(.subscribe(request: 1, options: ["match": "prefix"], topic: "com.example."))
                guard case .subscribed(1, let byPrefix) = try await subscriber.next() else { Issue.record("expected SUBSCRIBED"); return }
                try await subscriber.send(.subscribe(request: 2, options: ["match": "wildcard"], topic: "com..topic"))
                guard case .subscribed(2, let byWildcard) = try await subscriber.next() else { Issue.record("expected SUBSCRIBED"); return }
                try await subscriber.send(.subscribe(request: 3, options: ["match": "prefix"], topic: "com.example."))
                #expect(try await subscriber.next() == .subscribed(request: 3, subscription: byPrefix), "the same subscription again")
                try await WAMPPeer.connect(site) { publisher in
                    _ = try await WAMPPeer.joinWithTicket(publisher, authid: "reporter@example.com", ticket: site.keys["reporter"]!)
                    try await publisher.send(.subscribe(request: 1, options: [:], topic: "com.example.topic"))
                    _ = try await publisher.next()
                    try await publisher.send(
                        .publish(request: 2, options: ["acknowledge": true], topic: "com.example.topic", arguments: ["hello"], argumentsKw: nil))
                    guard case .published(2, let publication) = try await publisher.next() else { Issue.record("expected PUBLISHED"); return }
                    var events: [UInt64: JSONObject] = [:]
                    for _ in 0..<2 {
                        guard case .event(let subscription, publication, let details, ["hello"], nil) = try await subscriber.next() else {
                            Issue.record("expected the EVENT")
                            return
                        }
                        events[subscription] = details
                    }
                    #expect(events == [byPrefix: ["topic": "com.example.topic"], byWildcard: ["topic": "com.example.topic"]])
                    // The server's topics and anonymous publishers are refused.
                    try await publisher.send(.publish(request: 3, options: ["acknowledge": true], topic: "bugzot.bug.changed", arguments: nil, argumentsKw: nil))
                    guard case .error(16, 3, _, "wamp.error.not_authorized", _, _) = try await publisher.next() else {
                        Issue.record("expected ERROR not_authorized")
                        return
                    }
                    // With exclude_me false the publisher hears itself.
                    try await publisher.send(
                        .publish(request: 4, options: ["exclude_me": false], topic: "com.example.topic", arguments: ["again"], argumentsKw: nil))
                    guard case .event(_, _, [:], ["again"], nil) = try await publisher.next() else { Issue.record("expected its own EVENT"); return }
                }
            }
        }
    }

    @Test("an administrator's session registers a procedure, a user calls it; a callee that leaves cancels its calls", arguments: [TestBackend.sqlite])
    func routedCalls(backend: TestBackend) async throws {
        try await TestSite.with(backend, testing: .live) { site in
            try await WAMPPeer.connect(site) { caller in
                _ = try await WAMPPeer.joinWithTicket(caller, authid: "dev@example.com", ticket: site.keys["dev"]!)
                try await caller.send(.register(request: 1, options: [:], procedure: "com.example.echo"))
                guard case .error(64, 1, _, "wamp.error.not_authorized", _, _) = try await caller.next() else {
                    Issue.record("a user may not register")
                    return
                }
                try await WAMPPeer.connect(site) { callee in
                    _ = try await WAMPPeer.joinWithTicket(callee, authid: "admin@example.com", ticket: site.keys["admin"]!)
                    for (request, uri, error) in [(1, "wamp.example", "wamp.error.invalid_uri"), (2, "bugzot.bug.get", "wamp.error.not_authorized")] {
                        try await callee.send(.register(request: UInt64(request), options: [:], procedure: uri))
                        let refusal = try await callee.next()
                        guard case .error(64, let answered, _, let uriGiven, _, _) = refusal, answered == UInt64(request), uriGiven == error else {
                            Issue.record("\(uri) refused, got \(refusal)")
                            return
                        }
                    }
                    try await callee.send(.register(request: 3, options: [:], procedure: "com.example.echo"))
                    guard case .registered(3, let registration) = try await callee.next() else { Issue.record("expected REGISTERED"); return }
                    try await caller.send(.call(request: 7, options: [:], procedure: "com.example.echo", arguments: [42], argumentsKw: ["a": "b"]))
                    guard case .invocation(let invocation, registration, _, [42], ["a": "b"]) = try await callee.next() else {
                        Issue.record("expected the INVOCATION")
                        return
                    }
                    #expect(invocation == 1, "invocation ids count from 1 per callee")
                    try await callee.send(.yield(request: invocation, options: [:], arguments: [43], argumentsKw: nil))
                    #expect(try await caller.next() == .result(request: 7, details: [:], arguments: [43], argumentsKw: nil))
                    try await caller.send(.call(request: 8, options: [:], procedure: "com.example.echo", arguments: [1], argumentsKw: nil))
                    _ = try await callee.next()
                }
                // The callee left without answering call 8.
                guard case .error(48, 8, _, "wamp.error.canceled", _, _) = try await caller.next() else { Issue.record("expected canceled"); return }
                try await caller.send(.call(request: 9, options: [:], procedure: "com.example.echo", arguments: nil, argumentsKw: nil))
                guard case .error(48, 9, _, "wamp.error.no_such_procedure", _, _) = try await caller.next() else {
                    Issue.record("expected no_such_procedure")
                    return
                }
            }
        }
    }

    @Test("bugzot.bug.get answers as GET /rest/bug does, and a hidden bug is invalid_bug with Bugzilla's code", arguments: TestBackend.all)
    func bugProcedures(backend: TestBackend) async throws {
        try await TestSite.with(backend, testing: .live) { site in
            let open = try await site.fileBug("Visible")
            let secret = try await site.fileSecretBug("Hidden")
            let rest = try await site.get("/rest/bug/\(open)", as: "dev").expect(.ok)
            try await WAMPPeer.connect(site) { peer in
                _ = try await WAMPPeer.joinWithTicket(peer, authid: "dev@example.com", ticket: site.keys["dev"]!)
                try await peer.send(.call(request: 1, options: [:], procedure: "bugzot.bug.get", arguments: [.int(open)], argumentsKw: nil))
                #expect(try await peer.next() == .result(request: 1, details: [:], arguments: [rest], argumentsKw: nil))
                try await peer.send(.call(request: 2, options: [:], procedure: "bugzot.bug.get", arguments: nil, argumentsKw: ["ids": [.int(secret)]]))
                let refusal = try await peer.next()
                guard case .error(48, 2, let details, "bugzot.error.invalid_bug", let arguments, let keywords) = refusal else {
                    Issue.record("expected invalid_bug, got \(refusal)")
                    return
                }
                #expect(details.isEmpty)
                #expect(keywords?["code"] == 101)
                #expect(arguments == [keywords?["message"] ?? .null])
                try await peer.send(.call(request: 3, options: [:], procedure: "wamp.session.count", arguments: nil, argumentsKw: nil))
                guard case .error(48, 3, _, "wamp.error.not_authorized", _, _) = try await peer.next() else { Issue.record("meta is for admins"); return }
            }
        }
    }

    @Test("a REST change reaches the subscribers who may see the bug, cut to their view; others get nothing", arguments: TestBackend.all)
    func eventsFromREST(backend: TestBackend) async throws {
        try await TestSite.with(backend, testing: .live) { site in
            let secret = try await site.fileSecretBug("Hidden")
            try await WAMPPeer.connect(site) { insider in
                _ = try await WAMPPeer.joinWithTicket(insider, authid: "insider@example.com", ticket: site.keys["insider"]!)
                try await insider.send(.subscribe(request: 1, options: ["match": "prefix"], topic: "bugzot.bug.changed."))
                _ = try await insider.next()
                try await WAMPPeer.connect(site) { outsider in
                    _ = try await WAMPPeer.joinWithTicket(outsider, authid: "outsider@example.com", ticket: site.keys["outsider"]!)
                    try await outsider.send(.subscribe(request: 1, options: ["match": "prefix"], topic: "bugzot.bug."))
                    _ = try await outsider.next()
                    try await site.put("/rest/bug/\(secret)", ["summary": "Still hidden"], as: "admin").expect(.ok)
                    let open = try await site.fileBug("Visible to all")
                    let event = try await insider.next()
                    guard case .event(_, _, let details, let arguments, nil) = event, case .object(let payload)? = arguments?.first else {
                        Issue.record("expected the insider's EVENT, got \(event)")
                        return
                    }
                    #expect(details == ["topic": .string("bugzot.bug.changed.\(secret)")])
                    #expect(payload["kind"] == "changed")
                    #expect(payload["bug_id"] == .int(secret))
                    #expect(payload["who"] == "admin@example.com")
                    #expect(payload["changes"]?["summary"] == ["added": "Still hidden", "removed": "Hidden"])
                    // The outsider's first event is the new public bug: the secret change never came.
                    let second = try await outsider.next()
                    guard case .event(_, _, _, let arguments, nil) = second, case .object(let first)? = arguments?.first else {
                        Issue.record("expected the outsider's EVENT, got \(second)")
                        return
                    }
                    #expect(first["kind"] == "created")
                    #expect(first["bug_id"] == .int(open))
                    #expect(first["bug"]?["summary"] == "Visible to all")
                }
            }
        }
    }

    @Test("a session whose account is disabled is ended", arguments: [TestBackend.sqlite])
    func credentialsChange(backend: TestBackend) async throws {
        try await TestSite.with(backend, testing: .live) { site in
            try await WAMPPeer.connect(site) { peer in
                _ = try await WAMPPeer.joinWithTicket(peer, authid: "outsider@example.com", ticket: site.keys["outsider"]!)
                try await site.put("/rest/user/outsider@example.com", ["login_denied_text": "Left the company."], as: "admin").expect(.ok)
                let last = try await peer.untilClosed()
                #expect(last == [.goodbye(details: ["message": "the credentials of this session no longer sign anyone in"], reason: "bugzot.close.credentials_changed")])
            }
        }
    }

    @Test("protocol violations are answered with ABORT, a wrong realm with no_such_realm", arguments: [TestBackend.sqlite])
    func violations(backend: TestBackend) async throws {
        try await TestSite.with(backend, testing: .live) { site in
            try await WAMPPeer.connect(site) { peer in
                try await peer.send(.subscribe(request: 1, options: [:], topic: "com.example.topic"))
                guard case .abort(_, "wamp.error.protocol_violation") = try await peer.next() else { Issue.record("expected ABORT"); return }
                #expect(try await peer.untilClosed() == [])
            }
            try await WAMPPeer.connect(site) { peer in
                try await peer.send(.hello(realm: "elsewhere", details: ["roles": Self.roles]))
                guard case .abort(_, "wamp.error.no_such_realm") = try await peer.next() else { Issue.record("expected ABORT"); return }
            }
            try await WAMPPeer.connect(site) { peer in
                try await peer.send(.hello(realm: "bugzot", details: ["roles": Self.roles]))
                guard case .welcome(_, let details) = try await peer.next() else { Issue.record("anonymous joins"); return }
                #expect(details["authrole"] == "anonymous")
                try await peer.send(.hello(realm: "bugzot", details: ["roles": Self.roles]))
                guard case .abort(_, "wamp.error.protocol_violation") = try await peer.next() else { Issue.record("a second HELLO"); return }
            }
        }
    }
}
