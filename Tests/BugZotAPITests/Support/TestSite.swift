import BugZotApp
import BugZotDomain
import BugZotREST
import BugZotServices
import BugZotStorage
import BugZotWire
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// A running BugZot (in process, no sockets) with people, a product and a confidential group:
/// - admin@example.com: administrator
/// - dev@example.com: editbugs and canconfirm; default assignee of Widget/Backend
/// - insider@example.com: in the insider group and the secret group
/// - reporter@example.com and outsider@example.com: no groups
struct TestSite: Sendable {
    static let password = "correct horse battery"

    let client: any TestClientProtocol
    let services: AppServices
    let keys: [String: String]
    let configuration: AppConfiguration
    /// Opens the site's database again, as another instance would (PostgreSQL only).
    let anotherDatabase: (@Sendable () throws -> any Database)?

    /// Runs `body` against a fresh site on `backend` (`textUpkeep`: `TestBackend.makeSharedDatabase`).
    static func with(
        _ backend: TestBackend, bodyLimit: Int = 256 * 1024, attachmentLimit: Int = 64 * 1024,
        attachmentStore: AttachmentStoreKind = .files, maxSearchResults: Int = 10_000, exposesStatementCounts: Bool = false,
        textUpkeep: Duration = SQLiteDatabase.textUpkeepInterval, testing: TestingSetup = .router,
        _ body: @Sendable (TestSite) async throws -> Void
    ) async throws {
        let (database, anotherDatabase) = try await backend.makeSharedDatabase(textUpkeep: textUpkeep)
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("bugzot-site-\(UUID().uuidString)").path
        var configuration = AppConfiguration(
            dataDirectory: dataDirectory, bcryptCost: 4, maxRequestBytes: bodyLimit, maxAttachmentBytes: attachmentLimit,
            attachmentStore: attachmentStore, runsWorker: false)  // tests run jobs themselves
        configuration.maxSearchResults = maxSearchResults
        configuration.exposesStatementCounts = exposesStatementCounts
        let app = try await buildApplication(configuration, database: database, logger: TestBackend.logger)
        try await app.test(testing) { [configuration] client in
            let services = makeServices(configuration, database: database)
            var keys: [String: String] = [:]
            let people: [(String, [String])] = [
                ("admin", ["admin"]), ("dev", ["editbugs", "canconfirm"]), ("insider", ["insider"]),
                ("reporter", []), ("outsider", []),
            ]
            for (name, groups) in people {
                let id = try await services.users.createAccount(
                    login: "\(name)@example.com", realName: name.capitalized, password: password, groups: groups)
                keys[name] = try await services.auth.createAPIKey(userID: id, description: "tests")
            }
            let site = TestSite(client: client, services: services, keys: keys, configuration: configuration, anotherDatabase: anotherDatabase)
            try await site.post("/rest/product", ["name": "Widget", "description": "Widgets", "version": "1.0"], as: "admin").expect(.created)
            try await site.post(
                "/rest/component",
                ["product": "Widget", "name": "Backend", "description": "Server side", "default_assignee": "dev@example.com"],
                as: "admin"
            ).expect(.created)
            try await site.post("/rest/group", ["name": "secret", "description": "Confidential"], as: "admin").expect(.created)
            try await site.put("/rest/user/insider@example.com", ["groups": ["add": ["secret"]]], as: "admin").expect(.ok)
            try await body(site)
        }
    }

    /// Runs `body` against a second instance of this site: another application over the same
    /// database, with connections (and caches) of its own, as a second server would be.
    func withSecondInstance(_ body: @Sendable (TestSite) async throws -> Void) async throws {
        let database = try #require(try anotherDatabase?(), "only PostgreSQL is shared by instances")
        let app = try await buildApplication(configuration, database: database, logger: TestBackend.logger)
        try await app.test(.router) { [configuration, keys] client in
            let site = TestSite(
                client: client, services: makeServices(configuration, database: database), keys: keys, configuration: configuration,
                anotherDatabase: anotherDatabase)
            try await body(site)
        }
    }

