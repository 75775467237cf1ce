import BugZotREST
import BugZotWire
import HTTPTypes
import Testing

@Suite("Changing bugs")
struct BugUpdateAPITests {
    @Test("a body ids list replaces the path id and each bug reports its changes", arguments: TestBackend.all)
    func bodyIDs(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let first = try await site.fileBug("One", as: "dev")
            let second = try await site.fileBug("Two", as: "dev")
            let result = try await site.put("/rest/bug/\(first)", ["ids": [.string("\(first)"), .string("\(second)")], "status": "ASSIGNED"], as: "dev")
                .expect(.ok)
            #expect(result["bugs"].array.map { $0["id"].int } == [first, second])
            #expect(result["bugs"][0]["changes"] == ["status": ["added": "ASSIGNED", "removed": "NEW"]])
            #expect(try await site.bug(second)["status"] == "ASSIGNED")
        }
    }

    @Test("python-bugzilla's modify -k FIXED closes straight to CLOSED", arguments: TestBackend.all)
    func closeFixed(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug(as: "dev")
            let result = try await site.put("/rest/bug/\(id)", ["resolution": "FIXED", "status": "CLOSED"], as: "dev").expect(.ok)
            #expect(result["bugs"][0]["changes"]["resolution"] == ["added": "FIXED", "removed": ""])
            let bug = try await site.bug(id)
            #expect(bug["status"] == "CLOSED")
            #expect(bug["is_open"] == false)

            let reopened = try await site.put("/rest/bug/\(id)", ["status": "REOPENED"], as: "dev").expect(.ok)
            #expect(reopened["bugs"][0]["changes"]["resolution"] == ["added": "", "removed": "FIXED"])
        }
    }

    @Test("marking a duplicate sets status, resolution and dupe_of, and notes it on both bugs", arguments: TestBackend.all)
    func duplicate(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let original = try await site.fileBug("Original", as: "dev")
            let copy = try await site.fileBug("Copy", as: "dev")
            try await site.put("/rest/bug/\(copy)", ["dupe_of": .int(original), "resolution": "DUPLICATE", "status": "CLOSED"], as: "dev").expect(.ok)
            let bug = try await site.bug(copy)
            #expect(bug["dupe_of"] == .int(original))
            #expect(bug["resolution"] == "DUPLICATE")
            let notes = try await site.get("/rest/bug/\(original)/comment", as: "admin").expect(.ok)["bugs"]["\(original)"]["comments"]
            #expect(notes.array.last?["text"] == .string("*** Bug \(copy) has been marked as a duplicate of this bug. ***"))

            try await site.put("/rest/bug/\(original)", ["dupe_of": .int(copy)], as: "dev").expectError(118, .badRequest)
            try await site.put("/rest/bug/\(original)", ["dupe_of": .int(original)], as: "dev").expectError(118, .badRequest)
        }
    }

    @Test("workflow rules: resolutions and transitions", arguments: TestBackend.all)
    func workflowRules(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug(as: "dev")
            try await site.put("/rest/bug/\(id)", ["status": "RESOLVED"], as: "dev").expectError(121, .badRequest)
            try await site.put("/rest/bug/\(id)", ["resolution": "FIXED"], as: "dev").expectError(122, .badRequest)
            try await site.put("/rest/bug/\(id)", ["status": "VERIFIED", "resolution": "FIXED"], as: "dev").expectError(123, .badRequest)
            try await site.put("/rest/bug/\(id)", ["status": "RESOLVED", "resolution": "MAGIC"], as: "dev").expectError(104, .badRequest)
            #expect(try await site.bug(id)["status"] == "NEW")
        }
    }

    @Test("assignee, CC, keywords-free lists and comments in one change, all recorded in history", arguments: TestBackend.all)
    func listsAndHistory(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug(as: "dev")
            let result = try await site.put(
                "/rest/bug/\(id)",
                [
                    "assigned_to": "admin@example.com", "cc": ["add": ["outsider@example.com", "reporter@example.com"]],
                    "comment": ["comment": "Taking a look", "is_private": false], "whiteboard": "triaged",
                ],
                as: "dev"
            ).expect(.ok)
            #expect(result["bugs"][0]["changes"]["cc"] == ["added": "outsider@example.com, reporter@example.com", "removed": ""])
            try await site.put("/rest/bug/\(id)", ["cc": ["remove": ["outsider@example.com"]]], as: "dev").expect(.ok)
            let bug = try await site.bug(id)
            #expect(bug["assigned_to"] == "admin@example.com")
            #expect(bug["cc"] == ["reporter@example.com"])
            #expect(bug["whiteboard"] == "triaged")

            let history = try await site.get("/rest/bug/\(id)/history", as: "admin").expect(.ok)["bugs"][0]["history"]
            #expect(history.array.count == 2)
            #expect(history[0]["who"] == "dev@example.com")
            let fields = history[0]["changes"].array.map { $0["field_name"].string }
            #expect(Set(fields) == ["assigned_to", "cc", "whiteboard"])
            #expect(history[1]["changes"][0] == ["field_name": "cc", "removed": "outsider@example.com", "added": ""])
        }
    }

    @Test("the assignee taking a NEW bug moves it to ASSIGNED", arguments: TestBackend.all)
    func take(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug(as: "admin")
            try await site.put("/rest/bug/\(id)", ["assigned_to": "admin@example.com"], as: "admin").expect(.ok)
            #expect(try await site.bug(id)["status"] == "ASSIGNED")
        }
    }

    @Test("blocks and depends_on stay symmetric, are recorded on both bugs, and refuse loops", arguments: TestBackend.all)
    func dependencies(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let a = try await site.fileBug("A", as: "dev")
            let b = try await site.fileBug("B", as: "dev")
            let c = try await site.fileBug("C", as: "dev")
            try await site.put("/rest/bug/\(a)", ["depends_on": ["add": [.int(b)]]], as: "dev").expect(.ok)
            try await site.put("/rest/bug/\(b)", ["depends_on": ["add": [.string("\(c)")]]], as: "dev").expect(.ok)
            #expect(try await site.bug(b)["blocks"] == [.int(a)])
            let history = try await site.get("/rest/bug/\(b)/history", as: "admin").expect(.ok)["bugs"][0]["history"]
            #expect(history[0]["changes"][0] == ["field_name": "blocks", "removed": "", "added": .string("\(a)")])
            try await site.put("/rest/bug/\(c)", ["depends_on": ["add": [.int(a)]]], as: "dev").expectError(116, .badRequest)
            try await site.put("/rest/bug/\(a)", ["blocks": ["add": [.int(a)]]], as: "dev").expectError(116, .badRequest)
        }
    }

    @Test("field permissions: reporters, strangers and editbugs", arguments: TestBackend.all)
    func permissions(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug(as: "reporter")
            try await site.put("/rest/bug/\(id)", ["assigned_to": "reporter@example.com"], as: "reporter").expectError(115, .unauthorized)
            try await site.put("/rest/bug/\(id)", ["summary": "Clearer summary"], as: "reporter").expect(.ok)
            try await site.put("/rest/bug/\(id)", ["summary": "Mine now"], as: "outsider").expectError(115, .unauthorized)
            try await site.put("/rest/bug/\(id)", ["cc": ["add": ["outsider@example.com"]]], as: "outsider").expect(.ok)
            try await site.put("/rest/bug/\(id)", ["status": "NEW"], as: "reporter").expectError(115, .unauthorized)
            try await site.put("/rest/bug/\(id)", ["status": "NEW"], as: "dev").expect(.ok)
            #expect(try await site.bug(id)["summary"] == "Clearer summary")
        }
    }

    @Test("concurrent changes to one bug are all kept", arguments: TestBackend.all)
    func concurrentChanges(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug(as: "dev")
            let people = ["admin", "dev", "insider", "reporter", "outsider"]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for person in people {
                    group.addTask {
                        try await site.put("/rest/bug/\(id)", ["cc": ["add": [.string("\(person)@example.com")]]], as: person).expect(.ok)
                        try await site.post("/rest/bug/\(id)/comment", ["comment": .string("from \(person)")], as: person).expect(.created)
                    }
                }
                try await group.waitForAll()
            }
            #expect(Set(try await site.bug(id)["cc"].strings) == Set(people.map { "\($0)@example.com" }))
            let history = try await site.get("/rest/bug/\(id)/history", as: "admin").expect(.ok)["bugs"][0]["history"]
            #expect(history.array.count == people.count)
            let comments = try await site.get("/rest/bug/\(id)/comment", as: "admin").expect(.ok)["bugs"]["\(id)"]["comments"]
            #expect(comments.array.map { $0["count"].int } == Array(0...people.count))
        }
    }

    @Test("See Also takes http and https URLs only; a blank comment is a missing one", arguments: TestBackend.all)
    func seeAlsoAndBlankComments(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug(as: "dev")
            try await site.put("/rest/bug/\(id)", ["see_also": ["add": ["https://bugs.example.org/show_bug.cgi?id=7"]]], as: "dev").expect(.ok)
            try await site.put("/rest/bug/\(id)", ["see_also": ["add": ["javascript:alert(1)"]]], as: "dev").expectError(112, .badRequest)
            #expect(try await site.bug(id)["see_also"] == ["https://bugs.example.org/show_bug.cgi?id=7"])
            try await site.post("/rest/bug/\(id)/comment", ["comment": "   "], as: "dev").expectError(50, .badRequest)
        }
    }

    @Test("a change to several bugs checks each one after the changes before it: a loop through two of them, an alias given to both", arguments: TestBackend.all)
    func severalBugsCheckedInTurn(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let (first, second, third) = (try await site.fileBug("First", as: "dev"), try await site.fileBug("Second", as: "dev"), try await site.fileBug("Third", as: "dev"))
            let both: JSONValue = ["ids": [.int(first), .int(second)]]
            func change(_ fields: JSONObject) -> JSONValue {
                guard case .object(var body) = both else { return both }
                body.merge(fields) { $1 }
                return .object(body)
            }
            // Third depends on second; making first and then second depend on third loops only at second.
            try await site.put("/rest/bug/\(third)", ["depends_on": ["add": [.int(second)]]], as: "dev").expect(.ok)
            try await site.put("/rest/bug/\(first)", change(["depends_on": ["add": [.int(third)]]]), as: "dev").expectError(116, .badRequest)
            try await site.put("/rest/bug/\(first)", change(["alias": ["add": ["shared"]]]), as: "dev").expectError(103, .badRequest)
            // First marked a duplicate of third, then second of third: fine, nothing loops.
            try await site.put("/rest/bug/\(first)", change(["status": "RESOLVED", "resolution": "DUPLICATE", "dupe_of": .int(third)]), as: "dev").expect(.ok)
            for id in [first, second] {
                let bug = try await site.bug(id)
                #expect(bug["depends_on"].ints == [] && bug["alias"].strings == [] && bug["dupe_of"] == .int(third))
            }
        }
    }
}
