import BugZotDomain
import BugZotREST
import Foundation
import HTTPTypes
import Testing

@Suite("Text input through the web UI: the same table of limits")
struct WebTextInputTests {
    @Test("sign-up refuses a real name with line breaks (it would break mail headers) or past its limit, and creates nothing", arguments: TestBackend.all)
    func signUpName(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var browser = Browser(site)
            for name in ["Eve\r\nBcc: victim@example.com", String(repeating: "n", count: 256), "Nul\u{0}"] {
                try await browser.get("/signup")
                let sent = try await browser.post(
                    "/signup", ["login": "eve@example.com", "name": name, "password": "plum tree 42", "password_confirm": "plum tree 42"])
                // A refusal comes back (after a redirect) on the form, with the error.
                let page = try await browser.following(sent)
                #expect(page.status == .ok && page.contains("class=\"error\""), "\(name.prefix(8).debugDescription)")
                #expect(page.contains("real_name"))
            }
            try await site.get("/rest/user?names=eve@example.com", as: "admin").expectError(51, .notFound)
        }
    }

    @Test("the bug list and a bug's page answer NUL in an address with a clear refusal, not a server error", arguments: TestBackend.all)
    func nulInAddresses(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var browser = try await Browser.signedIn(site, as: "dev")
            for path in ["/bugs?product=Wid%00get", "/bugs?q=a%00b", "/bugs?assignee=a%00b", "/bugs?sort=summary&after=1&after_value=a%00b", "/bug/a%00b"] {
                let page = try await browser.get(path)
                #expect(page.status.code >= 400 && page.status.code < 500, "\(path): \(page.status)")
            }
        }
    }

    @Test("a comment typed on the web keeps its line breaks (CRLF from the browser) and refuses other control characters", arguments: TestBackend.all)
    func webComment(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug(as: "dev")
            var browser = try await Browser.signedIn(site, as: "dev")
            try await browser.get("/bug/\(id)")
            let refused = try await browser.post("/bug/\(id)", ["comment": "bell\u{7}"])
            #expect(refused.status.code < 500)  // a refusal page, or a redirect to one
            try await browser.get("/bug/\(id)")
            try await browser.post("/bug/\(id)", ["comment": "line one\r\n\tline two"])
            let comments = try await site.get("/rest/bug/\(id)/comment", as: "dev").expect(.ok)["bugs"]["\(id)"]["comments"].array
            #expect(comments.map(\.["text"].string).contains("line one\r\n\tline two"))
            #expect(!comments.map(\.["text"].string).contains("bell\u{7}"))
        }
    }
}