    // MARK: Requests

    func request(_ method: HTTPRequest.Method, _ path: String, body: JSONValue? = nil, as user: String? = nil, headers: HTTPFields = [:]) async throws -> APIResponse {
        var uri = path
        if let user {
            let key = try #require(keys[user], "no API key for \(user)")
            uri += (uri.contains("?") ? "&" : "?") + "Bugzilla_api_key=" + key
        }
        let buffer = try body.map { ByteBuffer(bytes: try JSONEncoder().encode($0)) }
        var headers = headers
        headers[.contentType] = "application/json"
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: buffer)
        return APIResponse(status: response.status, headers: response.headers, body: response.body)
    }

    func get(_ path: String, as user: String? = nil) async throws -> APIResponse {
        try await request(.get, path, as: user)
    }

    func post(_ path: String, _ body: JSONValue, as user: String? = nil) async throws -> APIResponse {
        try await request(.post, path, body: body, as: user)
    }

    func put(_ path: String, _ body: JSONValue, as user: String? = nil) async throws -> APIResponse {
        try await request(.put, path, body: body, as: user)
    }

    // MARK: Shortcuts

    /// Files a bug in Widget/Backend and returns its id.
    func fileBug(_ summary: String = "Crash on save", as user: String = "reporter", extra: JSONObject = [:]) async throws -> Int {
        var body: JSONObject = [
            "product": "Widget", "component": "Backend", "version": "1.0", "summary": .string(summary), "description": "Steps: save.",
        ]
        body.merge(extra) { $1 }
        return try await post("/rest/bug", .object(body), as: user).expect(.ok)["id"].int
    }

    /// Files a bug in the secret group as the insider and has the admin assign it to themselves
    /// (the insider, without editbugs, may not choose the assignee), so that dev, the default
    /// assignee, can't see it.
    func fileSecretBug(_ summary: String, extra: JSONObject = [:]) async throws -> Int {
        let id = try await fileBug(summary, as: "insider", extra: extra.merging(["groups": ["secret"]]) { $1 })
        try await put("/rest/bug/\(id)", ["assigned_to": "admin@example.com"], as: "admin").expect(.ok)
        return id
    }

    /// The bug as `user` sees it.
    func bug(_ id: Int, as user: String = "admin") async throws -> JSONValue {
        try await get("/rest/bug/\(id)", as: user).expect(.ok)["bugs"][0]
    }
}

/// A response: status, headers and JSON body.
struct APIResponse: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let json: JSONValue
    let text: String

    init(status: HTTPResponse.Status, headers: HTTPFields = [:], body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.text = String(buffer: body)
        self.json = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null
    }

    /// The body, after checking the status.
    @discardableResult
    func expect(_ status: HTTPResponse.Status, sourceLocation: SourceLocation = #_sourceLocation) -> JSONValue {
        #expect(self.status == status, "body: \(text)", sourceLocation: sourceLocation)
        return json
    }

    /// Checks that this is Bugzilla error `code` with HTTP `status`.
    func expectError(_ code: Int, _ status: HTTPResponse.Status, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(self.status == status, "body: \(text)", sourceLocation: sourceLocation)
        #expect(json["error"] == .bool(true) && json["code"] == .int(code), "body: \(text)", sourceLocation: sourceLocation)
    }

    var errorMessage: String { json["message"].string }
}

extension JSONValue {
    subscript(key: String) -> JSONValue {
        if case .object(let object) = self { return object[key] ?? .null }
        return .null
    }

    subscript(index: Int) -> JSONValue {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return .null
    }

    var int: Int {
        if case .int(let value) = self { return value }
        return -1
    }

    var string: String {
        if case .string(let value) = self { return value }
        return ""
    }

    var array: [JSONValue] {
        if case .array(let items) = self { return items }
        return []
    }

    var keys: Set<String> {
        if case .object(let object) = self { return Set(object.keys) }
        return []
    }

    var strings: [String] { array.map(\.string) }
    var ints: [Int] { array.map(\.int) }
}
