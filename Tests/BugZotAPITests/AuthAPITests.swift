import BugZotREST
import BugZotWire
import HTTPTypes
import Testing

@Suite("Signing in to the REST API")
struct AuthAPITests {
    @Test("login returns a token that authenticates later calls, and logout revokes it", arguments: TestBackend.all)
    func tokenLifecycle(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let login = try await site.get("/rest/login?login=dev@example.com&password=correct%20horse%20battery").expect(.ok)
            let token = login["token"].string
            #expect(token.hasPrefix("\(login["id"].int)-"))
            let me = try await site.get("/rest/user?ids=\(login["id"].int)&Bugzilla_token=\(token)").expect(.ok)
            #expect(me["users"][0]["name"] == "dev@example.com")
            #expect(try await site.get("/rest/valid_login?login=dev@example.com&token=\(token)").expect(.ok) == ["result": true])

            #expect(try await site.get("/rest/logout?token=\(token)").expect(.ok) == ["result": nil])
            try await site.get("/rest/user?ids=1&Bugzilla_token=\(token)").expectError(32000, .badRequest)
        }
    }

    @Test("a wrong password is error 300 with HTTP 401", arguments: TestBackend.all)
    func wrongPassword(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            try await site.get("/rest/login?login=dev@example.com&password=nope").expectError(300, .unauthorized)
            try await site.get("/rest/login?login=nobody@example.com&password=nope").expectError(300, .unauthorized)
        }
    }

    @Test("repeated failures lock the account for a while, even for the right password", arguments: TestBackend.all)
    func throttling(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            for _ in 0..<10 {
                try await site.get("/rest/login?login=dev@example.com&password=guess").expectError(300, .unauthorized)
            }
            let locked = try await site.get("/rest/login?login=dev@example.com&password=correct%20horse%20battery")
            locked.expectError(300, .unauthorized)
            #expect(locked.errorMessage.contains("Too many failed logins"))
            try await site.get("/rest/login?login=admin@example.com&password=correct%20horse%20battery").expect(.ok)
        }
    }

    @Test("a bad API key is error 306, never silently anonymous", arguments: TestBackend.all)
    func badAPIKey(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            try await site.get("/rest/bug?product=Widget&Bugzilla_api_key=0123456789abcdef").expectError(306, .badRequest)
            try await site.get("/rest/bug?product=Widget&api_key=x").expectError(306, .badRequest)
        }
    }

    @Test("the X-BUGZILLA-API-KEY header authenticates too", arguments: TestBackend.all)
    func apiKeyHeader(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let key = try #require(site.keys["dev"])
            let response = try await site.request(.get, "/rest/user?names=dev@example.com", headers: [HTTPField.Name("X-BUGZILLA-API-KEY")!: key])
            #expect(response.expect(.ok)["users"][0]["email"] == "dev@example.com")
        }
    }

    @Test("changing anything anonymously is error 410 with HTTP 401", arguments: TestBackend.all)
    func loginRequired(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            try await site.post("/rest/bug", ["product": "Widget", "component": "Backend", "version": "1.0", "summary": "x"])
                .expectError(410, .unauthorized)
        }
    }

    @Test("python-bugzilla's logged-in probe: /user?ids=1 is 505 for anonymous callers", arguments: TestBackend.all)
    func loggedInProbe(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            try await site.get("/rest/user?ids=1").expectError(505, .unauthorized)
            try await site.get("/rest/user?ids=1", as: "outsider").expect(.ok)
        }
    }
}
