import BugZotDomain
import BugZotHTTP
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
            // Answered with a redirect, so that reloading sends nothing again.
            #expect(page.expect(.seeOther).location.hasPrefix("/signup?draft="))
            #expect(try await browser.following(page).expect(.ok).contains("Check your email"))
            try await browser.get("/login")
            let refused = try await browser.post("/login", ["login": "new@example.com", "password": "plum tree 42"])
            #expect(try await browser.following(refused).expect(.ok).contains("has not been activated"))

            // Signing up again at once answers the same and mails nothing more: one activation mail per few minutes.
            let again = try await browser.post(
                "/signup", ["login": "new@example.com", "name": "New Person", "password": "plum tree 42", "password_confirm": "plum tree 42"])
            #expect(try await browser.following(again).expect(.ok).contains("Check your email"))
            #expect(
                try await site.services.accounts.signUp(
                    login: "new@example.com", realName: "New Person", password: "plum tree 42", clientAddress: "192.0.2.1") == nil)
            let box = MailBox()
            let worker = site.services.worker(transport: box, logger: TestBackend.logger)
            while try await worker.runDueJobs() > 0 {}
            #expect(await box.messages(to: "new@example.com").count == 1)
            // The link's token is only in the mail; the service hands out a fresh one.
            try await site.services.database.transaction { sql in
                try await sql.raw("UPDATE account_activations SET created_at = created_at - 3600").run()
            }
            let token = try #require(
                try await site.services.accounts.signUp(
                    login: "new@example.com", realName: "New Person", password: "plum tree 42", clientAddress: "192.0.2.1"))
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
            let commonPage = try await browser.following(common).expect(.ok)
            #expect(commonPage.contains("most common passwords"))
            #expect(commonPage.contains("value=\"x@example.com\"") && commonPage.contains("value=\"Ex Ample\""))
            #expect(!commonPage.contains("password123"))  // passwords are never kept
            let mismatch = try await browser.post(
                "/signup", ["login": "x@example.com", "name": "", "password": "plum tree 42", "password_confirm": "plum tree 43"])
            #expect(try await browser.following(mismatch).expect(.ok).contains("do not match"))
        }
    }

    @Test("sign-up never tells whether an address has an account: the same answer, and the owner hears of it by mail", arguments: TestBackend.all)
    func signUpDoesNotEnumerate(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var browser = Browser(site)
            try await browser.get("/signup")
            func signUp(_ login: String) async throws -> String { try await browser.signUpAnswer(login) }
            let fresh = try await signUp("fresh@example.com")
            let taken = try await signUp("dev@example.com")
            #expect(fresh == taken)
            #expect(fresh.contains("Check your email") && !taken.contains("already"))
            let mail = try #require(try await WebNotificationTests.queuedMail(to: "dev@example.com", in: site))
            #expect(mail.subject == "You already have a BugZot account" && mail.text.contains("/reset?token="))
            // A second try at once mails nothing more (the limit of reset mail), and still answers the same.
            #expect(try await signUp("dev@example.com") == fresh)
            let box = MailBox()
            let worker = site.services.worker(transport: box, logger: TestBackend.logger)
            while try await worker.runDueJobs() > 0 {}
            #expect(await box.messages(to: "dev@example.com").isEmpty)
            // The existing account is untouched: its password still works.
            try await browser.get("/login")
            try await browser.post("/login", ["login": "dev@example.com", "password": TestSite.password]).expect(.seeOther)
        }
    }

    @Test("a form without this visitor's CSRF token is refused", arguments: TestBackend.all)
    func csrf(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var browser = try await Browser.signedIn(site, as: "reporter")
            // Refused at the POST address with a redirect, so that reloading the error sends nothing again.
            let forged = try await browser.post("/logout", ["csrf_token": "forged"])
            #expect(forged.expect(.seeOther).location.hasPrefix("/error?draft="))
            #expect(try await browser.following(forged).expect(.forbidden).contains("This form has expired"))
            try await browser.following(try await browser.post("/logout", [:], withToken: false)).expect(.forbidden)
            var stranger = Browser(site)
            try await stranger.get("/login")
            // A token from someone else's page is no good either.
            let borrowed = try await stranger.post(
                "/login", ["login": "dev@example.com", "password": TestSite.password, "csrf_token": browser.csrfToken])
            try await stranger.following(borrowed).expect(.forbidden)
            // The error page is this browser's alone.
            #expect(try await browser.get(borrowed.location).status == .notFound)
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
            #expect(try await browser.following(wrong).expect(.ok).contains("not valid"))
            #expect(try await browser.following(unknown).expect(.ok).contains("not valid"))
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
            for local in ["/bugs?q=a%20b&status=all", "/bug/1#c2", "/a/./b/../c"] {
                try await browser.get("/login")
                let page = try await browser.post("/login", ["login": "reporter@example.com", "password": TestSite.password, "return_to": local])
                #expect(page.location == local)
            }
            for elsewhere in Self.hostileReturnPaths {
                // Offered on the login page's form, then sent back by it: "/" both times.
                let form = try await browser.get("/login?" + FormEncoding.encode([("return_to", elsewhere)]))
                #expect(form.contains("name=\"return_to\" value=\"/\""), "\(elsewhere.debugDescription)")
                let page = try await browser.post(
                    "/login", ["login": "reporter@example.com", "password": TestSite.password, "return_to": elsewhere])
                #expect(page.location == "/", "\(elsewhere.debugDescription)")
            }
        }
    }

    /// Values a browser would follow to another site (or that are no path at all).
    static let hostileReturnPaths = [
        "https://evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example/", "/\n/evil.example",
        "/\r\n/evil.example", " //evil.example", "/ /evil.example", "\t//evil.example", "/%09/evil.example", "/%2F/evil.example",
        "/%5Cevil.example", "/%5C%5Cevil.example", "javascript:alert(1)", "data:text/html,x", "evil.example", "http:/evil.example",
        "/\u{0}/evil.example", "/\u{7F}/evil.example", "/\u{85}/evil.example", "/\u{A0}/evil.example", "/\u{2028}/evil.example",
        "/\u{200B}/evil.example", "/\u{3000}/evil.example", "", String(repeating: "/a", count: 2000),
    ]

    @Test("changing the password needs the current one and ends the other sessions", arguments: TestBackend.all)
    func passwordChange(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var here = try await Browser.signedIn(site, as: "reporter")
            var there = try await Browser.signedIn(site, as: "reporter")
            try await here.get("/account")
            let wrong = try await here.post(
                "/account/password", ["current_password": "guess guess", "new_password": "apple pie 77", "new_password_confirm": "apple pie 77"])
            #expect(try await here.following(wrong).expect(.ok).contains("current password is not correct"))
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

extension Browser {
    /// Signs up with `login` through the form; returns the main part of the page that answers,
    /// with the address itself taken out (so that answers for different addresses compare).
    mutating func signUpAnswer(_ login: String) async throws -> String {
        let page = try await post(
            "/signup", ["login": login, "name": "Some One", "password": "plum tree 42", "password_confirm": "plum tree 42"])
        let html = try await following(page).expect(.ok).html
        let main = html[html.range(of: "<main")!.lowerBound..<html.range(of: "</main>")!.upperBound]
        return main.replacingOccurrences(of: login, with: "ADDRESS")
    }
}
