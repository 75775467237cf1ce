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

    /// Private attachments are for insiders and the person who attached them.
    public static func canSee(_ attachment: Attachment, _ principal: Principal, policy: Policy) -> Bool {
        !attachment.isPrivate || policy.isInsider(principal) || principal.user?.id == attachment.creator.id
    }

    /// The last path component, without control characters, at most 255 bytes of UTF-8.
    public static func sanitizedFileName(_ name: String) -> String {
        let lastComponent = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var cleaned = String(lastComponent.unicodeScalars.filter { $0.properties.generalCategory != .control })
            .trimmingCharacters(in: .whitespaces)
        if cleaned == "." || cleaned == ".." { cleaned = "" }
        while cleaned.utf8.count > 255 { cleaned.removeFirst() }  // keep the extension
        return cleaned
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
