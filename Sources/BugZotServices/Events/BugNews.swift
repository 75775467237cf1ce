import BugZotDomain
import Foundation

/// One item of news of a committed change set, already cut to one person's view: a change set
/// (one event, one sequence number) yields one item per kind it is news of (`BugEvent.kinds`).
public struct BugNews: Sendable, Equatable {
    /// What the item tells of.
    public typealias Kind = BugEvent.Kind

    /// The event's sequence number (`EventService.since` resumes after one).
    public let sequence: Int
    public let kind: Kind
    public let bugID: Int
    /// The bug's product and component as they are now.
    public let product: String
    public let component: String
    /// The login of whoever made the change.
    public let actor: String
    public let when: Date
    /// `created`: the bug as this person may see it.
    public let bug: Bug?
    /// `changed`: the changes of the bug's fields as this person may see them; `attachment`: the
    /// changes of that attachment.
    public let changes: [FieldChange]
    /// `commented`: the comment.
    public let comment: Comment?
    /// `attachment`: the attachment (its bytes are not part of it).
    public let attachment: Attachment?

    public init(
        sequence: Int, kind: Kind, bugID: Int, product: String, component: String, actor: String, when: Date, bug: Bug? = nil,
        changes: [FieldChange] = [], comment: Comment? = nil, attachment: Attachment? = nil
    ) {
        self.sequence = sequence
        self.kind = kind
        self.bugID = bugID
        self.product = product
        self.component = component
        self.actor = actor
        self.when = when
        self.bug = bug
        self.changes = changes
        self.comment = comment
        self.attachment = attachment
    }
}

/// What an observer of events hears, synchronously, right after a commit.
public enum EventNotice: Sendable, Equatable {
    /// The event with this sequence number has committed (here or, on PostgreSQL, on any instance).
    case committed(sequence: Int)
    /// Events may have been missed (PostgreSQL's notification connection dropped or came back):
    /// resume with `EventService.since` from the last sequence number seen.
    case reset
}
