import BugZotDomain
import Testing

/// A status change someone asks for: the bug's current status and the one they want.
struct StatusMove: Sendable, CustomTestStringConvertible {
    let from: String
    let to: String
    var testDescription: String { "\(from) → \(to)" }
}

@Suite("Changing a bug's status and resolution")
struct StatusChangeTests {
    let rules = Stage.rules()

    /// A bug in `status`, resolved FIXED when that status is closed.
    func bug(in status: String, workflow: Workflow = .classic) -> Bug {
        Stage.bug(status: status, resolution: workflow.isOpen(status) ? "" : "FIXED")
    }

    @Test("editbugs may close a NEW bug as FIXED in one step, as python-bugzilla's `modify -k FIXED` does")
    func closeNewAsFixed() throws {
        let update = BugUpdate.with { $0.status = "CLOSED"; $0.resolution = "FIXED" }
        let (bug, changes) = try rules.apply(update, to: Stage.bug(), by: .editor)
        #expect(bug.status == "CLOSED")
        #expect(bug.resolution == "FIXED")
        #expect(changes == [
            FieldChange(field: "status", removed: "NEW", added: "CLOSED"),
            FieldChange(field: "resolution", removed: "", added: "FIXED"),
        ])
    }

    static let allowedMoves: [StatusMove] = ClassicWorkflowTests.table.flatMap { row in
        row.from.map { from in row.to.sorted().map { StatusMove(from: from, to: $0) } } ?? []
    }

    @Test("editbugs may make every move the classic table allows", arguments: allowedMoves)
    func everyAllowedMove(_ move: StatusMove) throws {
        let closing = Workflow.classic.isOpen(move.from) && !Workflow.classic.isOpen(move.to)
        let update = BugUpdate.with { $0.status = move.to; $0.resolution = closing ? "FIXED" : nil }
        #expect(try rules.apply(update, to: bug(in: move.from), by: .editor).bug.status == move.to)
    }

    static let illegalMoves = [
        StatusMove(from: "NEW", to: "REOPENED"), StatusMove(from: "NEW", to: "VERIFIED"),
        StatusMove(from: "NEW", to: "UNCONFIRMED"), StatusMove(from: "ASSIGNED", to: "UNCONFIRMED"),
        StatusMove(from: "RESOLVED", to: "NEW"), StatusMove(from: "VERIFIED", to: "RESOLVED"),
        StatusMove(from: "CLOSED", to: "NEW"), StatusMove(from: "CLOSED", to: "RESOLVED"),
        StatusMove(from: "NEW", to: "BOGUS"),
    ]

    @Test("a move the workflow does not allow is refused, even for editbugs", arguments: illegalMoves)
    func illegalMove(_ move: StatusMove) {
        let update = BugUpdate.with { $0.status = move.to; $0.resolution = "FIXED" }
        #expect(throws: DomainError.illegalStatusTransition(from: move.from, to: move.to)) {
            try rules.apply(update, to: bug(in: move.from), by: .editor)
        }
    }

    @Test("a classic status is refused in the Bugzilla 5 workflow")
    func classicStatusInBugzilla5() {
        let update = BugUpdate.with { $0.status = "ASSIGNED" }
        #expect(throws: DomainError.illegalStatusTransition(from: "CONFIRMED", to: "ASSIGNED")) {
            try Stage.rules(.bugzilla5).apply(update, to: bug(in: "CONFIRMED"), by: .editor)
        }
    }

    @Test("asking for the status the bug already has changes nothing")
    func sameStatus() throws {
        let (bug, changes) = try rules.apply(.with { $0.status = "NEW" }, to: Stage.bug(), by: .editor)
        #expect(bug == Stage.bug())
        #expect(changes.isEmpty)
    }

    @Test("closing a bug without a resolution is refused", arguments: ["RESOLVED", "CLOSED"])
    func closingNeedsResolution(_ status: String) {
        #expect(throws: DomainError.resolutionRequired) {
            try rules.apply(.with { $0.status = status }, to: Stage.bug(), by: .editor)
        }
    }

    @Test("an empty resolution does not close a bug")
    func emptyResolution() {
        #expect(throws: DomainError.resolutionRequired) {
            try rules.apply(.with { $0.status = "RESOLVED"; $0.resolution = "" }, to: Stage.bug(), by: .editor)
        }
    }

    @Test("a resolution the workflow does not know is refused")
    func unknownResolution() {
        #expect(throws: DomainError.invalidFieldValue(field: "resolution", value: "SHRUG")) {
            try rules.apply(.with { $0.status = "RESOLVED"; $0.resolution = "SHRUG" }, to: Stage.bug(), by: .editor)
        }
    }

    @Test("setting a resolution on an open bug is refused")
    func resolutionOnOpenBug() {
        #expect(throws: DomainError.resolutionNotAllowed("You cannot set a resolution on a bug that is open.")) {
            try rules.apply(.with { $0.resolution = "FIXED" }, to: Stage.bug(), by: .editor)
        }
    }

    @Test("moving to an open status with a resolution is refused")
    func resolutionWithOpenStatus() {
        #expect(throws: DomainError.resolutionNotAllowed("You cannot set a resolution on a bug that is open.")) {
            try rules.apply(.with { $0.status = "ASSIGNED"; $0.resolution = "FIXED" }, to: Stage.bug(), by: .editor)
        }
    }

    @Test("a closed bug may change its resolution without changing its status")
    func changeResolutionOfClosedBug() throws {
        let (bug, changes) = try rules.apply(.with { $0.resolution = "WONTFIX" }, to: bug(in: "RESOLVED"), by: .editor)
        #expect(bug.status == "RESOLVED")
        #expect(changes == [FieldChange(field: "resolution", removed: "FIXED", added: "WONTFIX")])
    }

    @Test("moving between closed statuses keeps the resolution")
    func verifyKeepsResolution() throws {
        let bug = try rules.apply(.with { $0.status = "VERIFIED" }, to: bug(in: "RESOLVED"), by: .editor).bug
        #expect(bug.status == "VERIFIED")
        #expect(bug.resolution == "FIXED")
    }

    @Test("reopening a bug clears its resolution and its dupe_of")
    func reopeningClears() throws {
        let duplicate = Stage.bug(status: "RESOLVED", resolution: "DUPLICATE", dupeOf: 5)
        let (bug, changes) = try rules.apply(.with { $0.status = "REOPENED" }, to: duplicate, by: .editor)
        #expect(bug.status == "REOPENED")
        #expect(bug.resolution == "")
        #expect(bug.dupeOf == nil)
        #expect(changes == [
            FieldChange(field: "status", removed: "RESOLVED", added: "REOPENED"),
            FieldChange(field: "resolution", removed: "DUPLICATE", added: ""),
            FieldChange(field: "dupe_of", removed: "5", added: ""),
        ])
    }

    @Test("reopening in the Bugzilla 5 workflow clears the resolution too")
    func reopeningInBugzilla5() throws {
        let bug = try Stage.rules(.bugzilla5).apply(.with { $0.status = "CONFIRMED" }, to: bug(in: "RESOLVED", workflow: .bugzilla5), by: .editor).bug
        #expect(bug.status == "CONFIRMED")
        #expect(bug.resolution == "")
    }
}

