import Foundation
import SQLKit

/// A stored API key or login token: its id, owner, hash and when it was made.
public struct StoredSecret: Sendable {
    public let id: Int
    public let userID: Int
    public let hash: String
    public let issuedAt: Date
}

/// What WAMP-CRA (salted) checks an API key's signatures with: PBKDF2-SHA256 of the key.
public struct CRAKey: Sendable, Equatable {
    public let salt: String
    public let iterations: Int
    /// The derived key, base64 (its text is the HMAC key, as WAMP clients derive it).
    public let key: String

    public init(salt: String, iterations: Int, key: String) {
        self.salt = salt
        self.iterations = iterations
        self.key = key
    }
}

extension SQLStore {
    public func insertAPIKey(userID: Int, prefix: String, hash: String, description: String, cra: CRAKey? = nil, at now: Date) async throws -> Int {
        try await insert(
            "INSERT INTO api_keys (user_id, key_prefix, key_hash, description, is_revoked, created_at, cra_salt, cra_iterations, cra_key) VALUES (\(bind: userID), \(bind: prefix), \(bind: hash), \(bind: description), FALSE, \(bind: now.unixSeconds), \(bind: cra?.salt), \(bind: cra?.iterations), \(bind: cra?.key))"
        )
    }

    /// The WAMP-CRA key of a person's newest unrevoked API key that has one, with its id and owner.
    public func newestCRAKey(login: String) async throws -> (keyID: Int, userID: Int, key: CRAKey)? {
        guard let row = try await first(
            "SELECT k.id, k.user_id, k.cra_salt, k.cra_iterations, k.cra_key FROM api_keys k JOIN users u ON u.id = k.user_id WHERE u.login_name = \(bind: login.lowercased()) AND k.is_revoked = FALSE AND k.cra_key IS NOT NULL ORDER BY k.id DESC LIMIT 1"
        ) else { return nil }
        return (
            try row.int("id"), try row.int("user_id"),
            CRAKey(salt: try row.string("cra_salt"), iterations: try row.int("cra_iterations"), key: try row.string("cra_key"))
        )
    }

    /// Unrevoked keys whose prefix matches; the caller compares hashes in constant time.
    public func apiKeys(prefix: String) async throws -> [StoredSecret] {
        try await all("SELECT id, user_id, key_hash, created_at FROM api_keys WHERE key_prefix = \(bind: prefix) AND is_revoked = FALSE").map {
            StoredSecret(id: try $0.int("id"), userID: try $0.int("user_id"), hash: try $0.string("key_hash"), issuedAt: try $0.date("created_at"))
        }
    }

    public func revokeAPIKey(id: Int, userID: Int) async throws {
        announce(.user(userID))
        try await run("UPDATE api_keys SET is_revoked = TRUE WHERE id = \(bind: id) AND user_id = \(bind: userID)")
    }

    /// Forgets some of a user's (revoked) keys.
    public func deleteAPIKeys(ids: [Int], userID: Int) async throws {
        announce(.user(userID))
        try await run("DELETE FROM api_keys WHERE id IN \(inList(ids)) AND user_id = \(bind: userID)")
    }

    public func insertLoginToken(userID: Int, hash: String, at now: Date) async throws -> Int {
        try await insert(
            "INSERT INTO login_tokens (user_id, token_hash, created_at) VALUES (\(bind: userID), \(bind: hash), \(bind: now.unixSeconds))")
    }

    /// A user's tokens issued since `since`.
    public func loginTokens(userID: Int, since: Date) async throws -> [StoredSecret] {
        try await all(
            "SELECT id, user_id, token_hash AS hash, created_at FROM login_tokens WHERE user_id = \(bind: userID) AND created_at >= \(bind: since.unixSeconds)"
        ).map {
            StoredSecret(id: try $0.int("id"), userID: try $0.int("user_id"), hash: try $0.string("hash"), issuedAt: try $0.date("created_at"))
        }
    }

    public func deleteLoginTokens(userID: Int) async throws {
        announce(.user(userID))
        try await run("DELETE FROM login_tokens WHERE user_id = \(bind: userID)")
    }

    /// Forgets tokens issued before `before` (expired: no one holds them any more).
    public func deleteLoginTokens(issuedBefore before: Date) async throws {
        try await run("DELETE FROM login_tokens WHERE created_at < \(bind: before.unixSeconds)")
    }

    /// Forgets all but a user's newest `kept` login tokens.
    public func trimLoginTokens(userID: Int, keeping kept: Int) async throws {
        if try await deleteAllButNewest(kept, from: "login_tokens", where: "user_id = \(bind: userID)") { announce(.user(userID)) }
    }

    public func deleteLoginToken(id: Int, userID: Int) async throws {
        announce(.user(userID))
        try await run("DELETE FROM login_tokens WHERE id = \(bind: id) AND user_id = \(bind: userID)")
    }

    /// Records a login attempt against each subject; returns the rows' ids.
    public func recordLoginAttempt(subjects: [String], at now: Date) async throws -> [Int] {
        var ids: [Int] = []
        for subject in subjects {
            ids.append(try await insert("INSERT INTO login_failures (subject, failed_at) VALUES (\(bind: subject), \(bind: now.unixSeconds))"))
        }
        return ids
    }

    public func deleteLoginAttempts(ids: [Int]) async throws {
        try await run("DELETE FROM login_failures WHERE id IN \(inList(ids))")
    }

    /// Failures for any of `subjects` since `since`, by subject.
    public func loginFailureCounts(subjects: [String], since: Date) async throws -> [String: Int] {
        let rows = try await all(
            "SELECT subject, COUNT(*) AS n FROM login_failures WHERE subject IN \(inList(subjects)) AND failed_at >= \(bind: since.unixSeconds) GROUP BY subject"
        )
        var result: [String: Int] = [:]
        for row in rows { result[try row.string("subject")] = try row.int("n") }
        return result
    }

    /// Forgets attempts older than `before` whose subject is of one of `kinds` (the part before
    /// its `:`; each throttle forgets only its own, after its own window), and every attempt of
    /// `subject`, which has since logged in.
    public func clearLoginFailures(kinds: [String], before: Date, subject: String? = nil) async throws {
        var ofKinds: SQLQueryString = "subject LIKE \(bind: kinds[0] + ":%")"
        for kind in kinds.dropFirst() { ofKinds = ofKinds + " OR subject LIKE \(bind: kind + ":%")" }
        try await run("DELETE FROM login_failures WHERE failed_at < \(bind: before.unixSeconds) AND (" + ofKinds + ")")
        if let subject { try await run("DELETE FROM login_failures WHERE subject = \(bind: subject)") }
    }
}
