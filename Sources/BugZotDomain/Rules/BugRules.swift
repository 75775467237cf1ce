import Foundation

/// The rules for filing and changing bugs. Pure: callers resolve names and load what is needed.
public struct BugRules: Sendable {
    public var workflow: Workflow
    public var catalog: FieldCatalog
    public var policy: Policy
    /// Names of the groups bugs may be restricted to.
    public var bugGroups: Set<String>

    public init(workflow: Workflow, catalog: FieldCatalog, policy: Policy, bugGroups: Set<String>) {
        self.workflow = workflow
        self.catalog = catalog
        self.policy = policy
        self.bugGroups = bugGroups
    }

    // MARK: Filing

    /// The bug a draft becomes (its id still 0), or why it can't be filed. Choices beyond the
    /// defaults obey the field permissions of changes (`FieldPermissions.checkFiling`).
    public func newBug(from draft: BugDraft, by principal: Principal, at now: Date) throws(DomainError) -> Bug {
        let reporter = try principal.requireUser()
        let product = draft.product
        guard product.isActive else { throw .productNotEnterable(product.name) }
        let summary = try checkedSummary(draft.summary)
        try checkText(of: draft)
        if draft.descriptionIsPrivate, !policy.isInsider(principal) { throw .notInsider }
        guard let component = product.component(named: draft.component), component.isActive else {
            throw .invalidComponent(component: draft.component, product: product.name)
        }
        guard product.versions.contains(where: { $0.name == draft.version && $0.isActive }) else {
            throw .objectNotFound(kind: "version", name: draft.version)
        }
        let milestone = draft.targetMilestone ?? product.defaultMilestone
        try checkMilestone(milestone, in: product)
        let status = try initialStatus(requested: draft.status, product: product, principal: principal)
        var resolution = ""
        if !workflow.isOpen(status) {
            guard let requested = draft.resolution, !requested.isEmpty else { throw .resolutionRequired }
            resolution = try checkedResolution(requested)
        } else if let requested = draft.resolution, !requested.isEmpty {
            throw .resolutionNotAllowed("You cannot set a resolution on a bug that is open.")
        }
        let groups = draft.groups ?? []
        for group in groups where !bugGroups.contains(group) || !principal.isMember(of: group) {
            throw .groupNotAllowed(group)
        }
        try policy.checkListSizes([
            ("alias", draft.aliases.count), ("keywords", draft.keywords.count), ("blocks", draft.blocks.count),
            ("depends_on", draft.dependsOn.count), ("cc", draft.cc.count), ("groups", groups.count),
        ])
        try checkAliases(draft.aliases)
        try checkKeywords(draft.keywords)
        if let deadline = draft.deadline, !InputRules.isValidDate(deadline) { throw .illegalDate(deadline) }
        let bug = Bug(
            id: 0, aliases: draft.aliases, product: product.name, classification: product.classification,
            component: component.name, version: draft.version, targetMilestone: milestone, summary: summary,
            status: status, resolution: resolution,
            severity: try catalog.validated(draft.severity ?? SelectField.severity.fallback, for: .severity),
            priority: try catalog.validated(draft.priority ?? SelectField.priority.fallback, for: .priority),
            opSys: try catalog.validated(draft.opSys ?? SelectField.opSys.fallback, for: .opSys),
            platform: try catalog.validated(draft.platform ?? SelectField.platform.fallback, for: .platform),
            reporter: reporter, assignedTo: draft.assignedTo ?? component.defaultAssignee,
            qaContact: policy.useQAContact ? (draft.qaContact ?? component.defaultQAContact) : nil,
            cc: ListEdit(add: draft.cc).applied(to: []), keywords: ListEdit(add: draft.keywords).applied(to: []),
            blocks: ListEdit(add: draft.blocks).applied(to: []), dependsOn: ListEdit(add: draft.dependsOn).applied(to: []),
            groups: groups, url: draft.url, whiteboard: draft.whiteboard, deadline: draft.deadline,
            isConfirmed: status != workflow.unconfirmedStatus, creationTime: now, lastChangeTime: now
        )
        let baseline = FieldPermissions.filingBaseline(
            for: reporter, in: component, of: product, status: try initialStatus(requested: nil, product: product, principal: principal),
            policy: policy, at: now)
        try FieldPermissions.checkFiling(bug, from: baseline, by: principal, workflow: workflow, policy: policy)
        return bug
    }

