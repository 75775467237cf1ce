import BugZotDomain
import BugZotStorage
import Foundation

/// Looking up, creating and changing user accounts.
public struct UserService: Sendable {
    let database: any Database
    let hasher: PasswordHasher
    let policy: Policy

    public init(database: any Database, hasher: PasswordHasher, policy: Policy) {
        self.database = database
        self.hasher = hasher
        self.policy = policy
    }

    /// Users by ids, exact login names, or a substring match. Anonymous visitors may only use names.
    public func users(ids: [Int], names: [String], match: [String], limit: Int?, by principal: Principal) async throws -> [User] {
        if principal.isAnonymous, !ids.isEmpty || !match.isEmpty { throw DomainError.anonymousUserLookup }
        try InputRules.check(names, as: .login, parameter: "names")
        try InputRules.check(match, as: .searchValue, parameter: "match")
        return try await database.read { sql in
            let store = SQLStore(sql)
            var result: [User] = []
            if !ids.isEmpty {
                let found = try await store.users(ids: ids)
                if let missing = ids.first(where: { id in !found.contains { $0.id == id } }) {
                    throw DomainError.objectNotFound(kind: "user", name: String(missing))
                }
                result += found
            }
            if !names.isEmpty {
                let found = try await store.users(logins: names)
                if let missing = names.first(where: { name in !found.contains { $0.login == name.lowercased() } }) {
                    throw DomainError.objectNotFound(kind: "user", name: missing)
                }
                result += found
            }
            for text in match {
                result += try await store.users(matching: text, limit: min(limit ?? 100, 1000))
            }
            var seen = Set<Int>()
            return result.filter { seen.insert($0.id).inserted }
        }
    }

    /// Creates an account. With no password the account cannot log in until one is set.
    public func create(
        login: String, realName: String, password: String?, groups: [String] = [], by principal: Principal
    ) async throws -> Int {
        try principal.require(.editusers, action: "create users")
        return try await createAccount(login: login, realName: realName, password: password, groups: groups)
    }

    /// Creates an account without a permission check: for the command line, which runs as the operator.
    public func createAccount(login: String, realName: String, password: String?, groups: [String]) async throws -> Int {
        try InputRules.check(login, as: .login)
        try InputRules.check(realName, as: .realName)
        if let password { try InputRules.check(password, as: .password) }
        try InputRules.check(groups, as: .group, parameter: "groups")
        let login = login.trimmingCharacters(in: .whitespaces)
        guard InputRules.isValidEmail(login) else { throw DomainError.illegalEmail(login) }
        if let password { try PasswordRules.check(password, login: login, policy: policy) }
        let passwordHash = try await hasher.hash(password ?? Secrets.random())
        let now = Date()
        return try await database.transaction { sql in
            let store = SQLStore(sql)
            guard try await store.credentials(login: login) == nil else { throw DomainError.accountExists(login) }
            let groupRecords = try await store.groups(names: groups)
            if let missing = groups.first(where: { name in !groupRecords.contains { $0.name == name } }) {
                throw DomainError.objectNotFound(kind: "group", name: missing)
            }
            let id = try await store.insertUser(login: login, realName: realName, passwordHash: passwordHash, at: now)
            for group in groupRecords { try await store.setMembership(userID: id, groupID: group.id, isMember: true) }
            return id
        }
    }

    /// What `update` may change.
    public struct Changes: Sendable {
        public var realName: String?
        public var login: String?
        public var password: String?
        public var disabledText: String?
        public var groups = ListEdit<String>()
        public init() {}

        /// Every text of the changes, against the text table, before any lookup.
        func checkText() throws(DomainError) {
            if let login { try InputRules.check(login, as: .login) }
            if let realName { try InputRules.check(realName, as: .realName) }
            if let password { try InputRules.check(password, as: .password) }
            if let disabledText { try InputRules.check(disabledText, as: .disabledText) }
            try InputRules.check(groups.add + groups.remove + (groups.set ?? []), as: .group, parameter: "groups")
        }
    }

    /// Changes accounts; returns each user's id with the changed fields (`{field: (removed, added)}`).
    public func update(users identifiers: [String], changes: Changes, by principal: Principal) async throws -> [(id: Int, changes: [FieldChange])] {
        let actor = try principal.requireUser()
        try InputRules.check(identifiers, as: .login, parameter: "ids")
        try changes.checkText()
        let passwordHash = try await changes.password.asyncMap { password in
            // Checked against the new login if it changes too, else the account's own (when it is one).
            try PasswordRules.check(password, login: changes.login ?? (identifiers.count == 1 ? identifiers[0] : ""), policy: policy)
            return try await hasher.hash(password)
        }
        if let login = changes.login, !InputRules.isValidEmail(login) { throw DomainError.illegalEmail(login) }
        return try await database.transaction { sql in
            let store = SQLStore(sql)
            var results: [(id: Int, changes: [FieldChange])] = []
            for identifier in identifiers {
                let found = if let id = Int(identifier) {
                    try await store.users(ids: [id])
                } else {
                    try await store.users(logins: [identifier])
                }
                guard let user = found.first else { throw DomainError.objectNotFound(kind: "user", name: identifier) }
                // As in stock Bugzilla, changing accounts takes editusers; people may rename themselves.
                // (A password or address change needs the current password, which an API key or
                // token does not prove.)
                let onlyOwnName = user.id == actor.id && changes.realName != nil && changes.login == nil
                    && changes.password == nil && changes.disabledText == nil && changes.groups.isEmpty
                if !onlyOwnName { try principal.require(.editusers, action: "edit users") }
                var fieldChanges: [FieldChange] = []
                if let realName = changes.realName, realName != user.realName {
                    fieldChanges.append(FieldChange(field: "real_name", removed: user.realName, added: realName))
                }
                if let login = changes.login?.lowercased(), login != user.login {
                    guard try await store.credentials(login: login) == nil else { throw DomainError.accountExists(login) }
                    fieldChanges.append(FieldChange(field: "email", removed: user.login, added: login))
                }
                if let text = changes.disabledText, text != user.disabledText {
                    fieldChanges.append(FieldChange(field: "login_denied_text", removed: user.disabledText, added: text))
                }
                try await store.updateUser(
                    id: user.id, login: changes.login, realName: changes.realName, passwordHash: passwordHash,
                    disabledText: changes.disabledText)
                if passwordHash != nil {
                    fieldChanges.append(FieldChange(field: "password", removed: "", added: ""))
                    // Every session ends with the old password: login tokens and browser sessions alike.
                    try await store.deleteLoginTokens(userID: user.id)
                    try await store.deleteWebSessions(userID: user.id)
                }
                let current = user.groups.map(\.name)
                let wanted = changes.groups.applied(to: current)
                let groupRecords = try await store.groups(names: Array(Set(current + wanted + changes.groups.add)))
                if let missing = (changes.groups.add + (changes.groups.set ?? [])).first(where: { name in !groupRecords.contains { $0.name == name } }) {
                    throw DomainError.objectNotFound(kind: "group", name: missing)
                }
                for group in groupRecords where current.contains(group.name) != wanted.contains(group.name) {
                    try await store.setMembership(userID: user.id, groupID: group.id, isMember: wanted.contains(group.name))
                }
                let added = wanted.filter { !current.contains($0) }
                let removed = current.filter { !wanted.contains($0) }
                if !added.isEmpty || !removed.isEmpty {
                    fieldChanges.append(FieldChange(field: "groups", removed: removed.joined(separator: ", "), added: added.joined(separator: ", ")))
                }
                results.append((user.id, fieldChanges))
            }
            return results
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
