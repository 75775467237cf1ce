import BugZotDomain
import Testing

@Suite("Filing a bug: its initial status")
struct InitialStatusTests {
    let rules = Stage.rules()

    @Test("starts NEW for someone who may confirm bugs", arguments: [Principal.confirmer, .editor, .admin])
    func confirmedForPowerUsers(_ principal: Principal) throws {
        let bug = try rules.newBug(from: Stage.draft(), by: principal)
        #expect(bug.status == "NEW")
        #expect(bug.isConfirmed)
    }

    @Test("starts UNCONFIRMED for someone without canconfirm when the product allows unconfirmed bugs")
    func unconfirmedForOthers() throws {
        let bug = try rules.newBug(from: Stage.draft(), by: .reporter)
        #expect(bug.status == "UNCONFIRMED")
        #expect(!bug.isConfirmed)
    }

    @Test("starts NEW for someone without canconfirm when the product does not allow unconfirmed bugs")
    func confirmedWhenProductHasNoUnconfirmed() throws {
        let bug = try rules.newBug(from: Stage.draft(product: Stage.gadget), by: .reporter)
        #expect(bug.status == "NEW")
        #expect(bug.isConfirmed)
    }

    @Test("starts in the Bugzilla 5 workflow's CONFIRMED for someone who may confirm")
    func bugzilla5Default() throws {
        let bug = try Stage.rules(.bugzilla5).newBug(from: Stage.draft(), by: .confirmer)
        #expect(bug.status == "CONFIRMED")
    }

    @Test("starts in a requested legal initial status")
    func requestedStatus() throws {
        var draft = Stage.draft()
        draft.status = "ASSIGNED"
        #expect(try rules.newBug(from: draft, by: .editor).status == "ASSIGNED")
    }

    @Test("starts UNCONFIRMED even when someone without canconfirm asks for a confirmed status")
    func requestedStatusNeedsCanconfirm() throws {
        var draft = Stage.draft()
        draft.status = "NEW"
        #expect(try rules.newBug(from: draft, by: .reporter).status == "UNCONFIRMED")
    }

    @Test("refuses an initial status the workflow does not allow for a new bug", arguments: ["RESOLVED", "REOPENED", "VERIFIED", "CLOSED", "BOGUS"])
    func illegalInitialStatus(_ status: String) {
        var draft = Stage.draft()
        draft.status = status
        #expect(throws: DomainError.illegalStatusTransition(from: "", to: status)) {
            try rules.newBug(from: draft, by: .editor)
        }
    }

    @Test("refuses UNCONFIRMED in a product that does not allow unconfirmed bugs")
    func unconfirmedNotAllowed() {
        var draft = Stage.draft(product: Stage.gadget)
        draft.status = "UNCONFIRMED"
        #expect(throws: DomainError.illegalStatusTransition(from: "", to: "UNCONFIRMED")) {
            try rules.newBug(from: draft, by: .editor)
        }
    }
}

@Suite("Filing a bug: closed initial statuses")
struct ClosedInitialStatusTests {
    /// Like classic, but a bug may be filed straight into RESOLVED.
    static let workflow: Workflow = {
        var workflow = Workflow.classic
        workflow.transitions.append(.init(from: nil, to: "RESOLVED"))
        return workflow
    }()
    let rules = Stage.rules(workflow)

    @Test("a bug filed closed needs a resolution")
    func needsResolution() {
        var draft = Stage.draft()
        draft.status = "RESOLVED"
        #expect(throws: DomainError.resolutionRequired) { try rules.newBug(from: draft, by: .editor) }
    }

    @Test("a bug filed closed with an empty resolution is refused too")
    func emptyResolution() {
        var draft = Stage.draft()
        draft.status = "RESOLVED"
        draft.resolution = ""
        #expect(throws: DomainError.resolutionRequired) { try rules.newBug(from: draft, by: .editor) }
    }

    @Test("a bug filed closed keeps its resolution")
    func keepsResolution() throws {
        var draft = Stage.draft()
        draft.status = "RESOLVED"
        draft.resolution = "WORKSFORME"
        let bug = try rules.newBug(from: draft, by: .editor)
        #expect(bug.status == "RESOLVED")
        #expect(bug.resolution == "WORKSFORME")
    }

    @Test("a bug filed closed with an unknown resolution is refused")
    func unknownResolution() {
        var draft = Stage.draft()
        draft.status = "RESOLVED"
        draft.resolution = "SHRUG"
        #expect(throws: DomainError.invalidFieldValue(field: "resolution", value: "SHRUG")) {
            try rules.newBug(from: draft, by: .editor)
        }
    }

    @Test("a bug filed open may not carry a resolution")
    func openWithResolution() {
        var draft = Stage.draft()
        draft.resolution = "FIXED"
        #expect(throws: DomainError.resolutionNotAllowed("You cannot set a resolution on a bug that is open.")) {
            try rules.newBug(from: draft, by: .editor)
        }
    }
}

