import BugZotREST
import BugZotWire
import Foundation
import HTTPTypes
import Testing

/// Bugzilla's advanced search over REST: `fN/oN/vN` on every field a bug has, dates relative to
/// now, regular expressions, the history operators, and boolean charts with OR groups and
/// nesting — never finding, or proving the existence of, what the caller may not see.
@Suite("Advanced search over REST")
struct AdvancedSearchAPITests {
    /// The ids a search finds for `user`, the parameters percent-encoded.
    static func ids(_ site: TestSite, _ parameters: [(String, String)], as user: String = "outsider") async throws -> [Int] {
        try await site.get(path(parameters), as: user).expect(.ok)["bugs"].array.map { $0["id"].int }
    }

    static func path(_ parameters: [(String, String)]) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
        let query = parameters.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
        return "/rest/bug?include_fields=id&" + query
    }

    /// One f1/o1/v1 condition.
    static func one(_ field: String, _ op: String, _ value: String) -> [(String, String)] {
        [("f1", field), ("o1", op), ("v1", value)]
    }

    @Test("dates: creation_ts and delta_ts take relative values and absolute dates; deadline compares days", arguments: TestBackend.all)
    func dates(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let early = try await site.fileBug("Early", as: "dev", extra: ["deadline": "2020-01-31"])
            let late = try await site.fileBug("Late", as: "dev", extra: ["deadline": "2999-12-31"])
            let none = try await site.fileBug("No deadline", as: "dev")
            #expect(try await Self.ids(site, Self.one("creation_ts", "greaterthan", "-1d")) == [early, late, none])
            #expect(try await Self.ids(site, Self.one("creation_ts", "greaterthan", "+1d")).isEmpty)
            #expect(try await Self.ids(site, Self.one("creation_ts", "lessthan", "-2w")).isEmpty)
            #expect(try await Self.ids(site, Self.one("delta_ts", "greaterthaneq", "Now")) == [early, late, none])
            #expect(try await Self.ids(site, Self.one("creation_ts", "greaterthan", "2001-01-01 00:00:00")) == [early, late, none])
            #expect(try await Self.ids(site, Self.one("opendate", "lessthan", "2001-01-01")).isEmpty)
            #expect(try await Self.ids(site, Self.one("deadline", "lessthan", "Now")) == [early])
            #expect(try await Self.ids(site, Self.one("deadline", "greaterthan", "-1y")) == [late])
            // A bug without a deadline matches neither a comparison nor its negation.
            #expect(try await Self.ids(site, Self.one("deadline", "lessthan", "Now") + [("n1", "1")]) == [late])
            #expect(try await Self.ids(site, Self.one("deadline", "isempty", "")) == [none])
            for bad in [Self.one("creation_ts", "greaterthan", "-7x"), Self.one("delta_ts", "lessthan", "last week"),
                        Self.one("creation_ts", "substring", "2024"), Self.one("bug_status", "changedafter", "soon")] {
                let error = try await site.get(Self.path(bad), as: "outsider")
                error.expectError(53, .badRequest)
                #expect(error.errorMessage.contains("v1") || error.errorMessage.contains("date"))
            }
        }
    }

    @Test("every field a bug has can be searched", arguments: TestBackend.all)
    func everyField(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let bug = try await site.fileBug("Crash on save", as: "dev", extra: [
                "alias": "save-crash", "url": "https://example.com/x", "whiteboard": "triage", "op_sys": "Linux", "platform": "PC",
                "keywords": [], "cc": ["insider@example.com"], "see_also": [],
            ])
            let other = try await site.fileBug("Slow startup", as: "reporter")
            try await site.put("/rest/bug/\(other)", [
                "dupe_of": .int(bug), "see_also": ["add": ["https://bugs.example.org/1"]], "is_creator_accessible": false,
            ], as: "dev").expect(.ok)
            let secret = try await site.fileSecretBug("Hidden original")
            let table: [(String, String, String, [Int])] = [
                ("classification", "equals", "Unclassified", [bug, other]),
                ("assigned_to_realname", "equals", "Dev", [bug, other]),
                ("reporter_realname", "substring", "report", [other]),
                ("dup_id", "equals", "\(bug)", [other]),
                ("see_also", "substring", "bugs.example.org", [other]),
                ("reporter_accessible", "equals", "0", [other]),
                ("cclist_accessible", "equals", "1", [bug, other]),
                ("everconfirmed", "equals", "1", [bug]),
                ("commenter", "equals", "reporter@example.com", [other]),
                ("cc", "substring", "insider", [bug]),
                ("alias", "equals", "save-crash", [bug]),
                ("bug_file_loc", "substring", "example.com/x", [bug]),
                ("status_whiteboard", "equals", "triage", [bug]),
                ("op_sys", "equals", "Linux", [bug]),
            ]
            for (field, op, value, expected) in table {
                #expect(try await Self.ids(site, Self.one(field, op, value)) == expected, "\(field) \(op) \(value)")
            }
            #expect(try await Self.ids(site, Self.one("bug_group", "equals", "secret"), as: "insider") == [secret])
            #expect(try await Self.ids(site, Self.one("bug_group", "equals", "secret")).isEmpty)
            try await site.get(Self.path(Self.one("no_such_field", "equals", "x")), as: "outsider").expectError(53, .badRequest)
            try await site.get(Self.path(Self.one("short_desc", "resembles", "x")), as: "outsider").expectError(53, .badRequest)
        }
    }

    @Test("a duplicate of a hidden bug can't be found through it", arguments: TestBackend.all)
    func hiddenDuplicate(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let secret = try await site.fileSecretBug("Hidden original")
            let dupe = try await site.fileBug("Public duplicate", as: "dev")
            try await site.put("/rest/bug/\(dupe)", ["dupe_of": .int(secret)], as: "admin").expect(.ok)
            #expect(try await Self.ids(site, Self.one("dup_id", "equals", "\(secret)")).isEmpty)
            #expect(try await Self.ids(site, Self.one("dup_id", "isempty", "")).contains(dupe))
            #expect(try await Self.ids(site, Self.one("dup_id", "equals", "\(secret)"), as: "admin") == [dupe])
        }
    }

    @Test("regexp and notregexp match anywhere, case-sensitively, alike on both databases; a bad or long pattern is a clear error", arguments: TestBackend.all)
    func regexp(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let save = try await site.fileBug("Crash on save", as: "dev")
            let load = try await site.fileBug("Crash on load", as: "dev")
            let slow = try await site.fileBug("slow startup (v2.10)", as: "dev")
            let secret = try await site.fileSecretBug("Crash in the vault")
            #expect(try await Self.ids(site, Self.one("short_desc", "regexp", "^Crash on (save|load)$")) == [save, load])
            #expect(try await Self.ids(site, Self.one("short_desc", "regexp", "crash")).isEmpty)
            #expect(try await Self.ids(site, Self.one("short_desc", "regexp", "v[0-9]+\\.[0-9]{2}\\)")) == [slow])
            #expect(try await Self.ids(site, Self.one("short_desc", "notregexp", "^Crash")) == [slow])
            #expect(try await Self.ids(site, Self.one("short_desc", "regexp", "vault")).isEmpty)
            #expect(try await Self.ids(site, Self.one("short_desc", "regexp", "vault"), as: "insider") == [secret])
            #expect(try await Self.ids(site, Self.one("bug_id", "regexp", "^\(save)$")) == [save])
            #expect(try await Self.ids(site, Self.one("longdesc", "regexp", "Steps: s.ve")) == [save, load, slow])
            for bad in ["(unclosed", "a**", "\\1", String(repeating: "a", count: 300)] {
                let error = try await site.get(Self.path(Self.one("short_desc", "regexp", bad)), as: "outsider")
                error.expectError(53, .badRequest)
                #expect(error.errorMessage.contains("regular expression"))
            }
            // A pattern backtracking engines take exponential time on finishes at once.
            try await site.put("/rest/bug/\(slow)", ["summary": .string(String(repeating: "a", count: 200) + "!")], as: "dev").expect(.ok)
            #expect(try await Self.ids(site, Self.one("short_desc", "regexp", "^(a|a)*(a*)*$")).isEmpty)
        }
    }

    @Test("changedbefore, changedafter, changedfrom, changedto and changedby search the history", arguments: TestBackend.all)
    func history(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let moved = try await site.fileBug("Crash on save", as: "dev")
            let still = try await site.fileBug("Crash on load", as: "dev")
            try await site.put("/rest/bug/\(moved)", ["status": "ASSIGNED", "keywords": ["set": []], "cc": ["add": ["insider@example.com", "outsider@example.com"]]], as: "dev").expect(.ok)
            #expect(try await Self.ids(site, Self.one("bug_status", "changedfrom", "NEW")) == [moved])
            #expect(try await Self.ids(site, Self.one("bug_status", "changedto", "ASSIGNED")) == [moved])
            #expect(try await Self.ids(site, Self.one("bug_status", "changedto", "RESOLVED")).isEmpty)
            #expect(try await Self.ids(site, Self.one("cc", "changedto", "outsider@example.com")) == [moved])
            #expect(try await Self.ids(site, Self.one("bug_status", "changedby", "DEV@example.com")) == [moved])
            #expect(try await Self.ids(site, Self.one("bug_status", "changedby", "reporter@example.com")).isEmpty)
            #expect(try await Self.ids(site, Self.one("bug_status", "changedafter", "-1h")) == [moved])
            #expect(try await Self.ids(site, Self.one("bug_status", "changedbefore", "-1h")).isEmpty)
            #expect(try await Self.ids(site, Self.one("bug_status", "changedafter", "-1h") + [("n1", "1")]) == [still])
            try await site.get(Self.path(Self.one("longdesc", "changedafter", "-1d")), as: "outsider").expectError(53, .badRequest)
            try await site.get(Self.path(Self.one("blocked", "changedby", "dev@example.com")), as: "outsider").expectError(53, .badRequest)
        }
    }

    @Test("history of a private attachment counts only for those who may see the attachment", arguments: TestBackend.all)
    func privateHistory(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let bug = try await site.fileBug("Crash on save", as: "dev")
            let body: JSONValue = [
                "ids": [.string("\(bug)")], "data": .string(Data("x".utf8).base64EncodedString()), "file_name": "trace.txt",
                "summary": "Stack trace", "content_type": "text/plain", "is_private": true,
            ]
            let attachment = try await site.post("/rest/bug/\(bug)/attachment", body, as: "insider").expect(.created)["ids"][0].int
            try await site.put("/rest/bug/attachment/\(attachment)", ["summary": "Stack trace of the crash"], as: "insider").expect(.ok)
            let search = Self.one("attachments.description", "changedto", "Stack trace of the crash")
            #expect(try await Self.ids(site, search, as: "outsider").isEmpty)
            #expect(try await Self.ids(site, search, as: "insider") == [bug])
            #expect(try await Self.ids(site, Self.one("attachments.description", "changedby", "insider@example.com"), as: "dev").isEmpty)
            // The attachment itself is hidden the same way.
            #expect(try await Self.ids(site, Self.one("attachments.description", "substring", "Stack"), as: "outsider").isEmpty)
            #expect(try await Self.ids(site, Self.one("attachments.description", "substring", "Stack"), as: "insider") == [bug])
        }
    }

    @Test("dependency history is found by bug numbers the caller may see, never by hidden ones", arguments: TestBackend.all)
    func linkHistory(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let blocker = try await site.fileBug("Blocker", as: "dev")
            let blocked = try await site.fileBug("Blocked", as: "dev")
            let secret = try await site.fileSecretBug("Hidden blocker")
            try await site.put("/rest/bug/\(blocked)", ["depends_on": ["add": [.int(blocker), .int(secret)]]], as: "admin").expect(.ok)
            #expect(try await Self.ids(site, Self.one("dependson", "changedto", "\(blocker)")) == [blocked])
            #expect(try await Self.ids(site, Self.one("dependson", "changedto", "\(secret)")).isEmpty)
            #expect(try await Self.ids(site, Self.one("dependson", "changedto", "\(secret)"), as: "admin") == [blocked])
        }
    }

    @Test("j_top=OR, OP/CP groups with jN and nN, nested: Bugzilla's boolean charts", arguments: TestBackend.all)
    func booleanCharts(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let save = try await site.fileBug("Crash on save", as: "dev", extra: ["severity": "critical"])
            let load = try await site.fileBug("Crash on load", as: "dev")
            let slow = try await site.fileBug("Slow startup", as: "reporter", extra: ["severity": "critical"])
            #expect(try await Self.ids(site, [("j_top", "OR"), ("f1", "short_desc"), ("o1", "substring"), ("v1", "save"),
                                              ("f2", "short_desc"), ("o2", "substring"), ("v2", "startup")]) == [save, slow])
            // critical AND (load OR startup)
            let grouped: [(String, String)] = [
                ("f1", "bug_severity"), ("o1", "equals"), ("v1", "critical"),
                ("f2", "OP"), ("j2", "OR"),
                ("f3", "short_desc"), ("o3", "substring"), ("v3", "load"),
                ("f4", "short_desc"), ("o4", "substring"), ("v4", "startup"),
                ("f5", "CP"),
            ]
            #expect(try await Self.ids(site, grouped) == [slow])
            // NOT (critical AND NOT (reporter is dev)) — nested and negated.
            let nested: [(String, String)] = [
                ("f1", "OP"), ("n1", "1"),
                ("f2", "bug_severity"), ("o2", "equals"), ("v2", "critical"),
                ("f3", "OP"), ("n3", "1"),
                ("f4", "reporter"), ("o4", "equals"), ("v4", "dev@example.com"),
                ("f5", "CP"),
                ("f6", "CP"),
            ]
            #expect(try await Self.ids(site, nested) == [save, load])
            // Rows apply in the order of their numbers: f10 comes after f9.
            var many: [(String, String)] = [("f1", "OP"), ("j1", "OR")]
            for index in 2...9 { many += [("f\(index)", "short_desc"), ("o\(index)", "equals"), ("v\(index)", "nothing \(index)")] }
            many += [("f10", "short_desc"), ("o10", "equals"), ("v10", "Slow startup"), ("f11", "CP")]
            #expect(try await Self.ids(site, many) == [slow])
            for bad in [[("f1", "OP"), ("f2", "short_desc"), ("v2", "x")], [("f1", "short_desc"), ("v1", "x"), ("f2", "CP")],
                        [("j_top", "XOR"), ("f1", "short_desc"), ("v1", "x")], [("f1", "OP"), ("j1", "AND_G"), ("f2", "CP")]] {
                let error = try await site.get(Self.path(bad), as: "outsider")
                error.expectError(53, .badRequest)
            }
        }
    }
}
