import BugZotDomain
import Foundation
import SQLKit

/// A user's stored credentials.
public struct StoredCredentials: Sendable {
    public let userID: Int
    public let passwordHash: String
    public let isEnabled: Bool
    public let disabledText: String
}

extension SQLStore {
    public func countUsers() async throws -> Int {
        try await first("SELECT COUNT(*) AS n FROM users")?.int("n") ?? 0
    }

    public func users(ids: [Int]) async throws -> [User] {
        try await users(where: "u.id IN \(inList(ids))")
    }

    /// Exact, case-insensitive login names.
    public func users(logins: [String]) async throws -> [User] {
        try await users(where: "u.login_name IN \(inList(logins.map { $0.lowercased() }))")
    }

    /// Logins or real names containing `text`, case-insensitively.
    public func users(matching text: String, limit: Int) async throws -> [User] {
        let pattern = "%" + likeEscaped(text.lowercased()) + "%"
        return try await users(
            where: "(LOWER(u.login_name) LIKE \(bind: pattern) ESCAPE '\\' OR LOWER(u.real_name) LIKE \(bind: pattern) ESCAPE '\\') ORDER BY u.login_name LIMIT \(bind: limit)"
        )
    }

    public func user(login: String) async throws -> User? {
        try await users(logins: [login]).first
    }

    private func users(where condition: SQLQueryString) async throws -> [User] {
        let rows = try await all("SELECT u.id, u.login_name, u.real_name, u.is_enabled, u.disabled_text FROM users u WHERE " + condition)
        let ids = try rows.map { try $0.int("id") }
        let memberships = try await groups(ofUsers: ids)
        return try rows.map { row in
            let id = try row.int("id")
            return User(
                id: id, login: try row.string("login_name"), realName: try row.string("real_name"),
                isEnabled: try row.bool("is_enabled"), disabledText: try row.string("disabled_text"),
                groups: memberships[id] ?? []
            )
        }
    }

    /// User summaries by lower-cased login.
    public func userSummaries(logins: [String]) async throws -> [String: UserSummary] {
        let rows = try await all(
            "SELECT id, login_name, real_name FROM users WHERE login_name IN \(inList(logins.map { $0.lowercased() }))")
        var result: [String: UserSummary] = [:]
        for row in rows {
            let summary = UserSummary(id: try row.int("id"), login: try row.string("login_name"), realName: try row.string("real_name"))
            result[summary.login] = summary
        }
        return result
    }

    public func credentials(login: String) async throws -> StoredCredentials? {
        guard let row = try await first(
            "SELECT id, password_hash, is_enabled, disabled_text FROM users WHERE login_name = \(bind: login.lowercased())")
        else { return nil }
        return StoredCredentials(
            userID: try row.int("id"), passwordHash: try row.string("password_hash"),
            isEnabled: try row.bool("is_enabled"), disabledText: try row.string("disabled_text"))
    }

    public func insertUser(login: String, realName: String, passwordHash: String, at now: Date) async throws -> Int {
        try await insert(
            "INSERT INTO users (login_name, real_name, password_hash, is_enabled, disabled_text, created_at) VALUES (\(bind: login.lowercased()), \(bind: realName), \(bind: passwordHash), TRUE, '', \(bind: now.unixSeconds))"
        )
    }

    public func updateUser(id: Int, login: String? = nil, realName: String? = nil, passwordHash: String? = nil, disabledText: String? = nil) async throws {
        announce(.user(id))
        // The catalog names people too (components' default assignees and QA contacts).
        if login != nil || realName != nil { announce(.catalog) }
        if let login { try await run("UPDATE users SET login_name = \(bind: login.lowercased()) WHERE id = \(bind: id)") }
        if let realName { try await run("UPDATE users SET real_name = \(bind: realName) WHERE id = \(bind: id)") }
        if let passwordHash { try await run("UPDATE users SET password_hash = \(bind: passwordHash) WHERE id = \(bind: id)") }
        if let disabledText {
            // An account is disabled exactly when it carries a text telling its owner why.
            try await run(
                "UPDATE users SET disabled_text = \(bind: disabledText), is_enabled = \(bind: disabledText.isEmpty) WHERE id = \(bind: id)")
        }
    }

    /// The `%` and `_` of a LIKE pattern taken literally.
    func likeEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }
}
