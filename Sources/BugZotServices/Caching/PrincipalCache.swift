import BugZotDomain
import BugZotStorage
import Foundation

/// Who holds each credential (API key, login token, browser session), kept in memory so that a
/// request whose credential was seen lately costs no SQL statement to authenticate.
///
/// A holder is forgotten the moment the database announces a change to that person (a key
/// revoked, a group joined or left, the account disabled or renamed, the password changed, a
/// session or token ended) — on PostgreSQL whichever instance made it — and after `lifetime`
/// in any case; an ended token or idle session stops at its own end. While the change feed is
/// not live (PostgreSQL's notification connection is down), nothing is kept. Bad credentials
/// are never kept: each costs its lookup.
final class PrincipalCache: Sendable {
    /// A credential, by the digest of its secret.
    enum Credential: Hashable, Sendable {
        case apiKey(digest: String)
        case token(digest: String)
        case session(digest: String)
    }

    /// Who holds a credential, as loaded.
    struct Holder: Sendable {
        let principal: Principal
        let userID: Int
        /// When the credential stops working by itself (a login token's end, a session's idle end).
        var expires: Date
        /// A browser session's row and its last recorded visit.
        var session: Session?
    }

    /// A browser session's row and its last recorded visit.
    struct Session: Sendable {
        let id: Int
        var lastSeen: Date
    }

    /// The safety net under the invalidations: however an announcement might be missed, a holder is
    /// loaded again after this long.
    static let lifetime = Duration.seconds(60)
    /// Far more people than are active at once; past it the oldest holders go.
    static let capacity = 10_000

    private let holders = TimedCache<Credential, Holder>(lifetime: lifetime, capacity: capacity)
    private let feed: ChangeFeed

    init(feed: ChangeFeed) {
        self.feed = feed
        feed.observe { [weak self] notice in self?.hear(notice) }
    }

    /// The holder of `credential`: the one kept while it holds, or else `load`'s (nil when the
    /// credential is not valid).
    func holder(of credential: Credential, loading load: () async throws -> Holder?) async throws -> Holder? {
        guard feed.isLive else { return try await load() }
        if let kept = holders.cached(credential) {
            if kept.expires > Date() { return kept }
            holders.remove(credential)
        }
        return try await holders.value(for: credential, loading: load)
    }

    /// A session's visit was recorded: its idle end moves on by `idleLifetime`.
    func sessionSeen(_ credential: Credential, at now: Date, idleLifetime: TimeInterval) {
        holders.update(credential) { holder in
            holder.session?.lastSeen = now
            holder.expires = now.addingTimeInterval(idleLifetime)
        }
    }

    private func hear(_ notice: ChangeNotice) {
        switch notice {
        case .reset:
            holders.invalidateAll()
        case .changed(let changes):
            if changes.contains(.everyone) { return holders.invalidateAll() }
            let people = Set(changes.compactMap { change -> Int? in if case .user(let id) = change { id } else { nil } })
            guard !people.isEmpty else { return }
            holders.invalidate { _, holder in people.contains(holder.userID) }
        }
    }
}
