/// Who is making a request: an anonymous visitor or a signed-in user with their group names.
public struct Principal: Sendable, Equatable {
    public let user: UserSummary?
    public let groups: Set<String>

    public init(user: UserSummary?, groups: Set<String>) {
        self.user = user
        self.groups = groups
    }

    public static let anonymous = Principal(user: nil, groups: [])

    public var isAnonymous: Bool { user == nil }
    public var isAdmin: Bool { groups.contains(SystemGroup.admin.rawValue) }

    /// Administrators hold every system power.
    public func has(_ power: SystemGroup) -> Bool {
        isAdmin || groups.contains(power.rawValue)
    }

    public func isMember(of group: String) -> Bool {
        isAdmin || groups.contains(group)
    }

    /// The signed-in user, or `DomainError.loginRequired`.
    public func requireUser() throws(DomainError) -> UserSummary {
        guard let user else { throw .loginRequired }
        return user
    }

    public func require(_ power: SystemGroup, action: String) throws(DomainError) {
        _ = try requireUser()
        guard has(power) else { throw .notInGroup(group: power.rawValue, action: action) }
    }
}
