import BugZotApp
import BugZotDomain
import BugZotServices
import BugZotStorage
import BugZotWire
import Foundation
import HTTPTypes
import Testing

/// The bug calls as every API makes them, called directly (no HTTP): REST's path/query/body and a
/// WAMP call's positional and keyword arguments come to the same `WireParameters`, so the same call
/// answers the same bytes whichever transport made it.
@Suite("Bug operations shared by REST and WAMP")
struct BugOperationsTests {
    static func operations(_ site: TestSite) -> BugOperations {
        BugOperations(services: site.services, maxSearchResults: site.configuration.maxSearchResults)
    }

    static func principal(_ site: TestSite, _ user: String) async throws -> Principal {
        try await site.services.auth.principal(for: .apiKey(try #require(site.keys[user])), clientAddress: "127.0.0.1")
    }

    static func text(_ value: JSONValue) -> String { String(decoding: value.jsonBytes, as: UTF8.self) }

    @Test("get: REST's /rest/bug/{id}, a WAMP call's [id] and its {ids: [id]} answer the same bytes", arguments: TestBackend.all)
    func get(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug("Crash on save", as: "dev", extra: ["cc": ["reporter@example.com"]])
            let operations = Self.operations(site)
            for user in ["admin", "outsider"] {
                let rest = try await site.get("/rest/bug/\(id)", as: user).expect(.ok)
                let viewer = try await Self.principal(site, user)
                let positional = try await operations.get(WireParameters(positional: [.int(id)], keywords: [:]), by: viewer)
                let keywords = try await operations.get(WireParameters(positional: [], keywords: ["ids": [.int(id)]]), by: viewer)
                #expect(Self.text(positional) == (try await site.get("/rest/bug/\(id)", as: user).text))
                #expect(positional == rest && keywords == rest)
            }
            // Anonymous callers see no addresses, on either transport.
            let anonymous = try await operations.get(WireParameters(positional: [.string(String(id))], keywords: [:]), by: .anonymous)
            #expect(Self.text(anonymous) == (try await site.get("/rest/bug/\(id)").text))
            #expect(!Self.text(anonymous).contains("\"email\""))
            // Field filters and permissive faults come through keyword arguments as through the query.
            let cut = try await operations.get(
                WireParameters(positional: [.int(id), .int(999_999)], keywords: ["include_fields": ["id", "summary"], "permissive": true]),
                by: .anonymous)
            #expect(cut == (try await site.get("/rest/bug/\(id)?ids=999999&include_fields=id,summary&permissive=1").expect(.ok)))
            #expect(cut["faults"][0]["faultCode"] == .int(101))
        }
    }

    @Test("search, create, update, comment and history answer what their REST routes answer", arguments: TestBackend.all)
    func calls(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let operations = Self.operations(site)
            let dev = try await Self.principal(site, "dev")
            let created = try await operations.create(
                WireParameters(positional: [], keywords: ["product": "Widget", "component": "Backend", "version": "1.0", "summary": "Gears slip"]),
                by: dev)
            let id = created["id"].int
            #expect(try await site.bug(id)["summary"] == "Gears slip")

            let updated = try await operations.update(
                WireParameters(positional: [.int(id)], keywords: ["status": "ASSIGNED", "comment": ["body": "Taking it."]]), by: dev)
            #expect(updated["bugs"][0]["changes"] == ["status": ["added": "ASSIGNED", "removed": "NEW"]])
            let comment = try await operations.comment(WireParameters(positional: [.int(id)], keywords: ["comment": "Fixed soon."]), by: dev)
            #expect(comment["id"].int > 0)

            let history = try await operations.history(WireParameters(positional: [.int(id)], keywords: [:]), by: dev)
            #expect(Self.text(history) == (try await site.get("/rest/bug/\(id)/history", as: "dev").text))
            #expect(history["bugs"][0]["history"].array.count == 1)

            let search = try await operations.search(
                WireParameters(positional: [], keywords: ["summary": "Gears", "include_fields": "id,status"]), by: dev)
            #expect(Self.text(search) == (try await site.get("/rest/bug?summary=Gears&include_fields=id,status", as: "dev").text))
            #expect(search == ["bugs": [["id": .int(id), "status": "ASSIGNED"]]])
            let count = try await operations.search(WireParameters(positional: [], keywords: ["summary": "Gears", "count_only": true]), by: dev)
            #expect(count == ["bug_count": 1])
        }
    }

