import BugZotDomain
import BugZotREST
import BugZotServices
import BugZotStorage
import Foundation
import HTTPTypes
import SQLKit
import Testing

@Suite("Web UI: accounts and sessions")
struct WebAccountTests {
    @Test("sign-up leaves the account pending: it can't log in until the activation link is followed", arguments: TestBackend.all)
    func signUpThenActivate(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var browser = Browser(site)
            try await browser.get("/signup").expect(.ok)
            let page = try await browser.post(
                "/signup", ["login": "new@example.com", "name": "New Person", "password": "plum tree 42", "password_confirm": "plum tree 42"])
            #expect(page.expect(.ok).contains("Check your email"))
            try await browser.get("/login")
            let refused = try await browser.post("/login", ["login": "new@example.com", "password": "plum tree 42"])
            #expect(refused.expect(.unauthorized).contains("has not been activated"))

            // Signing up again at once is refused: one activation mail per few minutes.
            let again = try await browser.post(
                "/signup", ["login": "new@example.com", "name": "New Person", "password": "plum tree 42", "password_confirm": "plum tree 42"])
            #expect(again.expect(.unprocessableContent).contains("sent to this address a few minutes ago"))
            // The link's token is only in the mail; the service hands out a fresh one.
            try await site.services.database.transaction { sql in
                try await sql.raw("UPDATE account_activations SET created_at = created_at - 3600").run()
            }
            let (_, token) = try await site.services.accounts.signUp(login: "new@example.com", realName: "New Person", password: "plum tree 42")
            #expect(try await browser.get("/activate?token=\(token)").expect(.seeOther).location == "/?done=activated")
            #expect(try await browser.get("/").expect(.ok).contains("My bugs"))
            #expect(try await browser.get("/activate?token=\(token)").status == .unprocessableContent)
        }
    }

    @Test("sign-up refuses weak or mismatched passwords and keeps what was typed", arguments: TestBackend.all)
    func signUpRules(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var browser = Browser(site)
            try await browser.get("/signup")
            let common = try await browser.post(
                "/signup", ["login": "x@example.com", "name": "Ex Ample", "password": "password123", "password_confirm": "password123"])
            #expect(common.expect(.unprocessableContent).contains("most common passwords"))
            #expect(common.contains("value=\"x@example.com\"") && common.contains("value=\"Ex Ample\""))
            let mismatch = try await browser.post(
                "/signup", ["login": "x@example.com", "name": "", "password": "plum tree 42", "password_confirm": "plum tree 43"])
            #expect(mismatch.expect(.unprocessableContent).contains("do not match"))
            let taken = try await browser.post(
                "/signup", ["login": "dev@example.com", "name": "", "password": "plum tree 42", "password_confirm": "plum tree 42"])
            #expect(taken.expect(.unprocessableContent).contains("already an account"))
        }
    }

    @Test("a form without this visitor's CSRF token is refused", arguments: TestBackend.all)
    func csrf(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var browser = try await Browser.signedIn(site, as: "reporter")
            try await browser.post("/logout", ["csrf_token": "forged"]).expect(.forbidden)
            try await browser.post("/logout", [:], withToken: false).expect(.forbidden)
            var stranger = Browser(site)
            try await stranger.get("/login")
            // A token from someone else's page is no good either.
            try await stranger.post("/login", ["login": "dev@example.com", "password": TestSite.password, "csrf_token": browser.csrfToken])
                .expect(.forbidden)
            #expect(try await browser.get("/").contains("My bugs"))
        }
    }

    @Test("the session cookie is HttpOnly and SameSite=Lax, Secure behind TLS; logging out ends the session", arguments: TestBackend.all)
    func sessionCookie(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var browser = Browser(site)
            try await browser.get("/login")
            let login = try await browser.post("/login", ["login": "reporter@example.com", "password": TestSite.password])
            let cookie = try #require(login.headers[values: .setCookie].first { $0.hasPrefix("bugzot_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"))
            let session = browser.cookies["bugzot_session"]

            var tls = Browser(site)
            let page = try await tls.get("/login", headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            #expect(page.headers[values: .setCookie].allSatisfy { $0.contains("Secure") })

            try await browser.get("/")
            try await browser.post("/logout", [:]).expect(.seeOther)
            var replay = Browser(site)
            let home = try await replay.get("/", headers: [.cookie: "bugzot_session=\(session ?? "")"])
            #expect(home.contains("Welcome to BugZot"))
        }
    }

    @Test("a wrong password is refused with the same words as an unknown account", arguments: TestBackend.all)
    func badLogin(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var browser = Browser(site)
            try await browser.get("/login")
            let wrong = try await browser.post("/login", ["login": "dev@example.com", "password": "nope nope nope"])
            let unknown = try await browser.post("/login", ["login": "nobody@example.com", "password": "nope nope nope"])
            #expect(wrong.expect(.unauthorized).contains("not valid"))
            #expect(unknown.expect(.unauthorized).contains("not valid"))
        }
    }

    @Test("after logging in, the browser goes back where it was, but never to another site", arguments: TestBackend.all)
    func returnTo(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var browser = Browser(site)
            #expect(try await browser.get("/bug/new").expect(.seeOther).location == "/login?return_to=%2Fbug%2Fnew")
            try await browser.get("/login?return_to=%2Fbug%2Fnew")
            let back = try await browser.post(
                "/login", ["login": "reporter@example.com", "password": TestSite.password, "return_to": "/bug/new"])
            #expect(back.location == "/bug/new")
            for elsewhere in ["https://evil.example", "//evil.example", "/\\evil.example"] {
                try await browser.get("/login")
                let page = try await browser.post(
                    "/login", ["login": "reporter@example.com", "password": TestSite.password, "return_to": elsewhere])
                #expect(page.location == "/")
            }
        }
    }

    @Test("changing the password needs the current one and ends the other sessions", arguments: TestBackend.all)
    func passwordChange(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var here = try await Browser.signedIn(site, as: "reporter")
            var there = try await Browser.signedIn(site, as: "reporter")
            try await here.get("/account")
            let wrong = try await here.post(
                "/account/password", ["current_password": "guess guess", "new_password": "apple pie 77", "new_password_confirm": "apple pie 77"])
            #expect(wrong.expect(.unprocessableContent).contains("current password is not correct"))
            try await here.post(
                "/account/password",
                ["current_password": TestSite.password, "new_password": "apple pie 77", "new_password_confirm": "apple pie 77"]
            ).expect(.seeOther)
            #expect(try await here.get("/account").expect(.ok).contains("Change password"))
            #expect(try await there.get("/account").expect(.seeOther).location.hasPrefix("/login"))
        }
    }

    @Test("API keys: created with a name and shown once, usable on /rest, revoked from the page", arguments: TestBackend.all)
    func apiKeys(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var browser = try await Browser.signedIn(site, as: "reporter")
            try await browser.get("/account")
            let created = try await browser.post("/account/apikeys", ["description": "CI bot"]).expect(.ok)
            let key = try #require(created.html.range(of: "<code id=\"new-key\">").map { String(created.html[$0.upperBound...].prefix(40)) })
            #expect(created.contains("CI bot"))
            try await site.get("/rest/user?names=reporter@example.com&Bugzilla_api_key=\(key)").expect(.ok)
            #expect(try await browser.get("/account").html.contains(key) == false)
            let row = try #require(created.html.range(of: "<td>CI bot</td>"))
            let id = try #require(created.html[row.upperBound...].range(of: "/account/apikeys/").map { created.html[$0.upperBound...].prefix { $0.isNumber } })
            try await browser.post("/account/apikeys/\(id)/revoke", [:]).expect(.seeOther)
            try await site.get("/rest/user?names=reporter@example.com&Bugzilla_api_key=\(key)").expectError(306, .badRequest)
        }
    }
}