    /// A requested initial status must be a legal start; people without canconfirm start
    /// unconfirmed where the product allows it.
    private func initialStatus(requested: String?, product: Product, principal: Principal) throws(DomainError) -> String {
        let mayConfirm = principal.has(.canconfirm) || principal.has(.editbugs) || !product.allowsUnconfirmed
        let unconfirmed = product.allowsUnconfirmed ? workflow.unconfirmedStatus : nil
        guard let requested, !requested.isEmpty else {
            return mayConfirm ? workflow.defaultStatus : (unconfirmed ?? workflow.defaultStatus)
        }
        guard workflow.allows(from: nil, to: requested) else {
            throw .illegalStatusTransition(from: "", to: requested)
        }
        if requested == workflow.unconfirmedStatus, !product.allowsUnconfirmed {
            throw .illegalStatusTransition(from: "", to: requested)
        }
        if requested != unconfirmed, !mayConfirm, let unconfirmed { return unconfirmed }
        return requested
    }

    // MARK: Changing

    /// The bug after `update`, with the changes it makes, or why the change is refused.
    /// `product` is the bug's current product (components, versions, milestones).
    public func apply(
        _ update: BugUpdate, to bug: Bug, product: Product, by principal: Principal, at now: Date
    ) throws(DomainError) -> (bug: Bug, changes: [FieldChange]) {
        let user = try principal.requireUser()
        var new = bug
        let targetProduct = update.product ?? product
        if let product = update.product, product.name != bug.product {
            guard product.isActive else { throw .productNotEnterable(product.name) }
            new.product = product.name
            new.classification = product.classification
        }
        try checkText(of: update)
        if let summary = update.summary { new.summary = try checkedSummary(summary) }
        if let name = update.component ?? (update.product != nil ? bug.component : nil) {
            guard let component = targetProduct.component(named: name), component.isActive || name == bug.component else {
                throw .invalidComponent(component: name, product: targetProduct.name)
            }
            new.component = component.name
        }
        if let version = update.version ?? (update.product != nil ? bug.version : nil) {
            guard targetProduct.versions.contains(where: { $0.name == version }) else {
                throw .objectNotFound(kind: "version", name: version)
            }
            new.version = version
        }
        if let milestone = update.targetMilestone ?? (update.product != nil ? targetProduct.defaultMilestone : nil) {
            try checkMilestone(milestone, in: targetProduct)
            new.targetMilestone = milestone
        }
        if let value = update.severity { new.severity = try catalog.validated(value, for: .severity) }
        if let value = update.priority { new.priority = try catalog.validated(value, for: .priority) }
        if let value = update.opSys { new.opSys = try catalog.validated(value, for: .opSys) }
        if let value = update.platform { new.platform = try catalog.validated(value, for: .platform) }
        if let url = update.url { new.url = url }
        if let whiteboard = update.whiteboard { new.whiteboard = whiteboard }
        if let deadline = update.deadline {
            if let deadline, !InputRules.isValidDate(deadline) { throw .illegalDate(deadline) }
            new.deadline = deadline
        }
        if let value = update.isCreatorAccessible { new.isCreatorAccessible = value }
        if let value = update.isCCAccessible { new.isCCAccessible = value }
        let defaultComponent = targetProduct.component(named: new.component)
        if update.resetAssignedTo, let component = defaultComponent {
            new.assignedTo = component.defaultAssignee
        } else if let assignee = update.assignedTo {
            new.assignedTo = assignee
        }
        if update.resetQAContact {
            new.qaContact = defaultComponent?.defaultQAContact
        } else if let qaContact = update.qaContact {
            new.qaContact = qaContact
        }
        try policy.checkListSizes([
            ("alias", update.aliases.count), ("keywords", update.keywords.count), ("blocks", update.blocks.count),
            ("depends_on", update.dependsOn.count), ("cc", update.cc.count), ("groups", update.groups.count),
            ("see_also", update.seeAlso.count),
        ])
        for url in update.seeAlso.add where !InputRules.isValidSeeAlso(url) { throw .invalidSeeAlso(url) }
        try applyStatus(update, bug: bug, to: &new, taker: user)
        try checkAliases(update.aliases.add + (update.aliases.set ?? []))
        new.aliases = update.aliases.applied(to: bug.aliases)
        try checkKeywords(update.keywords.add + (update.keywords.set ?? []))
        new.keywords = update.keywords.applied(to: bug.keywords)
        new.cc = update.cc.applied(to: bug.cc)
        new.blocks = update.blocks.applied(to: bug.blocks)
        new.dependsOn = update.dependsOn.applied(to: bug.dependsOn)
        if new.blocks.contains(bug.id) || new.dependsOn.contains(bug.id)
            || !Set(new.blocks).isDisjoint(with: new.dependsOn)
        {
            throw .dependencyLoop
        }
        for group in update.groups.add where !bugGroups.contains(group) || !principal.isMember(of: group) {
            throw .groupNotAllowed(group)
        }
        for group in update.groups.remove where !principal.isMember(of: group) && !principal.has(.editbugs) {
            throw .groupNotAllowed(group)
        }
        new.groups = update.groups.applied(to: bug.groups)
        new.seeAlso = update.seeAlso.applied(to: bug.seeAlso)

        let changes = Self.changes(from: bug, to: new)
        for change in changes {
            guard FieldPermissions.canChange(
                change.field, of: bug, from: change.removed, to: change.added,
                by: principal, workflow: workflow, policy: policy)
            else { throw .illegalChange(field: change.field) }
        }
        try checkComment(update.comment, statusChange: (bug.status, new.status), principal: principal)
        if !changes.isEmpty || update.comment != nil { new.lastChangeTime = now }
        return (new, changes)
    }

