import Foundation

/// A bug with every field the API shows, people resolved to summaries.
public struct Bug: Sendable, Equatable {
    public var id: Int
    public var aliases: [String]
    public var product: String
    public var classification: String
    public var component: String
    public var version: String
    public var targetMilestone: String
    public var summary: String
    public var status: String
    /// Empty while the bug is open.
    public var resolution: String
    public var severity: String
    public var priority: String
    public var opSys: String
    public var platform: String
    public var reporter: UserSummary
    public var assignedTo: UserSummary
    public var qaContact: UserSummary?
    public var cc: [UserSummary]
    public var keywords: [String]
    public var blocks: [Int]
    public var dependsOn: [Int]
    /// Bug groups; a bug in groups is visible only to members of all of them (and its people).
    public var groups: [String]
    public var seeAlso: [String]
    public var dupeOf: Int?
    public var url: String
    public var whiteboard: String
    /// `YYYY-MM-DD`.
    public var deadline: String?
    public var isCreatorAccessible: Bool
    public var isCCAccessible: Bool
    public var isConfirmed: Bool
    public var creationTime: Date
    public var lastChangeTime: Date

    public init(
        id: Int, aliases: [String] = [], product: String, classification: String = "Unclassified",
        component: String, version: String, targetMilestone: String = "---", summary: String,
        status: String, resolution: String = "", severity: String, priority: String, opSys: String,
        platform: String, reporter: UserSummary, assignedTo: UserSummary, qaContact: UserSummary? = nil,
        cc: [UserSummary] = [], keywords: [String] = [], blocks: [Int] = [], dependsOn: [Int] = [],
        groups: [String] = [], seeAlso: [String] = [], dupeOf: Int? = nil, url: String = "",
        whiteboard: String = "", deadline: String? = nil, isCreatorAccessible: Bool = true,
        isCCAccessible: Bool = true, isConfirmed: Bool = true, creationTime: Date, lastChangeTime: Date
    ) {
        self.id = id
        self.aliases = aliases
        self.product = product
        self.classification = classification
        self.component = component
        self.version = version
        self.targetMilestone = targetMilestone
        self.summary = summary
        self.status = status
        self.resolution = resolution
        self.severity = severity
        self.priority = priority
        self.opSys = opSys
        self.platform = platform
        self.reporter = reporter
        self.assignedTo = assignedTo
        self.qaContact = qaContact
        self.cc = cc
        self.keywords = keywords
        self.blocks = blocks
        self.dependsOn = dependsOn
        self.groups = groups
        self.seeAlso = seeAlso
        self.dupeOf = dupeOf
        self.url = url
        self.whiteboard = whiteboard
        self.deadline = deadline
        self.isCreatorAccessible = isCreatorAccessible
        self.isCCAccessible = isCCAccessible
        self.isConfirmed = isConfirmed
        self.creationTime = creationTime
        self.lastChangeTime = lastChangeTime
    }
}

/// One comment on a bug; `count` 0 is the description.
public struct Comment: Sendable, Equatable {
    /// The attachment a comment announces or discusses, as it is now: the comment carries the
    /// attachment's description, so it is private whenever the attachment is.
    public struct AttachmentLink: Sendable, Equatable {
        public var id: Int
        public var isPrivate: Bool
        public var creatorID: Int

        public init(id: Int, isPrivate: Bool, creatorID: Int) {
            self.id = id
            self.isPrivate = isPrivate
            self.creatorID = creatorID
        }
    }

    public var id: Int
    public var bugID: Int
    public var count: Int
    public var author: UserSummary
    public var text: String
    /// The comment's own privacy; `isEffectivelyPrivate` adds its attachment's.
    public var isPrivate: Bool
    public var creationTime: Date
    public var attachment: AttachmentLink?

    public init(
        id: Int, bugID: Int, count: Int, author: UserSummary, text: String, isPrivate: Bool,
        creationTime: Date, attachment: AttachmentLink? = nil
    ) {
        self.id = id
        self.bugID = bugID
        self.count = count
        self.author = author
        self.text = text
        self.isPrivate = isPrivate
        self.creationTime = creationTime
        self.attachment = attachment
    }

    /// The attachment the comment is about (Bugzilla's `attachment_id`).
    public var attachmentID: Int? { attachment?.id }

    /// Private by its own flag or because its attachment is private now.
    public var isEffectivelyPrivate: Bool { isPrivate || attachment?.isPrivate == true }
}

/// One changed field: API field name and the values as text (lists joined with ", "), and the
/// attachment it belongs to, if any.
public struct FieldChange: Sendable, Equatable, Codable {
    public var field: String
    public var removed: String
    public var added: String
    public var attachmentID: Int?

    enum CodingKeys: String, CodingKey {
        case field, removed, added
        case attachmentID = "attachment_id"
    }

    public init(field: String, removed: String, added: String, attachmentID: Int? = nil) {
        self.field = field
        self.removed = removed
        self.added = added
        self.attachmentID = attachmentID
    }
}

/// A set of field changes made by one person at one time.
public struct HistoryEntry: Sendable, Equatable {
    public var when: Date
    public var who: UserSummary
    public var changes: [FieldChange]

    public init(when: Date, who: UserSummary, changes: [FieldChange]) {
        self.when = when
        self.who = who
        self.changes = changes
    }
}
