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
    /// The largest draft kept for a signed-in person, in bytes (a form is at most half of this).
    public static let maximumBytes = 1024 * 1024
    /// The largest draft kept for a signed-out browser: its forms (log in, sign up, forgotten
    /// password) hold a few short fields, and anyone can send them from ever new browsers.
    public static let signedOutMaximumBytes = 4 * 1024

    /// How many drafts are kept, the newest of each group.
    public struct Caps: Sendable {
        /// Per browser: one per page open in a few tabs is plenty.
        public var perBrowser: Int
        /// Per signed-in person across their browsers (a person can have many sessions).
        public var perUser: Int
        /// For all signed-out browsers together: a browser's cookie costs nothing to renew, so
        /// only an overall cap bounds them. Under a flood the oldest go first; a real visitor's
        /// draft is needed only for the very next page.
        public var signedOut: Int

        /// 8 per browser, 32 per person, and 5,000 signed-out drafts (at most
        /// `signedOutMaximumBytes` each: 20 MB).
        public static let standard = Caps(perBrowser: 8, perUser: 32, signedOut: 5000)

        public init(perBrowser: Int, perUser: Int, signedOut: Int) {
            self.perBrowser = perBrowser
            self.perUser = perUser
            self.signedOut = signedOut
        }
    }

    /// How many drafts this service keeps.
    let caps: Caps

    public init(database: any Database, caps: Caps = .standard) {
        self.database = database
        self.caps = caps
    }

    /// The largest draft kept for a browser, signed in or not.
    public static func limit(signedIn: Bool) -> Int {
        signedIn ? maximumBytes : signedOutMaximumBytes
    }

    /// Keeps `payload` for the browser `owner` names (a secret of its own) and the signed-in
    /// `userID`, if any; returns the token that finds it. Drafts older than `lifetime` go at the
    /// same time, and so do the oldest beyond the caps of this browser, this user or (signed out)
    /// all signed-out browsers.
    public func keep(_ payload: String, owner: String, userID: Int?) async throws -> String {
        let limit = Self.limit(signedIn: userID != nil)
        guard payload.utf8.count <= limit else { throw DomainError.requestTooLarge(limit: limit) }
        let token = Secrets.random()
        let owner = Secrets.digest(owner)
        let now = Date()
        try await database.transaction { sql in
            let store = SQLStore(sql)
            try await store.deleteWebDrafts(before: now.addingTimeInterval(-Self.lifetime))
            try await store.insertWebDraft(hash: Secrets.digest(token), owner: owner, userID: userID, payload: payload, at: now)
            try await store.trimWebDrafts(.owner(owner), keeping: caps.perBrowser)
            if let userID {
                try await store.trimWebDrafts(.user(userID), keeping: caps.perUser)
            } else {
                try await store.trimWebDrafts(.signedOut, keeping: caps.signedOut)
            }
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