    /// Status, resolution and duplicate marking move together.
    private func applyStatus(_ update: BugUpdate, bug: Bug, to new: inout Bug, taker: UserSummary) throws(DomainError) {
        var status = update.status
        var resolution = update.resolution
        if let dupeOf = update.dupeOf {
            guard dupeOf != bug.id else { throw .duplicateOfItself }
            new.dupeOf = dupeOf
            resolution = resolution ?? workflow.duplicateResolution
            guard resolution == workflow.duplicateResolution else { throw .duplicateIDRequired }
            if status == nil, workflow.isOpen(bug.status) { status = workflow.duplicateStatus }
        } else if status == nil, let taken = workflow.takenStatus, update.assignedTo?.id == taker.id,
            bug.assignedTo.id != taker.id, workflow.isOpen(bug.status), workflow.allows(from: bug.status, to: taken)
        {
            status = taken  // the assignee took the bug
        }
        if let status, status != bug.status {
            guard workflow.status(named: status) != nil, workflow.allows(from: bug.status, to: status) else {
                throw .illegalStatusTransition(from: bug.status, to: status)
            }
            new.status = status
        }
        if workflow.isOpen(new.status) {
            if let resolution, !resolution.isEmpty {
                throw .resolutionNotAllowed("You cannot set a resolution on a bug that is open.")
            }
            new.resolution = ""
            new.dupeOf = nil
            if new.status != workflow.unconfirmedStatus { new.isConfirmed = true }
        } else {
            if let resolution {
                guard !resolution.isEmpty else { throw .resolutionRequired }
                new.resolution = try checkedResolution(resolution)
            } else if workflow.isOpen(bug.status) {
                throw .resolutionRequired
            }
            if new.resolution == workflow.duplicateResolution, new.dupeOf == nil { throw .duplicateIDRequired }
            if new.resolution != workflow.duplicateResolution { new.dupeOf = nil }
        }
    }

