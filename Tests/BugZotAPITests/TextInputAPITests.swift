import BugZotDomain
import BugZotREST
import BugZotServices
import BugZotStorage
import BugZotWire
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SQLKit
import Testing

/// Where each field of the text table can be set: a request (or, for what only the web UI sets,
/// a service call) that carries `value` in that field.
private struct FieldProbe: Sendable {
    enum Kind: Sendable {
        case request(HTTPRequest.Method, String, JSONValue)
        case query(String)
        case service(@Sendable (TestSite, String) async throws -> Void)
    }

    let kind: Kind
    /// The Bugzilla code of the refusal (53 unless the field has its own).
    var code = 53

    static func put(_ body: @escaping @Sendable (JSONValue) -> JSONObject) -> @Sendable (String, Int) -> FieldProbe {
        { value, bug in FieldProbe(kind: .request(.put, "/rest/bug/\(bug)", .object(body(.string(value))))) }
    }

    static func post(_ path: String, _ body: JSONObject, _ key: String) -> @Sendable (String, Int) -> FieldProbe {
        { value, _ in
            var body = body
            body[key] = .string(value)
            return FieldProbe(kind: .request(.post, path, .object(body)))
        }
    }

    static func attachment(_ key: String) -> @Sendable (String, Int) -> FieldProbe {
        { value, bug in
            var body: JSONObject = ["data": "aGk=", "file_name": "a.txt", "summary": "A file", "content_type": "text/plain"]
            body[key] = .string(value)
            return FieldProbe(kind: .request(.post, "/rest/bug/\(bug)/attachment", .object(body)))
        }
    }

    static func percentEncoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }
}

@Suite("Text input: one table of limits on every path")
struct TextInputAPITests {
    private static let newProduct: JSONObject = ["name": "Gadget", "description": "Gadgets", "version": "1.0"]
    private static let newComponent: JSONObject = [
        "product": "Widget", "name": "Frontend", "description": "UI", "default_assignee": "dev@example.com",
    ]
    private static let newUser: JSONObject = ["email": "new@example.com", "full_name": "New", "password": "a fine passphrase"]
    private static let newWebhook: JSONObject = [
        "url": "https://hooks.example.com/x", "secret": "sixteen-chars-or-more", "events": ["bug.created"],
    ]

    /// A request setting each field of the table; every field has one.
    private static let probes: [TextField: @Sendable (String, Int) -> FieldProbe] = [
        .summary: FieldProbe.put { ["summary": $0] },
        .comment: { value, bug in FieldProbe(kind: .request(.post, "/rest/bug/\(bug)/comment", ["comment": .string(value)]), code: 114) },
        .alias: FieldProbe.put { ["alias": ["add": [$0]]] },
        .url: FieldProbe.put { ["url": $0] },
        .whiteboard: FieldProbe.put { ["whiteboard": $0] },
        .keyword: FieldProbe.put { ["keywords": ["add": [$0]]] },
        .seeAlso: FieldProbe.put { ["see_also": ["add": [$0]]] },
        .deadline: FieldProbe.put { ["deadline": $0] },
        .product: FieldProbe.put { ["product": $0] },
        .component: FieldProbe.put { ["component": $0] },
        .version: FieldProbe.put { ["version": $0] },
        .targetMilestone: FieldProbe.put { ["target_milestone": $0] },
        .status: FieldProbe.put { ["status": $0] },
        .resolution: FieldProbe.put { ["resolution": $0] },
        .severity: FieldProbe.put { ["severity": $0] },
        .priority: FieldProbe.put { ["priority": $0] },
        .opSys: FieldProbe.put { ["op_sys": $0] },
        .platform: FieldProbe.put { ["platform": $0] },
        .group: FieldProbe.put { ["groups": ["add": [$0]]] },
        .classification: FieldProbe.post("/rest/product", newProduct, "classification"),
        .productDescription: FieldProbe.post("/rest/product", newProduct, "description"),
        .componentDescription: FieldProbe.post("/rest/component", newComponent, "description"),
        .groupDescription: FieldProbe.post("/rest/group", ["name": "partners"], "description"),
        .login: FieldProbe.post("/rest/user", newUser, "email"),
        .realName: FieldProbe.post("/rest/user", newUser, "full_name"),
        .password: FieldProbe.post("/rest/user", newUser, "password"),
        .disabledText: { value, _ in FieldProbe(kind: .request(.put, "/rest/user/reporter@example.com", ["login_denied_text": .string(value)])) },
        .attachmentSummary: FieldProbe.attachment("summary"),
        .fileName: FieldProbe.attachment("file_name"),
        .contentType: FieldProbe.attachment("content_type"),
        .apiKeyDescription: { _, _ in
            FieldProbe(kind: .service { site, value in
                _ = try await site.services.accounts.createAPIKey(description: value, by: try await site.principal("reporter"), auth: site.services.auth)
            })
        },
        .savedSearchName: { _, _ in
            FieldProbe(kind: .service { site, value in
                try await site.services.accounts.saveSearch(name: value, query: "product=Widget", by: try await site.principal("reporter"))
            })
        },
        .savedSearchQuery: { _, _ in
            FieldProbe(kind: .service { site, value in
                try await site.services.accounts.saveSearch(name: "Mine", query: value, by: try await site.principal("reporter"))
            })
        },
        .webhookURL: FieldProbe.post("/api/webhooks", newWebhook, "url"),
        .webhookSecret: FieldProbe.post("/api/webhooks", newWebhook, "secret"),
        .bugIdentifier: FieldProbe.put { ["ids": [$0], "whiteboard": "x"] },
        .credential: { value, _ in FieldProbe(kind: .query("/rest/bug?product=Widget&Bugzilla_api_key=\(FieldProbe.percentEncoded(value))"), code: 306) },
        .searchValue: { value, _ in FieldProbe(kind: .query("/rest/bug?summary=\(FieldProbe.percentEncoded(value))")) },
    ]

