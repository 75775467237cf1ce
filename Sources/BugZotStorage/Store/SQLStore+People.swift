import BugZotDomain
import Foundation
import SQLKit

extension SQLStore {
    /// Past this many users matched, a role field is matched by its values instead of a list of ids.
    static let listedUserLimit = 100

    /// `search` with the users its role fields (`assigned_to`, `reporter`, `qa_contact`, `cc`)
    /// match looked up, all fields in one statement; unchanged when it has none or they are known.
    /// A value matches the users whose login or real name contains it, ignoring case, read through
    /// an index of names (migration 013) rather than every user.
    func withMatchedUsers(_ search: BugSearch) async throws -> BugSearch {
        let fields = [search.reporters, search.assignees, search.qaContacts, search.cc]
        guard search.matchedUsers == nil, fields.contains(where: { !$0.isEmpty }) else { return search }
        let lookups: [SQLQueryString] = fields.indices.filter { !fields[$0].isEmpty }.map { role in
            "SELECT * FROM (SELECT \(bind: role) AS role, id FROM users WHERE id IN (" + usersMatching(fields[role])
                + ") LIMIT \(bind: Self.listedUserLimit + 1)) r\(unsafeRaw: String(role))"
        }
        var found: [Int: [Int]] = [:]
        for row in try await all(lookups.joined(separator: " UNION ALL ")) { found[try row.int("role"), default: []].append(try row.int("id")) }
        let matched = fields.indices.map { role -> [Int]? in
            guard !fields[role].isEmpty else { return nil }
            let ids = found[role] ?? []
            return ids.count > Self.listedUserLimit ? nil : ids.sorted()
        }
        var resolved = search
        resolved.matchedUsers = MatchedUsers(reporters: matched[0], assignees: matched[1], qaContacts: matched[2], cc: matched[3])
        return resolved
    }

    /// `column` (a user id) is one of the users `values` match: `matched`, when they were looked
    /// up — one user an equality, which an index on (that user, …, the page's order) serves —
    /// otherwise a subquery over the users.
    func userCondition(_ column: SQLQueryString, values: [String], matched: [Int]?) -> SQLQueryString {
        switch matched {
        case nil: "\(column) IN (" + usersMatching(values) + ")"
        case .some(let ids) where ids.isEmpty: "1 = 0"
        case .some(let ids) where ids.count == 1: "\(column) = \(bind: ids[0])"
        case .some(let ids): "\(column) IN \(inList(ids))"
        }
    }

    /// `SELECT id …` of the users whose login or real name contains one of `values`, ignoring case.
    /// On SQLite a value of three characters or more is looked up in `user_names`, a trigram
    /// index; PostgreSQL's planner uses the trigram indexes of `users` for the same LIKE.
    private func usersMatching(_ values: [String]) -> SQLQueryString {
        let sqlite = sql.dialect.name == "sqlite"
        let alternatives = values.map { value -> SQLQueryString in
            if sqlite, value.count >= 3 {
                let phrase = "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                return "id IN (SELECT rowid FROM user_names WHERE user_names MATCH \(bind: phrase))"
            }
            let pattern = "%" + likeEscaped(value.lowercased()) + "%"
            return "LOWER(login_name) LIKE \(bind: pattern) ESCAPE '\\' OR LOWER(real_name) LIKE \(bind: pattern) ESCAPE '\\'"
        }
        return "SELECT id FROM users WHERE " + alternatives.joined(separator: " OR ")
    }
}
