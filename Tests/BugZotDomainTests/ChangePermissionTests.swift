import BugZotDomain
import Testing

@Suite("Who may change what on a bug")
struct ChangePermissionTests {
    let rules = Stage.rules()

    // MARK: Nobody signed in

    @Test("an anonymous visitor may change nothing")
    func anonymous() {
        #expect(throws: DomainError.loginRequired) {
            try rules.apply(.with { $0.summary = "Hijacked" }, to: Stage.bug(), by: .anonymous)
        }
    }

    @Test("an anonymous visitor may not even add a comment through an update")
    func anonymousComment() {
        let update = BugUpdate.with { $0.comment = NewComment(text: "Hi", isPrivate: false) }
        #expect(throws: DomainError.loginRequired) { try rules.apply(update, to: Stage.bug(), by: .anonymous) }
    }

    // MARK: The reporter

    @Test("the reporter without editbugs may not reassign the bug")
    func reporterReassigns() {
        #expect(throws: DomainError.illegalChange(field: "assigned_to")) {
            try rules.apply(.with { $0.assignedTo = People.insider }, to: Stage.bug(), by: .reporter)
        }
    }

    @Test("the reporter without editbugs may not change the QA contact")
    func reporterChangesQAContact() {
        #expect(throws: DomainError.illegalChange(field: "qa_contact")) {
            try rules.apply(.with { $0.qaContact = .some(People.insider) }, to: Stage.bug(), by: .reporter)
        }
    }

    @Test("the reporter without editbugs may not change the target milestone")
    func reporterChangesMilestone() {
        #expect(throws: DomainError.illegalChange(field: "target_milestone")) {
            try rules.apply(.with { $0.targetMilestone = "M1" }, to: Stage.bug(), by: .reporter)
        }
    }

    @Test("the reporter without editbugs may not move the bug between two open statuses")
    func reporterMovesBetweenOpenStatuses() {
        #expect(throws: DomainError.illegalChange(field: "status")) {
            try rules.apply(.with { $0.status = "ASSIGNED" }, to: Stage.bug(), by: .reporter)
        }
    }

    @Test("the reporter without canconfirm may not confirm their own bug")
    func reporterConfirms() {
        #expect(throws: DomainError.illegalChange(field: "status")) {
            try rules.apply(.with { $0.status = "NEW" }, to: Stage.bug(status: "UNCONFIRMED"), by: .reporter)
        }
    }

    @Test("the reporter may close their own bug")
    func reporterCloses() throws {
        let bug = try rules.apply(.with { $0.status = "RESOLVED"; $0.resolution = "WORKSFORME" }, to: Stage.bug(), by: .reporter).bug
        #expect(bug.status == "RESOLVED")
        #expect(bug.resolution == "WORKSFORME")
    }

    @Test("the reporter may reopen their own bug")
    func reporterReopens() throws {
        let bug = try rules.apply(.with { $0.status = "REOPENED" }, to: Stage.bug(status: "RESOLVED", resolution: "FIXED"), by: .reporter).bug
        #expect(bug.status == "REOPENED")
    }

    @Test("the reporter may change the other fields of their own bug")
    func reporterEditsFreely() throws {
        let update = BugUpdate.with {
            $0.summary = "The widget falls over on Tuesdays"
            $0.severity = "major"
            $0.whiteboard = "[needs-info]"
        }
        let bug = try rules.apply(update, to: Stage.bug(), by: .reporter).bug
        #expect(bug.summary == "The widget falls over on Tuesdays")
        #expect(bug.severity == "major")
    }

    @Test("the reporter may choose the priority only when the policy lets submitters choose it")
    func reporterPriority() {
        let update = BugUpdate.with { $0.priority = "High" }
        #expect(throws: Never.self) { try Stage.rules(policy: Policy(letSubmitterChoosePriority: true)).apply(update, to: Stage.bug(), by: .reporter) }
        #expect(throws: DomainError.illegalChange(field: "priority")) {
            try Stage.rules(policy: Policy(letSubmitterChoosePriority: false)).apply(update, to: Stage.bug(), by: .reporter)
        }
    }

    // MARK: Strangers

    @Test("someone with no part in the bug and no editbugs may not change it")
    func strangerChangesSummary() {
        #expect(throws: DomainError.illegalChange(field: "summary")) {
            try rules.apply(.with { $0.summary = "Mine now" }, to: Stage.bug(), by: .stranger)
        }
    }

    @Test("someone with no part in the bug may not close it")
    func strangerCloses() {
        #expect(throws: DomainError.illegalChange(field: "status")) {
            try rules.apply(.with { $0.status = "RESOLVED"; $0.resolution = "INVALID" }, to: Stage.bug(), by: .stranger)
        }
    }

    @Test("someone with no part in the bug may still comment on it")
    func strangerComments() {
        let update = BugUpdate.with { $0.comment = NewComment(text: "I see this too.", isPrivate: false) }
        #expect(throws: Never.self) { try rules.apply(update, to: Stage.bug(), by: .stranger) }
    }

    // MARK: CC

    @Test("anyone may add themselves to the CC list")
    func addSelfToCC() throws {
        let (bug, changes) = try rules.apply(.with { $0.cc = ListEdit(add: [People.stranger]) }, to: Stage.bug(), by: .stranger)
        #expect(bug.cc == [People.stranger])
        #expect(changes == [FieldChange(field: "cc", removed: "", added: People.stranger.login)])
    }

    @Test("anyone may remove themselves from the CC list")
    func removeSelfFromCC() throws {
        let watched = Stage.bug(cc: [People.stranger, People.insider])
        let (bug, changes) = try rules.apply(.with { $0.cc = ListEdit(remove: [People.stranger]) }, to: watched, by: .stranger)
        #expect(bug.cc == [People.insider])
        #expect(changes == [FieldChange(field: "cc", removed: People.stranger.login, added: "")])
    }

    @Test("someone with no part in the bug may not add others to the CC list")
    func addOthersToCC() {
        #expect(throws: DomainError.illegalChange(field: "cc")) {
            try rules.apply(.with { $0.cc = ListEdit(add: [People.insider]) }, to: Stage.bug(), by: .stranger)
        }
    }

    @Test("someone with no part in the bug may not add themselves and another together")
    func addSelfAndOtherToCC() {
        #expect(throws: DomainError.illegalChange(field: "cc")) {
            try rules.apply(.with { $0.cc = ListEdit(add: [People.stranger, People.insider]) }, to: Stage.bug(), by: .stranger)
        }
    }

    // MARK: The bug's people and the empowered

    @Test("the assignee may change anything, such as the milestone and the status")
    func assigneeEdits() throws {
        let bug = try rules.apply(.with { $0.targetMilestone = "M1"; $0.status = "ASSIGNED" }, to: Stage.bug(), by: .assignee).bug
        #expect(bug.targetMilestone == "M1")
        #expect(bug.status == "ASSIGNED")
    }

    @Test("the assignee without canconfirm may not confirm the bug")
    func assigneeConfirms() {
        #expect(throws: DomainError.illegalChange(field: "status")) {
            try rules.apply(.with { $0.status = "NEW" }, to: Stage.bug(status: "UNCONFIRMED"), by: .assignee)
        }
    }

    @Test("the QA contact may change anything while the installation uses QA contacts")
    func qaContactEdits() throws {
        let update = BugUpdate.with { $0.targetMilestone = "M1" }
        #expect(try rules.apply(update, to: Stage.bug(), by: .qaContact).bug.targetMilestone == "M1")
        #expect(throws: DomainError.illegalChange(field: "target_milestone")) {
            try Stage.rules(policy: Policy(useQAContact: false)).apply(update, to: Stage.bug(), by: .qaContact)
        }
    }

    @Test("canconfirm lets someone with no part in the bug confirm it, and nothing else")
    func confirmerConfirms() throws {
        #expect(try rules.apply(.with { $0.status = "NEW" }, to: Stage.bug(status: "UNCONFIRMED"), by: .confirmer).bug.status == "NEW")
        #expect(throws: DomainError.illegalChange(field: "summary")) {
            try rules.apply(.with { $0.summary = "Retitled" }, to: Stage.bug(), by: .confirmer)
        }
    }

    @Test("confirming a bug marks it confirmed")
    func confirmingSetsFlag() throws {
        var unconfirmed = Stage.bug(status: "UNCONFIRMED")
        unconfirmed.isConfirmed = false
        #expect(try rules.apply(.with { $0.status = "NEW" }, to: unconfirmed, by: .confirmer).bug.isConfirmed)
    }

    @Test("editbugs may change any field", arguments: [Principal.editor, .admin])
    func editbugsEdits(_ principal: Principal) throws {
        let update = BugUpdate.with {
            $0.assignedTo = People.insider
            $0.qaContact = .some(nil)
            $0.targetMilestone = "M1"
            $0.summary = "Retitled"
        }
        let bug = try rules.apply(update, to: Stage.bug(), by: principal).bug
        #expect(bug.assignedTo == People.insider)
        #expect(bug.qaContact == nil)
        #expect(bug.targetMilestone == "M1")
        #expect(bug.summary == "Retitled")
    }

    // MARK: Groups

    @Test("a bug may be put only into bug groups its editor belongs to")
    func addingGroups() {
        #expect(throws: DomainError.groupNotAllowed("secret")) {
            try rules.apply(.with { $0.groups = ListEdit(add: ["secret"]) }, to: Stage.bug(), by: .editor)
        }
        #expect(throws: Never.self) {
            try rules.apply(.with { $0.groups = ListEdit(add: ["secret"]) }, to: Stage.bug(), by: .signedIn(People.editor, "editbugs", "secret"))
        }
    }

    @Test("a bug may be taken out of a group only by its members or editbugs")
    func removingGroups() {
        let secret = Stage.bug(groups: ["secret"])
        let update = BugUpdate.with { $0.groups = ListEdit(remove: ["secret"]) }
        #expect(throws: DomainError.groupNotAllowed("secret")) { try rules.apply(update, to: secret, by: .reporter) }
        #expect(throws: Never.self) { try rules.apply(update, to: secret, by: .editor) }
        #expect(throws: Never.self) { try rules.apply(update, to: secret, by: .signedIn(People.reporter, "secret")) }
    }
}

