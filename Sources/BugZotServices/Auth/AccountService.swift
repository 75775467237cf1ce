import BugZotDomain
import BugZotStorage
import Foundation

/// What people do with their own accounts: sign up and activate, change their password, keep
/// API keys and saved searches.
public struct AccountService: Sendable {
    let database: any Database
    let hasher: PasswordHasher
    let policy: Policy
    let composer: MailComposer
    private let savedSearchCache: SavedSearchCache
    /// An activation link works for this long.
    let activationLifetime: TimeInterval = 7 * 24 * 3600
    /// A password-reset link works for this long.
    let resetLifetime: TimeInterval = 3600
    /// At most one activation or reset mail per account in this long, so the forms can't be used
    /// to flood someone's mailbox.
    let mailInterval: TimeInterval = 300
    /// What a pending account's owner is told if they try to log in.
    static let pendingText = "This account has not been activated yet: follow the link sent when you signed up."
    /// Bounds on what one user may keep.
    static let maximumSavedSearches = 100
    /// Pending accounts whose link expired that one sign-up forgets: more than one, so that the
    /// purge keeps up with the (throttled) sign-ups, few enough to keep a sign-up quick.
    static let expiredSignUpsPerSignUp = 20

    public init(database: any Database, hasher: PasswordHasher, policy: Policy, composer: MailComposer) {
        self.database = database
        self.hasher = hasher
        self.policy = policy
        self.composer = composer
        self.savedSearchCache = SavedSearchCache(feed: database.changes)
    }

    // MARK: Sign-up

    /// Creates an account that stays disabled until `activate` sees the returned token, which is
    /// mailed (through the job queue) to the address. Signing up again for an account still
    /// pending replaces its name, password and token.
    ///
    /// The caller learns nothing about who has an account: for an address that already has one,
    /// its owner is mailed instead (that someone tried, with a link to choose a new password), and
    /// the answer is the same. At most one such mail goes to an address every `mailInterval`;
    /// within it a repeated sign-up does nothing. The token is nil when no account was made.
    ///
    /// Sign-ups are throttled per client (`AddressThrottle.signUps`), and each forgets pending
    /// accounts whose activation link has expired (`activationLifetime`), so that no one can pile
    /// up accounts that were never activated.
    @discardableResult
    public func signUp(login: String, realName: String, password: String, clientAddress: String) async throws -> String? {
        try InputRules.check(login, as: .login)
        try InputRules.check(realName, as: .realName)
        try InputRules.check(password, as: .password)
        let login = login.trimmingCharacters(in: .whitespaces).lowercased()
        guard InputRules.isValidEmail(login) else { throw DomainError.illegalEmail(login) }
        let realName = realName.trimmingCharacters(in: .whitespaces)
        try PasswordRules.check(password, login: login, policy: policy)
        let now = Date()
        // Before the account is looked for, so a throttled sign-up tells nothing about it either.
        try await database.transaction { sql in
            try await AddressThrottle.signUps.admit(clientAddress: clientAddress, in: SQLStore(sql), at: now)
        }
        // Hashed whatever happens next, so that a taken address answers no faster.
        let passwordHash = try await hasher.hash(password)
        let token = Secrets.random()
        return try await database.transaction { sql in
            let store = SQLStore(sql)
            _ = try await store.deleteExpiredSignUps(
                pendingText: Self.pendingText, issuedBefore: now.addingTimeInterval(-activationLifetime), limit: Self.expiredSignUpsPerSignUp)
            let userID: Int
            if let existing = try await store.credentials(login: login) {
                guard !existing.isEnabled, existing.disabledText == Self.pendingText else {
                    try await tellOwnerOfExistingAccount(existing.userID, isEnabled: existing.isEnabled, store: store, at: now)
                    return nil
                }
                userID = existing.userID
                if let issued = try await store.activationIssued(userID: userID), now.timeIntervalSince(issued) < mailInterval {
                    return nil  // the link mailed a moment ago still works
                }
                try await store.updateUser(id: userID, realName: realName, passwordHash: passwordHash)
                try await store.deleteActivation(userID: userID)
            } else {
                userID = try await store.insertUser(login: login, realName: realName, passwordHash: passwordHash, at: now)
                try await store.updateUser(id: userID, disabledText: Self.pendingText)
            }
            try await store.insertActivation(userID: userID, hash: Secrets.digest(token), at: now)
            try await Outbox.mail(composer.activation(to: login, name: realName, token: token), key: nil, in: store, at: now)
            return token
        }
    }