    @Test("writes need a signed-in caller, and a refusal changes nothing", arguments: TestBackend.all)
    func refusals(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug()
            let operations = Self.operations(site)
            let calls: [(String, @Sendable (WireParameters, Principal) async throws -> JSONValue)] = [
                ("create", operations.create), ("update", operations.update), ("comment", operations.comment),
            ]
            for (name, call) in calls {
                let parameters = WireParameters(positional: [.int(id)], keywords: ["summary": "Changed", "comment": "Hello"])
                await #expect(throws: DomainError.loginRequired, "\(name)") { try await call(parameters, .anonymous) }
            }
            #expect(try await site.bug(id)["summary"] == "Crash on save")
            #expect(try await site.get("/rest/bug/\(id)/comment", as: "admin").expect(.ok)["bugs"][String(id)]["comments"].array.count == 1)
            // A hidden bug is a missing one, with the same error on both transports.
            let secret = try await site.fileSecretBug("Leak")
            let outsider = try await Self.principal(site, "outsider")
            await #expect(throws: DomainError.bugNotFound(String(secret))) {
                try await operations.get(WireParameters(positional: [.int(secret)], keywords: [:]), by: outsider)
            }
            try await site.get("/rest/bug/\(secret)", as: "outsider").expectError(101, .notFound)
        }
    }

    @Test("positional ids come before the ids the keywords name, and keep the keywords' other parameters")
    func positionalIDs() throws {
        let both = WireParameters(positional: [.int(1), .string("two")], keywords: ["ids": [3], "permissive": true])
        #expect(try both.strings("ids") == ["1", "two", "3"])
        #expect(try both.bool("permissive") == true)
        #expect(try WireParameters(positional: [.int(1)], keywords: ["ids": "4"]).strings("ids") == ["1", "4"])
        #expect(try WireParameters(positional: [], keywords: ["ids": 5]).ints("ids") == [5])
        // A list or an object where one id goes is refused, naming the parameter.
        #expect(throws: DomainError.self) { try WireParameters(positional: [[1, 2]], keywords: [:]).strings("ids") }
        #expect(throws: DomainError.self) { try WireParameters(positional: [.int(1)], keywords: ["ids": ["a": 1]]).strings("ids") }
    }
}

/// Every failure mapped once, for every API: Bugzilla's code and message, REST's HTTP status, and
/// WAMP's error URI.
@Suite("Errors on the wire")
struct WireErrorTests {
    struct Unforeseen: Error {}

    @Test("a refusal keeps its Bugzilla code and message; REST's status and WAMP's URI follow its kind")
    func refusals() {
        let cases: [(any Error, Int, Int, String)] = [
            (DomainError.bugNotFound("12"), 101, 404, "bugzot.error.invalid_bug"),
            (DomainError.invalidBugID("x y"), 100, 400, "bugzot.error.invalid_bug"),
            (DomainError.missingParameter("ids", function: "Bug.update"), 50, 400, "wamp.error.invalid_argument"),
            (DomainError.notNumeric(parameter: "blocks", value: "x"), 52, 400, "wamp.error.invalid_argument"),
            (DomainError.invalidParameter(parameter: "cc", reason: "no."), 53, 400, "wamp.error.invalid_argument"),
            (DomainError.illegalDate("soon"), 56, 400, "wamp.error.invalid_argument"),
            (DomainError.loginRequired, 410, 401, "wamp.error.not_authorized"),
            (DomainError.illegalChange(field: "priority"), 115, 401, "wamp.error.not_authorized"),
            (DomainError.notInGroup(group: "admin", action: "do that"), 304, 401, "wamp.error.not_authorized"),
            (DomainError.commentPrivate(id: 3), 110, 401, "wamp.error.not_authorized"),
            (DomainError.dependencyLoop, 116, 400, "bugzot.error.dependency_loop"),
            (DomainError.illegalStatusTransition(from: "NEW", to: "VERIFIED"), 123, 400, "bugzot.error.illegal_status_transition"),
            (DomainError.invalidAPIKey, 306, 400, "bugzot.error.invalid_api_key"),
            (DomainError.attachmentNotFound("4"), 101, 404, "bugzot.error.attachment_not_found"),
            (DomainError.requestTooLarge(limit: 10), 32000, 400, "bugzot.error.request_too_large"),
        ]
        for (error, code, status, uri) in cases {
            let described = WireError.describe(error)
            #expect(described.code == code && described.httpStatus == status && described.wampURI == uri, "\(error)")
            #expect(described.message == (error as? DomainError)?.message)
            #expect(!WireError.isUnexpected(error))
        }
    }

    @Test("outages say to try again; anything unforeseen is an internal error to log, its detail never shown")
    func faults() {
        let unreachable = StorageUnavailable(.databaseUnreachable, detail: "connection refused on 10.0.0.5")
        let outage = WireError.describe(unreachable)
        #expect(outage.code == BugzillaError.unavailableCode && outage.httpStatus == 503 && outage.wampURI == "bugzot.error.unavailable")
        #expect(outage.message == unreachable.message && !outage.message.contains("10.0.0.5"))
        let cut = WireError.describe(CancellationError())
        #expect(cut.code == BugzillaError.unavailableCode && cut.httpStatus == 503)
        let unforeseen = WireError.describe(Unforeseen())
        #expect(unforeseen.code == -32000 && unforeseen.wampURI == "bugzot.error.internal")
        #expect(unforeseen.message == "An internal error occurred. It has been logged.")
        #expect(WireError.isUnexpected(Unforeseen()))
        let body = WireError.describe(BugzillaError(code: BugzillaError.badRequestCode, message: "The request body must be a JSON object."))
        #expect(body.code == 32000 && body.httpStatus == 400 && body.wampURI == "wamp.error.invalid_argument")
    }
}
