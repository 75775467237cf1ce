import BugZotDomain
import Foundation
import Testing

@Suite("The change list an update records")
struct ChangeRecordTests {
    let rules = Stage.rules()

    @Test("names each changed field by its API name and shows people by login")
    func apiNames() throws {
        let update = BugUpdate.with {
            $0.targetMilestone = "M1"
            $0.opSys = "Linux"
            $0.platform = "PC"
            $0.assignedTo = People.insider
            $0.qaContact = .some(People.editor)
            $0.version = "2.0"
        }
        let changes = try rules.apply(update, to: Stage.bug(), by: .editor).changes
        #expect(changes == [
            FieldChange(field: "version", removed: "1.0", added: "2.0"),
            FieldChange(field: "target_milestone", removed: "---", added: "M1"),
            FieldChange(field: "op_sys", removed: "All", added: "Linux"),
            FieldChange(field: "platform", removed: "All", added: "PC"),
            FieldChange(field: "assigned_to", removed: People.assignee.login, added: People.insider.login),
            FieldChange(field: "qa_contact", removed: People.qaContact.login, added: People.editor.login),
        ])
    }

    @Test("joins the values added to a list with a comma and a space")
    func joinsAddedValues() throws {
        let changes = try rules.apply(.with { $0.cc = ListEdit(add: [People.editor, People.insider]) }, to: Stage.bug(), by: .editor).changes
        #expect(changes == [FieldChange(field: "cc", removed: "", added: "eve@example.com, iris@example.com")])
    }

    @Test("records removals and additions of one list field in one change")
    func removalsAndAdditions() throws {
        var bug = Stage.bug()
        bug.keywords = ["crash"]
        bug.blocks = [7, 8]
        let update = BugUpdate.with {
            $0.keywords = ListEdit(set: ["regression"])
            $0.blocks = ListEdit(add: [9, 10], remove: [7, 8])
        }
        let changes = try rules.apply(update, to: bug, by: .editor).changes
        #expect(changes == [
            FieldChange(field: "keywords", removed: "crash", added: "regression"),
            FieldChange(field: "blocks", removed: "7, 8", added: "9, 10"),
        ])
    }

    @Test("clearing the QA contact records its login as removed")
    func clearingQAContact() throws {
        let changes = try rules.apply(.with { $0.qaContact = .some(nil) }, to: Stage.bug(), by: .editor).changes
        #expect(changes == [FieldChange(field: "qa_contact", removed: People.qaContact.login, added: "")])
    }

    @Test("resetting the assignee and QA contact restores the component's defaults")
    func resettingPeople() throws {
        var bug = Stage.bug()
        bug.assignedTo = People.insider
        bug.qaContact = nil
        let update = BugUpdate.with { $0.resetAssignedTo = true; $0.resetQAContact = true }
        let changed = try rules.apply(update, to: bug, by: .editor).bug
        #expect(changed.assignedTo == People.assignee)
        #expect(changed.qaContact == People.qaContact)
    }

    @Test("an update that changes nothing records nothing and keeps the last change time")
    func nothingChanged() throws {
        let update = BugUpdate.with { $0.summary = "The widget falls over"; $0.cc = ListEdit(remove: [People.editor]) }
        let (bug, changes) = try rules.apply(update, to: Stage.bug(), by: .editor)
        #expect(changes.isEmpty)
        #expect(bug.lastChangeTime == Stage.earlier)
    }

    @Test("a change moves the last change time to now")
    func changeStampsTime() throws {
        #expect(try rules.apply(.with { $0.whiteboard = "x" }, to: Stage.bug(), by: .editor).bug.lastChangeTime == Stage.now)
    }

    @Test("a comment alone moves the last change time to now")
    func commentStampsTime() throws {
        let update = BugUpdate.with { $0.comment = NewComment(text: "Still happens.", isPrivate: false) }
        let (bug, changes) = try rules.apply(update, to: Stage.bug(), by: .editor)
        #expect(changes.isEmpty)
        #expect(bug.lastChangeTime == Stage.now)
    }

    @Test("shows flags as 1 and 0, and an absent deadline or duplicate as empty text")
    func flagsAndOptionals() {
        var after = Stage.bug()
        after.isCCAccessible = false
        after.deadline = "2025-01-31"
        after.dupeOf = 3
        #expect(BugRules.changes(from: Stage.bug(), to: after) == [
            FieldChange(field: "dupe_of", removed: "", added: "3"),
            FieldChange(field: "deadline", removed: "", added: "2025-01-31"),
            FieldChange(field: "is_cc_accessible", removed: "1", added: "0"),
        ])
    }

    @Test("the summary is stored without surrounding white space, and a blank one is refused")
    func summaryEdits() throws {
        #expect(try rules.apply(.with { $0.summary = "  Tidy  " }, to: Stage.bug(), by: .editor).bug.summary == "Tidy")
        #expect(throws: DomainError.summaryRequired) { try rules.apply(.with { $0.summary = " " }, to: Stage.bug(), by: .editor) }
    }

    @Test("a deadline must be a date, and may be cleared")
    func deadlineEdits() throws {
        #expect(throws: DomainError.illegalDate("soon")) { try rules.apply(.with { $0.deadline = .some("soon") }, to: Stage.bug(), by: .editor) }
        var bug = Stage.bug()
        bug.deadline = "2025-01-31"
        #expect(try rules.apply(.with { $0.deadline = .some(nil) }, to: bug, by: .editor).bug.deadline == nil)
    }

    @Test("values outside the product or catalog are refused")
    func invalidValues() {
        #expect(throws: DomainError.invalidComponent(component: "Nope", product: "Widget")) {
            try rules.apply(.with { $0.component = "Nope" }, to: Stage.bug(), by: .editor)
        }
        #expect(throws: DomainError.objectNotFound(kind: "version", name: "9.9")) {
            try rules.apply(.with { $0.version = "9.9" }, to: Stage.bug(), by: .editor)
        }
        #expect(throws: DomainError.invalidFieldValue(field: "severity", value: "meh")) {
            try rules.apply(.with { $0.severity = "meh" }, to: Stage.bug(), by: .editor)
        }
        #expect(throws: DomainError.invalidFieldValue(field: "keyword", value: "spooky")) {
            try rules.apply(.with { $0.keywords = ListEdit(add: ["spooky"]) }, to: Stage.bug(), by: .editor)
        }
        #expect(throws: DomainError.invalidAlias("a b")) {
            try rules.apply(.with { $0.aliases = ListEdit(add: ["a b"]) }, to: Stage.bug(), by: .editor)
        }
    }

    @Test("moving a bug to another product puts it on that product's default milestone")
    func productMove() throws {
        var gizmo = Stage.widget
        gizmo.name = "Gizmo"
        gizmo.defaultMilestone = "M1"
        let (bug, changes) = try rules.apply(.with { $0.product = gizmo }, to: Stage.bug(), by: .editor)
        #expect(bug.product == "Gizmo")
        #expect(bug.targetMilestone == "M1")
        #expect(changes.map(\.field) == ["product", "target_milestone"])
    }
}