    private func checkComment(
        _ comment: NewComment?, statusChange: (from: String, to: String), principal: Principal
    ) throws(DomainError) {
        if let comment {
            try InputRules.check(comment.text, as: .comment, limit: policy.maximumCommentLength)
            guard !comment.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .commentRequired }
            if comment.isPrivate, !policy.isInsider(principal) { throw .notInsider }
        }
        if statusChange.from != statusChange.to,
            workflow.transition(from: statusChange.from, to: statusChange.to)?.commentRequired == true,
            comment == nil
        {
            throw .commentRequired
        }
    }

    /// A comment added on its own.
    public func checkComment(_ comment: NewComment, by principal: Principal) throws(DomainError) {
        _ = try principal.requireUser()
        try checkComment(comment, statusChange: ("", ""), principal: principal)
    }

    private func checkedResolution(_ resolution: String) throws(DomainError) -> String {
        guard workflow.resolutions.contains(resolution) else { throw .invalidFieldValue(field: "resolution", value: resolution) }
        return resolution
    }

    private func checkMilestone(_ milestone: String, in product: Product) throws(DomainError) {
        guard milestone == product.defaultMilestone || product.milestones.contains(where: { $0.name == milestone }) else {
            throw .objectNotFound(kind: "milestone", name: milestone)
        }
    }

    private func checkAliases(_ aliases: [String]) throws(DomainError) {
        for alias in aliases where !InputRules.isValidAlias(alias) { throw .invalidAlias(alias) }
    }

    private func checkKeywords(_ keywords: [String]) throws(DomainError) {
        for keyword in keywords where !catalog.keywords.contains(keyword) {
            throw .invalidFieldValue(field: "keyword", value: keyword)
        }
    }

    // MARK: Change sets

    /// Every field that differs, by API name, with values as text.
    public static func changes(from old: Bug, to new: Bug) -> [FieldChange] {
        var changes: [FieldChange] = []
        func scalar(_ field: String, _ before: String, _ after: String) {
            if before != after { changes.append(FieldChange(field: field, removed: before, added: after)) }
        }
        func list<T: Hashable>(_ field: String, _ before: [T], _ after: [T], _ text: (T) -> String) {
            let (beforeSet, afterSet) = (Set(before), Set(after))
            let removed = before.filter { !afterSet.contains($0) }.map(text)
            let added = after.filter { !beforeSet.contains($0) }.map(text)
            if !removed.isEmpty || !added.isEmpty {
                changes.append(FieldChange(field: field, removed: removed.joined(separator: ", "), added: added.joined(separator: ", ")))
            }
        }
        scalar("summary", old.summary, new.summary)
        scalar("product", old.product, new.product)
        scalar("component", old.component, new.component)
        scalar("version", old.version, new.version)
        scalar("target_milestone", old.targetMilestone, new.targetMilestone)
        scalar("status", old.status, new.status)
        scalar("resolution", old.resolution, new.resolution)
        scalar("dupe_of", old.dupeOf.map(String.init) ?? "", new.dupeOf.map(String.init) ?? "")
        scalar("severity", old.severity, new.severity)
        scalar("priority", old.priority, new.priority)
        scalar("op_sys", old.opSys, new.opSys)
        scalar("platform", old.platform, new.platform)
        scalar("assigned_to", old.assignedTo.login, new.assignedTo.login)
        scalar("qa_contact", old.qaContact?.login ?? "", new.qaContact?.login ?? "")
        scalar("url", old.url, new.url)
        scalar("whiteboard", old.whiteboard, new.whiteboard)
        scalar("deadline", old.deadline ?? "", new.deadline ?? "")
        scalar("is_creator_accessible", old.isCreatorAccessible ? "1" : "0", new.isCreatorAccessible ? "1" : "0")
        scalar("is_cc_accessible", old.isCCAccessible ? "1" : "0", new.isCCAccessible ? "1" : "0")
        list("alias", old.aliases, new.aliases) { $0 }
        list("cc", old.cc, new.cc) { $0.login }
        list("keywords", old.keywords, new.keywords) { $0 }
        list("blocks", old.blocks, new.blocks) { String($0) }
        list("depends_on", old.dependsOn, new.dependsOn) { String($0) }
        list("groups", old.groups, new.groups) { $0 }
        list("see_also", old.seeAlso, new.seeAlso) { $0 }
        return changes
    }

    /// The history other bugs get when this bug's dependencies change: adding 5 to `blocks`
    /// of bug 1 adds 1 to `depends_on` of bug 5.
    public static func reciprocalChanges(of bugID: Int, from old: Bug, to new: Bug) -> [Int: [FieldChange]] {
        var result: [Int: [FieldChange]] = [:]
        func record(_ ids: [Int], field: String, added: Bool) {
            for id in ids {
                result[id, default: []].append(
                    FieldChange(field: field, removed: added ? "" : String(bugID), added: added ? String(bugID) : ""))
            }
        }
        record(new.blocks.filter { !old.blocks.contains($0) }, field: "depends_on", added: true)
        record(old.blocks.filter { !new.blocks.contains($0) }, field: "depends_on", added: false)
        record(new.dependsOn.filter { !old.dependsOn.contains($0) }, field: "blocks", added: true)
        record(old.dependsOn.filter { !new.dependsOn.contains($0) }, field: "blocks", added: false)
        return result
    }
}
