import BugZotREST
import Foundation
import HTTPTypes
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
