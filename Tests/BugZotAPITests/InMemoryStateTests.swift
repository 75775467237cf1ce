import BugZotDomain
import BugZotREST
import BugZotServices
import BugZotStorage
import BugZotWire
import Foundation
import HTTPTypes
import SQLKit
import Testing

/// Who holds a credential, and the catalog, workflow and field rules, are kept in memory so that
/// warm requests send no statement for them; every change that ends access, or changes the
/// catalog, is seen by the very next request (on PostgreSQL, by every instance).
@Suite("What is kept in memory changes the moment the database does")
struct InMemoryStateTests {
    // MARK: No statements when warm

    @Test("a warm API key, login token or session costs no statement, and the catalog none either", arguments: TestBackend.all)
    func warmCostsNothing(backend: TestBackend) async throws {
        try await TestSite.with(backend, exposesStatementCounts: true) { site in
            let products = "/rest/product?names=Widget"
            try await site.get(products, as: "dev").expect(.ok)
            #expect(try await site.get(products, as: "dev").statements == 0)

            let token = try await site.get("/rest/login?login=dev@example.com&password=correct%20horse%20battery").expect(.ok)["token"].string
            try await site.get(products + "&Bugzilla_token=\(token)").expect(.ok)
            #expect(try await site.get(products + "&Bugzilla_token=\(token)").statements == 0)

            // The workflow page reads nothing but the workflow.
            var browser = try await Browser.signedIn(site, as: "admin")
            try await browser.get("/admin/workflow").expect(.ok)
            #expect(try await browser.get("/admin/workflow").headers[StatementCountTests.header] == "0")
        }
    }

    // MARK: Access ends at once

