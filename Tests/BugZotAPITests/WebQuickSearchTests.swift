import BugZotDomain
import BugZotREST
import BugZotWire
import Foundation
import HTTPTypes
import Testing

/// The web UI's search box speaks the same quicksearch as REST, and a bug number or alias typed
/// alone opens that bug — without telling a hidden bug from a missing one.
@Suite("The web search box")
struct WebQuickSearchTests {
    static func search(_ text: String) -> String {
        "/bugs?quicksearch=" + (text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
    }

    @Test("the search box sends quicksearch, which finds what REST's quicksearch finds", arguments: TestBackend.all)
    func sameGrammar(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let crash = try await site.fileBug("Crash on save", as: "dev")
            let slow = try await site.fileBug("Slow startup", as: "reporter")
            let fixed = try await site.fileBug("Crash on load", as: "dev")
            try await site.put("/rest/bug/\(fixed)", ["status": "RESOLVED", "resolution": "FIXED"], as: "dev").expect(.ok)
            var browser = try await Browser.signedIn(site, as: "outsider")
            let home = try await browser.get("/").expect(.ok)
            #expect(home.contains("name=\"quicksearch\""))
            for text in ["crash", "ALL crash", "FIXED", "@dev -#crash", "#crash|#startup", "product:Widget", ":Back", "\"on save\"", "\(crash),\(slow)"] {
                let rest = try await site.get("/rest/bug?include_fields=id&quicksearch=" + (text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""), as: "outsider")
                    .expect(.ok)["bugs"].array.map { $0["id"].int }
                let page = try await browser.get(Self.search(text)).expect(.ok)
                #expect(page.listedBugIDs == rest, "\(text)")
                #expect(page.contains("value=\"\(text.replacingOccurrences(of: "\"", with: "&quot;"))\""), "the box keeps \(text)")
            }
            #expect(try await browser.get(Self.search("crash")).expect(.ok).listedBugIDs == [crash])
            // The list's other filters narrow a quicksearch further.
            #expect(try await browser.get(Self.search("ALL crash") + "&status=RESOLVED").expect(.ok).listedBugIDs == [fixed])
            // An unclosed quote is a clear refusal, not an empty list.
            let refused = try await browser.get(Self.search("\"on save"))
            #expect(refused.status == .unprocessableContent && refused.contains("never closed"))
        }
    }

    @Test("a bug number or alias alone opens the bug; a hidden bug behaves as a missing one", arguments: TestBackend.all)
    func opensBug(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let bug = try await site.fileBug("Crash on save", as: "dev", extra: ["alias": "save-crash"])
            let secret = try await site.fileSecretBug("Crash in the vault", extra: ["alias": "vault-crash"])
            var browser = try await Browser.signedIn(site, as: "outsider")
            let byNumber = try await browser.get(Self.search(" \(bug) ")).expect(.seeOther)
            #expect(byNumber.location == "/bug/\(bug)")
            #expect(try await browser.get(Self.search("save-crash")).expect(.seeOther).location == "/bug/\(bug)")
            // A hidden bug's number goes to its page, which reads like a missing bug's; its alias is only a word.
            #expect(try await browser.get(Self.search("\(secret)")).expect(.seeOther).location == "/bug/\(secret)")
            #expect(try await browser.get(Self.search("99999")).expect(.seeOther).location == "/bug/99999")
            let hidden = try await browser.get("/bug/\(secret)")
            let missing = try await browser.get("/bug/99999")
            #expect(hidden.status == .notFound && missing.status == .notFound)
            let hiddenAlias = try await browser.get(Self.search("vault-crash")).expect(.ok)
            let missingAlias = try await browser.get(Self.search("no-such-alias")).expect(.ok)
            #expect(hiddenAlias.listedBugIDs.isEmpty && missingAlias.listedBugIDs.isEmpty)
            var insider = try await Browser.signedIn(site, as: "insider")
            #expect(try await insider.get(Self.search("vault-crash")).expect(.seeOther).location == "/bug/\(secret)")
            // Several numbers are a list of those bugs.
            #expect(try await browser.get(Self.search("\(bug),\(secret)")).expect(.ok).listedBugIDs == [bug])
        }
    }
}
