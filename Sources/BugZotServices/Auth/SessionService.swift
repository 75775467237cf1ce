import BugZotDomain
import BugZotStorage
import Foundation

/// Browser sessions: a random token in a cookie, only its digest in the database.
public struct SessionService: Sendable {
    /// The cookie that carries a browser session's token.
    public static let cookieName = "bugzot_session"
    let database: any Database
    let auth: AuthService
    /// A session ends after this long without a visit.
    let idleLifetime: TimeInterval = 14 * 24 * 3600
    /// How stale `last_seen_at` may get before a visit writes it again (not every request writes).
    let touchInterval: TimeInterval = 3600
    /// Sessions kept per user, the newest (older ones end): far more browsers than anyone signs
    /// in from, and a script that logs in again and again can't pile up rows.
    public static let maximumSessions = 100

    public init(database: any Database, auth: AuthService) {
        self.database = database
        self.auth = auth
    }

    /// Starts a session for a user whose password was just checked; returns the cookie's token.
    public func start(userID: Int) async throws -> String {
        let token = Secrets.random()
        let now = Date()
        _ = try await database.transaction { sql in
            let store = SQLStore(sql)
            try await store.deleteWebSessions(idleSince: now.addingTimeInterval(-idleLifetime))
            let id = try await store.insertWebSession(userID: userID, hash: Secrets.digest(token), at: now)
            try await store.trimWebSessions(userID: userID, keeping: Self.maximumSessions)
            return id
        }
        return token
    }

    /// Who holds this session token; nil when it is unknown, expired, or its account is disabled.
    /// A session seen lately costs no statement (`PrincipalCache`), but the hourly record of its visit.
    public func principal(forToken token: String) async throws -> Principal? {
        let now = Date()
        let hash = Secrets.digest(token)
        let credential = PrincipalCache.Credential.session(digest: hash)
        let idleLifetime = idleLifetime
        guard let holder = try await auth.principals.holder(of: credential, loading: {
            try await database.read { sql in
                let store = SQLStore(sql)
                guard let session = try await store.webSession(hash: hash, since: now.addingTimeInterval(-idleLifetime)) else { return nil }
                let principal: Principal
                do {
                    principal = try await AuthService.principal(userID: session.userID, store: store)
                } catch DomainError.accountDisabled {
                    return nil
                }
                return PrincipalCache.Holder(
                    principal: principal, userID: session.userID, expires: session.lastSeen.addingTimeInterval(idleLifetime),
                    session: .init(id: session.id, lastSeen: session.lastSeen))
            }
        }) else { return nil }
        if let session = holder.session, now.timeIntervalSince(session.lastSeen) > touchInterval {
            try await database.transaction { sql in try await SQLStore(sql).touchWebSession(id: session.id, at: now) }
            auth.principals.sessionSeen(credential, at: now, idleLifetime: idleLifetime)
        }
        return holder.principal
    }

    /// Ends one session; an unknown token is ignored.
    public func end(token: String) async throws {
        try await database.transaction { sql in try await SQLStore(sql).deleteWebSession(hash: Secrets.digest(token)) }
    }
}