@Suite("Field permissions, asked directly")
struct FieldPermissionsTests {
    func canChange(_ field: String, from old: String, to new: String, by principal: Principal, on bug: Bug = Stage.bug()) -> Bool {
        FieldPermissions.canChange(field, of: bug, from: old, to: new, by: principal, workflow: .classic, policy: Policy())
    }

    @Test("nobody anonymous may change any field")
    func anonymous() {
        #expect(!canChange("cc", from: "", to: "", by: .anonymous))
        #expect(!canChange("summary", from: "a", to: "b", by: .anonymous))
    }

    @Test("editbugs may change any field", arguments: ["assigned_to", "qa_contact", "target_milestone", "status", "summary", "groups"])
    func editbugs(_ field: String) {
        #expect(canChange(field, from: "a", to: "b", by: .editor))
    }

    @Test("the reporter may not move an open bug back to UNCONFIRMED")
    func reporterUnconfirms() {
        #expect(!canChange("status", from: "NEW", to: "UNCONFIRMED", by: .reporter))
    }

    @Test("the reporter may move a closed bug back to UNCONFIRMED")
    func reporterReopensUnconfirmed() {
        #expect(canChange("status", from: "RESOLVED", to: "UNCONFIRMED", by: .reporter))
    }

    @Test("a CC change counts as one's own only when it adds or removes exactly oneself")
    func ccSelf() {
        #expect(canChange("cc", from: "", to: People.stranger.login, by: .stranger))
        #expect(canChange("cc", from: People.stranger.login, to: "", by: .stranger))
        #expect(!canChange("cc", from: People.insider.login, to: People.stranger.login, by: .stranger))
        #expect(!canChange("cc", from: "", to: People.insider.login, by: .stranger))
    }
}
