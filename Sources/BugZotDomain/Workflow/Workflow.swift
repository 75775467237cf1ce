/// The life cycle of a bug, as data: which statuses exist, which are open, and which moves are
/// allowed. Installations store their own; two ship (`classic` and `bugzilla5`).
public struct Workflow: Sendable, Equatable {
    public struct Status: Sendable, Equatable {
        public var name: String
        public var isOpen: Bool
        public init(name: String, isOpen: Bool) {
            self.name = name
            self.isOpen = isOpen
        }
    }

    /// A permitted move; `from` is nil for a new bug.
    public struct Transition: Sendable, Hashable {
        public var from: String?
        public var to: String
        public var commentRequired: Bool
        public init(from: String?, to: String, commentRequired: Bool = false) {
            self.from = from
            self.to = to
            self.commentRequired = commentRequired
        }
    }

    public var name: String
    public var statuses: [Status]
    public var transitions: [Transition]
    public var resolutions: [String]
    /// Where new bugs start unless the reporter may not confirm them.
    public var defaultStatus: String
    /// Where a bug starts when its reporter lacks canconfirm and the product allows it.
    public var unconfirmedStatus: String?
    /// Where a bug moves when its assignee takes it.
    public var takenStatus: String?
    /// Where a bug moves when marked a duplicate without an explicit status.
    public var duplicateStatus: String
    public var duplicateResolution: String

    public init(
        name: String, statuses: [Status], transitions: [Transition], resolutions: [String],
        defaultStatus: String, unconfirmedStatus: String?, takenStatus: String?,
        duplicateStatus: String, duplicateResolution: String = "DUPLICATE"
    ) {
        self.name = name
        self.statuses = statuses
        self.transitions = transitions
        self.resolutions = resolutions
        self.defaultStatus = defaultStatus
        self.unconfirmedStatus = unconfirmedStatus
        self.takenStatus = takenStatus
        self.duplicateStatus = duplicateStatus
        self.duplicateResolution = duplicateResolution
    }

    public func status(named name: String) -> Status? {
        statuses.first { $0.name == name }
    }

    public func isOpen(_ status: String) -> Bool {
        self.status(named: status)?.isOpen ?? false
    }

    /// The statuses a bug in `status` (nil: a new bug) may move to.
    public func targets(from status: String?) -> [Transition] {
        transitions.filter { $0.from == status }
    }

    public func allows(from: String?, to: String) -> Bool {
        transitions.contains { $0.from == from && $0.to == to }
    }

    public func transition(from: String?, to: String) -> Transition? {
        transitions.first { $0.from == from && $0.to == to }
    }
}

extension Workflow {
    /// The workflow people know from Bugzilla 3 and Red Hat: NEW → ASSIGNED → RESOLVED →
    /// VERIFIED → CLOSED, REOPENED when a closed bug comes back.
    public static let classic = Workflow(
        name: "classic",
        statuses: [
            .init(name: "UNCONFIRMED", isOpen: true), .init(name: "NEW", isOpen: true),
            .init(name: "ASSIGNED", isOpen: true), .init(name: "REOPENED", isOpen: true),
            .init(name: "RESOLVED", isOpen: false), .init(name: "VERIFIED", isOpen: false),
            .init(name: "CLOSED", isOpen: false),
        ],
        transitions: edges([
            nil: ["UNCONFIRMED", "NEW", "ASSIGNED"],
            "UNCONFIRMED": ["NEW", "ASSIGNED", "RESOLVED", "CLOSED"],
            "NEW": ["ASSIGNED", "RESOLVED", "CLOSED"],
            "ASSIGNED": ["NEW", "RESOLVED", "CLOSED"],
            "REOPENED": ["NEW", "ASSIGNED", "RESOLVED", "CLOSED"],
            "RESOLVED": ["REOPENED", "VERIFIED", "CLOSED"],
            "VERIFIED": ["REOPENED", "CLOSED"],
            "CLOSED": ["REOPENED"],
        ]),
        resolutions: ["FIXED", "INVALID", "WONTFIX", "DUPLICATE", "WORKSFORME"],
        defaultStatus: "NEW",
        unconfirmedStatus: "UNCONFIRMED",
        takenStatus: "ASSIGNED",
        duplicateStatus: "RESOLVED"
    )

    /// Stock Bugzilla 5's default workflow.
    public static let bugzilla5 = Workflow(
        name: "bugzilla5",
        statuses: [
            .init(name: "UNCONFIRMED", isOpen: true), .init(name: "CONFIRMED", isOpen: true),
            .init(name: "IN_PROGRESS", isOpen: true), .init(name: "RESOLVED", isOpen: false),
            .init(name: "VERIFIED", isOpen: false),
        ],
        transitions: edges([
            nil: ["UNCONFIRMED", "CONFIRMED", "IN_PROGRESS"],
            "UNCONFIRMED": ["CONFIRMED", "IN_PROGRESS", "RESOLVED"],
            "CONFIRMED": ["IN_PROGRESS", "RESOLVED"],
            "IN_PROGRESS": ["CONFIRMED", "RESOLVED"],
            "RESOLVED": ["UNCONFIRMED", "CONFIRMED", "VERIFIED"],
            "VERIFIED": ["UNCONFIRMED", "CONFIRMED"],
        ]),
        resolutions: ["FIXED", "INVALID", "WONTFIX", "DUPLICATE", "WORKSFORME"],
        defaultStatus: "CONFIRMED",
        unconfirmedStatus: "UNCONFIRMED",
        takenStatus: "IN_PROGRESS",
        duplicateStatus: "RESOLVED"
    )

    /// The workflows that ship, by name.
    public static let shipped: [String: Workflow] = [classic.name: classic, bugzilla5.name: bugzilla5]

    private static func edges(_ table: [String?: [String]]) -> [Transition] {
        let order = [nil] + ["UNCONFIRMED", "NEW", "CONFIRMED", "ASSIGNED", "IN_PROGRESS", "REOPENED", "RESOLVED", "VERIFIED", "CLOSED"]
        return order.flatMap { from in (table[from] ?? []).map { Transition(from: from, to: $0) } }
    }
}