@Suite("Marking a bug a duplicate")
struct DuplicateTests {
    let rules = Stage.rules()

    @Test("dupe_of with status CLOSED and resolution DUPLICATE closes the bug as a duplicate")
    func closedDuplicate() throws {
        let update = BugUpdate.with { $0.dupeOf = 5; $0.status = "CLOSED"; $0.resolution = "DUPLICATE" }
        let (bug, changes) = try rules.apply(update, to: Stage.bug(), by: .editor)
        #expect(bug.status == "CLOSED")
        #expect(bug.resolution == "DUPLICATE")
        #expect(bug.dupeOf == 5)
        #expect(changes.contains(FieldChange(field: "dupe_of", removed: "", added: "5")))
    }

    @Test("dupe_of alone resolves an open bug as DUPLICATE")
    func dupeOfAlone() throws {
        let bug = try rules.apply(.with { $0.dupeOf = 5 }, to: Stage.bug(), by: .editor).bug
        #expect(bug.status == "RESOLVED")
        #expect(bug.resolution == "DUPLICATE")
        #expect(bug.dupeOf == 5)
    }

    @Test("dupe_of alone keeps a closed bug's status and makes it a DUPLICATE")
    func dupeOfClosedBug() throws {
        let bug = try rules.apply(.with { $0.dupeOf = 5 }, to: Stage.bug(status: "VERIFIED", resolution: "FIXED"), by: .editor).bug
        #expect(bug.status == "VERIFIED")
        #expect(bug.resolution == "DUPLICATE")
    }

