import BugZotDomain
import Foundation
import SQLKit

extension SQLStore {
    public func insertHistory(bugID: Int, who: UserSummary, at now: Date, changes: [FieldChange]) async throws {
        for change in changes {
            try await run(
                """
                INSERT INTO bug_history (bug_id, who_id, changed_at, field, removed, added)
                VALUES (\(bind: bugID), \(bind: who.id), \(bind: now.unixSeconds), \(bind: change.field), \(bind: change.removed), \(bind: change.added))
                """)
        }
    }

    /// A bug's changes, oldest first, grouped by who made them and when.
    public func history(bugID: Int, since: Date? = nil) async throws -> [HistoryEntry] {
        let rows = try await all(
            """
            SELECT h.changed_at, h.field, h.removed, h.added, u.id, u.login_name, u.real_name
            FROM bug_history h JOIN users u ON u.id = h.who_id
            WHERE h.bug_id = \(bind: bugID) AND h.changed_at >= \(bind: since?.unixSeconds ?? 0)
            ORDER BY h.id
            """)
        var entries: [HistoryEntry] = []
        for row in rows {
            let who = UserSummary(id: try row.int("id"), login: try row.string("login_name"), realName: try row.string("real_name"))
            let when = try row.date("changed_at")
            let change = FieldChange(field: try row.string("field"), removed: try row.string("removed"), added: try row.string("added"))
            if let last = entries.last, last.who == who, last.when == when {
                entries[entries.count - 1].changes.append(change)
            } else {
                entries.append(HistoryEntry(when: when, who: who, changes: [change]))
            }
        }
        return entries
    }
}