    /// Sends the probe as the administrator; the answer's Bugzilla error code (-1 for none).
    private func send(_ probe: FieldProbe, value: String, site: TestSite) async throws -> Int {
        switch probe.kind {
        case .request(let method, let path, let body):
            return try await site.request(method, path, body: body, as: "admin").json["code"].int
        case .query(let path):
            return try await site.get(path).json["code"].int
        case .service(let call):
            do {
                try await call(site, value)
                return -1
            } catch DomainError.invalidParameter {
                return 53
            }
        }
    }

    @Test("the table has a way in for every field")
    func everyFieldIsReachable() {
        #expect(Set(Self.probes.keys) == Set(TextField.allCases))
    }

    @Test("every field refuses text one character past its limit, NUL, and control characters, and nothing changes", arguments: TestBackend.all)
    func everyFieldIsChecked(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let bug = try await site.fileBug("Untouched", as: "dev")
            let before = try await site.bug(bug)
            for field in TextField.allCases {
                let makeProbe = try #require(Self.probes[field])
                var bad = [String(repeating: "a", count: field.maximumLength + 1)]
                // File names are cleaned of NUL and control characters instead (tested below).
                if field != .fileName { bad += ["a\u{0}b", field.lines == .single ? "a\nb" : "a\u{7}b"] }
                for value in bad {
                    let probe = makeProbe(value, bug)
                    let code = try await send(probe, value: value, site: site)
                    let expected = field == .comment && value.count < field.maximumLength ? 53 : probe.code
                    #expect(code == expected, "\(field) with \(value.prefix(8).debugDescription)…")
                }
            }
            #expect(try await site.bug(bug) == before)
            #expect(try await site.get("/rest/product?names=Gadget", as: "admin").expect(.ok)["products"] == [])
            try await site.get("/rest/user?names=new@example.com", as: "admin").expectError(51, .notFound)
        }
    }

    @Test("NUL and control characters in a file name are dropped; bidirectional-text controls too", arguments: TestBackend.all)
    func fileNamesAreCleaned(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let bug = try await site.fileBug(as: "dev")
            let ids = try await site.post(
                "/rest/bug/\(bug)/attachment",
                ["data": "aGk=", "file_name": "report\u{202E}txt\u{0}.exe", "summary": "Report", "content_type": "text/plain"], as: "dev"
            ).expect(.created)["ids"]
            let attachment = try await site.get("/rest/bug/attachment/\(ids[0].int)", as: "dev").expect(.ok)["attachments"]["\(ids[0].int)"]
            #expect(attachment["file_name"] == "reporttxt.exe")
        }
    }

    @Test("search, lookups and logins refuse NUL with a clear error rather than a database failure", arguments: TestBackend.all)
    func nulInLookups(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let bug = try await site.fileBug(as: "dev")
            let refused: [(String, Int)] = [
                ("/rest/bug?summary=a%00b", 53), ("/rest/bug?product=a%00b", 53), ("/rest/bug?alias=a%00b", 53),
                ("/rest/bug?assigned_to=a%00b", 53), ("/rest/bug?quicksearch=a%00b", 53),
                ("/rest/bug?longdesc=a%00b&query_format=advanced", 53), ("/rest/bug?f1=short_desc&o1=substring&v1=a%00b", 53),
                ("/rest/bug?field0-0-0=short_desc&type0-0-0=substring&value0-0-0=a%00b", 53),
                ("/rest/bug/\(bug)?ids=a%00b", 53), ("/rest/bug/\(bug)/comment?ids=a%00b", 53), ("/rest/bug/\(bug)/history?ids=a%00b", 53),
                ("/rest/user?names=a%00b", 53), ("/rest/product?names=a%00b", 53), ("/rest/group?names=a%00b", 53),
                ("/rest/classification/Unclassified?names=a%00b", 53), ("/rest/bug/\(bug)/attachment?ids=a%00b", 53),
            ]
            for (path, code) in refused {
                let response = try await site.get(path, as: "admin")
                #expect(response.status == .badRequest, "\(path)")
                #expect(response.json["code"].int == code, "\(path): \(response.text)")
            }
            try await site.get("/rest/login?login=a%00b%40example.com&password=x").expectError(300, .unauthorized)
            try await site.get("/rest/bug?product=Widget&Bugzilla_api_key=abcdefgh%00ij").expectError(306, .badRequest)
        }
    }

    @Test("a maximal request full of text finishes fast: every length is bounded before any work", arguments: TestBackend.all)
    func maximalRequestsAreCheap(backend: TestBackend) async throws {
        let size = 10 * 1024 * 1024
        try await TestSite.with(backend, bodyLimit: size) { site in
            let bug = try await site.fileBug(as: "dev")
            // Slashes, backslashes and a bidi override: what the file-name cleaning works on,
            // at up to 11 bytes of JSON each.
            let text = String(repeating: "x/\\\u{202E}", count: (size - 1024) / 11)
            let start = Date()
            try await site.post(
                "/rest/bug/\(bug)/attachment", ["data": "aGk=", "file_name": .string(text), "summary": "s", "content_type": "text/plain"], as: "dev"
            ).expectError(53, .badRequest)
            try await site.post(
                "/rest/bug/\(bug)/attachment", ["data": "aGk=", "file_name": "a.txt", "summary": .string(text), "content_type": "text/plain"],
                as: "dev"
            ).expectError(53, .badRequest)
            for field in ["summary", "whiteboard", "url", "product"] {
                try await site.put("/rest/bug/\(bug)", [field: .string(text)], as: "dev").expectError(53, .badRequest)
            }
            try await site.post("/rest/bug/\(bug)/comment", ["comment": .string(text)], as: "dev").expectError(114, .badRequest)
            try await site.post("/rest/user", ["email": .string(text), "full_name": "Long"], as: "admin").expectError(53, .badRequest)
            try await site.post("/rest/bug", ["Bugzilla_login": .string(text), "Bugzilla_password": "x"]).expectError(300, .unauthorized)
            // The streaming upload, with the name in the part's header, as a browser sends it.
            let form = "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(text)\"\r\nContent-Type: text/plain\r\n\r\nhi\r\n--B--\r\n"
            let upload = try await site.raw(
                .post, "/api/bugs/\(bug)/attachments", body: form, as: "dev", contentType: "multipart/form-data; boundary=B")
            #expect(upload.status == .badRequest, "\(upload.text.prefix(300))")
            #expect(Date().timeIntervalSince(start) < 60)
        }
    }

    @Test("deeply nested JSON is refused with an error, never a crash", arguments: TestBackend.all)
    func deeplyNestedJSON(backend: TestBackend) async throws {
        try await TestSite.with(backend, bodyLimit: 1024 * 1024) { site in
            let bug = try await site.fileBug(as: "dev")
            for depth in [600, 100_000] {
                let body = "{\"summary\":" + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
                let response = try await site.raw(.put, "/rest/bug/\(bug)", body: body, as: "dev")
                #expect(response.status == .badRequest)
                #expect(response.json["error"] == true)
            }
        }
    }

    @Test("failed logins store a fixed-size record, whatever the login, and over-long ones still count", arguments: TestBackend.all)
    func failedLoginsAreBounded(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            // 30 different over-long logins from one address: each is a failure of that address.
            for attempt in 0..<30 {
                let long = "\(attempt)" + String(repeating: "l", count: 100_000) + "@example.com"
                let refused = try await site.post("/rest/bug", ["Bugzilla_login": .string(long), "Bugzilla_password": "x"])
                refused.expectError(300, .unauthorized)
                #expect(refused.errorMessage == DomainError.invalidLogin.message)
            }
            // So the address is throttled, even for the right password, and further attempts add nothing.
            for _ in 0..<5 {
                let throttled = try await site.get("/rest/login?login=dev%40example.com&password=\(FieldProbe.percentEncoded(TestSite.password))")
                #expect(throttled.errorMessage == DomainError.loginThrottled.message)
            }
            let subjects = try await site.services.database.read { sql in
                try await sql.raw("SELECT subject FROM login_failures").all().map { try $0.decode(column: "subject", as: String.self) }
            }
            #expect(subjects.count == 60)
            #expect(subjects.allSatisfy { $0.utf8.count <= 80 })
        }
    }
}

