import BugZotDomain
import Foundation
import SQLKit

extension SQLStore {
    /// Records one change set: the fields one person changed on one bug at one time.
    public func insertHistory(bugID: Int, who: UserSummary, at now: Date, changes: [FieldChange]) async throws {
        try await insertHistory([(bugID, changes)], who: who, at: now)
    }

    /// Records change sets of several bugs, made by one person at one time, in one statement.
    public func insertHistory(_ changeSets: [(bugID: Int, changes: [FieldChange])], who: UserSummary, at now: Date) async throws {
        let rows = changeSets.flatMap { bugID, changes in
            let changeSet = UUID().uuidString
            return changes.map { change -> SQLQueryString in
                """
                (\(bind: bugID), \(bind: changeSet), \(bind: who.id), \(bind: now.unixSeconds), \(bind: change.field),
                    \(bind: change.removed), \(bind: change.added), \(bind: change.attachmentID))
                """
            }
        }
        try await insertRows(into: "bug_history (bug_id, change_set, who_id, changed_at, field, removed, added, attachment_id)", rows)
    }

    /// A bug's changes, oldest first, one entry per change set.
    public func history(bugID: Int, since: Date? = nil) async throws -> [HistoryEntry] {
        let rows = try await all(
            """
            SELECT h.change_set, h.changed_at, h.field, h.attachment_id, h.removed, h.added, u.id, u.login_name, u.real_name
            FROM bug_history h JOIN users u ON u.id = h.who_id
            WHERE h.bug_id = \(bind: bugID) AND h.changed_at >= \(bind: since?.unixSeconds ?? 0)
            ORDER BY h.id
            """)
        var entries: [HistoryEntry] = []
        var lastChangeSet = ""
        for row in rows {
            let changeSet = try row.string("change_set")
            let who = UserSummary(id: try row.int("id"), login: try row.string("login_name"), realName: try row.string("real_name"))
            let when = try row.date("changed_at")
            let change = FieldChange(
                field: try row.string("field"), removed: try row.string("removed"), added: try row.string("added"),
                attachmentID: try row.optionalInt("attachment_id"))
            if changeSet == lastChangeSet {
                entries[entries.count - 1].changes.append(change)
            } else {
                entries.append(HistoryEntry(when: when, who: who, changes: [change]))
            }
            lastChangeSet = changeSet
        }
        return entries
    }
}
