import BugZotDomain
import Testing

/// One row of a workflow's transition table: where a bug may go from `from` (nil: a new bug).
struct TableRow: Sendable, CustomTestStringConvertible {
    let from: String?
    let to: Set<String>
    var testDescription: String { "\(from ?? "(new bug)") → \(to.sorted().joined(separator: "|"))" }
}

/// One cell of a transition table: whether `from` → `to` is a legal move.
struct Move: Sendable, CustomTestStringConvertible {
    let from: String?
    let to: String
    let allowed: Bool
    var testDescription: String { "\(from ?? "(new bug)") → \(to): \(allowed ? "allowed" : "refused")" }

    /// Every cell of the square whose rows are `table`'s sources and whose columns are `statuses`.
    static func all(in table: [TableRow], statuses: [String]) -> [Move] {
        table.flatMap { row in statuses.map { Move(from: row.from, to: $0, allowed: row.to.contains($0)) } }
    }
}

@Suite("The classic workflow")
struct ClassicWorkflowTests {
    static let statuses = ["UNCONFIRMED", "NEW", "ASSIGNED", "REOPENED", "RESOLVED", "VERIFIED", "CLOSED"]
    static let table: [TableRow] = [
        TableRow(from: nil, to: ["UNCONFIRMED", "NEW", "ASSIGNED"]),
        TableRow(from: "UNCONFIRMED", to: ["NEW", "ASSIGNED", "RESOLVED", "CLOSED"]),
        TableRow(from: "NEW", to: ["ASSIGNED", "RESOLVED", "CLOSED"]),
        TableRow(from: "ASSIGNED", to: ["NEW", "RESOLVED", "CLOSED"]),
        TableRow(from: "REOPENED", to: ["NEW", "ASSIGNED", "RESOLVED", "CLOSED"]),
        TableRow(from: "RESOLVED", to: ["REOPENED", "VERIFIED", "CLOSED"]),
        TableRow(from: "VERIFIED", to: ["REOPENED", "CLOSED"]),
        TableRow(from: "CLOSED", to: ["REOPENED"]),
    ]

    @Test("has the seven classic statuses, of which UNCONFIRMED, NEW, ASSIGNED and REOPENED are open")
    func statusesAndOpenness() {
        let workflow = Workflow.classic
        #expect(workflow.statuses.map(\.name) == Self.statuses)
        #expect(workflow.statuses.filter(\.isOpen).map(\.name) == ["UNCONFIRMED", "NEW", "ASSIGNED", "REOPENED"])
    }

    @Test("each status leads exactly to the statuses its table row lists", arguments: table)
    func row(_ row: TableRow) {
        #expect(Set(Workflow.classic.targets(from: row.from).map(\.to)) == row.to)
    }

    @Test("a move is allowed exactly when the table lists it", arguments: Move.all(in: table, statuses: statuses))
    func cell(_ move: Move) {
        #expect(Workflow.classic.allows(from: move.from, to: move.to) == move.allowed)
        #expect((Workflow.classic.transition(from: move.from, to: move.to) != nil) == move.allowed)
    }

    @Test("has no transitions beyond the table, and none twice")
    func noExtraTransitions() {
        let transitions = Workflow.classic.transitions
        #expect(transitions.count == Self.table.reduce(0) { $0 + $1.to.count })
        #expect(Set(transitions).count == transitions.count)
    }

    @Test("requires no comment on any move")
    func noCommentsRequired() {
        #expect(Workflow.classic.transitions.allSatisfy { !$0.commentRequired })
    }

    @Test("files bugs as NEW, UNCONFIRMED for reporters who may not confirm, ASSIGNED when taken, RESOLVED DUPLICATE for duplicates")
    func namedStatuses() {
        let workflow = Workflow.classic
        #expect(workflow.defaultStatus == "NEW")
        #expect(workflow.unconfirmedStatus == "UNCONFIRMED")
        #expect(workflow.takenStatus == "ASSIGNED")
        #expect(workflow.duplicateStatus == "RESOLVED")
        #expect(workflow.duplicateResolution == "DUPLICATE")
    }

    @Test("offers the five standard resolutions")
    func resolutions() {
        #expect(Workflow.classic.resolutions == ["FIXED", "INVALID", "WONTFIX", "DUPLICATE", "WORKSFORME"])
    }
}

