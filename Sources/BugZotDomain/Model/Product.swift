/// A grouping of products, as Bugzilla has them.
public struct Classification: Sendable, Equatable {
    public var id: Int
    public var name: String
    public var description: String
    public var sortKey: Int

    public init(id: Int, name: String, description: String, sortKey: Int) {
        self.id = id
        self.name = name
        self.description = description
        self.sortKey = sortKey
    }
}

/// Something bugs are filed against.
public struct Product: Sendable, Equatable {
    public var id: Int
    public var name: String
    public var description: String
    public var classification: String
    public var isActive: Bool
    public var defaultMilestone: String
    /// Whether bugs filed by people without `canconfirm` start UNCONFIRMED.
    public var allowsUnconfirmed: Bool
    public var components: [Component]
    public var versions: [ProductValue]
    public var milestones: [ProductValue]

    public init(
        id: Int, name: String, description: String, classification: String, isActive: Bool,
        defaultMilestone: String, allowsUnconfirmed: Bool,
        components: [Component] = [], versions: [ProductValue] = [], milestones: [ProductValue] = []
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.classification = classification
        self.isActive = isActive
        self.defaultMilestone = defaultMilestone
        self.allowsUnconfirmed = allowsUnconfirmed
        self.components = components
        self.versions = versions
        self.milestones = milestones
    }

    public func component(named name: String) -> Component? {
        components.first { $0.name == name }
    }
}

/// A part of a product, with the people new bugs go to.
public struct Component: Sendable, Equatable {
    public var id: Int
    public var name: String
    public var description: String
    public var defaultAssignee: UserSummary
    public var defaultQAContact: UserSummary?
    public var isActive: Bool
    public var sortKey: Int

    public init(
        id: Int, name: String, description: String, defaultAssignee: UserSummary,
        defaultQAContact: UserSummary?, isActive: Bool, sortKey: Int
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.defaultAssignee = defaultAssignee
        self.defaultQAContact = defaultQAContact
        self.isActive = isActive
        self.sortKey = sortKey
    }
}

/// A version or milestone of a product.
public struct ProductValue: Sendable, Equatable {
    public var id: Int
    public var name: String
    public var isActive: Bool
    public var sortKey: Int

    public init(id: Int, name: String, isActive: Bool, sortKey: Int) {
        self.id = id
        self.name = name
        self.isActive = isActive
        self.sortKey = sortKey
    }
}
