import BugZotDomain
import BugZotServices
import BugZotStorage
import BugZotWAMP
import BugZotWire
import Foundation

/// Who a session is: what WELCOME told the client, the principal its calls and events are cut
/// to, and the credential that is checked again when the person's account changes.
struct SessionIdentity: Sendable {
    let authid: String
    let authmethod: String
    var principal: Principal
    let credential: SessionCredential

    /// `admin` for administrators, `user`, or `anonymous`.
    var authrole: String { Self.role(of: principal) }

    static func role(of principal: Principal) -> String {
        principal.isAdmin ? "admin" : principal.isAnonymous ? "anonymous" : "user"
    }
}

/// What a session signed in with.
enum SessionCredential: Sendable {
    /// A WAMP ticket: an API key or a login token.
    case ticket(Credentials)
    /// The upgrade request's browser session.
    case cookie(token: String)
    /// WAMP-CRA with the API key whose derived key signed.
    case wampcra(keyID: Int, login: String)
    case anonymous
}

/// A challenge sent, waiting for its AUTHENTICATE.
struct PendingChallenge: Sendable {
    enum Method: Sendable {
        case ticket
        /// The signature expected (nil: the login has no key, and any answer fails).
        case wampcra(CRAExpectation?)
    }

    /// The signature a WAMP-CRA challenge expects, and the key's id and owner.
    struct CRAExpectation: Sendable {
        let expected: String
        let keyID: Int
        let userID: Int
    }
    let method: Method
    let authid: String?
    let sentAt: ContinuousClock.Instant
}

/// The authentication methods of realm `bugzot`: `ticket` (an API key or a login token),
/// `wampcra` salted (the newest API key's derived key), `cookie` (the upgrade request's web
/// session) and `anonymous` (what anonymous REST sees). The client's order of preference wins;
/// `cookie` is skipped when the upgrade request carried none.
struct SessionAuthenticator: Sendable {
    let services: AppServices
    let challengeWindow: Duration

    /// The realm's name.
    static let realm = "bugzot"
    /// WELCOME's `authprovider`.
    static let provider = "bugzot"
    /// What ABORT says when a ticket is refused (Crossbar.io's words, spec §6).
    static let badTicket = "ticket in static WAMP-Ticket authentication is invalid"

    enum Outcome: Sendable {
        case welcome(SessionIdentity)
        case challenge(WAMPMessage, PendingChallenge)
        case abort(reason: String, message: String)
    }

    /// What HELLO leads to.
    func hello(details: JSONObject, session: UInt64, transport: TransportDetails) async -> Outcome {
        let methods: [String]
        switch details["authmethods"] {
        case nil: methods = ["anonymous"]
        case .array(let values):
            methods = values.compactMap { if case .string(let name) = $0 { name } else { nil } }
        default: return .abort(reason: WAMPErrorURI.protocolViolation, message: "HELLO.Details.authmethods must be a list of strings")
        }
        var authid: String?
        if case .string(let id) = details["authid"] { authid = id }
        for method in methods {
            switch method {
            case "cookie":
                guard let token = transport.sessionCookie,
                    let principal = try? await services.sessions.principal(forToken: token), let user = principal.user
                else { continue }
                return .welcome(SessionIdentity(authid: user.login, authmethod: "cookie", principal: principal, credential: .cookie(token: token)))
            case "ticket":
                return .challenge(.challenge(method: "ticket", extra: [:]), PendingChallenge(method: .ticket, authid: authid, sentAt: .now))
            case "wampcra":
                guard let authid else { return .abort(reason: WAMPErrorURI.authenticationFailed, message: "WAMP-CRA needs an authid (the login)") }
                return await craChallenge(authid: authid, session: session)
            case "anonymous":
                return .welcome(SessionIdentity(authid: "anonymous", authmethod: "anonymous", principal: .anonymous, credential: .anonymous))
            default:
                continue
            }
        }
        return .abort(
            reason: WAMPErrorURI.noAuthMethod,
            message: "none of the authentication methods offered is available; BugZot offers ticket, wampcra, cookie and anonymous")
    }

