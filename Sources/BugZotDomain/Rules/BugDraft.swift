/// What someone asks for when filing a bug, with names already resolved to people and products.
public struct BugDraft: Sendable {
    public var product: Product
    public var component: String
    public var version: String
    public var summary: String
    public var description: String
    public var descriptionIsPrivate: Bool
    public var severity: String?
    public var priority: String?
    public var opSys: String?
    public var platform: String?
    public var aliases: [String]
    public var assignedTo: UserSummary?
    public var qaContact: UserSummary?
    public var cc: [UserSummary]
    /// nil: the product's defaults (none yet); empty: no groups.
    public var groups: [String]?
    public var status: String?
    public var resolution: String?
    public var targetMilestone: String?
    public var keywords: [String]
    public var blocks: [Int]
    public var dependsOn: [Int]
    public var url: String
    public var whiteboard: String
    public var deadline: String?

    public init(
        product: Product, component: String, version: String, summary: String, description: String = "",
        descriptionIsPrivate: Bool = false, severity: String? = nil, priority: String? = nil,
        opSys: String? = nil, platform: String? = nil, aliases: [String] = [], assignedTo: UserSummary? = nil,
        qaContact: UserSummary? = nil, cc: [UserSummary] = [], groups: [String]? = nil, status: String? = nil,
        resolution: String? = nil, targetMilestone: String? = nil, keywords: [String] = [],
        blocks: [Int] = [], dependsOn: [Int] = [], url: String = "", whiteboard: String = "", deadline: String? = nil
    ) {
        self.product = product
        self.component = component
        self.version = version
        self.summary = summary
        self.description = description
        self.descriptionIsPrivate = descriptionIsPrivate
        self.severity = severity
        self.priority = priority
        self.opSys = opSys
        self.platform = platform
        self.aliases = aliases
        self.assignedTo = assignedTo
        self.qaContact = qaContact
        self.cc = cc
        self.groups = groups
        self.status = status
        self.resolution = resolution
        self.targetMilestone = targetMilestone
        self.keywords = keywords
        self.blocks = blocks
        self.dependsOn = dependsOn
        self.url = url
        self.whiteboard = whiteboard
        self.deadline = deadline
    }
}

/// A comment being added along with a change.
public struct NewComment: Sendable, Equatable {
    public var text: String
    public var isPrivate: Bool

    public init(text: String, isPrivate: Bool) {
        self.text = text
        self.isPrivate = isPrivate
    }
}

/// What someone asks to change on a bug, names already resolved. nil leaves a field alone.
public struct BugUpdate: Sendable {
    public var summary: String?
    public var product: Product?
    public var component: String?
    public var version: String?
    public var targetMilestone: String?
    public var status: String?
    public var resolution: String?
    public var severity: String?
    public var priority: String?
    public var opSys: String?
    public var platform: String?
    public var url: String?
    public var whiteboard: String?
    public var assignedTo: UserSummary?
    public var resetAssignedTo = false
    /// `.some(nil)` clears the QA contact.
    public var qaContact: UserSummary??
    public var resetQAContact = false
    /// `.some(nil)` clears the deadline.
    public var deadline: String??
    public var dupeOf: Int?
    public var isCreatorAccessible: Bool?
    public var isCCAccessible: Bool?
    public var aliases = ListEdit<String>()
    public var keywords = ListEdit<String>()
    public var blocks = ListEdit<Int>()
    public var dependsOn = ListEdit<Int>()
    public var cc = ListEdit<UserSummary>()
    public var groups = ListEdit<String>()
    public var seeAlso = ListEdit<String>()
    public var comment: NewComment?

    public init() {}
}
