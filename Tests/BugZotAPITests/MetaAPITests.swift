import BugZotREST
import BugZotWire
import HTTPTypes
import Testing

@Suite("The REST API's conventions")
struct MetaAPITests {
    @Test("GET /rest/version answers 5.0.4 without credentials", arguments: TestBackend.all)
    func version(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let version = try await site.get("/rest/version").expect(.ok)
            #expect(version == ["version": "5.0.4"])
        }
    }

    @Test("time and timezone are UTC", arguments: TestBackend.all)
    func time(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let time = try await site.get("/rest/time").expect(.ok)
            #expect(time["tz_offset"] == "+0000")
            #expect(time["web_time"].string.hasSuffix("Z"))
            #expect(try await site.get("/rest/timezone").expect(.ok) == ["timezone": "+0000"])
        }
    }

    @Test("an unknown resource is error 32614 with HTTP 404", arguments: TestBackend.all)
    func unknownResource(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let response = try await site.get("/rest/no/such/thing")
            response.expectError(32614, .notFound)
            #expect(response.errorMessage == "A REST API resource was not found for 'GET /rest/no/such/thing'.")
            try await site.request(.delete, "/rest/bug/1").expectError(32614, .notFound)
        }
    }

    @Test("a body over the size limit is refused with a clear error and stores nothing", arguments: TestBackend.all)
    func bodyLimit(backend: TestBackend) async throws {
        try await TestSite.with(backend, bodyLimit: 4096) { site in
            let huge = String(repeating: "x", count: 8000)
            let response = try await site.post(
                "/rest/bug", ["product": "Widget", "component": "Backend", "version": "1.0", "summary": "big", "description": .string(huge)],
                as: "admin")
            response.expectError(32000, .badRequest)
            #expect(response.errorMessage.contains("4096 bytes"))
            #expect(try await site.get("/rest/bug?product=Widget", as: "admin").expect(.ok)["bugs"].array.isEmpty)
        }
    }

    @Test("a body that is not a JSON object is refused", arguments: TestBackend.all)
    func invalidJSON(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            try await site.post("/rest/bug", "just a string", as: "admin").expectError(32000, .badRequest)
        }
    }

    @Test("errors carry Bugzilla's documentation link and never a stack trace", arguments: TestBackend.all)
    func errorShape(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let response = try await site.get("/rest/bug/abc,def", as: "admin")
            response.expectError(100, .badRequest)
            #expect(response.json.keys == ["error", "code", "message", "documentation"])
        }
    }

    @Test("every route but the login-exempt ones checks credentials", arguments: TestBackend.all)
    func credentialsAlwaysChecked(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            for path in ["/rest/product_accessible", "/rest/product?names=Widget", "/rest/field/bug", "/rest/classification/Unclassified"] {
                try await site.get(path + (path.contains("?") ? "&" : "?") + "Bugzilla_api_key=revoked-or-wrong").expectError(306, .badRequest)
            }
            try await site.get("/rest/version?Bugzilla_token=1-stale").expect(.ok)
        }
    }

    @Test("lists in one request are bounded", arguments: TestBackend.all)
    func listBounds(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug(as: "dev")
            let many = JSONValue.array((0...1000).map { .string("https://example.com/\($0)") })
            try await site.put("/rest/bug/\(id)", ["see_also": ["add": many]], as: "dev").expectError(53, .badRequest)
            let query = (0...1000).map { "id=\($0)" }.joined(separator: "&")
            try await site.get("/rest/bug?\(query)", as: "dev").expectError(53, .badRequest)
        }
    }
}