@Suite("Filing a bug: defaults and validation")
struct FilingTests {
    let rules = Stage.rules()

    @Test("is assigned to the component's default assignee with its default QA contact")
    func componentDefaults() throws {
        let bug = try rules.newBug(from: Stage.draft(), by: .reporter)
        #expect(bug.assignedTo == People.assignee)
        #expect(bug.qaContact == People.qaContact)
    }

    @Test("takes the defaults of the component it is filed in")
    func otherComponentDefaults() throws {
        let bug = try rules.newBug(from: Stage.draft(component: "Backend"), by: .reporter)
        #expect(bug.assignedTo == People.backendLead)
        #expect(bug.qaContact == nil)
    }

    @Test("an explicit assignee and QA contact win over the component's defaults")
    func explicitPeople() throws {
        var draft = Stage.draft()
        draft.assignedTo = People.editor
        draft.qaContact = People.insider
        let bug = try rules.newBug(from: draft, by: .editor)
        #expect(bug.assignedTo == People.editor)
        #expect(bug.qaContact == People.insider)
    }

    @Test("has no QA contact when the installation does not use QA contacts")
    func noQAContacts() throws {
        let bug = try Stage.rules(policy: Policy(useQAContact: false)).newBug(from: Stage.draft(), by: .reporter)
        #expect(bug.qaContact == nil)
    }

    @Test("records the reporter, the product's classification and the filing time")
    func reporterAndTimes() throws {
        let bug = try rules.newBug(from: Stage.draft(), by: .reporter)
        #expect(bug.reporter == People.reporter)
        #expect(bug.product == "Widget")
        #expect(bug.classification == "Unclassified")
        #expect(bug.creationTime == Stage.now)
        #expect(bug.lastChangeTime == Stage.now)
        #expect(bug.id == 0)
    }

    @Test("gets the fallback severity, priority, OS and platform when none are given")
    func selectFallbacks() throws {
        let bug = try rules.newBug(from: Stage.draft(), by: .reporter)
        #expect(bug.severity == "normal")
        #expect(bug.priority == "---")
        #expect(bug.opSys == "All")
        #expect(bug.platform == "All")
    }

    @Test("gets the product's default milestone when none is given")
    func defaultMilestone() throws {
        #expect(try rules.newBug(from: Stage.draft(), by: .reporter).targetMilestone == "---")
    }

    @Test("keeps the summary without surrounding white space")
    func trimsSummary() throws {
        #expect(try rules.newBug(from: Stage.draft(summary: "  Falls over \n"), by: .reporter).summary == "Falls over")
    }

    @Test("requires a summary", arguments: ["", "   ", "\n\t"])
    func summaryRequired(_ summary: String) {
        #expect(throws: DomainError.summaryRequired) { try rules.newBug(from: Stage.draft(summary: summary), by: .reporter) }
    }

