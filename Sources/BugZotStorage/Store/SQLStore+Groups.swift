import Foundation
import BugZotDomain
import SQLKit

extension SQLStore {
    private static let groupColumns: SQLQueryString = "g.id, g.name, g.description, g.is_active, g.is_bug_group"

    private func group(from row: any SQLRow) throws -> Group {
        Group(
            id: try row.int("id"), name: try row.string("name"), description: try row.string("description"),
            isActive: try row.bool("is_active"), isBugGroup: try row.bool("is_bug_group"))
    }

    public func groups() async throws -> [Group] {
        try await all("SELECT \(Self.groupColumns) FROM access_groups g ORDER BY g.name").map(group(from:))
    }

    public func groups(ids: [Int] = [], names: [String] = []) async throws -> [Group] {
        try await all(
            "SELECT \(Self.groupColumns) FROM access_groups g WHERE g.id IN \(inList(ids)) OR g.name IN \(inList(names)) ORDER BY g.name"
        ).map(group(from:))
    }

    public func group(name: String) async throws -> Group? {
        try await groups(names: [name]).first
    }

    /// Names of the active groups bugs may be restricted to.
    public func bugGroupNames() async throws -> Set<String> {
        Set(try await all("SELECT name FROM access_groups WHERE is_bug_group = TRUE AND is_active = TRUE").map { try $0.string("name") })
    }

    public func insertGroup(name: String, description: String, isActive: Bool, isBugGroup: Bool) async throws -> Int {
        announce(.catalog)
        return try await insert(
            "INSERT INTO access_groups (name, description, is_active, is_bug_group, is_system) VALUES (\(bind: name), \(bind: description), \(bind: isActive), \(bind: isBugGroup), FALSE)"
        )
    }

    /// Each user's groups, by user id.
    func groups(ofUsers userIDs: [Int]) async throws -> [Int: [Group]] {
        let rows = try await all(
            "SELECT ug.user_id, \(Self.groupColumns) FROM user_groups ug JOIN access_groups g ON g.id = ug.group_id WHERE ug.user_id IN \(inList(userIDs)) ORDER BY g.name"
        )
        var result: [Int: [Group]] = [:]
        for row in rows { result[try row.int("user_id"), default: []].append(try group(from: row)) }
        return result
    }

    public func groupNames(ofUser userID: Int) async throws -> Set<String> {
        Set(try await groups(ofUsers: [userID])[userID, default: []].map(\.name))
    }

    public func setMembership(userID: Int, groupID: Int, isMember: Bool) async throws {
        announce(.user(userID))
        if isMember {
            try await run("INSERT INTO user_groups (user_id, group_id) VALUES (\(bind: userID), \(bind: groupID)) ON CONFLICT DO NOTHING")
        } else {
            try await run("DELETE FROM user_groups WHERE user_id = \(bind: userID) AND group_id = \(bind: groupID)")
        }
    }

    /// Members of a group, for `membership` in group lookups.
    public func members(ofGroup groupID: Int) async throws -> [UserSummary] {
        try await all(
            "SELECT u.id, u.login_name, u.real_name FROM user_groups ug JOIN users u ON u.id = ug.user_id WHERE ug.group_id = \(bind: groupID) ORDER BY u.login_name"
        ).map { UserSummary(id: try $0.int("id"), login: try $0.string("login_name"), realName: try $0.string("real_name")) }
    }
}
