import BugZotDomain
import BugZotStorage
import Foundation

/// Keeps what a browser sent but could not be saved (a refused change, a comment typed before
/// following a bug) for a short while, so that the page the browser is sent back to shows it
/// again: forms redirect after every POST and still lose nothing. A draft is found by the random
/// token in that address and only by the browser that made it.
public struct DraftService: Sendable {
    let database: any Database
    /// How long a draft is kept.
    public static let lifetime: TimeInterval = 3600
    /// The largest draft kept, in bytes (a form is at most half of this).
    public static let maximumBytes = 1024 * 1024

    public init(database: any Database) {
        self.database = database
    }

    /// Keeps `payload` for the browser `owner` names (a secret of its own); returns the token
    /// that finds it. Drafts older than `lifetime` go at the same time.
    public func keep(_ payload: String, owner: String) async throws -> String {
        guard payload.utf8.count <= Self.maximumBytes else { throw DomainError.requestTooLarge(limit: Self.maximumBytes) }
        let token = Secrets.random()
        let now = Date()
        try await database.transaction { sql in
            let store = SQLStore(sql)
            try await store.deleteWebDrafts(before: now.addingTimeInterval(-Self.lifetime))
            try await store.insertWebDraft(hash: Secrets.digest(token), owner: Secrets.digest(owner), payload: payload, at: now)
        }
        return token
    }

    /// The draft `token` finds, if `owner` kept it within `lifetime`.
    public func draft(token: String, owner: String) async throws -> String? {
        let since = Date().addingTimeInterval(-Self.lifetime)
        return try await database.read { sql in
            try await SQLStore(sql).webDraft(hash: Secrets.digest(token), owner: Secrets.digest(owner), since: since)
        }
    }
}
