/// How a person appears on a bug: enough to show and to address them.
public struct UserSummary: Sendable, Hashable {
    public var id: Int
    /// The login name, which is the email address.
    public var login: String
    public var realName: String

    public init(id: Int, login: String, realName: String) {
        self.id = id
        self.login = login
        self.realName = realName
    }
}

/// A user account as administrators and the API see it.
public struct User: Sendable, Equatable {
    public var id: Int
    public var login: String
    public var realName: String
    public var isEnabled: Bool
    public var disabledText: String
    public var groups: [Group]

    public init(id: Int, login: String, realName: String, isEnabled: Bool, disabledText: String, groups: [Group]) {
        self.id = id
        self.login = login
        self.realName = realName
        self.isEnabled = isEnabled
        self.disabledText = disabledText
        self.groups = groups
    }

    public var summary: UserSummary { UserSummary(id: id, login: login, realName: realName) }
}