@Suite("The Bugzilla 5 workflow")
struct Bugzilla5WorkflowTests {
    static let statuses = ["UNCONFIRMED", "CONFIRMED", "IN_PROGRESS", "RESOLVED", "VERIFIED"]
    static let table: [TableRow] = [
        TableRow(from: nil, to: ["UNCONFIRMED", "CONFIRMED", "IN_PROGRESS"]),
        TableRow(from: "UNCONFIRMED", to: ["CONFIRMED", "IN_PROGRESS", "RESOLVED"]),
        TableRow(from: "CONFIRMED", to: ["IN_PROGRESS", "RESOLVED"]),
        TableRow(from: "IN_PROGRESS", to: ["CONFIRMED", "RESOLVED"]),
        TableRow(from: "RESOLVED", to: ["UNCONFIRMED", "CONFIRMED", "VERIFIED"]),
        TableRow(from: "VERIFIED", to: ["UNCONFIRMED", "CONFIRMED"]),
    ]

    @Test("has Bugzilla 5's five statuses, of which UNCONFIRMED, CONFIRMED and IN_PROGRESS are open")
    func statusesAndOpenness() {
        let workflow = Workflow.bugzilla5
        #expect(workflow.statuses.map(\.name) == Self.statuses)
        #expect(workflow.statuses.filter(\.isOpen).map(\.name) == ["UNCONFIRMED", "CONFIRMED", "IN_PROGRESS"])
    }

    @Test("each status leads exactly to the statuses its table row lists", arguments: table)
    func row(_ row: TableRow) {
        #expect(Set(Workflow.bugzilla5.targets(from: row.from).map(\.to)) == row.to)
    }

    @Test("a move is allowed exactly when the table lists it", arguments: Move.all(in: table, statuses: statuses))
    func cell(_ move: Move) {
        #expect(Workflow.bugzilla5.allows(from: move.from, to: move.to) == move.allowed)
    }

    @Test("has no transitions beyond the table, and none twice")
    func noExtraTransitions() {
        let transitions = Workflow.bugzilla5.transitions
        #expect(transitions.count == Self.table.reduce(0) { $0 + $1.to.count })
        #expect(Set(transitions).count == transitions.count)
    }

    @Test("knows nothing of the classic statuses NEW, ASSIGNED, REOPENED and CLOSED", arguments: ["NEW", "ASSIGNED", "REOPENED", "CLOSED"])
    func noClassicStatuses(_ status: String) {
        #expect(Workflow.bugzilla5.status(named: status) == nil)
        #expect(Workflow.bugzilla5.targets(from: status).isEmpty)
    }

    @Test("files bugs as CONFIRMED, UNCONFIRMED for reporters who may not confirm, IN_PROGRESS when taken")
    func namedStatuses() {
        let workflow = Workflow.bugzilla5
        #expect(workflow.defaultStatus == "CONFIRMED")
        #expect(workflow.unconfirmedStatus == "UNCONFIRMED")
        #expect(workflow.takenStatus == "IN_PROGRESS")
        #expect(workflow.duplicateStatus == "RESOLVED")
    }
}

@Suite("Workflows in general")
struct WorkflowTests {
    @Test("the shipped workflows are found by their names")
    func shippedByName() {
        #expect(Workflow.shipped["classic"] == .classic)
        #expect(Workflow.shipped["bugzilla5"] == .bugzilla5)
        #expect(Workflow.shipped.count == 2)
    }

    @Test("an unknown status is neither open nor a source of moves")
    func unknownStatus() {
        #expect(Workflow.classic.status(named: "BOGUS") == nil)
        #expect(!Workflow.classic.isOpen("BOGUS"))
        #expect(!Workflow.classic.allows(from: "BOGUS", to: "NEW"))
    }

    @Test("status names are case-sensitive")
    func caseSensitive() {
        #expect(Workflow.classic.status(named: "new") == nil)
        #expect(!Workflow.classic.allows(from: "NEW", to: "assigned"))
    }

    @Test("a transition remembers whether it needs a comment")
    func transitionCarriesCommentRequirement() throws {
        let workflow = Workflow(
            name: "strict", statuses: [.init(name: "OPEN", isOpen: true), .init(name: "DONE", isOpen: false)],
            transitions: [.init(from: nil, to: "OPEN"), .init(from: "OPEN", to: "DONE", commentRequired: true)],
            resolutions: ["FIXED"], defaultStatus: "OPEN", unconfirmedStatus: nil, takenStatus: nil, duplicateStatus: "DONE")
        let move = try #require(workflow.transition(from: "OPEN", to: "DONE"))
        #expect(move.commentRequired)
        #expect(workflow.transition(from: nil, to: "OPEN")?.commentRequired == false)
    }
}