@Suite("Strict parameter types on /rest")
struct ParameterTypeAPITests {
    /// A wrong shape for a parameter of `PUT /rest/bug/{id}`, and the parameter the error names.
    static let updates: [(String, JSONValue, String)] = [
        ("summary", ["a", "b"], "summary"), ("summary", ["x": 1], "summary"), ("dupe_of", [1, 2], "dupe_of"),
        ("dupe_of", ["id": 1], "dupe_of"), ("deadline", ["x": 1], "deadline"), ("deadline", ["2030-01-01"], "deadline"),
        ("status", ["x": 1], "status"), ("priority", ["High"], "priority"), ("assigned_to", ["dev@example.com"], "assigned_to"),
        ("is_cc_accessible", "maybe", "is_cc_accessible"), ("is_cc_accessible", [true], "is_cc_accessible"),
        ("cc", ["append": ["dev@example.com"]], "cc"), ("cc", ["add": [["dev@example.com"]]], "cc.add"),
        ("keywords", ["add": ["x": 1]], "keywords.add"), ("blocks", ["add": [[1]]], "blocks.add"),
        ("comment", [["body": "x"]], "comment"), ("comment", ["body": ["x"]], "body"), ("comment", ["body": "x", "private": true], "comment"),
        ("comment", ["body": "x", "is_private": "perhaps"], "is_private"), ("comment_is_private", true, "comment_is_private"),
        ("comment_is_private", ["1": "perhaps"], "comment_is_private"), ("ids", ["x": 1], "ids"), ("whiteboard", ["x"], "whiteboard"),
        ("reset_assigned_to", ["x": 1], "reset_assigned_to"), ("url", ["http://a.example"], "url"),
    ]

