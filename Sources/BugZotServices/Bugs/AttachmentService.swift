import BugZotDomain
import BugZotStorage
import Foundation
import NIOCore

/// Attaching files to bugs, reading and describing them. Attachments follow their bug's
/// visibility; private ones are for insiders and their uploader.
public struct AttachmentService: Sendable {
    let database: any Database
    let blobs: any BlobStore
    let bugs: BugService
    let policy: Policy
    /// The largest attachment accepted, in bytes.
    public let limit: Int

    public init(database: any Database, blobs: any BlobStore, bugs: BugService, policy: Policy, limit: Int) {
        self.database = database
        self.blobs = blobs
        self.bugs = bugs
        self.policy = policy
        self.limit = limit
    }

    /// Attaches `data` to each bug (one attachment per bug, one stored copy of the bytes) and
    /// returns the new ids. Each attachment announces itself in a comment.
    public func create(
        on identifiers: [String], data: [UInt8], details: AttachmentRules.Details, comment: String?, by principal: Principal
    ) async throws -> [Int] {
        try policy.checkListSizes([("ids", identifiers.count)])
        guard !identifiers.isEmpty else { throw DomainError.missingParameter("ids", function: "Bug.add_attachment") }
        try AttachmentRules.checkSize(data.count, limit: limit)
        let details = try AttachmentRules.validated(details, by: principal, policy: policy)
        try AttachmentRules.checkComment(comment, details: details, policy: policy)
        let key = try await blobs.put(data)
        return try await record(key: key, size: data.count, on: identifiers, details: details, comment: comment, by: principal)
    }

    /// Attaches bytes as they arrive (never all in memory), checking the limit while they stream.
    /// `describe` gives the details once the stream has ended (a form may send them after the file).
    public func create<Chunks: AsyncSequence>(
        on identifier: String, streaming chunks: Chunks, by principal: Principal,
        describe: () throws -> (details: AttachmentRules.Details, comment: String?)
    ) async throws -> Int where Chunks.Element == ByteBuffer {
        _ = try principal.requireUser()
        // Refuse a hidden or missing bug before reading the body.
        _ = try await database.read { sql in try await bugs.visibleBugID(identifier, store: SQLStore(sql), by: principal) }
        let upload = try await store(streaming: chunks, by: principal)
        let described: (details: AttachmentRules.Details, comment: String?)
        do {
            described = try describe()
        } catch {
            try? await discard(upload)
            throw error
        }
        return try await attach(upload, on: identifier, details: described.details, comment: described.comment, by: principal)
    }

    /// Bytes kept in the blob store but not yet attached to a bug.
    public struct Upload: Sendable {
        public let key: String
        public let size: Int
    }

    /// Stores bytes as they arrive, before the bug they go on is known (a new bug's form sends
    /// the file with the bug). Attach them with `attach` or drop them with `discard`.
    public func store<Chunks: AsyncSequence>(streaming chunks: Chunks, by principal: Principal) async throws -> Upload
    where Chunks.Element == ByteBuffer {
        _ = try principal.requireUser()
        do {
            let stored = try await blobs.put(streaming: chunks, limit: limit)
            return Upload(key: stored.key, size: stored.size)
        } catch is BlobTooLarge {
            throw DomainError.attachmentTooLarge(limit: limit)
        }
    }

    /// Attaches stored bytes to a bug; refused bytes are dropped.
    public func attach(
        _ upload: Upload, on identifier: String, details requested: AttachmentRules.Details, comment: String?, by principal: Principal
    ) async throws -> Int {
        let details: AttachmentRules.Details
        do {
            try AttachmentRules.checkSize(upload.size, limit: limit)
            details = try AttachmentRules.validated(requested, by: principal, policy: policy)
            try AttachmentRules.checkComment(comment, details: details, policy: policy)
        } catch {
            try? await discard(upload)
            throw error
        }
        return try await record(key: upload.key, size: upload.size, on: [identifier], details: details, comment: comment, by: principal)[0]
    }

    /// Drops stored bytes that no attachment uses.
    public func discard(_ upload: Upload) async throws {
        try await removeIfUnreferenced(upload.key)
    }

    /// Removes what uploads cut off by a crash left in the blob store (never a running upload's);
    /// returns how many went.
    public func removeAbandonedUploads() async throws -> Int {
        try await blobs.removeAbandonedUploads()
    }

    /// Records attachments of stored bytes on each bug, in one transaction.
    private func record(
        key: String, size: Int, on identifiers: [String], details: AttachmentRules.Details, comment: String?, by principal: Principal
    ) async throws -> [Int] {
        let creator = try principal.requireUser()
        let now = Date()
        do {
            return try await database.transaction { sql in
                let store = SQLStore(sql)
                var ids: [Int] = []
                for identifier in identifiers {
                    let bugID = try await bugs.visibleBugID(identifier, store: store, by: principal)
                    let attachment = Attachment(
                        id: 0, bugID: bugID, fileName: details.fileName, summary: details.summary,
                        contentType: details.contentType ?? "application/octet-stream", isPatch: details.isPatch, isObsolete: false,
                        isPrivate: details.isPrivate, creator: creator, creationTime: now, lastChangeTime: now, size: size,
                        blobKey: key)
                    let id = try await store.insertAttachment(attachment)
                    var text = "Created attachment \(id)\n\(details.summary)"
                    if let comment, !comment.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { text += "\n\n" + comment }
                    // The comment carries the description: it takes its privacy from the attachment, at every moment.
                    let note = try await store.insertComment(bugID: bugID, author: creator, text: text, isPrivate: false, at: now)
                    try await store.setCommentAttachment(commentID: note.id, attachmentID: id)
                    try await store.touchBugs([bugID], at: now)
                    try await Outbox.bugChanged(
                        BugEvent(bugID: bugID, actorID: creator.id, when: now, commentIDs: [note.id], attachmentIDs: [id]), in: store)
                    ids.append(id)
                }
                return ids
            }
        } catch {
            try? await removeIfUnreferenced(key)  // no orphan from a refused upload
            throw error
        }
    }

