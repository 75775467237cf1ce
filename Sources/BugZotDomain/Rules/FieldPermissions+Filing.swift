import Foundation

/// Filing obeys the rules of changing: whatever a filer chooses beyond what choosing nothing
/// gives is a change, by its reporter, of the bug those defaults make — allowed exactly when
/// `canChange` allows it. Those who may confirm bugs also choose the initial status (as in
/// Bugzilla); people without canconfirm start unconfirmed where the product allows it (decided
/// before this check, by the workflow rules).
extension FieldPermissions {
    /// The bug `reporter` gets by filing in `component` with nothing but the required fields.
    public static func filingBaseline(
        for reporter: UserSummary, in component: Component, of product: Product, status: String, policy: Policy, at now: Date
    ) -> Bug {
        Bug(
            id: 0, product: product.name, classification: product.classification, component: component.name, version: "",
            targetMilestone: product.defaultMilestone, summary: "", status: status,
            severity: SelectField.severity.fallback, priority: SelectField.priority.fallback,
            opSys: SelectField.opSys.fallback, platform: SelectField.platform.fallback,
            reporter: reporter, assignedTo: component.defaultAssignee,
            qaContact: policy.useQAContact ? component.defaultQAContact : nil, creationTime: now, lastChangeTime: now)
    }

    /// Refuses (115, naming the field) the first choice in `bug` that `principal` may not make
    /// on `baseline`.
    public static func checkFiling(_ bug: Bug, from baseline: Bug, by principal: Principal, workflow: Workflow, policy: Policy)
        throws(DomainError)
    {
        for change in BugRules.changes(from: baseline, to: bug) {
            if change.field == "status", principal.has(.canconfirm) { continue }
            guard canChange(change.field, of: baseline, from: change.removed, to: change.added, by: principal, workflow: workflow, policy: policy)
            else { throw .illegalChange(field: change.field) }
        }
    }

    /// Whether `principal` may give `field` a value of their own when filing in `component` (so a
    /// form offers the field only then). For fields whose rule does not depend on the value: not
    /// the status.
    public static func canSetWhenFiling(
        _ field: String, in component: Component, of product: Product, by principal: Principal, workflow: Workflow, policy: Policy
    ) -> Bool {
        guard let user = principal.user else { return false }
        let baseline = filingBaseline(for: user, in: component, of: product, status: workflow.defaultStatus, policy: policy, at: .distantPast)
        // A value no real one equals: whether any choice of the field is allowed.
        return canChange(field, of: baseline, from: "", to: "\u{1}", by: principal, workflow: workflow, policy: policy)
    }
}
