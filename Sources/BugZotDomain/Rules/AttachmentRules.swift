import Foundation

/// What may be attached, by whom, and who sees it.
public enum AttachmentRules {
    /// The details someone gives with a file.
    public struct Details: Sendable, Equatable {
        public var fileName: String
        public var summary: String
        public var contentType: String?
        public var isPatch: Bool
        public var isPrivate: Bool

        public init(fileName: String, summary: String, contentType: String?, isPatch: Bool, isPrivate: Bool) {
            self.fileName = fileName
            self.summary = summary
            self.contentType = contentType
            self.isPatch = isPatch
            self.isPrivate = isPrivate
        }
    }

    /// An attachment's size must be between 1 byte and `limit`.
    public static func checkSize(_ size: Int, limit: Int) throws(DomainError) {
        guard size > 0 else { throw .attachmentEmpty }
        guard size <= limit else { throw .attachmentTooLarge(limit: limit) }
    }

    /// The details made safe and complete: a sanitised file name, a content type (patches are
    /// text/plain), or why the attachment is refused.
    public static func validated(_ details: Details, by principal: Principal, policy: Policy) throws(DomainError) -> Details {
        _ = try principal.requireUser()
        var details = details
        try InputRules.check(details.summary, as: .attachmentSummary)
        try InputRules.checkLength(details.fileName, as: .fileName)
        if let type = details.contentType, !details.isPatch { try InputRules.check(type, as: .contentType) }
        details.summary = details.summary.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !details.summary.isEmpty else { throw .attachmentSummaryRequired }
        details.fileName = sanitizedFileName(details.fileName)
        guard !details.fileName.isEmpty else { throw .attachmentFileNameRequired }
        if details.isPatch {
            details.contentType = "text/plain"
        } else {
            guard let type = details.contentType?.trimmingCharacters(in: .whitespaces).lowercased(), isValidContentType(type) else {
                throw .invalidContentType(details.contentType ?? "")
            }
            details.contentType = type
        }
        if details.isPrivate, !policy.isInsider(principal) { throw .notInsider }
        return details
    }

    /// The comment given with an attachment goes into the bug's comment after a line naming the
    /// attachment and its description: all of it must fit the comment limit.
    public static func checkComment(_ comment: String?, details: Details, policy: Policy) throws(DomainError) {
        guard let comment else { return }
        let header = "Created attachment \(Int.max)\n\n\n".unicodeScalars.count + details.summary.unicodeScalars.count
        try InputRules.check(comment, as: .comment, limit: max(0, policy.maximumCommentLength - header))
    }

    /// Private attachments are for insiders and the person who attached them.
    public static func canSee(_ attachment: Attachment, _ principal: Principal, policy: Policy) -> Bool {
        canSee(isPrivate: attachment.isPrivate, creatorID: attachment.creator.id, principal, policy: policy)
    }

    /// The same rule for the attachment a comment is about.
    public static func canSee(_ attachment: Comment.AttachmentLink, _ principal: Principal, policy: Policy) -> Bool {
        canSee(isPrivate: attachment.isPrivate, creatorID: attachment.creatorID, principal, policy: policy)
    }

    private static func canSee(isPrivate: Bool, creatorID: Int, _ principal: Principal, policy: Policy) -> Bool {
        !isPrivate || policy.isInsider(principal) || principal.user?.id == creatorID
    }

    /// The last path component, without control or bidirectional-text control characters
    /// (`report\u{202E}txt.exe` would show as `reportexe.txt`), at most 255 bytes of UTF-8 (the
    /// end kept, for the extension). Linear in the name's length.
    public static func sanitizedFileName(_ name: String) -> String {
        let lastComponent = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? ""
        var scalars = String.UnicodeScalarView()
        for scalar in lastComponent.unicodeScalars
        where scalar.properties.generalCategory != .control && !InputRules.isBidiControl(scalar) {
            scalars.append(scalar)
        }
        var cleaned = String(scalars).trimmingCharacters(in: .whitespaces)
        if cleaned == "." || cleaned == ".." { cleaned = "" }
        guard cleaned.utf8.count > 255 else { return cleaned }
        var start = cleaned.endIndex
        var bytes = 0
        while start > cleaned.startIndex {
            let previous = cleaned.index(before: start)
            bytes += cleaned[previous].utf8.count
            if bytes > 255 { break }
            start = previous
        }
        return String(cleaned[start...])
    }

    /// `type/subtype`, each an RFC 2045 token, optionally followed by parameters.
    public static func isValidContentType(_ value: String) -> Bool {
        let essence = value.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let parts = essence.split(separator: "/", omittingEmptySubsequences: false)
        let tokenCharacters = CharacterSet(charactersIn: "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz")
        return value.count <= 255 && parts.count == 2
            && parts.allSatisfy { !$0.isEmpty && $0.unicodeScalars.allSatisfy(tokenCharacters.contains) }
    }

    /// The history of an attachment change: field names as Bugzilla's history shows them.
    public static func changes(from old: Attachment, to new: Attachment) -> [FieldChange] {
        var changes: [FieldChange] = []
        func record(_ field: String, _ before: String, _ after: String) {
            if before != after { changes.append(FieldChange(field: field, removed: before, added: after)) }
        }
        record("attachments.description", old.summary, new.summary)
        record("attachments.filename", old.fileName, new.fileName)
        record("attachments.mimetype", old.contentType, new.contentType)
        record("attachments.ispatch", old.isPatch ? "1" : "0", new.isPatch ? "1" : "0")
        record("attachments.isobsolete", old.isObsolete ? "1" : "0", new.isObsolete ? "1" : "0")
        record("attachments.isprivate", old.isPrivate ? "1" : "0", new.isPrivate ? "1" : "0")
        return changes
    }
}
