import BugZotDomain
import Foundation

// Swift Testing has its own `Bug` and `Comment` traits; in these tests the names mean the domain's.
typealias Bug = BugZotDomain.Bug
typealias Comment = BugZotDomain.Comment

/// The cast and the stage the specifications below are written against.
enum People {
    static let reporter = UserSummary(id: 1, login: "rita@example.com", realName: "Rita Reporter")
    static let assignee = UserSummary(id: 2, login: "abe@example.com", realName: "Abe Assignee")
    static let qaContact = UserSummary(id: 3, login: "quinn@example.com", realName: "Quinn QA")
    static let stranger = UserSummary(id: 4, login: "sam@example.com", realName: "Sam Stranger")
    static let editor = UserSummary(id: 5, login: "eve@example.com", realName: "Eve Editor")
    static let confirmer = UserSummary(id: 6, login: "cody@example.com", realName: "Cody Confirmer")
    static let insider = UserSummary(id: 7, login: "iris@example.com", realName: "Iris Insider")
    static let admin = UserSummary(id: 8, login: "ada@example.com", realName: "Ada Admin")
    static let backendLead = UserSummary(id: 9, login: "bea@example.com", realName: "Bea Backend")
}

extension Principal {
    static func signedIn(_ user: UserSummary, _ groups: String...) -> Principal {
        Principal(user: user, groups: Set(groups))
    }

    static let reporter = signedIn(People.reporter)
    static let assignee = signedIn(People.assignee)
    static let qaContact = signedIn(People.qaContact)
    static let stranger = signedIn(People.stranger)
    static let editor = signedIn(People.editor, "editbugs")
    static let confirmer = signedIn(People.confirmer, "canconfirm")
    static let insider = signedIn(People.insider, "insider")
    static let admin = signedIn(People.admin, "admin")
}

enum Stage {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)
    static let earlier = Date(timeIntervalSince1970: 1_600_000_000)

    static let frontend = Component(
        id: 1, name: "Frontend", description: "What people see", defaultAssignee: People.assignee,
        defaultQAContact: People.qaContact, isActive: true, sortKey: 0)
    static let backend = Component(
        id: 2, name: "Backend", description: "What people don't see", defaultAssignee: People.backendLead,
        defaultQAContact: nil, isActive: true, sortKey: 1)
    static let legacy = Component(
        id: 3, name: "Legacy", description: "Retired", defaultAssignee: People.assignee,
        defaultQAContact: nil, isActive: false, sortKey: 2)

    /// A product where bugs from people without canconfirm start UNCONFIRMED.
    static let widget = Product(
        id: 1, name: "Widget", description: "A widget", classification: "Unclassified", isActive: true,
        defaultMilestone: "---", allowsUnconfirmed: true,
        components: [frontend, backend, legacy],
        versions: [
            ProductValue(id: 1, name: "1.0", isActive: true, sortKey: 0),
            ProductValue(id: 2, name: "2.0", isActive: true, sortKey: 1),
            ProductValue(id: 3, name: "0.9", isActive: false, sortKey: 2),
        ],
        milestones: [
            ProductValue(id: 1, name: "---", isActive: true, sortKey: 0),
            ProductValue(id: 2, name: "M1", isActive: true, sortKey: 1),
        ])

    /// A product that does not use the unconfirmed state.
    static let gadget: Product = {
        var product = widget
        product.id = 2
        product.name = "Gadget"
        product.allowsUnconfirmed = false
        return product
    }()

    static let catalog: FieldCatalog = {
        var catalog = FieldCatalog.standard
        catalog.keywords = ["crash", "regression"]
        return catalog
    }()

    static func rules(
        _ workflow: Workflow = .classic, policy: Policy = Policy(), bugGroups: Set<String> = ["secret", "partners"]
    ) -> BugRules {
        BugRules(workflow: workflow, catalog: catalog, policy: policy, bugGroups: bugGroups)
    }

    static func draft(
        summary: String = "The widget falls over", component: String = "Frontend", version: String = "1.0",
        product: Product = widget
    ) -> BugDraft {
        BugDraft(product: product, component: component, version: version, summary: summary, description: "Steps: push it.")
    }

    /// Bug 1 in Widget/Frontend: filed by the reporter, assigned to the assignee, QA by the QA contact.
    static func bug(
        id: Int = 1, status: String = "NEW", resolution: String = "", dupeOf: Int? = nil,
        cc: [UserSummary] = [], groups: [String] = []
    ) -> Bug {
        Bug(
            id: id, product: "Widget", component: "Frontend", version: "1.0", summary: "The widget falls over",
            status: status, resolution: resolution, severity: "normal", priority: "---", opSys: "All", platform: "All",
            reporter: People.reporter, assignedTo: People.assignee, qaContact: People.qaContact, cc: cc,
            groups: groups, dupeOf: dupeOf, creationTime: earlier, lastChangeTime: earlier)
    }
}

extension BugUpdate {
    /// An update built by a closure, so each test states only what it changes.
    static func with(_ configure: (inout BugUpdate) -> Void) -> BugUpdate {
        var update = BugUpdate()
        configure(&update)
        return update
    }
}

extension BugRules {
    /// `apply` against the Widget product at the stage's fixed time.
    func apply(_ update: BugUpdate, to bug: Bug, by principal: Principal) throws(DomainError) -> (bug: Bug, changes: [FieldChange]) {
        try apply(update, to: bug, product: Stage.widget, by: principal, at: Stage.now)
    }

    func newBug(from draft: BugDraft, by principal: Principal) throws(DomainError) -> Bug {
        try newBug(from: draft, by: principal, at: Stage.now)
    }
}