    @Test("a revoked API key is refused on the very next request", arguments: TestBackend.all)
    func revokedKey(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var browser = try await Browser.signedIn(site, as: "reporter")
            try await browser.get("/account")
            let key = try await site.newAPIKey(in: &browser)
            try await site.get("/rest/product?names=Widget&Bugzilla_api_key=\(key.secret)").expect(.ok)
            try await browser.post("/account/apikeys/\(key.id)/revoke", [:]).expect(.seeOther)
            try await site.get("/rest/product?names=Widget&Bugzilla_api_key=\(key.secret)").expectError(306, .badRequest)
        }
    }

    @Test("leaving a group hides its confidential bugs on the very next request", arguments: TestBackend.all)
    func groupRemoval(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let secret = try await site.fileSecretBug("Merger plans")
            try await site.put("/rest/user/dev@example.com", ["groups": ["add": ["secret"]]], as: "admin").expect(.ok)
            #expect(try await site.bug(secret, as: "dev")["summary"] == "Merger plans")
            try await site.put("/rest/user/dev@example.com", ["groups": ["remove": ["secret"]]], as: "admin").expect(.ok)
            try await site.get("/rest/bug/\(secret)", as: "dev").expectError(101, .notFound)
        }
    }

    @Test("a disabled account is refused on the very next request, by key and by session", arguments: TestBackend.all)
    func disabledAccount(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var browser = try await Browser.signedIn(site, as: "outsider")
            #expect(try await browser.get("/account").status == .ok)
            try await site.get("/rest/product?names=Widget", as: "outsider").expect(.ok)
            try await site.put("/rest/user/outsider@example.com", ["login_denied_text": "Left the company."], as: "admin").expect(.ok)
            try await site.get("/rest/product?names=Widget", as: "outsider").expectError(301, .unauthorized)
            #expect(try await browser.get("/account").location.hasPrefix("/login"))
        }
    }

    @Test("a password change ends the other sessions and tokens on the very next request", arguments: TestBackend.all)
    func passwordChange(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var other = try await Browser.signedIn(site, as: "outsider")
            #expect(try await other.get("/account").status == .ok)
            let token = try await site.get("/rest/login?login=outsider@example.com&password=correct%20horse%20battery").expect(.ok)["token"].string
            try await site.get("/rest/product?names=Widget&Bugzilla_token=\(token)").expect(.ok)
            try await site.put("/rest/user/outsider@example.com", ["password": "another long password"], as: "admin").expect(.ok)
            try await site.get("/rest/product?names=Widget&Bugzilla_token=\(token)").expectError(32000, .badRequest)
            #expect(try await other.get("/account").location.hasPrefix("/login"))
        }
    }

    @Test("logging out ends that session and token on the very next request", arguments: TestBackend.all)
    func logout(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let token = try await site.get("/rest/login?login=dev@example.com&password=correct%20horse%20battery").expect(.ok)["token"].string
            try await site.get("/rest/product?names=Widget&Bugzilla_token=\(token)").expect(.ok)
            try await site.get("/rest/logout?Bugzilla_token=\(token)").expect(.ok)
            try await site.get("/rest/product?names=Widget&Bugzilla_token=\(token)").expectError(32000, .badRequest)
        }
    }

    // MARK: The catalog changes at once

    @Test("a new component can be filed in on the very next request", arguments: TestBackend.all)
    func newComponent(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let before = try await site.get("/rest/product?names=Widget", as: "dev").expect(.ok)["products"][0]["components"]
            #expect(before.array.map { $0["name"].string } == ["Backend"])
            try await site.post(
                "/rest/component", ["product": "Widget", "name": "Frontend", "description": "UI", "default_assignee": "dev@example.com"],
                as: "admin"
            ).expect(.created)
            let after = try await site.get("/rest/product?names=Widget", as: "dev").expect(.ok)["products"][0]["components"]
            #expect(after.array.map { $0["name"].string } == ["Backend", "Frontend"])
            _ = try await site.fileBug(as: "dev", extra: ["component": "Frontend"])
        }
    }

    @Test("a new status transition is allowed on the very next request", arguments: TestBackend.all)
    func newTransition(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug(as: "dev")
            try await site.put("/rest/bug/\(id)", ["status": "REOPENED"], as: "dev").expectError(123, .badRequest)
            var workflow = try await site.services.catalog.workflow()
            workflow.transitions.append(.init(from: "NEW", to: "REOPENED", commentRequired: false))
            try await site.services.catalog.useWorkflow(workflow)
            try await site.put("/rest/bug/\(id)", ["status": "REOPENED"], as: "dev").expect(.ok)
        }
    }

    // MARK: Across instances (PostgreSQL)

    @Test("two instances over one database: a key revoked, a group left or a component added on one is seen by the other at once",
        arguments: TestBackend.all.filter { $0 == .postgres })
    func acrossInstances(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let secret = try await site.fileSecretBug("Merger plans")
            try await site.put("/rest/user/dev@example.com", ["groups": ["add": ["secret"]]], as: "admin").expect(.ok)
            try await site.withSecondInstance { other in
                var browser = try await Browser.signedIn(site, as: "reporter")
                try await browser.get("/account")
                let key = try await site.newAPIKey(in: &browser)
                // The second instance learns who holds these, then the first changes them.
                try await other.get("/rest/product?names=Widget&Bugzilla_api_key=\(key.secret)").expect(.ok)
                #expect(try await other.bug(secret, as: "dev")["summary"] == "Merger plans")
                #expect(try await other.get("/rest/product?names=Widget", as: "dev").expect(.ok)["products"][0]["components"].array.count == 1)

                try await browser.post("/account/apikeys/\(key.id)/revoke", [:]).expect(.seeOther)
                try await site.put("/rest/user/dev@example.com", ["groups": ["remove": ["secret"]]], as: "admin").expect(.ok)
                try await site.post(
                    "/rest/component", ["product": "Widget", "name": "Frontend", "description": "UI", "default_assignee": "dev@example.com"],
                    as: "admin"
                ).expect(.created)

                #expect(try await eventually { try await other.get("/rest/product?names=Widget&Bugzilla_api_key=\(key.secret)").status == .badRequest })
                #expect(try await eventually { try await other.get("/rest/bug/\(secret)", as: "dev").status == .notFound })
                #expect(try await eventually {
                    try await other.get("/rest/product?names=Widget", as: "dev").json["products"][0]["components"].array.count == 2
                })
            }
        }
    }

    @Test("an instance whose notification connection drops forgets what it kept, and hears changes again once it is back",
        arguments: TestBackend.all.filter { $0 == .postgres })
    func notificationConnectionDrops(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            try await site.withSecondInstance { other in
                try await other.get("/rest/product?names=Widget", as: "dev").expect(.ok)
                // The connections listening for this site's changes are cut, the second instance's among them.
                let cut = try await site.services.database.read { sql in
                    try await sql.raw(
                        "SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE query = 'LISTEN \"bugzot_changes_' || current_schema() || '\";'"
                    ).all()
                }
                #expect(!cut.isEmpty)
                try await site.put("/rest/user/dev@example.com", ["login_denied_text": "On leave."], as: "admin").expect(.ok)
                #expect(try await eventually { try await other.get("/rest/product?names=Widget", as: "dev").status == .unauthorized })
                try await site.put("/rest/user/dev@example.com", ["login_denied_text": ""], as: "admin").expect(.ok)
                #expect(try await eventually { try await other.get("/rest/product?names=Widget", as: "dev").status == .ok })
                // Listening again: a later change is heard too.
                try await site.put("/rest/user/dev@example.com", ["login_denied_text": "On leave again."], as: "admin").expect(.ok)
                #expect(try await eventually { try await other.get("/rest/product?names=Widget", as: "dev").status == .unauthorized })
            }
        }
    }

    /// True once `condition` holds, polled for up to `timeout` (generous: this is no timing test).
    private func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }
}

extension TestSite {
    /// Creates an API key on the account page of a signed-in browser: its secret and its id.
    func newAPIKey(in browser: inout Browser) async throws -> (secret: String, id: String) {
        let created = try await browser.post("/account/apikeys", ["description": "script"]).expect(.ok)
        let secret = try #require(created.html.range(of: "<code id=\"new-key\">").map { String(created.html[$0.upperBound...].prefix(40)) })
        let row = try #require(created.html.range(of: "<td>script</td>"))
        let id = try #require(created.html[row.upperBound...].range(of: "/account/apikeys/").map { created.html[$0.upperBound...].prefix { $0.isNumber } })
        return (secret, String(id))
    }
}
