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
    /// A value of three characters or more is looked up in a trigram index — `user_names` on
    /// SQLite, the trigram indexes of `users` on PostgreSQL — then checked whole.
    private func usersMatching(_ values: [String]) -> SQLQueryString {
        let sqlite = sql.dialect.name == "sqlite"
        let alternatives = values.map { value -> SQLQueryString in
            let pattern = "%" + likeEscaped(value.lowercased()) + "%"
            let contains: SQLQueryString = "(LOWER(login_name) LIKE \(bind: pattern) ESCAPE '\\' OR LOWER(real_name) LIKE \(bind: pattern) ESCAPE '\\')"
            // The index finds the users holding the part of an address before its "@" (the
            // domain's trigrams are in nearly every login, so looking them up too would cost
            // more than it saves); the LIKE then checks the whole value.
            let key = value.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? value
            let indexed = key.count >= 3 ? key : value
            guard indexed.count >= 3 else { return contains }
            guard sqlite else {
                // The LIKE of the key is what the trigram indexes serve; the position test checks the whole value.
                let keyPattern = "%" + likeEscaped(indexed.lowercased()) + "%"
                let lowered = value.lowercased()
                return """
                    ((LOWER(login_name) LIKE \(bind: keyPattern) ESCAPE '\\' AND strpos(LOWER(login_name), \(bind: lowered)) > 0)
                    OR (LOWER(real_name) LIKE \(bind: keyPattern) ESCAPE '\\' AND strpos(LOWER(real_name), \(bind: lowered)) > 0))
                    """
            }
            let phrase = "\"" + indexed.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            return "(id IN (SELECT rowid FROM user_names WHERE user_names MATCH \(bind: phrase)) AND " + contains + ")"
        }
        return "SELECT id FROM users WHERE " + alternatives.joined(separator: " OR ")
    }
}
