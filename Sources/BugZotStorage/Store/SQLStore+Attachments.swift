import BugZotDomain
import Foundation
import SQLKit

extension SQLStore {
    private static let attachmentQuery: SQLQueryString = """
        SELECT at.*, u.login_name, u.real_name FROM attachments at JOIN users u ON u.id = at.creator_id
        """

    private func attachment(from row: any SQLRow) throws -> Attachment {
        Attachment(
            id: try row.int("id"), bugID: try row.int("bug_id"), fileName: try row.string("file_name"),
            summary: try row.string("summary"), contentType: try row.string("content_type"), isPatch: try row.bool("is_patch"),
            isObsolete: try row.bool("is_obsolete"), isPrivate: try row.bool("is_private"),
            creator: UserSummary(id: try row.int("creator_id"), login: try row.string("login_name"), realName: try row.string("real_name")),
            creationTime: try row.date("created_at"), lastChangeTime: try row.date("last_change_at"), size: try row.int("size"),
            blobKey: try row.string("blob_key"))
    }

    public func insertAttachment(_ attachment: Attachment) async throws -> Int {
        try await insert(
            """
            INSERT INTO attachments (bug_id, file_name, summary, content_type, is_patch, is_obsolete, is_private, creator_id,
                created_at, last_change_at, size, blob_key)
            VALUES (\(bind: attachment.bugID), \(bind: attachment.fileName), \(bind: attachment.summary), \(bind: attachment.contentType),
                \(bind: attachment.isPatch), \(bind: attachment.isObsolete), \(bind: attachment.isPrivate), \(bind: attachment.creator.id),
                \(bind: attachment.creationTime.unixSeconds), \(bind: attachment.lastChangeTime.unixSeconds), \(bind: attachment.size),
                \(bind: attachment.blobKey))
            """)
    }

    public func attachments(ids: [Int]) async throws -> [Attachment] {
        try await all(Self.attachmentQuery + " WHERE at.id IN \(inList(ids)) ORDER BY at.id").map(attachment(from:))
    }

    public func attachments(bugIDs: [Int]) async throws -> [Attachment] {
        try await all(Self.attachmentQuery + " WHERE at.bug_id IN \(inList(bugIDs)) ORDER BY at.id").map(attachment(from:))
    }

    public func updateAttachment(_ attachment: Attachment) async throws {
        try await run(
            """
            UPDATE attachments SET file_name = \(bind: attachment.fileName), summary = \(bind: attachment.summary),
                content_type = \(bind: attachment.contentType), is_patch = \(bind: attachment.isPatch),
                is_obsolete = \(bind: attachment.isObsolete), is_private = \(bind: attachment.isPrivate),
                last_change_at = \(bind: attachment.lastChangeTime.unixSeconds)
            WHERE id = \(bind: attachment.id)
            """)
    }

    /// How many attachments use the blob, so it is removed only when none does.
    public func attachmentCount(blobKey: String) async throws -> Int {
        try await first("SELECT COUNT(*) AS n FROM attachments WHERE blob_key = \(bind: blobKey)")?.int("n") ?? 0
    }

    /// Links a comment to the attachment it announces.
    public func setCommentAttachment(commentID: Int, attachmentID: Int) async throws {
        try await run("UPDATE comments SET attachment_id = \(bind: attachmentID) WHERE id = \(bind: commentID)")
    }
}