    /// Attachments by id; one the caller may not see does not exist for them.
    public func attachments(ids: [Int], by principal: Principal) async throws -> [Attachment] {
        try policy.checkListSizes([("attachment_ids", ids.count)])
        return try await database.read { sql in
            let store = SQLStore(sql)
            let found = try await store.attachments(ids: ids)
            let visibleBugs = try await bugs.visibleIDs(Set(found.map(\.bugID)), store: store, by: principal)
            for id in ids {
                guard let attachment = found.first(where: { $0.id == id }), visibleBugs.contains(attachment.bugID),
                    AttachmentRules.canSee(attachment, principal, policy: policy)
                else { throw DomainError.attachmentNotFound(String(id)) }
            }
            return found
        }
    }

    /// The attachments the caller may see on each bug.
    public func attachments(ofBugs identifiers: [String], by principal: Principal) async throws -> [(bugID: Int, attachments: [Attachment])] {
        try policy.checkListSizes([("ids", identifiers.count)])
        return try await database.read { sql in
            let store = SQLStore(sql)
            var result: [(bugID: Int, attachments: [Attachment])] = []
            for identifier in identifiers {
                let bugID = try await bugs.visibleBugID(identifier, store: store, by: principal)
                let attachments = try await store.attachments(bugIDs: [bugID])
                result.append((bugID, attachments.filter { AttachmentRules.canSee($0, principal, policy: policy) }))
            }
            return result
        }
    }

    /// The bytes of an attachment the caller has already been allowed to see.
    public func data(of attachment: Attachment) async throws -> [UInt8] {
        try await blobs.get(attachment.blobKey)
    }

    /// Hands `range` of an attachment's bytes to `body` chunk by chunk.
    public func read(_ attachment: Attachment, range: Range<Int>, _ body: (ByteBuffer) async throws -> Void) async throws {
        try await blobs.read(attachment.blobKey, range: range, body)
    }

    /// What an attachment update may change; nil leaves a field alone.
    public struct Changes: Sendable {
        public var fileName: String?
        public var summary: String?
        public var contentType: String?
        public var isPatch: Bool?
        public var isObsolete: Bool?
        public var isPrivate: Bool?
        public var comment: String?
        public init() {}
    }

    /// Changes attachments; the uploader and editbugs may, and only insiders touch privacy.
    public func update(ids: [Int], changes: Changes, by principal: Principal) async throws -> [(attachment: Attachment, changes: [FieldChange])] {
        let actor = try principal.requireUser()
        if let comment = changes.comment { try InputRules.check(comment, as: .comment, limit: policy.maximumCommentLength) }
        let now = Date()
        let visible = try await attachments(ids: ids, by: principal)
        return try await database.transaction { sql in
            let store = SQLStore(sql)
            var results: [(attachment: Attachment, changes: [FieldChange])] = []
            for old in visible {
                try await store.lockBugs([old.bugID])
                guard actor.id == old.creator.id || principal.has(.editbugs) else {
                    throw DomainError.illegalChange(field: "attachment")
                }
                if changes.isPrivate != nil, !policy.isInsider(principal) { throw DomainError.notInsider }
                var new = old
                let details = try AttachmentRules.validated(
                    .init(
                        fileName: changes.fileName ?? old.fileName, summary: changes.summary ?? old.summary,
                        contentType: changes.contentType ?? old.contentType, isPatch: changes.isPatch ?? old.isPatch,
                        isPrivate: changes.isPrivate ?? old.isPrivate),
                    by: principal, policy: policy)
                new.fileName = details.fileName
                new.summary = details.summary
                new.contentType = details.contentType ?? old.contentType
                new.isPatch = details.isPatch
                new.isPrivate = details.isPrivate
                new.isObsolete = changes.isObsolete ?? old.isObsolete
                var fieldChanges = AttachmentRules.changes(from: old, to: new)
                for index in fieldChanges.indices { fieldChanges[index].attachmentID = old.id }
                if !fieldChanges.isEmpty || changes.comment != nil {
                    new.lastChangeTime = now
                    try await store.updateAttachment(new)
                    try await store.insertHistory(bugID: old.bugID, who: actor, at: now, changes: fieldChanges)
                    var event = BugEvent(bugID: old.bugID, actorID: actor.id, when: now, changes: fieldChanges, attachmentIDs: [old.id])
                    if let comment = changes.comment, !comment.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                        let note = try await store.insertComment(bugID: old.bugID, author: actor, text: comment, isPrivate: false, at: now)
                        try await store.setCommentAttachment(commentID: note.id, attachmentID: old.id)
                        event.commentIDs.append(note.id)
                    }
                    try await store.touchBugs([old.bugID], at: now)
                    try await Outbox.bugChanged(event, in: store)
                }
                results.append((new, fieldChanges))
            }
            return results
        }
    }

    private func removeIfUnreferenced(_ key: String) async throws {
        let references = try await database.read { sql in try await SQLStore(sql).attachmentCount(blobKey: key) }
        if references == 0 { try await blobs.remove(key) }
    }
}
