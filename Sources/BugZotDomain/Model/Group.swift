/// A set of users; bug groups restrict who may see a bug, system groups grant powers.
public struct Group: Sendable, Hashable {
    public var id: Int
    public var name: String
    public var description: String
    public var isActive: Bool
    /// Whether bugs may be restricted to this group.
    public var isBugGroup: Bool

    public init(id: Int, name: String, description: String, isActive: Bool, isBugGroup: Bool) {
        self.id = id
        self.name = name
        self.description = description
        self.isActive = isActive
        self.isBugGroup = isBugGroup
    }
}

/// The groups every installation has; each grants one power.
public enum SystemGroup: String, Sendable, CaseIterable {
    case admin
    case editusers
    case editcomponents
    case editbugs
    case canconfirm
    case creategroups
    /// Members read and write private comments and attachments.
    case insider

    public var description: String {
        switch self {
        case .admin: "Administrators"
        case .editusers: "Can edit or disable users"
        case .editcomponents: "Can create, destroy, and edit components"
        case .editbugs: "Can edit all bug fields"
        case .canconfirm: "Can confirm a bug or mark it a duplicate"
        case .creategroups: "Can create and destroy groups"
        case .insider: "Can read and write private comments and attachments"
        }
    }
}