    /// Someone signed up with the address of an account: its owner hears of it, with a link to
    /// set a new password (an account disabled by an administrator hears nothing). Rate-limited
    /// like reset mail, with which it shares its limit.
    private func tellOwnerOfExistingAccount(_ userID: Int, isEnabled: Bool, store: SQLStore, at now: Date) async throws {
        guard isEnabled, let user = try await store.users(ids: [userID]).first else { return }
        if let issued = try await store.passwordResetIssued(userID: userID), now.timeIntervalSince(issued) < mailInterval { return }
        let token = Secrets.random()
        try await store.insertPasswordReset(userID: userID, hash: Secrets.digest(token), at: now)
        try await Outbox.mail(composer.accountExists(to: user.login, name: user.realName, resetToken: token), key: nil, in: store, at: now)
    }

    /// Enables the account an activation token was issued for; returns its id.
    public func activate(token: String) async throws -> Int {
        let since = Date().addingTimeInterval(-activationLifetime)
        return try await database.transaction { sql in
            let store = SQLStore(sql)
            guard let userID = try await store.activation(hash: Secrets.digest(token), since: since) else {
                throw DomainError.activationInvalid
            }
            try await store.deleteActivation(userID: userID)
            guard let user = try await store.users(ids: [userID]).first, user.disabledText == Self.pendingText else {
                throw DomainError.activationInvalid  // disabled by an administrator meanwhile
            }
            try await store.updateUser(id: userID, disabledText: "")
            return userID
        }
    }

    // MARK: Password

    /// Changes the signed-in user's password after checking the current one, and ends their
    /// other sessions and login tokens.
    public func changePassword(current: String, new: String, keepingSession sessionToken: String?, by principal: Principal) async throws {
        let user = try principal.requireUser()
        try InputRules.check(new, as: .password)
        let stored = try await database.read { sql in try await SQLStore(sql).credentials(login: user.login) }
        guard let stored, try await hasher.verify(current, against: stored.passwordHash) else { throw DomainError.invalidLogin }
        try PasswordRules.check(new, login: user.login, policy: policy)
        let hash = try await hasher.hash(new)
        try await database.transaction { sql in
            let store = SQLStore(sql)
            try await store.updateUser(id: user.id, passwordHash: hash)
            try await store.deleteLoginTokens(userID: user.id)
            try await store.deleteWebSessions(userID: user.id, except: sessionToken.map(Secrets.digest))
        }
    }

    /// Mails a password-reset link if the address belongs to an active account. Says nothing either
    /// way, so the form can't be used to find out who has an account. Throttled per client
    /// (`AddressThrottle.resetRequests`) whether or not there is such an account.
    public func requestPasswordReset(login: String, clientAddress: String) async throws {
        try InputRules.check(login, as: .login)
        let token = Secrets.random()
        let now = Date()
        try await database.transaction { sql in
            let store = SQLStore(sql)
            try await AddressThrottle.resetRequests.admit(clientAddress: clientAddress, in: store, at: now)
            guard let user = try await store.user(login: login.trimmingCharacters(in: .whitespaces)), user.isEnabled else { return }
            if let issued = try await store.passwordResetIssued(userID: user.id), now.timeIntervalSince(issued) < mailInterval { return }
            try await store.insertPasswordReset(userID: user.id, hash: Secrets.digest(token), at: now)
            try await Outbox.mail(composer.passwordReset(to: user.login, name: user.realName, token: token), key: nil, in: store, at: now)
        }
    }

    /// Whether a reset token is still good (for showing the form).
    public func isValidPasswordReset(token: String) async throws -> Bool {
        let since = Date().addingTimeInterval(-resetLifetime)
        return try await database.read { sql in try await SQLStore(sql).passwordReset(hash: Secrets.digest(token), since: since) } != nil
    }

