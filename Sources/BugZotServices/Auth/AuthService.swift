import BugZotDomain
import BugZotStorage
import Foundation

/// Signs people in and turns credentials into a `Principal`.
public struct AuthService: Sendable {
    /// How many failed logins are tolerated within `window` before further attempts are refused.
    public struct Throttle: Sendable {
        public var perAccount: Int
        public var perAddress: Int
        public var window: TimeInterval

        public init(perAccount: Int = 10, perAddress: Int = 30, window: TimeInterval = 15 * 60) {
            self.perAccount = perAccount
            self.perAddress = perAddress
            self.window = window
        }
    }

    let database: any Database
    let hasher: PasswordHasher
    let throttle: Throttle
    /// Who holds the API keys, tokens and sessions seen lately (shared with `SessionService`).
    let principals: PrincipalCache
    /// What the login throttle's attempts are counted under: the account, the client's address.
    static let accountKind = "account", addressKind = "address"
    static let attemptKinds = [accountKind, addressKind]
    /// Login tokens expire after this long.
    let tokenLifetime: TimeInterval = 30 * 24 * 3600
    /// Login tokens kept per user, the newest: a script that logs in on every run must not pile
    /// up a month of them; far more than any one person uses at a time.
    public static let maximumLoginTokens = 1000
    /// API keys kept per user, revoked ones included (the oldest revoked go to make room).
    public static let maximumAPIKeys = 100

    public init(database: any Database, hasher: PasswordHasher, throttle: Throttle = Throttle()) {
        self.database = database
        self.hasher = hasher
        self.throttle = throttle
        self.principals = PrincipalCache(feed: database.changes)
    }

    /// Who presents these credentials. Bad credentials are an error, never a silent anonymous.
    /// An API key or token seen lately costs no statement (`PrincipalCache`); a password is
    /// checked every time.
    public func principal(for credentials: Credentials, clientAddress: String) async throws -> Principal {
        switch credentials {
        case .none:
            return .anonymous
        case .apiKey(let key):
            guard let holder = try await holder(ofAPIKey: key) else { throw DomainError.invalidAPIKey }
            return holder.principal
        case .token(let token):
            guard let holder = try await holder(ofToken: token) else { throw DomainError.invalidToken }
            return holder.principal
        case .password(let login, let password):
            let userID = try await authenticate(login: login, password: password, clientAddress: clientAddress)
            return try await principal(userID: userID)
        }
    }

    /// Checks a password and issues a login token: `(user id, token)`.
    public func login(login: String, password: String, clientAddress: String) async throws -> (userID: Int, token: String) {
        let userID = try await authenticate(login: login, password: password, clientAddress: clientAddress)
        let secret = Secrets.random()
        let now = Date()
        let expired = now.addingTimeInterval(-tokenLifetime)
        _ = try await database.transaction { sql in
            let store = SQLStore(sql)
            try await store.deleteLoginTokens(issuedBefore: expired)
            let id = try await store.insertLoginToken(userID: userID, hash: Secrets.digest(secret), at: now)
            try await store.trimLoginTokens(userID: userID, keeping: Self.maximumLoginTokens)
            return id
        }
        return (userID, "\(userID)-\(secret)")
    }

    /// Invalidates a login token; unknown tokens are ignored.
    public func logout(token: String) async throws {
        guard let (userID, secret) = Self.split(token: token) else { return }
        let digest = Secrets.digest(secret)
        try await database.transaction { sql in
            let store = SQLStore(sql)
            for stored in try await store.loginTokens(userID: userID, since: .distantPast)
            where Secrets.constantTimeEquals(stored.hash, digest) {
                try await store.deleteLoginToken(id: stored.id, userID: userID)
            }
        }
    }

    /// Creates an API key for a user and returns it; only its digest is kept. Every path (web,
    /// command line) comes here, so the description and the number of keys are checked here: at
    /// most `maximumAPIKeys`, the oldest revoked one forgotten to make room, refused when all
    /// are in use.
    public func createAPIKey(userID: Int, description: String) async throws -> String {
        try InputRules.check(description, as: .apiKeyDescription)
        let description = description.trimmingCharacters(in: .whitespaces)
        let key = Secrets.random()
        let cra = try CRAKeys.make(for: key)
        let now = Date()
        _ = try await database.transaction { sql in
            let store = SQLStore(sql)
            let keys = try await store.apiKeys(userID: userID)
            let excess = keys.count - Self.maximumAPIKeys + 1
            if excess > 0 {
                let revoked = keys.filter(\.isRevoked).map(\.id)
                guard revoked.count >= excess else {
                    throw DomainError.invalidParameter(
                        parameter: "api_key", reason: "at most \(Self.maximumAPIKeys) API keys may be in use: revoke one first.")
                }
                try await store.deleteAPIKeys(ids: Array(revoked.prefix(excess)), userID: userID)
            }
            return try await store.insertAPIKey(
                userID: userID, prefix: String(key.prefix(8)), hash: Secrets.digest(key), description: description, cra: cra, at: now)
        }
        return key
    }

    /// The WAMP-CRA key a person signs challenges with (their newest API key's that has one), with
    /// that key's id; nil when there is none or the login is not one an account could have.
    public func craKey(login: String) async throws -> (keyID: Int, userID: Int, key: CRAKey)? {
        guard (try? InputRules.check(login, as: .login)) != nil else { return nil }
        return try await database.read { sql in try await SQLStore(sql).newestCRAKey(login: login) }
    }