    /// What AUTHENTICATE leads to.
    func authenticate(signature: String, pending: PendingChallenge, transport: TransportDetails) async -> Outcome {
        switch pending.method {
        case .ticket:
            let credentials: Credentials = signature.contains("-") ? .token(signature) : .apiKey(signature)
            guard let principal = try? await services.auth.principal(for: credentials, clientAddress: transport.clientAddress),
                let user = principal.user,
                pending.authid.map({ $0.lowercased() == user.login.lowercased() }) ?? true
            else { return .abort(reason: WAMPErrorURI.notAuthorized, message: Self.badTicket) }
            return .welcome(SessionIdentity(authid: user.login, authmethod: "ticket", principal: principal, credential: .ticket(credentials)))
        case .wampcra(let key):
            guard let key, ContinuousClock.now - pending.sentAt <= challengeWindow,
                Secrets.constantTimeEquals(signature, key.expected),
                let principal = try? await services.auth.principal(userID: key.userID), let user = principal.user
            else { return .abort(reason: WAMPErrorURI.notAuthorized, message: "WAMP-CRA signature is invalid or came too late") }
            return .welcome(
                SessionIdentity(
                    authid: user.login, authmethod: "wampcra", principal: principal, credential: .wampcra(keyID: key.keyID, login: user.login)))
        }
    }

    /// The principal the credential stands for now; nil when it no longer signs anyone in.
    /// Throws when that can't be told (the database is out of reach): the session stays as it is.
    func recheck(_ identity: SessionIdentity, clientAddress: String) async throws -> Principal? {
        do {
            switch identity.credential {
            case .anonymous:
                return .anonymous
            case .ticket(let credentials):
                return try await services.auth.principal(for: credentials, clientAddress: clientAddress)
            case .cookie(let token):
                return try await services.sessions.principal(forToken: token)
            case .wampcra(let keyID, let login):
                guard let current = try await services.auth.craKey(login: login), current.keyID == keyID else { return nil }
                return try await services.auth.principal(userID: current.userID)
            }
        } catch is DomainError {
            return nil
        }
    }

    /// A salted WAMP-CRA challenge (spec §6): an unknown login or one without a key gets a
    /// challenge all the same, which no answer passes, so the answer tells nothing about accounts.
    private func craChallenge(authid: String, session: UInt64) async -> Outcome {
        let stored = try? await services.auth.craKey(login: authid)
        let principal = if let stored { try? await services.auth.principal(userID: stored.userID) } else { Principal?.none }
        let timestamp = Date().formatted(.iso8601)
        let challenge = JSONValue.object([
            "authid": .string(authid), "authrole": .string(principal.map(SessionIdentity.role) ?? "user"), "authmethod": "wampcra",
            "authprovider": .string(Self.provider), "nonce": .string(Secrets.random(length: 32)), "timestamp": .string(timestamp),
            "session": .int(Int(session)),
        ])
        let text = String(decoding: challenge.jsonBytes, as: UTF8.self)
        let salt = stored?.key.salt ?? Secrets.random(length: 16)
        let iterations = stored?.key.iterations ?? CRAKeys.iterations
        let expected = stored.map {
            PendingChallenge.CRAExpectation(expected: CRAKeys.signature(of: text, key: $0.key.key), keyID: $0.keyID, userID: $0.userID)
        }
        let message = WAMPMessage.challenge(
            method: "wampcra",
            extra: [
                "challenge": .string(text), "salt": .string(salt), "iterations": .int(iterations), "keylen": .int(CRAKeys.keyLength),
            ])
        return .challenge(message, PendingChallenge(method: .wampcra(principal == nil ? nil : expected), authid: authid, sentAt: .now))
    }
}
