/// Who may change which field of a bug (Bugzilla's `check_can_change_field`).
public enum FieldPermissions {
    /// Whether `principal` may change `field` of `bug` from `old` to `new`.
    public static func canChange(
        _ field: String, of bug: Bug, from old: String, to new: String,
        by principal: Principal, workflow: Workflow, policy: Policy
    ) -> Bool {
        guard let user = principal.user else { return false }
        if principal.has(.editbugs) { return true }
        if field == "cc", old.isEmpty || new.isEmpty, old == user.login || new == user.login {
            return true  // anyone may add or remove themselves
        }
        if confirms(field: field, from: old, to: new, workflow: workflow) {
            return principal.has(.canconfirm)
        }
        if bug.assignedTo.id == user.id { return true }
        if policy.useQAContact, bug.qaContact?.id == user.id { return true }
        guard bug.reporter.id == user.id else { return false }
        switch field {
        case "assigned_to", "qa_contact", "target_milestone":
            return false
        case "priority":
            return policy.letSubmitterChoosePriority
        case "status":
            let wasOpen = workflow.isOpen(old)
            let isOpen = workflow.isOpen(new)
            if wasOpen, new == workflow.unconfirmedStatus { return false }
            return !(wasOpen && isOpen)
        default:
            return true
        }
    }

    /// Moving a bug out of the unconfirmed state needs `canconfirm`.
    private static func confirms(field: String, from old: String, to new: String, workflow: Workflow) -> Bool {
        guard field == "status", let unconfirmed = workflow.unconfirmedStatus else { return false }
        return old == unconfirmed && new != unconfirmed && workflow.isOpen(new)
    }
}
