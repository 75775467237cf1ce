import BugZotREST
import BugZotWire
import HTTPTypes
import Testing

@Suite("Filing, reading and finding bugs")
struct BugAPITests {
    @Test("a new bug gets the component's assignee, NEW for someone with canconfirm, and its description as comment 0", arguments: TestBackend.all)
    func create(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug(as: "dev")
            let bug = try await site.bug(id)
            #expect(bug["id"] == .int(id))
            #expect(bug["status"] == "NEW")
            #expect(bug["resolution"] == "")
            #expect(bug["is_open"] == true)
            #expect(bug["assigned_to"] == "dev@example.com")
            #expect(bug["creator"] == "dev@example.com")
            #expect(bug["assigned_to_detail"]["real_name"] == "Dev")
            #expect(bug["severity"] == "normal")
            #expect(bug["creation_time"].string.hasSuffix("Z"))
            let comments = try await site.get("/rest/bug/\(id)/comment", as: "admin").expect(.ok)["bugs"]["\(id)"]["comments"]
            #expect(comments[0]["count"] == 0)
            #expect(comments[0]["text"] == "Steps: save.")
        }
    }

    @Test("a reporter without canconfirm files UNCONFIRMED", arguments: TestBackend.all)
    func unconfirmed(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug(as: "reporter")
            let bug = try await site.bug(id)
            #expect(bug["status"] == "UNCONFIRMED")
            #expect(bug["is_confirmed"] == false)
        }
    }

    @Test("filing checks every field", arguments: TestBackend.all)
    func createValidation(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let base: JSONObject = ["product": "Widget", "component": "Backend", "version": "1.0", "summary": "S"]
            func file(_ change: JSONObject) async throws -> APIResponse {
                try await site.post("/rest/bug", .object(base.merging(change) { $1 }), as: "dev")
            }
            try await site.post("/rest/bug", ["product": "Widget", "component": "Backend", "version": "1.0"], as: "dev").expectError(50, .badRequest)
            try await file(["summary": "   "]).expectError(107, .badRequest)
            try await file(["component": "Nope"]).expectError(105, .badRequest)
            try await file(["product": "Nope"]).expectError(106, .unauthorized)
            try await file(["version": "9.9"]).expectError(51, .notFound)
            try await file(["severity": "apocalyptic"]).expectError(104, .badRequest)
            try await file(["status": "CLOSED"]).expectError(123, .badRequest)
            try await file(["groups": ["secret"]]).expectError(120, .unauthorized)
            try await file(["assigned_to": "ghost@example.com"]).expectError(51, .notFound)
            try await file(["blocks": ["12345"]]).expectError(101, .notFound)
            try await file(["alias": ["123"]]).expectError(103, .badRequest)
            #expect(try await site.get("/rest/bug?product=Widget", as: "admin").expect(.ok)["bugs"].array.isEmpty)
        }
    }

    @Test("include_fields, exclude_fields, _default and dotted names", arguments: TestBackend.all)
    func fieldSelection(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug()
            let only = try await site.get("/rest/bug/\(id)?include_fields=id,summary", as: "admin").expect(.ok)["bugs"][0]
            #expect(only.keys == ["id", "summary"])
            let repeated = try await site.get("/rest/bug/\(id)?include_fields=id&include_fields=status", as: "admin").expect(.ok)["bugs"][0]
            #expect(repeated.keys == ["id", "status"])
            let without = try await site.get("/rest/bug/\(id)?exclude_fields=cc_detail&include_fields=_default", as: "admin").expect(.ok)["bugs"][0]
            #expect(without.keys.contains("summary") && !without.keys.contains("cc_detail"))
            let excluded = try await site.get("/rest/bug/\(id)?include_fields=id,summary&exclude_fields=summary", as: "admin").expect(.ok)["bugs"][0]
            #expect(excluded.keys == ["id"])
            let dotted = try await site.get("/rest/bug/\(id)?include_fields=assigned_to_detail.name", as: "admin").expect(.ok)["bugs"][0]
            #expect(dotted == ["assigned_to_detail": ["name": "dev@example.com"]])
        }
    }

    @Test("bugs by alias, and permissive turns errors into faults", arguments: TestBackend.all)
    func aliasAndFaults(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug(extra: ["alias": "save-crash"])
            #expect(try await site.bug(id)["alias"] == ["save-crash"])
            #expect(try await site.get("/rest/bug/save-crash", as: "admin").expect(.ok)["bugs"][0]["id"] == .int(id))
            try await site.get("/rest/bug/4242", as: "admin").expectError(101, .notFound)
            let permissive = try await site.get("/rest/bug?id=\(id)&id=4242&permissive=1", as: "admin").expect(.ok)
            #expect(permissive["bugs"].array.count == 1)
            let mixed = try await site.get("/rest/bug/\(id)?ids=4242&permissive=1", as: "admin").expect(.ok)
            #expect(mixed["bugs"].array.map { $0["id"].int } == [id])
            #expect(mixed["faults"][0]["faultCode"] == 101)
            #expect(mixed["faults"][0]["id"] == 4242)
            try await site.post(
                "/rest/bug", ["product": "Widget", "component": "Backend", "version": "1.0", "summary": "Again", "alias": "save-crash"], as: "dev"
            ).expectError(103, .badRequest)
        }
    }

    @Test("search: AND across fields, OR within one, substrings for text", arguments: TestBackend.all)
    func search(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let crash = try await site.fileBug("Crash on save", as: "dev")
            let slow = try await site.fileBug("Slow startup", as: "reporter")
            func ids(_ query: String) async throws -> [Int] {
                try await site.get("/rest/bug?\(query)&include_fields=id", as: "admin").expect(.ok)["bugs"].array.map { $0["id"].int }
            }
            #expect(try await ids("product=Widget") == [crash, slow])
            #expect(try await ids("status=NEW") == [crash])
            #expect(try await ids("bug_status=NEW&bug_status=UNCONFIRMED") == [crash, slow])
            #expect(try await ids("short_desc=crash") == [crash])
            #expect(try await ids("short_desc=Crash+on") == [crash])
            #expect(try await ids("short_desc=Crash%20on%2Bx") == [])
            #expect(try await ids("summary=CRASH&product=Widget") == [crash])
            #expect(try await ids("summary=crash&status=UNCONFIRMED") == [])
            #expect(try await ids("creator=reporter") == [slow])
            #expect(try await ids("status=OPEN") == [])
            #expect(try await ids("resolution=") == [crash, slow])
            #expect(try await ids("order=bug_id%20DESC") == [slow, crash])
            #expect(try await ids("product=Widget&limit=1") == [crash])
            #expect(try await ids("product=Widget&limit=1&offset=1") == [slow])
            #expect(try await ids("longdesc=steps&query_format=advanced") == [crash, slow])
            #expect(try await ids("quicksearch=slow") == [slow])
            try await site.get("/rest/bug?limit=many", as: "admin").expectError(52, .badRequest)
            try await site.get("/rest/bug?creation_time=yesterday-ish", as: "admin").expectError(56, .badRequest)
        }
    }

    @Test("advanced search: fN/oN/vN, fieldX-Y-Z charts and longdesc, as python-bugzilla sends them", arguments: TestBackend.all)
    func advancedSearch(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let crash = try await site.fileBug("Crash on save", as: "dev")
            let slow = try await site.fileBug("Slow startup", as: "dev")
            try await site.put("/rest/bug/\(slow)", ["whiteboard": "perf triaged", "depends_on": ["add": [.int(crash)]]], as: "dev").expect(.ok)
            func ids(_ query: String) async throws -> [Int] {
                try await site.get("/rest/bug?\(query)&include_fields=id", as: "admin").expect(.ok)["bugs"].array.map { $0["id"].int }
            }
            #expect(try await ids("query_format=advanced&f1=short_desc&o1=substring&v1=startup") == [slow])
            #expect(try await ids("f1=short_desc&o1=substring&v1=startup&n1=1") == [crash])
            #expect(try await ids("field0-0-0=status_whiteboard&type0-0-0=substring&value0-0-0=perf") == [slow])
            #expect(try await ids("field0-0-0=dependson&type0-0-0=substring&value0-0-0=\(crash)") == [slow])
            #expect(try await ids("field0-0-0=blocked&type0-0-0=equals&value0-0-0=\(slow)") == [crash])
            // Alternatives within one chart row, conditions across rows.
            #expect(try await ids("field0-0-0=short_desc&type0-0-0=substring&value0-0-0=crash&field0-0-1=short_desc&type0-0-1=substring&value0-0-1=slow") == [crash, slow])
            #expect(try await ids("field0-0-0=short_desc&type0-0-0=substring&value0-0-0=crash&field0-1-0=short_desc&type0-1-0=substring&value0-1-0=slow") == [])
            // negateX negates chart X as a whole; charts all apply.
            #expect(try await ids("field0-0-0=short_desc&type0-0-0=substring&value0-0-0=crash&negate0=1") == [slow])
            #expect(try await ids("field0-0-0=short_desc&type0-0-0=substring&value0-0-0=crash&field0-1-0=short_desc&type0-1-0=substring&value0-1-0=slow&negate0=1") == [crash, slow])
            #expect(try await ids("field0-0-0=short_desc&type0-0-0=substring&value0-0-0=a&field1-0-0=short_desc&type1-0-0=substring&value1-0-0=slow&negate1=1") == [crash])
            #expect(try await ids("longdesc=steps%20save&longdesc_type=allwordssubstr&query_format=advanced") == [crash, slow])
            #expect(try await ids("f1=bug_id&o1=greaterthan&v1=\(crash)") == [slow])
            #expect(try await ids("f1=status_whiteboard&o1=isempty") == [crash])
            #expect(try await ids("email1=dev%40&emailtype1=substring&emailassigned_to1=1&emailreporter1=1") == [crash, slow])
            #expect(try await ids("email1=reporter%40example.com&emailtype1=equals&emailcc1=1") == [])
            try await site.get("/rest/bug?savedsearch=mine", as: "admin").expectError(53, .badRequest)
            try await site.get("/rest/bug?f1=flagtypes.name&o1=substring&v1=x", as: "admin").expectError(53, .badRequest)
            try await site.get("/rest/bug?f1=short_desc&o1=regexp&v1=%28", as: "admin").expectError(53, .badRequest)
            try await site.get("/rest/bug?f1=short_desc&o1=resembles&v1=x", as: "admin").expectError(53, .badRequest)
        }
    }

    @Test("text survives the round trip exactly: quotes, backslashes, any script (control characters are refused elsewhere)", arguments: TestBackend.all)
    func textRoundTrip(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let summary = "He said \"hi\" \\ ünïcödé 🐛 </script> עברית"
            let id = try await site.fileBug(summary, as: "dev")
            #expect(try await site.bug(id)["summary"] == .string(summary))
        }
    }
}