    /// Sets a new password with a reset token, once; every session and login token of the account ends.
    public func resetPassword(token: String, new password: String) async throws {
        let since = Date().addingTimeInterval(-resetLifetime)
        let userID = try await database.read { sql in try await SQLStore(sql).passwordReset(hash: Secrets.digest(token), since: since) }
        guard let userID, let user = try await database.read({ sql in try await SQLStore(sql).users(ids: [userID]).first }) else {
            throw DomainError.resetInvalid
        }
        try InputRules.check(password, as: .password)
        try PasswordRules.check(password, login: user.login, policy: policy)
        let hash = try await hasher.hash(password)
        try await database.transaction { sql in
            let store = SQLStore(sql)
            // Checked again inside the transaction: a token works once.
            guard try await store.passwordReset(hash: Secrets.digest(token), since: since) == userID else { throw DomainError.resetInvalid }
            try await store.deletePasswordReset(userID: userID)
            try await store.updateUser(id: userID, passwordHash: hash)
            try await store.deleteLoginTokens(userID: userID)
            try await store.deleteWebSessions(userID: userID)
        }
    }

    // MARK: Mail preferences

    /// The kinds of change the user chose not to hear about, and the components they watch.
    public func mailPreferences(by principal: Principal) async throws -> (optedOut: Set<ChangeKind>, watched: Set<Int>) {
        let user = try principal.requireUser()
        return try await database.read { sql in
            let store = SQLStore(sql)
            return (try await store.mailOptOuts(userIDs: [user.id])[user.id] ?? [], try await store.watchedComponents(userID: user.id))
        }
    }

    public func setMailPreferences(optedOut: Set<ChangeKind>, watched: Set<Int>, by principal: Principal) async throws {
        let user = try principal.requireUser()
        try policy.checkListSizes([("watched", watched.count)])
        try await database.transaction { sql in
            let store = SQLStore(sql)
            let known = Set(try await store.products(ids: try await store.productIDs()).flatMap(\.components).map(\.id))
            if let unknown = watched.first(where: { !known.contains($0) }) {
                throw DomainError.objectNotFound(kind: "component", name: String(unknown))
            }
            try await store.setMailOptOuts(userID: user.id, optedOut)
            try await store.setWatchedComponents(userID: user.id, watched)
        }
    }

    // MARK: API keys

    public func apiKeys(by principal: Principal) async throws -> [APIKeyListing] {
        let user = try principal.requireUser()
        return try await database.read { sql in try await SQLStore(sql).apiKeys(userID: user.id) }
    }

    /// Creates a named key for the signed-in user; the key is shown once and kept only as a digest.
    public func createAPIKey(description: String, by principal: Principal, auth: AuthService) async throws -> String {
        let user = try principal.requireUser()
        return try await auth.createAPIKey(userID: user.id, description: description)
    }

    /// Revokes one of the signed-in user's keys; someone else's key id changes nothing.
    public func revokeAPIKey(id: Int, by principal: Principal) async throws {
        let user = try principal.requireUser()
        try await database.transaction { sql in try await SQLStore(sql).revokeAPIKey(id: id, userID: user.id) }
    }

    // MARK: Saved searches

    public func savedSearches(by principal: Principal) async throws -> [SavedSearch] {
        guard let user = principal.user else { return [] }
        return try await savedSearchCache.searches(of: user.id) {
            try await database.read { sql in try await SQLStore(sql).savedSearches(userID: user.id) }
        }
    }

    /// Keeps a bug-list query under a name, replacing one of the same name.
    public func saveSearch(name: String, query: String, by principal: Principal) async throws {
        let user = try principal.requireUser()
        try InputRules.check(name, as: .savedSearchName)
        try InputRules.check(query, as: .savedSearchQuery)
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw DomainError.missingParameter("name", function: "saved search") }
        let now = Date()
        try await database.transaction { sql in
            let store = SQLStore(sql)
            let existing = try await store.savedSearches(userID: user.id)
            if existing.count >= Self.maximumSavedSearches, !existing.contains(where: { $0.name == name }) {
                throw DomainError.invalidParameter(parameter: "name", reason: "at most \(Self.maximumSavedSearches) searches may be saved.")
            }
            try await store.saveSearch(userID: user.id, name: name, query: query, at: now)
        }
    }

    public func deleteSavedSearch(id: Int, by principal: Principal) async throws {
        let user = try principal.requireUser()
        try await database.transaction { sql in try await SQLStore(sql).deleteSavedSearch(id: id, userID: user.id) }
    }
}