    @Test("a bug may not be a duplicate of itself")
    func ofItself() {
        #expect(throws: DomainError.duplicateOfItself) {
            try rules.apply(.with { $0.dupeOf = 1 }, to: Stage.bug(id: 1), by: .editor)
        }
    }

    @Test("resolving as DUPLICATE needs the bug it duplicates")
    func duplicateNeedsID() {
        #expect(throws: DomainError.duplicateIDRequired) {
            try rules.apply(.with { $0.status = "RESOLVED"; $0.resolution = "DUPLICATE" }, to: Stage.bug(), by: .editor)
        }
    }

    @Test("changing a duplicate's resolution to something else forgets what it duplicated")
    func leavingDuplicate() throws {
        let duplicate = Stage.bug(status: "RESOLVED", resolution: "DUPLICATE", dupeOf: 5)
        let bug = try rules.apply(.with { $0.resolution = "INVALID" }, to: duplicate, by: .editor).bug
        #expect(bug.resolution == "INVALID")
        #expect(bug.dupeOf == nil)
    }
}

@Suite("Taking a bug")
struct TakingTests {
    let rules = Stage.rules()

    @Test("assigning a NEW bug to yourself without giving a status moves it to ASSIGNED")
    func takingNewBug() throws {
        let (bug, changes) = try rules.apply(.with { $0.assignedTo = People.editor }, to: Stage.bug(), by: .editor)
        #expect(bug.assignedTo == People.editor)
        #expect(bug.status == "ASSIGNED")
        #expect(changes == [
            FieldChange(field: "status", removed: "NEW", added: "ASSIGNED"),
            FieldChange(field: "assigned_to", removed: People.assignee.login, added: People.editor.login),
        ])
    }

    @Test("taking a REOPENED bug moves it to ASSIGNED too")
    func takingReopenedBug() throws {
        let bug = try rules.apply(.with { $0.assignedTo = People.editor }, to: Stage.bug(status: "REOPENED"), by: .editor).bug
        #expect(bug.status == "ASSIGNED")
    }

    @Test("in the Bugzilla 5 workflow taking a CONFIRMED bug moves it to IN_PROGRESS")
    func takingInBugzilla5() throws {
        let bug = try Stage.rules(.bugzilla5).apply(.with { $0.assignedTo = People.editor }, to: Stage.bug(status: "CONFIRMED"), by: .editor).bug
        #expect(bug.status == "IN_PROGRESS")
    }

    @Test("an explicit status wins over taking")
    func explicitStatusWins() throws {
        let bug = try rules.apply(.with { $0.assignedTo = People.editor; $0.status = "NEW" }, to: Stage.bug(), by: .editor).bug
        #expect(bug.assignedTo == People.editor)
        #expect(bug.status == "NEW")
    }

    @Test("assigning a bug to someone else leaves its status alone")
    func assigningSomeoneElse() throws {
        let bug = try rules.apply(.with { $0.assignedTo = People.insider }, to: Stage.bug(), by: .editor).bug
        #expect(bug.status == "NEW")
    }

    @Test("taking a closed bug leaves it closed")
    func takingClosedBug() throws {
        let bug = try rules.apply(.with { $0.assignedTo = People.editor }, to: Stage.bug(status: "RESOLVED", resolution: "FIXED"), by: .editor).bug
        #expect(bug.status == "RESOLVED")
    }

    @Test("taking an ASSIGNED bug keeps it ASSIGNED")
    func takingAssignedBug() throws {
        let bug = try rules.apply(.with { $0.assignedTo = People.editor }, to: Stage.bug(status: "ASSIGNED"), by: .editor).bug
        #expect(bug.status == "ASSIGNED")
        #expect(bug.assignedTo == People.editor)
    }
}

