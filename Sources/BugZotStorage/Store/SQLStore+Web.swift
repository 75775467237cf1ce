import Foundation
import SQLKit

/// An API key as its owner sees it in a list: never the key itself.
public struct APIKeyListing: Sendable, Equatable {
    public let id: Int
    public let prefix: String
    public let description: String
    public let isRevoked: Bool
    public let createdAt: Date
}

/// A search a user named and kept: the bug list's query string.
public struct SavedSearch: Sendable, Equatable {
    public let id: Int
    public let name: String
    public let query: String
}

extension SQLStore {
    // MARK: Browser sessions

    public func insertWebSession(userID: Int, hash: String, at now: Date) async throws -> Int {
        try await insert(
            "INSERT INTO web_sessions (user_id, token_hash, created_at, last_seen_at) VALUES (\(bind: userID), \(bind: hash), \(bind: now.unixSeconds), \(bind: now.unixSeconds))"
        )
    }

    /// The session with this token hash, if it was seen since `since`.
    public func webSession(hash: String, since: Date) async throws -> (id: Int, userID: Int, lastSeen: Date)? {
        guard let row = try await first(
            "SELECT id, user_id, last_seen_at FROM web_sessions WHERE token_hash = \(bind: hash) AND last_seen_at >= \(bind: since.unixSeconds)")
        else { return nil }
        return (try row.int("id"), try row.int("user_id"), try row.date("last_seen_at"))
    }

    public func touchWebSession(id: Int, at now: Date) async throws {
        try await run("UPDATE web_sessions SET last_seen_at = \(bind: now.unixSeconds) WHERE id = \(bind: id)")
    }

    public func deleteWebSession(hash: String) async throws {
        for row in try await all("DELETE FROM web_sessions WHERE token_hash = \(bind: hash) RETURNING user_id") {
            announce(.user(try row.int("user_id")))
        }
    }

    /// Ends a user's sessions, all of them or all but one.
    public func deleteWebSessions(userID: Int, except keptHash: String? = nil) async throws {
        announce(.user(userID))
        try await run("DELETE FROM web_sessions WHERE user_id = \(bind: userID) AND token_hash <> \(bind: keptHash ?? "")")
    }

    /// Ends all but a user's newest `kept` sessions.
    public func trimWebSessions(userID: Int, keeping kept: Int) async throws {
        if try await deleteAllButNewest(kept, from: "web_sessions", where: "user_id = \(bind: userID)") { announce(.user(userID)) }
    }

    /// Forgets sessions idle since `before` (expired: no one holds them any more).
    public func deleteWebSessions(idleSince before: Date) async throws {
        try await run("DELETE FROM web_sessions WHERE last_seen_at < \(bind: before.unixSeconds)")
    }

    // MARK: Drafts

    /// Keeps a draft for the browser `owner` and, when someone is signed in, for `userID`.
    public func insertWebDraft(hash: String, owner: String, userID: Int?, payload: String, at now: Date) async throws {
        try await run(
            "INSERT INTO web_drafts (token_hash, owner_hash, user_id, payload, created_at) VALUES (\(bind: hash), \(bind: owner), \(bind: userID), \(bind: payload), \(bind: now.unixSeconds))"
        )
    }

    /// The draft with this token hash, if `owner` kept it since `since`.
    public func webDraft(hash: String, owner: String, since: Date) async throws -> String? {
        try await first(
            "SELECT payload FROM web_drafts WHERE token_hash = \(bind: hash) AND owner_hash = \(bind: owner) AND created_at >= \(bind: since.unixSeconds)"
        )?.string("payload")
    }

    public func deleteWebDrafts(before: Date) async throws {
        try await run("DELETE FROM web_drafts WHERE created_at < \(bind: before.unixSeconds)")
    }

    /// Which drafts a cap counts: one browser's, one user's, or those of every signed-out browser.
    public enum DraftGroup: Sendable {
        case owner(String)
        case user(Int)
        case signedOut
    }

    /// Forgets all but the newest `kept` drafts of `group`.
    public func trimWebDrafts(_ group: DraftGroup, keeping kept: Int) async throws {
        let condition: SQLQueryString =
            switch group {
            case .owner(let owner): "owner_hash = \(bind: owner)"
            case .user(let userID): "user_id = \(bind: userID)"
            case .signedOut: "user_id IS NULL"
            }
        try await deleteAllButNewest(kept, from: "web_drafts", where: condition)
    }

    /// Forgets the rows of `table` that match `condition` but the newest `kept` (by id). With an
    /// index that starts with `condition`'s column, it walks from the newest entry: at most
    /// `kept` entries are read to find where the oldest begin. True when there were `kept` or
    /// more, so that older ones may have gone.
    @discardableResult
    func deleteAllButNewest(_ kept: Int, from table: String, where condition: SQLQueryString) async throws -> Bool {
        guard let oldestKept = try await first(
            "SELECT id FROM \(unsafeRaw: table) WHERE " + condition + " ORDER BY id DESC LIMIT 1 OFFSET \(bind: max(kept - 1, 0))")
        else { return false }
        try await run("DELETE FROM \(unsafeRaw: table) WHERE " + condition + " AND id < \(bind: try oldestKept.int("id"))")
        return true
    }

