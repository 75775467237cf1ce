import Foundation

/// Who hears about a change set, and what each of them may be told. No I/O: the caller loads
/// the bug, the people, their groups and preferences.
public enum NotificationRules {
    /// The people involved in a bug, each once with their strongest reason. `former` are those the
    /// change set took off the bug (an old assignee, a removed CC), who hear of it once more.
    public static func audience(
        of bug: Bug, watchers: [UserSummary], former: [(user: UserSummary, reason: MailReason)] = [], policy: Policy
    ) -> [(user: UserSummary, reason: MailReason)] {
        var reasons: [Int: (UserSummary, MailReason)] = [:]
        func add(_ user: UserSummary?, _ reason: MailReason) {
            guard let user else { return }
            if let existing = reasons[user.id], existing.1 <= reason { return }
            reasons[user.id] = (user, reason)
        }
        add(bug.assignedTo, .assignee)
        add(bug.reporter, .reporter)
        if policy.useQAContact { add(bug.qaContact, .qaContact) }
        for person in bug.cc { add(person, .cc) }
        for person in watchers { add(person, .watcher) }
        for (person, reason) in former { add(person, reason) }
        return reasons.values.sorted { $0.0.id < $1.0.id }.map { ($0.0, $0.1) }
    }

    /// The logins a change set took off the bug, with the role they had.
    public static func formerPeople(in changes: [FieldChange]) -> [(login: String, reason: MailReason)] {
        let roles: [String: MailReason] = ["assigned_to": .assignee, "qa_contact": .qaContact, "cc": .cc]
        return changes.flatMap { change -> [(login: String, reason: MailReason)] in
            guard let reason = roles[change.field] else { return [] }
            return change.removed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                .map { ($0, reason) }
        }
    }

    /// The kinds of change an event makes.
    public static func kinds(of event: BugEvent, comments: [Comment]) -> Set<ChangeKind> {
        if event.isNew { return [.newBug] }
        var kinds = Set<ChangeKind>()
        if comments.contains(where: { $0.attachmentID == nil }) { kinds.insert(.comment) }
        if comments.contains(where: { $0.attachmentID != nil }) { kinds.insert(.attachment) }
        for change in event.changes {
            switch change.field {
            case _ where change.attachmentID != nil: kinds.insert(.attachment)
            case "status", "resolution", "dupe_of": kinds.insert(.status)
            case "assigned_to", "qa_contact": kinds.insert(.assignment)
            case "cc": kinds.insert(.cc)
            default: kinds.insert(.otherFields)
            }
        }
        return kinds
    }

    /// What `principal` may be told of a change set: nothing if they can't see the bug;
    /// otherwise the comments they may see (private ones are for insiders) and `changes`, which the
    /// caller has already cleared of hidden bugs and private attachments. Nil when nothing is left.
    public static func view(
        bug: Bug, changes: [FieldChange], comments: [Comment], isNew: Bool, for principal: Principal, policy: Policy
    ) -> (changes: [FieldChange], comments: [Comment])? {
        guard Visibility.canSee(bug, principal, policy: policy) else { return nil }
        let shownComments = comments.filter { Visibility.canSee($0, principal, policy: policy) }
        guard isNew || !shownComments.isEmpty || !changes.isEmpty else { return nil }
        return (changes, shownComments)
    }

    /// Whether someone who opted out of `optedOut` still wants a change of these kinds: yes if
    /// any of its kinds is one they did not turn off.
    public static func wants(_ kinds: Set<ChangeKind>, optedOut: Set<ChangeKind>) -> Bool {
        !kinds.subtracting(optedOut).isEmpty
    }
}