@Suite("Comments that come with a change")
struct ChangeCommentTests {
    /// Like classic, but resolving a NEW bug needs a comment.
    static let workflow: Workflow = {
        var workflow = Workflow.classic
        let index = workflow.transitions.firstIndex { $0.from == "NEW" && $0.to == "RESOLVED" }!
        workflow.transitions[index].commentRequired = true
        return workflow
    }()
    let rules = Stage.rules(workflow)
    let resolve = BugUpdate.with { $0.status = "RESOLVED"; $0.resolution = "FIXED" }

    @Test("a transition that requires a comment is refused without one")
    func requiredCommentMissing() {
        #expect(throws: DomainError.commentRequired) { try rules.apply(resolve, to: Stage.bug(), by: .editor) }
    }

    @Test("a transition that requires a comment goes through with one")
    func requiredCommentGiven() throws {
        var update = resolve
        update.comment = NewComment(text: "Fixed in r42.", isPrivate: false)
        #expect(try rules.apply(update, to: Stage.bug(), by: .editor).bug.status == "RESOLVED")
    }

    @Test("a blank comment does not count as a comment", arguments: ["", "  \n "])
    func blankComment(_ text: String) {
        var update = resolve
        update.comment = NewComment(text: text, isPrivate: false)
        #expect(throws: DomainError.commentRequired) { try rules.apply(update, to: Stage.bug(), by: .editor) }
    }

    @Test("other transitions need no comment")
    func otherTransitions() throws {
        #expect(try rules.apply(.with { $0.status = "ASSIGNED" }, to: Stage.bug(), by: .editor).bug.status == "ASSIGNED")
    }

    @Test("only insiders may add a private comment")
    func privateComment() {
        let update = BugUpdate.with { $0.comment = NewComment(text: "Between us.", isPrivate: true) }
        #expect(throws: DomainError.notInsider) { try rules.apply(update, to: Stage.bug(), by: .editor) }
        #expect(throws: Never.self) { try rules.apply(update, to: Stage.bug(), by: .insider) }
    }

    @Test("a comment longer than the policy allows is refused")
    func commentTooLong() {
        let rules = Stage.rules(policy: Policy(maximumCommentLength: 5))
        let update = BugUpdate.with { $0.comment = NewComment(text: "Too long", isPrivate: false) }
        #expect(throws: DomainError.commentTooLong(limit: 5)) { try rules.apply(update, to: Stage.bug(), by: .editor) }
    }

    @Test("a comment on its own needs a signed-in author")
    func standaloneCommentNeedsLogin() {
        #expect(throws: DomainError.loginRequired) {
            try rules.checkComment(NewComment(text: "Me too", isPrivate: false), by: .anonymous)
        }
    }

    @Test("anyone signed in may add a public comment on its own")
    func standaloneComment() {
        #expect(throws: Never.self) {
            try rules.checkComment(NewComment(text: "Me too", isPrivate: false), by: .stranger)
        }
    }
}
