import Foundation

/// What one change set did to one bug, as the outbox keeps it: who, when, which fields, which
/// new comments. The bug and comments themselves are read again when notifications go out.
public struct BugEvent: Sendable, Equatable, Codable {
    public var bugID: Int
    public var actorID: Int
    public var when: Date
    public var isNew: Bool
    public var changes: [FieldChange]
    public var commentIDs: [Int]

    public init(bugID: Int, actorID: Int, when: Date, isNew: Bool = false, changes: [FieldChange] = [], commentIDs: [Int] = []) {
        self.bugID = bugID
        self.actorID = actorID
        self.when = when
        self.isNew = isNew
        self.changes = changes
        self.commentIDs = commentIDs
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
