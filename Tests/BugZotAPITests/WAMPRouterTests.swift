import BugZotServices
import BugZotWAMP
import BugZotWire
import Foundation
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
}
