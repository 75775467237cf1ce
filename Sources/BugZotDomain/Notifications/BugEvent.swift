import Foundation

/// What one change set did to one bug, as the outbox and the events table keep it: who, when,
/// which fields, which new comments, which attachments were added or changed. The bug, comments
/// and attachments themselves are read again when notifications and events go out.
public struct BugEvent: Sendable, Equatable, Codable {
    /// What a change set is news of; each kind is one item for subscribers (`kinds`).
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// The bug was filed.
        case created
        /// Fields changed (CC list and dependencies included).
        case changed
        /// A comment was added.
        case commented
        /// An attachment was added or changed.
        case attachment
        /// Reserved until flags exist.
        case flag
    }

    public var bugID: Int
    public var actorID: Int
    public var when: Date
    public var isNew: Bool
    public var changes: [FieldChange]
    public var commentIDs: [Int]
    /// Attachments the change set added or changed.
    public var attachmentIDs: [Int]

    public init(
        bugID: Int, actorID: Int, when: Date, isNew: Bool = false, changes: [FieldChange] = [], commentIDs: [Int] = [],
        attachmentIDs: [Int] = []
    ) {
        self.bugID = bugID
        self.actorID = actorID
        self.when = when
        self.isNew = isNew
        self.changes = changes
        self.commentIDs = commentIDs
        self.attachmentIDs = attachmentIDs
    }

    enum CodingKeys: String, CodingKey {
        case bugID, actorID, when, isNew, changes, commentIDs, attachmentIDs
    }

    /// Reads jobs queued before attachments were recorded too (they have none).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            bugID: try container.decode(Int.self, forKey: .bugID), actorID: try container.decode(Int.self, forKey: .actorID),
            when: try container.decode(Date.self, forKey: .when), isNew: try container.decode(Bool.self, forKey: .isNew),
            changes: try container.decode([FieldChange].self, forKey: .changes),
            commentIDs: try container.decode([Int].self, forKey: .commentIDs),
            attachmentIDs: try container.decodeIfPresent([Int].self, forKey: .attachmentIDs) ?? [])
    }

    /// What the change set is news of, in this order: a new bug is only `created` (its description
    /// is part of it); otherwise `changed` for changes of the bug's own fields, `commented` for new
    /// comments, `attachment` for attachments added or changed.
    public var kinds: [Kind] {
        if isNew { return [.created] }
        var kinds: [Kind] = []
        if changes.contains(where: { $0.attachmentID == nil }) { kinds.append(.changed) }
        if !commentIDs.isEmpty { kinds.append(.commented) }
        if !attachmentIDs.isEmpty || changes.contains(where: { $0.attachmentID != nil }) { kinds.append(.attachment) }
        return kinds
    }

    /// The attachments the change set names: those it added or changed and those its changes are of.
    public var namedAttachmentIDs: [Int] {
        var ids = attachmentIDs
        for id in changes.compactMap(\.attachmentID) where !ids.contains(id) { ids.append(id) }
        return ids
    }
}

/// The kinds of change people may choose not to hear about.
public enum ChangeKind: String, Sendable, CaseIterable, Codable {
    case newBug = "new"
    case comment
    case status
    case assignment
    case cc
    case attachment
    case otherFields = "fields"

    /// How the preferences page names it.
    public var label: String {
        switch self {
        case .newBug: "a bug is filed"
        case .comment: "someone comments"
        case .status: "the status or resolution changes"
        case .assignment: "the assignee or QA contact changes"
        case .cc: "the CC list changes"
        case .attachment: "a file is attached or an attachment changes"
        case .otherFields: "any other field changes"
        }
    }
}

/// Why someone hears about a bug.
public enum MailReason: String, Sendable, Codable, Comparable {
    case assignee = "AssignedTo"
    case reporter = "Reporter"
    case qaContact = "QAcontact"
    case cc = "CC"
    case watcher = "Watch"

    private var rank: Int {
        switch self {
        case .assignee: 0
        case .reporter: 1
        case .qaContact: 2
        case .cc: 3
        case .watcher: 4
        }
    }

    public static func < (a: MailReason, b: MailReason) -> Bool { a.rank < b.rank }
}
