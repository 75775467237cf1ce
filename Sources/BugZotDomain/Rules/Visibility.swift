/// Who may see a bug and its comments. The bug search in storage applies the same rule in SQL;
/// keep the two in step.
public enum Visibility {
    /// The facts about a bug that decide who sees it.
    public struct BugAccess: Sendable, Equatable {
        public var groups: Set<String>
        public var reporterID: Int
        public var assigneeID: Int
        public var qaContactID: Int?
        public var ccIDs: Set<Int>
        public var isCreatorAccessible: Bool
        public var isCCAccessible: Bool

        public init(
            groups: Set<String>, reporterID: Int, assigneeID: Int, qaContactID: Int?, ccIDs: Set<Int>,
            isCreatorAccessible: Bool, isCCAccessible: Bool
        ) {
            self.groups = groups
            self.reporterID = reporterID
            self.assigneeID = assigneeID
            self.qaContactID = qaContactID
            self.ccIDs = ccIDs
            self.isCreatorAccessible = isCreatorAccessible
            self.isCCAccessible = isCCAccessible
        }

        /// Whether the bug is in any group (storage keeps this as `bugs.is_restricted`); a bug
        /// that isn't is public.
        public var isRestricted: Bool { !groups.isEmpty }

        public init(_ bug: Bug) {
            self.init(
                groups: Set(bug.groups), reporterID: bug.reporter.id, assigneeID: bug.assignedTo.id,
                qaContactID: bug.qaContact?.id, ccIDs: Set(bug.cc.map(\.id)),
                isCreatorAccessible: bug.isCreatorAccessible, isCCAccessible: bug.isCCAccessible
            )
        }
    }

    /// A bug with no groups is public. Otherwise members of all its groups see it, and so do its
    /// assignee, QA contact, reporter (if creator-accessible) and CC list (if CC-accessible).
    public static func canSee(_ bug: BugAccess, _ principal: Principal, policy: Policy) -> Bool {
        if principal.isAdmin || !bug.isRestricted || bug.groups.isSubset(of: principal.groups) { return true }
        guard let user = principal.user else { return false }
        if bug.assigneeID == user.id { return true }
        if policy.useQAContact, bug.qaContactID == user.id { return true }
        if bug.isCreatorAccessible, bug.reporterID == user.id { return true }
        if bug.isCCAccessible, bug.ccIDs.contains(user.id) { return true }
        return false
    }

    public static func canSee(_ bug: Bug, _ principal: Principal, policy: Policy) -> Bool {
        canSee(BugAccess(bug), principal, policy: policy)
    }

    /// Private comments are for insiders only; a comment about an attachment is for those who may
    /// see the attachment as it is now (insiders and its uploader while it is private). The
    /// comment search in storage applies the same rule in SQL; keep the two in step.
    public static func canSee(_ comment: Comment, _ principal: Principal, policy: Policy) -> Bool {
        guard !comment.isPrivate || policy.isInsider(principal) else { return false }
        return comment.attachment.map { AttachmentRules.canSee($0, principal, policy: policy) } ?? true
    }
}