    public func principal(userID: Int) async throws -> Principal {
        try await database.read { sql in try await Self.principal(userID: userID, store: SQLStore(sql)) }
    }

    /// The principal of an enabled account, read through `store`.
    static func principal(userID: Int, store: SQLStore) async throws -> Principal {
        guard let user = try await store.users(ids: [userID]).first else { throw DomainError.invalidLogin }
        guard user.isEnabled else { throw DomainError.accountDisabled(user.disabledText) }
        return Principal(user: user.summary, groups: Set(user.groups.map(\.name)))
    }

    private func holder(ofAPIKey key: String) async throws -> PrincipalCache.Holder? {
        guard key.utf8.count >= 8, (try? InputRules.check(key, as: .credential)) != nil else { return nil }
        let digest = Secrets.digest(key)
        return try await principals.holder(of: .apiKey(digest: digest)) {
            try await database.read { sql in
                let store = SQLStore(sql)
                let candidates = try await store.apiKeys(prefix: String(key.prefix(8)))
                guard let userID = candidates.first(where: { Secrets.constantTimeEquals($0.hash, digest) })?.userID else { return nil }
                return PrincipalCache.Holder(principal: try await Self.principal(userID: userID, store: store), userID: userID, expires: .distantFuture)
            }
        }
    }

    private func holder(ofToken token: String) async throws -> PrincipalCache.Holder? {
        guard let (userID, secret) = Self.split(token: token) else { return nil }
        let digest = Secrets.digest(secret)
        let lifetime = tokenLifetime
        return try await principals.holder(of: .token(digest: Secrets.digest(token))) {
            try await database.read { sql in
                let store = SQLStore(sql)
                let tokens = try await store.loginTokens(userID: userID, since: Date().addingTimeInterval(-lifetime))
                guard let stored = tokens.first(where: { Secrets.constantTimeEquals($0.hash, digest) }) else { return nil }
                return PrincipalCache.Holder(
                    principal: try await Self.principal(userID: userID, store: store), userID: userID,
                    expires: stored.issuedAt.addingTimeInterval(lifetime))
            }
        }
    }

    private static func split(token: String) -> (Int, String)? {
        let parts = token.split(separator: "-", maxSplits: 1)
        guard parts.count == 2, let userID = Int(parts[0]) else { return nil }
        return (userID, String(parts[1]))
    }

    /// The user id for a correct password, throttled. Every attempt is recorded before the password is
    /// checked and forgotten only when it succeeds, so parallel guesses count against the limit too.
    ///
    /// Attempts are stored under fixed-length digests of the login and the address, so no request
    /// can make the table grow by more than one short row per subject, and none once a subject is
    /// throttled (at most `perAddress` rows per address per window; an IPv6 address counts by its
    /// /64, see `ClientAddress.throttleKey`); a login or password that
    /// no account could have (too long, NUL, control characters) counts as a failure and is never
    /// looked up.
    public func authenticate(login: String, password: String, clientAddress: String) async throws -> Int {
        let isPlausible =
            (try? InputRules.check(login, as: .login)) != nil && (try? InputRules.check(password, as: .password)) != nil
        // A bounded prefix: an over-long login is refused below whatever it holds.
        let account = Self.accountKind + ":" + Secrets.digest(String(decoding: login.utf8.prefix(1024), as: UTF8.self).lowercased())
        let address = Self.addressKind + ":" + Secrets.digest(ClientAddress.throttleKey(clientAddress))
        let now = Date()
        let windowStart = now.addingTimeInterval(-throttle.window)
        let recorded = try await database.transaction { sql -> [Int]? in
            let store = SQLStore(sql)
            try await store.clearLoginFailures(kinds: Self.attemptKinds, before: windowStart)
            // Already over a limit: refused without a record, so a throttled sender adds no rows.
            let earlier = try await store.loginFailureCounts(subjects: [account, address], since: windowStart)
            if earlier[account, default: 0] >= throttle.perAccount || earlier[address, default: 0] >= throttle.perAddress { return nil }
            return try await store.recordLoginAttempt(subjects: [account, address], at: now)
        }
        guard let attempt = recorded else { throw DomainError.loginThrottled }
        let (attempts, credentials) = try await database.read { sql in
            let store = SQLStore(sql)
            return (
                try await store.loginFailureCounts(subjects: [account, address], since: windowStart),
                isPlausible ? try await store.credentials(login: login) : nil
            )
        }
        // This attempt is among the counted ones.
        if attempts[account, default: 0] > throttle.perAccount || attempts[address, default: 0] > throttle.perAddress {
            throw DomainError.loginThrottled
        }
        let matches: Bool
        if let credentials {
            matches = try await hasher.verify(password, against: credentials.passwordHash)
        } else {
            _ = try await hasher.hash(password)  // as slow as a real check, so timing tells no account names
            matches = false
        }
        guard let credentials, matches else { throw DomainError.invalidLogin }
        guard credentials.isEnabled else { throw DomainError.accountDisabled(credentials.disabledText) }
        try await database.transaction { sql in
            let store = SQLStore(sql)
            try await store.deleteLoginAttempts(ids: attempt)
            try await store.clearLoginFailures(kinds: Self.attemptKinds, before: windowStart, subject: account)
        }
        return credentials.userID
    }
}
