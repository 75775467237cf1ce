import BugZotREST
import BugZotWire
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The bytes of REST answers, as clients parse them: keys in sorted order, JSON escapes only
/// where JSON needs them (UTF-8 passes through), Bugzilla's datetimes in UTC whole seconds.
@Suite("REST wire format")
struct WireFormatTests {
    @Test("a bug's keys come sorted, its people as objects, its times as 2024-01-02T03:04:05Z", arguments: TestBackend.all)
    func bugBytes(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug("Crash on save", as: "dev")
            let response = try await site.get("/rest/bug/\(id)", as: "admin")
            #expect(response.status == .ok)
            let text = response.text
            #expect(text.hasPrefix(#"{"bugs":[{"alias":[],"assigned_to":"dev@example.com","assigned_to_detail":{"email":"dev@example.com","id":"#))
            let time = try #require(text.firstMatch(of: /"creation_time":"([^"]*)"/)).1
            #expect(time.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil)
            #expect(text.contains(#""summary":"Crash on save","target_milestone":"#))
            #expect(text.hasSuffix(#""whiteboard":""}],"faults":[]}"#))
        }
    }

    @Test("a request body is read by the same strict JSON parser as WAMP's: anything but one JSON object is refused and files nothing")
    func strictBodies() async throws {
        try await TestSite.with(.sqlite) { site in
            // A lone surrogate, a byte that is not UTF-8, and nesting past 64 levels, beside plain syntax errors.
            let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
            let bodies: [[UInt8]] = [
                Array(#"[1, 2]"#.utf8), Array(#"{"summary": "x",}"#.utf8), Array(#"{"summary": "x"} {}"#.utf8),
                Array(#"{"summary": "\ud800"}"#.utf8), Array(#"{"summary": ""#.utf8) + [0xFF] + Array(#""}"#.utf8),
                Array(("{\"summary\": " + deep + "}").utf8),
            ]
            for body in bodies {
                let response = try await site.client.execute(
                    uri: "/rest/bug?Bugzilla_api_key=" + site.keys["dev"]!, method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(bytes: body))
                #expect(response.status == .badRequest, "\(String(decoding: body, as: UTF8.self))")
                #expect(String(buffer: response.body).contains(#""code":\#(BugzillaError.badRequestCode)"#))
            }
            #expect(try await site.get("/rest/bug?count_only=1", as: "admin").expect(.ok)["bug_count"].int == 0)
        }
    }

    @Test("fields asked for in any order come in key order, nested ones too", arguments: TestBackend.all)
    func filteredBytes(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug("Crash on save", as: "dev")
            let bugs = try await site.get("/rest/bug?id=\(id)&include_fields=summary,id,creator_detail.name,alias", as: "admin")
            #expect(bugs.text.hasPrefix(#"{"bugs":[{"alias":[],"creator_detail":{"name":"dev@example.com"},"id":\#(id),"summary":"Crash on save"}]"#))
        }
    }

    @Test("an object keeps its keys in key order and each key once, however it is built: out of order, replaced, removed, merged")
    func objectOrder() {
        var object: JSONObject = ["b": 2, "a": 1, "d": 4, "b": 3]
        object["c"] = 3
        object["a"] = 10
        object["d"] = nil
        object["e"] = 5
        #expect(object.keys == ["a", "b", "c", "e"])
        #expect(object["a"] == 10 && object["b"] == 3)
        #expect(object["d"] == nil && object["z"] == nil)
        #expect(object == ["e": 5, "c": 3, "b": 3, "a": 10])
        let merged = object.merging(["0": 0, "b": 20]) { $1 }
        #expect(merged.keys == ["0", "a", "b", "c", "e"] && merged["b"] == 20)
    }

    @Test("quotes, backslashes, tabs and new lines are escaped; other text, accents and emoji included, is sent as it is", arguments: TestBackend.all)
    func stringBytes(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug("Crash on save", as: "dev", extra: ["description": "Say \"hi\" \\ then\ttab\nnext é 😀"])
            let response = try await site.get("/rest/bug/\(id)/comment", as: "admin")
            #expect(response.status == .ok)
            let text = response.text
            #expect(text.contains(#""text":"Say \"hi\" \\ then\ttab\nnext é 😀""#))
        }
    }
}
