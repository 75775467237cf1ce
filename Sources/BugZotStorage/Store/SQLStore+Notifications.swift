import BugZotDomain
import Foundation
import SQLKit

extension SQLStore {
    // MARK: Mail preferences

    /// The kinds of change each user chose not to hear about.
    public func mailOptOuts(userIDs: [Int]) async throws -> [Int: Set<ChangeKind>] {
        var result: [Int: Set<ChangeKind>] = [:]
        for row in try await all("SELECT user_id, change_kind FROM mail_opt_outs WHERE user_id IN \(inList(userIDs))") {
            if let kind = ChangeKind(rawValue: try row.string("change_kind")) { result[try row.int("user_id"), default: []].insert(kind) }
        }
        return result
    }

    public func setMailOptOuts(userID: Int, _ kinds: Set<ChangeKind>) async throws {
        try await run("DELETE FROM mail_opt_outs WHERE user_id = \(bind: userID)")
        for kind in kinds.sorted(by: { $0.rawValue < $1.rawValue }) {
            try await run("INSERT INTO mail_opt_outs (user_id, change_kind) VALUES (\(bind: userID), \(bind: kind.rawValue))")
        }
    }

    // MARK: Component watchers

    public func watchers(ofComponent componentID: Int) async throws -> [UserSummary] {
        try await all(
            "SELECT u.id, u.login_name, u.real_name FROM component_watchers w JOIN users u ON u.id = w.user_id WHERE w.component_id = \(bind: componentID) ORDER BY u.id"
        ).map { UserSummary(id: try $0.int("id"), login: try $0.string("login_name"), realName: try $0.string("real_name")) }
    }

    /// Ids of the components a user watches.
    public func watchedComponents(userID: Int) async throws -> Set<Int> {
        Set(try await all("SELECT component_id FROM component_watchers WHERE user_id = \(bind: userID)").map { try $0.int("component_id") })
    }

    public func setWatchedComponents(userID: Int, _ componentIDs: Set<Int>) async throws {
        try await run("DELETE FROM component_watchers WHERE user_id = \(bind: userID)")
        for id in componentIDs.sorted() {
            try await run("INSERT INTO component_watchers (component_id, user_id) VALUES (\(bind: id), \(bind: userID))")
        }
    }

    // MARK: Password resets

    /// Replaces any pending reset of the user's password.
    public func insertPasswordReset(userID: Int, hash: String, at now: Date) async throws {
        try await run("DELETE FROM password_resets WHERE user_id = \(bind: userID)")
        try await run(
            "INSERT INTO password_resets (user_id, token_hash, created_at) VALUES (\(bind: userID), \(bind: hash), \(bind: now.unixSeconds))")
    }

    public func passwordReset(hash: String, since: Date) async throws -> Int? {
        try await first(
            "SELECT user_id FROM password_resets WHERE token_hash = \(bind: hash) AND created_at >= \(bind: since.unixSeconds)"
        )?.int("user_id")
    }

    /// When the user's pending reset link was made, if there is one.
    public func passwordResetIssued(userID: Int) async throws -> Date? {
        try await first("SELECT created_at FROM password_resets WHERE user_id = \(bind: userID)")?.date("created_at")
    }

    public func deletePasswordReset(userID: Int) async throws {
        try await run("DELETE FROM password_resets WHERE user_id = \(bind: userID)")
    }
}