    @Test("refuses a summary longer than the policy allows")
    func summaryTooLong() {
        let rules = Stage.rules(policy: Policy(maximumSummaryLength: 10))
        #expect(throws: DomainError.invalidParameter(parameter: "summary", reason: "longer than 10 characters.")) {
            try rules.newBug(from: Stage.draft(summary: "Eleven char"), by: .reporter)
        }
    }

    @Test("refuses a component the product does not have")
    func unknownComponent() {
        #expect(throws: DomainError.invalidComponent(component: "Nope", product: "Widget")) {
            try rules.newBug(from: Stage.draft(component: "Nope"), by: .reporter)
        }
    }

    @Test("refuses an inactive component")
    func inactiveComponent() {
        #expect(throws: DomainError.invalidComponent(component: "Legacy", product: "Widget")) {
            try rules.newBug(from: Stage.draft(component: "Legacy"), by: .reporter)
        }
    }

    @Test("refuses a version the product does not have, or no longer offers", arguments: ["3.0", "0.9"])
    func unknownVersion(_ version: String) {
        #expect(throws: DomainError.objectNotFound(kind: "version", name: version)) {
            try rules.newBug(from: Stage.draft(version: version), by: .reporter)
        }
    }

    @Test("refuses a milestone the product does not have")
    func unknownMilestone() {
        var draft = Stage.draft()
        draft.targetMilestone = "M9"
        #expect(throws: DomainError.objectNotFound(kind: "milestone", name: "M9")) { try rules.newBug(from: draft, by: .editor) }
    }

    @Test("refuses a severity outside the catalog")
    func unknownSeverity() {
        var draft = Stage.draft()
        draft.severity = "apocalyptic"
        #expect(throws: DomainError.invalidFieldValue(field: "severity", value: "apocalyptic")) {
            try rules.newBug(from: draft, by: .reporter)
        }
    }

    @Test("refuses a priority, OS or platform outside the catalog")
    func unknownOtherSelectFields() {
        var draft = Stage.draft()
        draft.priority = "P0"
        #expect(throws: DomainError.invalidFieldValue(field: "priority", value: "P0")) { try rules.newBug(from: draft, by: .reporter) }
        draft = Stage.draft()
        draft.opSys = "Plan 9"
        #expect(throws: DomainError.invalidFieldValue(field: "op_sys", value: "Plan 9")) { try rules.newBug(from: draft, by: .reporter) }
        draft = Stage.draft()
        draft.platform = "VAX"
        #expect(throws: DomainError.invalidFieldValue(field: "platform", value: "VAX")) { try rules.newBug(from: draft, by: .reporter) }
    }

    @Test("refuses a keyword the catalog does not define")
    func unknownKeyword() {
        var draft = Stage.draft()
        draft.keywords = ["crash", "spooky"]
        #expect(throws: DomainError.invalidFieldValue(field: "keyword", value: "spooky")) { try rules.newBug(from: draft, by: .reporter) }
    }

    @Test("refuses an alias that is not valid")
    func invalidAlias() {
        var draft = Stage.draft()
        draft.aliases = ["12345"]
        #expect(throws: DomainError.invalidAlias("12345")) { try rules.newBug(from: draft, by: .reporter) }
    }

    @Test("refuses a deadline that is not a date")
    func invalidDeadline() {
        var draft = Stage.draft()
        draft.deadline = "next week"
        #expect(throws: DomainError.illegalDate("next week")) { try rules.newBug(from: draft, by: .reporter) }
    }

    @Test("lists CC, keywords and dependencies once each")
    func listsWithoutRepeats() throws {
        var draft = Stage.draft()
        draft.cc = [People.editor, People.insider, People.editor]
        draft.keywords = ["crash", "crash"]
        draft.blocks = [7, 7, 8]
        draft.dependsOn = [3, 3]
        let bug = try rules.newBug(from: draft, by: .reporter)
        #expect(bug.cc == [People.editor, People.insider])
        #expect(bug.keywords == ["crash"])
        #expect(bug.blocks == [7, 8])
        #expect(bug.dependsOn == [3])
    }

    @Test("requires a signed-in reporter")
    func anonymous() {
        #expect(throws: DomainError.loginRequired) { try rules.newBug(from: Stage.draft(), by: .anonymous) }
    }

    @Test("may not be filed in an inactive product")
    func inactiveProduct() {
        var product = Stage.widget
        product.isActive = false
        #expect(throws: DomainError.productNotEnterable("Widget")) {
            try rules.newBug(from: Stage.draft(product: product), by: .reporter)
        }
    }
}

@Suite("Filing a bug: groups and privacy")
struct FilingRestrictionsTests {
    let rules = Stage.rules()

    @Test("may be restricted to bug groups the reporter is in")
    func memberGroups() throws {
        var draft = Stage.draft()
        draft.groups = ["secret"]
        let bug = try rules.newBug(from: draft, by: .signedIn(People.reporter, "secret"))
        #expect(bug.groups == ["secret"])
    }

    @Test("is public when no groups are given")
    func noGroups() throws {
        #expect(try rules.newBug(from: Stage.draft(), by: .reporter).groups.isEmpty)
    }

    @Test("may not be restricted to a group the reporter is not in")
    func foreignGroup() {
        var draft = Stage.draft()
        draft.groups = ["secret", "partners"]
        #expect(throws: DomainError.groupNotAllowed("partners")) {
            try rules.newBug(from: draft, by: .signedIn(People.reporter, "secret"))
        }
    }

    @Test("may not be restricted to a group that is not a bug group, even by a member")
    func notABugGroup() {
        var draft = Stage.draft()
        draft.groups = ["editbugs"]
        #expect(throws: DomainError.groupNotAllowed("editbugs")) { try rules.newBug(from: draft, by: .editor) }
    }

    @Test("may have a private description only when filed by an insider")
    func privateDescriptionNeedsInsider() {
        var draft = Stage.draft()
        draft.descriptionIsPrivate = true
        #expect(throws: DomainError.notInsider) { try rules.newBug(from: draft, by: .reporter) }
    }

    @Test("an insider may file a bug with a private description")
    func insiderMayHidePrivateDescription() {
        var draft = Stage.draft()
        draft.descriptionIsPrivate = true
        #expect(throws: Never.self) { try rules.newBug(from: draft, by: .insider) }
    }

    @Test("refuses a description longer than the policy allows")
    func descriptionTooLong() {
        var draft = Stage.draft()
        draft.description = String(repeating: "x", count: 21)
        #expect(throws: DomainError.commentTooLong(limit: 20)) {
            try Stage.rules(policy: Policy(maximumCommentLength: 20)).newBug(from: draft, by: .reporter)
        }
    }
}