@Suite("Dependencies between bugs")
struct DependencyTests {
    let rules = Stage.rules()

    @Test("a bug may not block itself")
    func blocksItself() {
        #expect(throws: DomainError.dependencyLoop) {
            try rules.apply(.with { $0.blocks = ListEdit(add: [1]) }, to: Stage.bug(id: 1), by: .editor)
        }
    }

    @Test("a bug may not depend on itself")
    func dependsOnItself() {
        #expect(throws: DomainError.dependencyLoop) {
            try rules.apply(.with { $0.dependsOn = ListEdit(add: [1]) }, to: Stage.bug(id: 1), by: .editor)
        }
    }

    @Test("a bug may not both block and depend on the same bug")
    func blocksAndDependsOn() {
        #expect(throws: DomainError.dependencyLoop) {
            try rules.apply(.with { $0.blocks = ListEdit(add: [5]); $0.dependsOn = ListEdit(add: [5]) }, to: Stage.bug(), by: .editor)
        }
    }

    @Test("adding 5 to bug 1's blocks records depends_on +1 on bug 5")
    func reciprocalBlocks() {
        var after = Stage.bug(id: 1)
        after.blocks = [5]
        #expect(BugRules.reciprocalChanges(of: 1, from: Stage.bug(id: 1), to: after) == [
            5: [FieldChange(field: "depends_on", removed: "", added: "1")]
        ])
    }

    @Test("removing 5 from bug 1's depends_on records blocks -1 on bug 5")
    func reciprocalDependsOnRemoval() {
        var before = Stage.bug(id: 1)
        before.dependsOn = [5, 6]
        var after = before
        after.dependsOn = [6]
        #expect(BugRules.reciprocalChanges(of: 1, from: before, to: after) == [
            5: [FieldChange(field: "blocks", removed: "1", added: "")]
        ])
    }

    @Test("each other bug gets one change per field that moved")
    func reciprocalSeveral() {
        var before = Stage.bug(id: 1)
        before.blocks = [3]
        var after = before
        after.blocks = [4]
        after.dependsOn = [4]
        #expect(BugRules.reciprocalChanges(of: 1, from: before, to: after) == [
            3: [FieldChange(field: "depends_on", removed: "1", added: "")],
            4: [
                FieldChange(field: "depends_on", removed: "", added: "1"),
                FieldChange(field: "blocks", removed: "", added: "1"),
            ],
        ])
    }

    @Test("unchanged dependencies touch no other bug")
    func noReciprocal() {
        var bug = Stage.bug(id: 1)
        bug.blocks = [5]
        #expect(BugRules.reciprocalChanges(of: 1, from: bug, to: bug).isEmpty)
    }
}