    // MARK: Account activation

    public func insertActivation(userID: Int, hash: String, at now: Date) async throws {
        try await run(
            "INSERT INTO account_activations (user_id, token_hash, created_at) VALUES (\(bind: userID), \(bind: hash), \(bind: now.unixSeconds))")
    }

    /// The user waiting for the activation with this token hash, if it was issued since `since`.
    public func activation(hash: String, since: Date) async throws -> Int? {
        try await first(
            "SELECT user_id FROM account_activations WHERE token_hash = \(bind: hash) AND created_at >= \(bind: since.unixSeconds)"
        )?.int("user_id")
    }

    /// When the user's pending activation link was made, if there is one.
    public func activationIssued(userID: Int) async throws -> Date? {
        try await first("SELECT created_at FROM account_activations WHERE user_id = \(bind: userID)")?.date("created_at")
    }

    public func deleteActivation(userID: Int) async throws {
        try await run("DELETE FROM account_activations WHERE user_id = \(bind: userID)")
    }

    /// Every column that names a user, but a sign-up's own activation and reset links: a pending
    /// account any of these names (an administrator put it in a group or on a bug) is kept.
    public static let userReferences: [(table: String, column: String)] = [
        ("mail_opt_outs", "user_id"), ("component_watchers", "user_id"), ("webhooks", "owner_id"), ("web_sessions", "user_id"),
        ("saved_searches", "user_id"), ("attachments", "creator_id"), ("user_groups", "user_id"),
        ("components", "default_assignee_id"), ("components", "default_qa_contact_id"), ("component_cc", "user_id"),
        ("bugs", "reporter_id"), ("bugs", "assignee_id"), ("bugs", "qa_contact_id"), ("bug_cc", "user_id"),
        ("comments", "author_id"), ("bug_history", "who_id"), ("api_keys", "user_id"), ("login_tokens", "user_id"),
    ]

    /// Forgets at most `limit` accounts still disabled with `pendingText` whose activation link
    /// was made before `before` and that nothing else names, oldest first; returns how many went.
    public func deleteExpiredSignUps(pendingText: String, issuedBefore before: Date, limit: Int) async throws -> Int {
        var query: SQLQueryString = """
            SELECT a.user_id FROM account_activations a JOIN users u ON u.id = a.user_id
            WHERE a.created_at < \(bind: before.unixSeconds) AND u.disabled_text = \(bind: pendingText)
            """
        for reference in Self.userReferences {
            query = query + " AND NOT EXISTS (SELECT 1 FROM \(unsafeRaw: reference.table) r WHERE r.\(unsafeRaw: reference.column) = a.user_id)"
        }
        let ids = try await all(query + " ORDER BY a.created_at LIMIT \(bind: limit)").map { try $0.int("user_id") }
        guard !ids.isEmpty else { return 0 }
        try await run("DELETE FROM account_activations WHERE user_id IN \(inList(ids))")
        try await run("DELETE FROM password_resets WHERE user_id IN \(inList(ids))")
        try await run("DELETE FROM users WHERE id IN \(inList(ids))")
        for id in ids { announce(.user(id)) }
        return ids.count
    }

    // MARK: API keys

    public func apiKeys(userID: Int) async throws -> [APIKeyListing] {
        try await all(
            "SELECT id, key_prefix, description, is_revoked, created_at FROM api_keys WHERE user_id = \(bind: userID) ORDER BY id"
        ).map {
            APIKeyListing(
                id: try $0.int("id"), prefix: try $0.string("key_prefix"), description: try $0.string("description"),
                isRevoked: try $0.bool("is_revoked"), createdAt: try $0.date("created_at"))
        }
    }

    // MARK: Saved searches

    public func savedSearches(userID: Int) async throws -> [SavedSearch] {
        try await all("SELECT id, name, query FROM saved_searches WHERE user_id = \(bind: userID) ORDER BY name").map {
            SavedSearch(id: try $0.int("id"), name: try $0.string("name"), query: try $0.string("query"))
        }
    }

    /// Saves a search under a name, replacing the user's search of that name.
    public func saveSearch(userID: Int, name: String, query: String, at now: Date) async throws {
        announce(.user(userID))
        try await run("DELETE FROM saved_searches WHERE user_id = \(bind: userID) AND name = \(bind: name)")
        try await run(
            "INSERT INTO saved_searches (user_id, name, query, created_at) VALUES (\(bind: userID), \(bind: name), \(bind: query), \(bind: now.unixSeconds))"
        )
    }

    public func deleteSavedSearch(id: Int, userID: Int) async throws {
        announce(.user(userID))
        try await run("DELETE FROM saved_searches WHERE id = \(bind: id) AND user_id = \(bind: userID)")
    }
}
