import BugZotDomain
import Foundation
import SQLKit

extension SQLStore {
    /// Comments with the attachment each is about as it is now (a link to a missing attachment
    /// counts as private).
    private static let commentQuery: SQLQueryString = """
        SELECT cm.id, cm.bug_id, cm.count, cm.body, cm.is_private, cm.created_at, cm.attachment_id,
            COALESCE(a.is_private, TRUE) AS a_private, COALESCE(a.creator_id, 0) AS a_creator,
            u.id AS u_id, u.login_name, u.real_name
        FROM comments cm JOIN users u ON u.id = cm.author_id LEFT JOIN attachments a ON a.id = cm.attachment_id
        """

    private func comment(from row: any SQLRow) throws -> Comment {
        let attachment = try row.optionalInt("attachment_id").map { id in
            Comment.AttachmentLink(id: id, isPrivate: try row.bool("a_private"), creatorID: try row.int("a_creator"))
        }
        return Comment(
            id: try row.int("id"), bugID: try row.int("bug_id"), count: try row.int("count"),
            author: UserSummary(id: try row.int("u_id"), login: try row.string("login_name"), realName: try row.string("real_name")),
            text: try row.string("body"), isPrivate: try row.bool("is_private"), creationTime: try row.date("created_at"),
            attachment: attachment)
    }

    /// Adds a comment numbered after the bug's last one. Unless `bugIsLocked` (the transaction
    /// already holds the bug's row, or made the bug), the bug's row is locked first, so that the
    /// next number is not taken twice.
    public func insertComment(
        bugID: Int, author: UserSummary, text: String, isPrivate: Bool, at now: Date, bugIsLocked: Bool = false
    ) async throws -> Comment {
        if !bugIsLocked { try await lockBugs([bugID]) }
        guard let row = try await first(
            """
            INSERT INTO comments (bug_id, count, author_id, body, is_private, created_at)
            SELECT \(bind: bugID), COALESCE(MAX(count), -1) + 1, \(bind: author.id), \(bind: text), \(bind: isPrivate), \(bind: now.unixSeconds)
            FROM comments WHERE bug_id = \(bind: bugID)
            RETURNING id, count
            """)
        else { throw StoreError.noIDReturned }
        return Comment(
            id: try row.int("id"), bugID: bugID, count: try row.int("count"), author: author, text: text, isPrivate: isPrivate, creationTime: now)
    }

    /// Comments of these bugs, oldest first, optionally only those since a time.
    public func comments(bugIDs: [Int], since: Date? = nil) async throws -> [Comment] {
        try await all(
            Self.commentQuery + " WHERE cm.bug_id IN \(inList(bugIDs)) AND cm.created_at >= \(bind: since?.unixSeconds ?? 0) ORDER BY cm.bug_id, cm.count"
        ).map(comment(from:))
    }

    public func comments(ids: [Int]) async throws -> [Comment] {
        try await all(Self.commentQuery + " WHERE cm.id IN \(inList(ids)) ORDER BY cm.id").map(comment(from:))
    }

    public func setCommentPrivacy(commentID: Int, bugID: Int, isPrivate: Bool) async throws {
        try await run("UPDATE comments SET is_private = \(bind: isPrivate) WHERE id = \(bind: commentID) AND bug_id = \(bind: bugID)")
    }
}
