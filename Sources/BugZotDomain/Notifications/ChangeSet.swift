/// One change set with all it takes to tell anyone of it as they may see it: the bug as it is now,
/// who made the change, its comments and attachments, and who may see each bug it links to. It
/// is loaded once however many people are told; `seen(by:policy:)` cuts it to one person's view
/// without I/O (mail, webhooks and live events all cut it here).
public struct ChangeSet: Sendable, Equatable {
    public var event: BugEvent
    public var bug: Bug
    public var actor: UserSummary
    /// The change set's comments, oldest first.
    public var comments: [Comment]
    /// The attachments it names (`BugEvent.namedAttachmentIDs`) that exist.
    public var attachments: [Attachment]
    /// Who may see each bug that the bug's links or the change set's link changes name
    /// (`linkedBugIDs`); a bug that does not exist is absent.
    public var linkedBugs: [Int: Visibility.BugAccess]

    public init(
        event: BugEvent, bug: Bug, actor: UserSummary, comments: [Comment], attachments: [Attachment],
        linkedBugs: [Int: Visibility.BugAccess]
    ) {
        self.event = event
        self.bug = bug
        self.actor = actor
        self.comments = comments
        self.attachments = attachments
        self.linkedBugs = linkedBugs
    }

    /// The bugs whose access `linkedBugs` must hold for `event` on `bug`.
    public static func linkedBugIDs(of bug: Bug, event: BugEvent) -> Set<Int> {
        Visibility.linkedBugIDs(of: bug).union(Visibility.linkedBugIDs(in: event.changes))
    }

    /// A change set as one person may see it.
    public struct View: Sendable, Equatable {
        /// The bug, its links to bugs hidden from them left out.
        public var bug: Bug
        /// The changes, without the numbers of hidden bugs in link fields and without the changes
        /// of attachments hidden from them.
        public var changes: [FieldChange]
        /// The comments they may see.
        public var comments: [Comment]
        /// The attachments they may see.
        public var attachments: [Attachment]
    }

    /// What `principal` may be told of the change set: nil when they may not see the bug, or
    /// when nothing of the change set is left for them (a private comment alone, for an outsider).
    /// An attachment is always told of with its note or its changes, so it is news only with them.
    public func seen(by principal: Principal, policy: Policy) -> View? {
        guard Visibility.canSee(bug, principal, policy: policy) else { return nil }
        let visibleBug = { (id: Int) in linkedBugs[id].map { Visibility.canSee($0, principal, policy: policy) } ?? false }
        let shownAttachments = attachments.filter { AttachmentRules.canSee($0, principal, policy: policy) }
        let shownAttachmentIDs = Set(shownAttachments.map(\.id))
        let changes = Visibility.withoutHiddenLinks(event.changes, visible: visibleBug)
            .filter { change in change.attachmentID.map(shownAttachmentIDs.contains) ?? true }
        guard let shown = NotificationRules.view(
            bug: bug, changes: changes, comments: comments, isNew: event.isNew, for: principal, policy: policy)
        else { return nil }
        return View(
            bug: Visibility.withoutHiddenLinks(bug, visible: visibleBug), changes: shown.changes, comments: shown.comments,
            attachments: shownAttachments)
    }
}
