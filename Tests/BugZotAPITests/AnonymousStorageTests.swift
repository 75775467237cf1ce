import BugZotDomain
import BugZotServices
import BugZotStorage
import Foundation
import HTTPTypes
import SQLKit
import Testing

@Suite("Cheap requests never grow storage without bound: those anyone can send, and those of any signed-in person")
struct AnonymousStorageTests {
    // MARK: Drafts

    /// How many drafts are stored, and their bytes.
    static func drafts(in database: any Database) async throws -> (count: Int, bytes: Int) {
        try await database.read { sql in
            let row = try #require(
                try await sql.raw(
                    "SELECT CAST(COUNT(*) AS BIGINT) AS n, CAST(COALESCE(SUM(LENGTH(payload)), 0) AS BIGINT) AS bytes FROM web_drafts"
                ).first())
            return (try row.decode(column: "n", as: Int.self), try row.decode(column: "bytes", as: Int.self))
        }
    }

    @Test(
        "refused forms from ever new signed-out browsers keep a few KB each and still say why; one browser keeps only its newest drafts",
        arguments: TestBackend.all)
    func signedOutDrafts(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let huge = String(repeating: "a", count: 100_000) + "@example.com"
            let strangers = 12
            for _ in 0..<strangers {
                var stranger = Browser(site)
                try await stranger.get("/signup")
                let refused = try await stranger.post(
                    "/signup", ["login": huge, "name": huge, "password": "plum tree 42", "password_confirm": "plum tree 42"])
                #expect(try await stranger.following(refused).expect(.ok).contains("longer than"))
            }
            let afterStrangers = try await Self.drafts(in: site.services.database)
            #expect(afterStrangers.count == strangers)
            #expect(afterStrangers.bytes <= strangers * DraftService.signedOutMaximumBytes)

            // One browser: its newest drafts work, the oldest are gone.
            var browser = Browser(site)
            try await browser.get("/login")
            var locations: [String] = []
            for n in 0..<12 {
                locations.append(try await browser.post("/login", ["login": "guess\(n)@example.com", "password": "wrong"]).location)
            }
            let kept = DraftService.Caps.standard.perBrowser
            #expect(try await Self.drafts(in: site.services.database).count == strangers + kept)
            let newest = try await browser.get(locations[11]).expect(.ok)
            #expect(newest.contains("value=\"guess11@example.com\"") && newest.contains("not valid"))
            #expect(!(try await browser.get(locations[0]).expect(.ok).contains("guess0@example.com")))
        }
    }

    @Test("signed-out drafts are capped overall, signed-in ones per person and per browser, the oldest going first", arguments: TestBackend.all)
    func draftCaps(backend: TestBackend) async throws {
        try await backend.withMigratedDatabase { database in
            let drafts = DraftService(database: database, caps: .init(perBrowser: 3, perUser: 5, signedOut: 10))
            var signedOut: [(token: String, owner: String)] = []
            for n in 0..<40 {
                signedOut.append((try await drafts.keep("form \(n)", owner: "browser \(n)", userID: nil), "browser \(n)"))
            }
            for (index, kept) in signedOut.enumerated() {
                #expect(try await drafts.draft(token: kept.token, owner: kept.owner) == (index >= 30 ? "form \(index)" : nil))
            }
            // A person's drafts, from many browsers, count against their own cap only.
            var person: [(token: String, owner: String)] = []
            for n in 0..<12 { person.append((try await drafts.keep("edit \(n)", owner: "session \(n)", userID: 7), "session \(n)")) }
            #expect(try await drafts.draft(token: person[11].token, owner: person[11].owner) == "edit 11")
            #expect(try await drafts.draft(token: person[6].token, owner: person[6].owner) == nil)
            #expect(try await drafts.draft(token: signedOut[39].token, owner: signedOut[39].owner) == "form 39")
            // One browser keeps its newest few.
            var tab: [String] = []
            for n in 0..<6 { tab.append(try await drafts.keep("tab \(n)", owner: "one browser", userID: 8)) }
            #expect(try await drafts.draft(token: tab[5], owner: "one browser") == "tab 5")
            #expect(try await drafts.draft(token: tab[2], owner: "one browser") == nil)
            #expect(try await Self.drafts(in: database).count == 10 + 5 + 3)
            // Signed out, a draft is at most a few KB; signed in, a whole form fits.
            let big = String(repeating: "x", count: DraftService.signedOutMaximumBytes + 1)
            await #expect(throws: DomainError.requestTooLarge(limit: DraftService.signedOutMaximumBytes)) {
                try await drafts.keep(big, owner: "browser 0", userID: nil)
            }
            #expect(try await drafts.draft(token: try await drafts.keep(big, owner: "session 0", userID: 7), owner: "session 0") == big)
        }
    }

    // MARK: Sign-ups and reset requests

    func signUp(_ login: String, from address: String, in site: TestSite) async throws -> String? {
        try await site.services.accounts.signUp(login: login, realName: "Some One", password: "plum tree 42", clientAddress: address)
    }

    @Test("sign-ups are throttled per client address, an IPv6 client by its /64; a throttled sign-up makes no account", arguments: TestBackend.all)
    func signUpThrottle(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let limit = AddressThrottle.signUps.limit
            let throttled = DomainError.addressThrottled(what: "sign-ups")
            for n in 0..<limit { _ = try await signUp("v4-\(n)@example.com", from: "198.51.100.7", in: site) }
            await #expect(throws: throttled) { try await signUp("v4-more@example.com", from: "198.51.100.7", in: site) }
            await #expect(throws: throttled) { try await signUp("dev@example.com", from: "198.51.100.7", in: site) }
            #expect(try await signUp("v4-other@example.com", from: "198.51.100.8", in: site) != nil)

            for n in 0..<limit { _ = try await signUp("v6-\(n)@example.com", from: "2001:db8:5:6::\(n + 1)", in: site) }
            await #expect(throws: throttled) { try await signUp("v6-more@example.com", from: "2001:db8:5:6:ffff::1", in: site) }
            #expect(try await signUp("v6-other@example.com", from: "2001:db8:5:7::1", in: site) != nil)

            let made = try await site.services.database.read { sql in
                (try await SQLStore(sql).credentials(login: "v4-more@example.com"), try await SQLStore(sql).credentials(login: "v6-more@example.com"))
            }
            #expect(made.0 == nil && made.1 == nil)

            // Sign-ups count for an hour, whatever the login throttle forgets after its own 15 minutes.
            let age = { (minutes: Int) in
                try await site.services.database.transaction { sql in
                    try await sql.raw("UPDATE login_failures SET failed_at = failed_at - \(bind: minutes * 60)").run()
                }
            }
            try await age(20)
            await #expect(throws: DomainError.invalidLogin) {
                try await site.services.auth.authenticate(login: "nobody@example.com", password: "wrong", clientAddress: "203.0.113.9")
            }
            await #expect(throws: throttled) { try await signUp("v4-later@example.com", from: "198.51.100.7", in: site) }
            try await age(41)
            #expect(try await signUp("v4-later@example.com", from: "198.51.100.7", in: site) != nil)
        }
    }

    @Test("a throttled sign-up says so on the page, the same whether or not the address has an account", arguments: TestBackend.all)
    func signUpThrottlePage(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var browser = Browser(site)
            try await browser.get("/signup")
            for n in 0..<AddressThrottle.signUps.limit {
                #expect(try await browser.signUpAnswer("web-\(n)@example.com").contains("Check your email"))
            }
            let fresh = try await browser.signUpAnswer("fresh@example.com")
            #expect(fresh.contains("Too many sign-ups from your address"))
            #expect(try await browser.signUpAnswer("dev@example.com") == fresh)
        }
    }

    @Test("password-reset requests are throttled per client address, whether or not the account exists", arguments: TestBackend.all)
    func resetThrottle(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var browser = Browser(site)
            try await browser.get("/forgot")
            for n in 0..<AddressThrottle.resetRequests.limit {
                let login = n.isMultiple(of: 2) ? "reporter@example.com" : "nobody\(n)@example.com"
                #expect(try await browser.following(try await browser.post("/forgot", ["login": login])).contains("Check your email"))
            }
            let refused = try await browser.following(try await browser.post("/forgot", ["login": "dev@example.com"])).expect(.ok)
            #expect(refused.contains("Too many password-reset requests from your address") && refused.contains("value=\"dev@example.com\""))
            await #expect(throws: DomainError.addressThrottled(what: "password-reset requests")) {
                try await site.services.accounts.requestPasswordReset(login: "dev@example.com", clientAddress: "unknown")
            }
            try await site.services.accounts.requestPasswordReset(login: "dev@example.com", clientAddress: "203.0.113.5")
        }
    }

    @Test("failed logins count an IPv6 client by its /64", arguments: TestBackend.all)
    func loginThrottleByPrefix(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let auth = site.services.auth
            for n in 0..<AuthService.Throttle().perAddress {
                await #expect(throws: DomainError.invalidLogin) {
                    try await auth.authenticate(login: "nobody\(n)@example.com", password: "wrong", clientAddress: "2001:db8:9:9::\(n + 1)")
                }
            }
            await #expect(throws: DomainError.loginThrottled) {
                try await auth.authenticate(login: "dev@example.com", password: TestSite.password, clientAddress: "2001:db8:9:9:1234::1")
            }
            // The next /64 is another client.
            let userID = try await auth.authenticate(login: "dev@example.com", password: TestSite.password, clientAddress: "2001:db8:9:a::1")
            #expect(userID > 0)
        }
    }

    // MARK: What a signed-in person can pile up cheaply

    static func rows(of table: String, userID: Int, in database: any Database) async throws -> Int {
        try await database.read { sql in
            try #require(
                try await sql.raw("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM \(unsafeRaw: table) WHERE user_id = \(bind: userID)").first()
            ).decode(column: "n", as: Int.self)
        }
    }

    @Test("a person keeps at most so many sessions and login tokens, the newest, which work", arguments: TestBackend.all)
    func sessionAndTokenCaps(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let database = site.services.database
            let userID = try #require(try await database.read { sql in try await SQLStore(sql).credentials(login: "reporter@example.com") }).userID
            let now = Int(Date().timeIntervalSince1970)
            try await database.transaction { sql in
                for n in 0..<(AuthService.maximumLoginTokens + 5) {
                    try await sql.raw(
                        "INSERT INTO login_tokens (user_id, token_hash, created_at) VALUES (\(bind: userID), \(bind: "old \(n)"), \(bind: now))"
                    ).run()
                }
                for n in 0..<(SessionService.maximumSessions + 5) {
                    try await sql.raw(
                        """
                        INSERT INTO web_sessions (user_id, token_hash, created_at, last_seen_at)
                        VALUES (\(bind: userID), \(bind: "old \(n)"), \(bind: now), \(bind: now))
                        """
                    ).run()
                }
            }
            let (_, token) = try await site.services.auth.login(login: "reporter@example.com", password: TestSite.password, clientAddress: "192.0.2.1")
            let session = try await site.services.sessions.start(userID: userID)
            #expect(try await Self.rows(of: "login_tokens", userID: userID, in: database) == AuthService.maximumLoginTokens)
            #expect(try await Self.rows(of: "web_sessions", userID: userID, in: database) == SessionService.maximumSessions)
            #expect(try await site.services.auth.principal(for: .token(token), clientAddress: "192.0.2.1").user?.id == userID)
            #expect(try await site.services.sessions.principal(forToken: session)?.user?.id == userID)
        }
    }

    @Test("a person keeps at most so many API keys: the oldest revoked go to make room, and with none revoked a new one is refused", arguments: TestBackend.all)
    func apiKeyCap(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let auth = site.services.auth
            let database = site.services.database
            let userID = try #require(try await database.read { sql in try await SQLStore(sql).credentials(login: "reporter@example.com") }).userID
            // The site made one already.
            for n in 1..<AuthService.maximumAPIKeys { _ = try await auth.createAPIKey(userID: userID, description: "key \(n)") }
            await #expect(throws: DomainError.self) { try await auth.createAPIKey(userID: userID, description: "one too many") }
            let keys = try await database.read { sql in try await SQLStore(sql).apiKeys(userID: userID) }
            try await database.transaction { sql in try await SQLStore(sql).revokeAPIKey(id: keys[1].id, userID: userID) }
            let newest = try await auth.createAPIKey(userID: userID, description: "room made")
            let after = try await database.read { sql in try await SQLStore(sql).apiKeys(userID: userID) }
            #expect(after.count == AuthService.maximumAPIKeys && !after.contains { $0.id == keys[1].id })
            #expect(try await auth.principal(for: .apiKey(newest), clientAddress: "192.0.2.1").user?.id == userID)
            // The key the site made first is still in use.
            try await site.get("/rest/user?names=reporter@example.com", as: "reporter").expect(.ok)
        }
    }

    // MARK: Pending accounts

    @Test("accounts never activated go once their link has expired; activated, recent and otherwise used ones stay", arguments: TestBackend.all)
    func expiredSignUps(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            for (n, login) in ["expired", "named", "recent", "active"].enumerated() {
                let token = try #require(try await signUp("\(login)@example.com", from: "192.0.2.\(n + 1)", in: site))
                if login == "active" { _ = try await site.services.accounts.activate(token: token) }
            }
            let eightDays = 8 * 24 * 3600
            try await site.services.database.transaction { sql in
                // An administrator put one of them in a group.
                try await sql.raw(
                    """
                    INSERT INTO user_groups (user_id, group_id) SELECT u.id, g.id FROM users u, access_groups g
                    WHERE u.login_name = 'named@example.com' AND g.name = 'secret'
                    """
                ).run()
                try await sql.raw(
                    """
                    UPDATE account_activations SET created_at = created_at - \(bind: eightDays)
                    WHERE user_id IN (SELECT id FROM users WHERE login_name IN ('expired@example.com', 'named@example.com'))
                    """
                ).run()
                try await sql.raw("UPDATE users SET created_at = created_at - \(bind: eightDays)").run()
            }
            #expect(try await signUp("next@example.com", from: "192.0.2.9", in: site) != nil)
            let logins = try await site.services.database.read { sql in
                Set(try await sql.raw("SELECT login_name FROM users").all().map { try $0.decode(column: "login_name", as: String.self) })
            }
            #expect(!logins.contains("expired@example.com"))
            #expect(logins.isSuperset(of: ["named@example.com", "recent@example.com", "active@example.com", "next@example.com", "dev@example.com"]))
            // The address is free to sign up again.
            #expect(try await signUp("expired@example.com", from: "192.0.2.10", in: site) != nil)
        }
    }

    @Test("the sign-up purge knows every column that names a user, so it never forgets an account in use")
    func userReferencesAreComplete() async throws {
        try await TestBackend.sqlite.withMigratedDatabase { database in
            let found = try await database.read { sql in
                Set(
                    try await sql.raw(
                        """
                        SELECT m.name AS t, f."from" AS c FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
                        WHERE m.type = 'table' AND f."table" = 'users'
                        """
                    ).all().map { "\(try $0.decode(column: "t", as: String.self)).\(try $0.decode(column: "c", as: String.self))" })
            }
            let known = Set(SQLStore.userReferences.map { "\($0.table).\($0.column)" })
            #expect(found == known.union(["account_activations.user_id", "password_resets.user_id"]))
        }
    }
}