@Suite("Filing a bug obeys the field permissions of changes")
struct FilingPermissionTests {
    let rules = Stage.rules()

    static func draft(setting field: String) -> BugDraft {
        var draft = Stage.draft()
        switch field {
        case "assigned_to": draft.assignedTo = People.stranger
        case "qa_contact": draft.qaContact = People.stranger
        case "target_milestone": draft.targetMilestone = "M1"
        case "priority": draft.priority = "High"
        default: Issue.record("no draft for \(field)")
        }
        return draft
    }

    @Test("a reporter without editbugs may not choose the assignee, QA contact or target milestone", arguments: ["assigned_to", "qa_contact", "target_milestone"])
    func restrictedForReporters(_ field: String) {
        #expect(throws: DomainError.illegalChange(field: field)) { try rules.newBug(from: Self.draft(setting: field), by: .reporter) }
        #expect(throws: DomainError.illegalChange(field: field)) { try rules.newBug(from: Self.draft(setting: field), by: .confirmer) }
    }

    @Test("editbugs may choose them", arguments: ["assigned_to", "qa_contact", "target_milestone"])
    func allowedForEditors(_ field: String) throws {
        _ = try rules.newBug(from: Self.draft(setting: field), by: .editor)
    }

    @Test("the component's default assignee, who would be the bug's assignee, may choose them as on any bug of theirs", arguments: ["assigned_to", "qa_contact", "target_milestone"])
    func allowedForTheAssignee(_ field: String) throws {
        _ = try rules.newBug(from: Self.draft(setting: field), by: .assignee)
    }

    @Test("the priority is the reporter's only where the policy lets submitters choose it")
    func priority() throws {
        _ = try Stage.rules(policy: Policy(letSubmitterChoosePriority: true)).newBug(from: Self.draft(setting: "priority"), by: .reporter)
        #expect(throws: DomainError.illegalChange(field: "priority")) {
            try Stage.rules(policy: Policy(letSubmitterChoosePriority: false)).newBug(from: Self.draft(setting: "priority"), by: .reporter)
        }
    }

    @Test("giving a field its default value is no choice")
    func defaultsAreNoChoice() throws {
        var draft = Stage.draft()
        draft.assignedTo = People.assignee
        draft.qaContact = People.qaContact
        draft.targetMilestone = "---"
        let bug = try rules.newBug(from: draft, by: .reporter)
        #expect(bug.assignedTo == People.assignee && bug.targetMilestone == "---")
    }

    @Test("a reporter may not move a new bug between two open statuses where the product has no unconfirmed state")
    func openStatusForReporters() throws {
        var draft = Stage.draft(product: Stage.gadget)
        draft.status = "ASSIGNED"
        #expect(throws: DomainError.illegalChange(field: "status")) { try rules.newBug(from: draft, by: .reporter) }
        #expect(try rules.newBug(from: draft, by: .confirmer).status == "ASSIGNED")
    }

    @Test("a reporter may choose everything else a reporter may change")
    func reporterChoices() throws {
        var draft = Stage.draft()
        draft.severity = "critical"
        draft.opSys = "Linux"
        draft.keywords = ["crash"]
        draft.cc = [People.stranger]
        draft.url = "https://example.com/steps"
        draft.whiteboard = "triage"
        draft.deadline = "2030-01-01"
        draft.aliases = ["falls-over"]
        let bug = try rules.newBug(from: draft, by: .reporter)
        #expect(bug.severity == "critical" && bug.keywords == ["crash"] && bug.cc == [People.stranger] && bug.deadline == "2030-01-01")
    }

    @Test("a form offers a field only to those the rules let choose it")
    func formFields() {
        func offered(_ field: String, to principal: Principal, policy: Policy = Policy()) -> Bool {
            FieldPermissions.canSetWhenFiling(field, in: Stage.frontend, of: Stage.widget, by: principal, workflow: .classic, policy: policy)
        }
        for field in ["assigned_to", "qa_contact", "target_milestone"] {
            #expect(!offered(field, to: .reporter) && !offered(field, to: .anonymous) && offered(field, to: .editor))
        }
        #expect(offered("severity", to: .reporter) && offered("priority", to: .reporter))
        #expect(!offered("priority", to: .reporter, policy: Policy(letSubmitterChoosePriority: false)))
        #expect(offered("priority", to: .editor, policy: Policy(letSubmitterChoosePriority: false)))
    }
}