    @Test("a wrong JSON type on a bug update is refused naming the parameter, and changes nothing", arguments: TestBackend.all)
    func bugUpdate(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let bug = try await site.fileBug("Untouched", as: "dev")
            let other = try await site.fileBug("Other", as: "dev")
            let before = try await site.bug(bug)
            for (key, value, named) in Self.updates {
                let value = key == "dupe_of" && value == [1, 2] ? [.int(other), .int(bug)] : value
                let response = try await site.put("/rest/bug/\(bug)", [key: value], as: "admin")
                response.expectError(53, .badRequest)
                #expect(response.errorMessage.hasPrefix("Invalid parameter '\(named)'"), "\(key): \(response.errorMessage)")
            }
            #expect(try await site.bug(bug) == before)
        }
    }

    @Test("wrong JSON types are refused on every route that takes a body or query", arguments: TestBackend.all)
    func otherRoutes(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let bug = try await site.fileBug(as: "dev")
            let attachment = try await site.post(
                "/rest/bug/\(bug)/attachment", ["data": "aGk=", "file_name": "a.txt", "summary": "A", "content_type": "text/plain"], as: "dev"
            ).expect(.created)["ids"][0].int
            let newBug: JSONObject = ["product": "Widget", "component": "Backend", "version": "1.0", "summary": "S"]
            func with(_ base: JSONObject, _ key: String, _ value: JSONValue) -> JSONValue {
                var body = base
                body[key] = value
                return .object(body)
            }
            let cases: [(HTTPRequest.Method, String, JSONValue, String)] = [
                (.post, "/rest/bug", with(newBug, "summary", ["a", "b"]), "summary"),
                (.post, "/rest/bug", with(newBug, "product", ["name": "Widget"]), "product"),
                (.post, "/rest/bug", with(newBug, "cc", ["add": ["dev@example.com"]]), "cc"),
                (.post, "/rest/bug", with(newBug, "blocks", [[.int(bug)]]), "blocks"),
                (.post, "/rest/bug", with(newBug, "description", ["text": "x"]), "description"),
                (.post, "/rest/bug", with(newBug, "comment_is_private", "perhaps"), "comment_is_private"),
                (.post, "/rest/bug", with(newBug, "alias", ["a": "b"]), "alias"),
                (.post, "/rest/bug/\(bug)/comment", ["comment": ["x"]], "comment"),
                (.post, "/rest/bug/\(bug)/comment", ["comment": "x", "is_private": ["x": 1]], "is_private"),
                (.post, "/rest/bug/\(bug)/attachment", ["data": "aGk=", "file_name": ["a"], "summary": "A", "content_type": "text/plain"], "file_name"),
                (.put, "/rest/bug/attachment/\(attachment)", ["summary": ["A", "B"]], "summary"),
                (.put, "/rest/bug/attachment/\(attachment)", ["is_obsolete": "perhaps"], "is_obsolete"),
                (.post, "/rest/user", ["email": ["a@example.com"]], "email"),
                (.put, "/rest/user/reporter@example.com", ["full_name": ["x": 1]], "full_name"),
                (.put, "/rest/user/reporter@example.com", ["groups": ["add": ["x": 1]]], "groups.add"),
                (.post, "/rest/product", ["name": ["Gadget"], "description": "d", "version": "1"], "name"),
                (.post, "/rest/component", ["product": "Widget", "name": ["x": 1], "description": "d", "default_assignee": "dev@example.com"], "name"),
                (.post, "/rest/group", ["name": ["g"], "description": "d"], "name"),
                (.get, "/rest/bug?product=Widget&limit=1&limit=2", nil, "limit"),
                (.get, "/rest/bug/\(bug)?permissive=perhaps", nil, "permissive"),
            ]
            for (method, path, body, named) in cases {
                let response = try await site.request(method, path, body: body, as: "admin")
                response.expectError(53, .badRequest)
                #expect(response.errorMessage.hasPrefix("Invalid parameter '\(named)'"), "\(path): \(response.errorMessage)")
            }
            #expect(try await site.get("/rest/bug/\(bug)/comment", as: "admin").expect(.ok)["bugs"]["\(bug)"]["comments"].array.count == 2)
            #expect(try await site.get("/rest/product?names=Gadget", as: "admin").expect(.ok)["products"] == [])
        }
    }

    @Test("the shapes Bugzilla accepts stay accepted: a scalar for a list, ids as strings, {add, remove, set}", arguments: TestBackend.all)
    func lenientShapes(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let bug = try await site.fileBug(as: "dev", extra: ["alias": "first-alias", "cc": "reporter@example.com"])
            let other = try await site.fileBug(as: "dev")
            try await site.put(
                "/rest/bug/\(bug)",
                ["ids": .string("\(bug)"), "cc": ["add": "insider@example.com"], "blocks": ["add": [.string("\(other)")]],
                 "is_cc_accessible": "False", "comment": ["comment": "t", "is_private": false], "deadline": "2030-01-02"],
                as: "admin"
            ).expect(.ok)
            let shown = try await site.bug(bug)
            #expect(shown["alias"] == ["first-alias"])
            #expect(Set(shown["cc"].strings) == ["reporter@example.com", "insider@example.com"])
            #expect(shown["blocks"] == [.int(other)])
            #expect(shown["is_cc_accessible"] == false)
            #expect(shown["deadline"] == "2030-01-02")
            try await site.put("/rest/bug/\(bug)", ["deadline": nil], as: "admin").expect(.ok)
            #expect(try await site.bug(bug)["deadline"] == nil)
            try await site.put("/rest/bug/\(other)", ["dupe_of": .string("\(bug)")], as: "admin").expect(.ok)
            #expect(try await site.bug(other)["dupe_of"] == .int(bug))
        }
    }
}

extension TestSite {
    /// A request with a body sent as it is, not encoded from a JSON value.
    fileprivate func raw(
        _ method: HTTPRequest.Method, _ path: String, body: String, as user: String, contentType: String = "application/json"
    ) async throws -> APIResponse {
        let key = try #require(keys[user])
        let response = try await client.execute(
            uri: path + "?Bugzilla_api_key=" + key, method: method, headers: [.contentType: contentType],
            body: ByteBuffer(string: body))
        return APIResponse(status: response.status, body: response.body)
    }

    /// The principal an API key stands for, for calls to services the web UI alone reaches.
    fileprivate func principal(_ user: String) async throws -> Principal {
        try await services.auth.principal(for: .apiKey(try #require(keys[user])), clientAddress: "test")
    }
}
