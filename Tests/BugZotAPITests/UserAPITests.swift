import BugZotREST
import BugZotWire
import HTTPTypes
import Testing

@Suite("Users through the REST API")
struct UserAPITests {
    @Test("editusers may create accounts; others get 304", arguments: TestBackend.all)
    func createUser(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let created = try await site.post("/rest/user", ["email": "new@example.com", "full_name": "New Person", "password": "long enough"], as: "admin")
            let id = created.expect(.created)["id"].int
            let user = try await site.get("/rest/user/\(id)", as: "admin").expect(.ok)["users"][0]
            #expect(user["real_name"] == "New Person")
            try await site.get("/rest/login?login=new@example.com&password=long%20enough").expect(.ok)

            try await site.post("/rest/user", ["email": "other@example.com"], as: "dev").expectError(304, .unauthorized)
        }
    }

    @Test("new accounts need a unique, well-formed address and a long enough password", arguments: TestBackend.all)
    func createUserValidation(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            try await site.post("/rest/user", ["email": "dev@example.com"], as: "admin").expectError(500, .badRequest)
            try await site.post("/rest/user", ["email": "not an address"], as: "admin").expectError(501, .badRequest)
            try await site.post("/rest/user", ["email": "x@example.com", "password": "short"], as: "admin").expectError(502, .badRequest)
        }
    }

    @Test("anonymous callers see only names, and only by name", arguments: TestBackend.all)
    func anonymousLookup(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let user = try await site.get("/rest/user?names=dev@example.com").expect(.ok)["users"][0]
            #expect(user.keys == ["id", "real_name", "name"])
            try await site.get("/rest/user?match=dev").expectError(505, .unauthorized)
        }
    }

    @Test("group membership changes through PUT /user with add and remove", arguments: TestBackend.all)
    func groupMembership(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let result = try await site.put("/rest/user/outsider@example.com", ["groups": ["add": ["editbugs"]]], as: "admin").expect(.ok)
            #expect(result["users"][0]["changes"]["groups"] == ["added": "editbugs", "removed": ""])
            let groups = try await site.get("/rest/user?names=outsider@example.com", as: "admin").expect(.ok)["users"][0]["groups"]
            #expect(groups.array.map { $0["name"].string } == ["editbugs"])
            try await site.put("/rest/user/outsider@example.com", ["groups": ["add": ["admin"]]], as: "outsider").expectError(304, .unauthorized)
        }
    }

    @Test("a disabled account can no longer sign in", arguments: TestBackend.all)
    func disabledAccount(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            try await site.put("/rest/user/outsider@example.com", ["login_denied_text": "Left the company."], as: "admin").expect(.ok)
            let response = try await site.get("/rest/login?login=outsider@example.com&password=correct%20horse%20battery")
            response.expectError(301, .unauthorized)
            #expect(response.errorMessage == "Left the company.")
            try await site.get("/rest/bug?product=Widget", as: "outsider").expectError(301, .unauthorized)
        }
    }

    @Test("people may rename themselves, but a password or address change takes editusers and ends old sessions", arguments: TestBackend.all)
    func selfService(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            try await site.put("/rest/user/outsider@example.com", ["full_name": "Out Sider"], as: "outsider").expect(.ok)
            try await site.put("/rest/user/outsider@example.com", ["password": "new long password"], as: "outsider").expectError(304, .unauthorized)
            try await site.put("/rest/user/outsider@example.com", ["email": "me@evil.example"], as: "outsider").expectError(304, .unauthorized)

            let token = try await site.get("/rest/login?login=outsider@example.com&password=correct%20horse%20battery").expect(.ok)["token"].string
            try await site.put("/rest/user/outsider@example.com", ["password": "new long password"], as: "admin").expect(.ok)
            try await site.get("/rest/bug?product=Widget&Bugzilla_token=\(token)").expectError(32000, .badRequest)
        }
    }
}
