import BugZotApp
import BugZotDomain
import BugZotHTTP
import BugZotREST
import BugZotServices
import BugZotWire
import Foundation
import HTTPTypes
import NIOCore
import Testing

@Suite("Web UI: nothing typed is lost, nothing shown is wrong or leaks")
struct WebFormTests {
    /// The bug form's change time, as the page carries it.
    static func lastChange(_ page: WebPage) throws -> String {
        try #require(page.html.range(of: "name=\"last_change\" value=\"").map { String(page.html[$0.upperBound...].prefix { $0.isNumber }) })
    }

    @Test("Follow keeps the comment being typed (not saved, back in the box); Attach saves it with the file", arguments: TestBackend.all)
    func followAndAttachKeepTheComment(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug()
            var outsider = try await Browser.signedIn(site, as: "outsider")
            let page = try await outsider.get("/bug/\(id)")
            // Follow and Attach are buttons of the one bug form: what is typed travels with them.
            #expect(page.contains("formaction=\"/bug/\(id)/cc\" name=\"follow\" value=\"add\""))
            #expect(page.contains("formaction=\"/bug/\(id)/attachments\" formenctype=\"multipart/form-data\""))
            let followed = try await outsider.post(
                "/bug/\(id)/cc", ["last_change": try Self.lastChange(page), "follow": "add", "comment": "Half-written thought"])
            #expect(followed.expect(.seeOther).location.contains("draft="))
            let back = try await outsider.following(followed).expect(.ok)
            #expect(back.contains(">Half-written thought</textarea>") && back.contains("not saved yet"))
            #expect(back.contains("Stop following"))
            let bug = try await site.bug(id)
            #expect(bug["cc"].strings == ["outsider@example.com"])
            let comments = try await site.get("/rest/bug/\(id)/comment", as: "admin").expect(.ok)["bugs"]["\(id)"]["comments"]
            #expect(comments.array.count == 1)  // only the description: nothing was posted
            // Following with nothing typed needs no draft.
            let plain = try await outsider.post("/bug/\(id)/cc", ["last_change": try Self.lastChange(back), "follow": "remove"])
            #expect(plain.location == "/bug/\(id)?done=unfollowed")

            // Attach: the typed comment goes with the file.
            try await outsider.get("/bug/\(id)")
            let attached = try await outsider.postMultipart(
                "/bug/\(id)/attachments", ["last_change": "0", "attachment_summary": "Log", "comment": "See the log for the crash."],
                file: ("crash.log", "text/plain", "boom"))
            #expect(attached.expect(.seeOther).location.hasPrefix("/bug/\(id)?done=attached"))
            let after = try await site.get("/rest/bug/\(id)/comment", as: "admin").expect(.ok)["bugs"]["\(id)"]["comments"]
            #expect(after.array.last?["text"].string.contains("See the log for the crash.") == true)
            // Save with a file chosen but not attached: nothing is lost, the person is told.
            let shown = try await outsider.get("/bug/\(id)")
            let saved = try await outsider.post(
                "/bug/\(id)", ["last_change": try Self.lastChange(shown), "file": "screen.png", "comment": "With a picture"])
            let told = try await outsider.following(saved).expect(.ok)
            #expect(told.contains("press Attach file") && told.contains(">With a picture</textarea>"))
        }
    }

    @Test("a forged upload is refused before any of its file is stored", arguments: TestBackend.all)
    func csrfBeforeUpload(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug()
            var outsider = try await Browser.signedIn(site, as: "outsider")
            try await outsider.get("/bug/\(id)")
            // Larger than the limit: were it stored before the check, the limit would answer first.
            let big = String(repeating: "x", count: site.configuration.maxAttachmentBytes + 1)
            for path in ["/bug/\(id)/attachments", "/bug/new"] {
                let forged = try await outsider.postMultipart(path, ["csrf_token": "forged", "product": "Widget"], file: ("big.bin", "text/plain", big))
                let page = try await outsider.following(forged)
                #expect(page.status == .forbidden, "\(path): \(page.html.prefix(300))")
            }
            // Not a byte of it reached the store, not even a temporary file.
            let root = URL(fileURLWithPath: site.configuration.attachmentsPath)
            let entries = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])?.allObjects as? [URL] ?? []
            let files = entries.filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            #expect(files.isEmpty, "\(files)")
            #expect(try await site.get("/rest/bug/\(id)/attachment", as: "admin").expect(.ok)["bugs"]["\(id)"].array.isEmpty)
        }
    }

    @Test("visitors see people's names, never their addresses: bug page, CC, history, comments, lists", arguments: TestBackend.all)
    func noAddressesForVisitors(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            _ = try await site.services.users.createAccount(login: "nameless@example.com", realName: "", password: TestSite.password, groups: [])
            let id = try await site.fileBug()
            try await site.put(
                "/rest/bug/\(id)",
                ["qa_contact": "insider@example.com", "cc": ["add": ["nameless@example.com", "outsider@example.com"]], "comment": ["body": "Looking."]],
                as: "dev"
            ).expect(.ok)
            try await site.put("/rest/bug/\(id)", ["assigned_to": "nameless@example.com"], as: "admin").expect(.ok)
            var visitor = Browser(site)
            for path in ["/bug/\(id)", "/bugs?status=all", "/bugs?status=all&assignee=nameless%40example.com"] {
                var page = try await visitor.get(path).expect(.ok)
                // (The visitor's own filter is echoed in its box: only the list counts.)
                if let table = page.html.range(of: "<table") { page = WebPage(status: page.status, headers: page.headers, body: ByteBuffer(string: String(page.html[table.lowerBound...]))) }
                let leak = page.html.components(separatedBy: "@example.com").dropLast().last.map { String($0.suffix(120)) }
                #expect(leak == nil, "\(path) shows an address: \(leak ?? "")")
            }
            let page = try await visitor.get("/bug/\(id)")
            #expect(page.contains("Insider") && page.contains("nameless") && page.contains("Outsider"))
            var reader = try await Browser.signedIn(site, as: "reporter")
            let signedIn = try await reader.get("/bug/\(id)")
            #expect(signedIn.contains("title=\"dev@example.com\"") && signedIn.contains("nameless@example.com"))
        }
    }

    @Test("every answer carries nosniff and refuses framing: pages, redirects, REST (errors too), attachments", arguments: TestBackend.all)
    func hardeningHeaders(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug()
            let attachment = try await site.post(
                "/rest/bug/\(id)/attachment", ["file_name": "shot.png", "summary": "Shot", "content_type": "image/png", "data": "UE5HIQ=="],
                as: "reporter"
            ).expect(.created)["ids"][0].int
            let key = try #require(site.keys["admin"])
            var browser = Browser(site)
            let answers: [(String, HTTPResponse.Status)] = [
                ("/rest/version", .ok), ("/rest/bug/\(id)?Bugzilla_api_key=\(key)", .ok), ("/rest/bug/99999", .notFound),
                ("/rest/no/such/thing", .notFound), ("/rest/bug/\(id)?Bugzilla_api_key=wrong", .badRequest),
                ("/attachments/\(attachment)/shot.png?Bugzilla_api_key=\(key)", .ok), ("/attachments/99999", .notFound),
                ("/", .ok), ("/bug/99999", .notFound), ("/bug/new", .seeOther), ("/no/such/page", .notFound),
            ]
            for (path, status) in answers {
                let answer = try await browser.get(path)
                #expect(answer.status == status, "\(path)")
                #expect(answer.headers[SecurityHeaders.contentTypeOptions] == "nosniff", "\(path)")
                #expect(answer.headers[SecurityHeaders.frameOptions] == "DENY", "\(path)")
            }
            let file = try await browser.get("/attachments/\(attachment)/shot.png?Bugzilla_api_key=\(key)")
            #expect(file.headers[.contentDisposition]?.hasPrefix("inline") == true)
            #expect(file.headers[.contentSecurityPolicy] == "sandbox; frame-ancestors 'none'")
            #expect(try await browser.get("/").headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
        }
    }

    @Test("open bugs show no resolution or duplicate to those who can't close them; a refused duplicate says it is one", arguments: TestBackend.all)
    func resolutionAndDuplicates(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let original = try await site.fileBug("Original")
            let id = try await site.fileBug("Copy")
            var outsider = try await Browser.signedIn(site, as: "outsider")
            let readOnly = try await outsider.get("/bug/\(id)")
            #expect(!readOnly.contains("field-resolution") && !readOnly.contains("field-dupe_of"))
            var dev = try await Browser.signedIn(site, as: "dev")
            let editable = try await dev.get("/bug/\(id)")
            #expect(editable.contains("id=\"field-resolution\"") && editable.contains("data-closed=\"RESOLVED VERIFIED CLOSED\""))

            var workflow = try await site.services.catalog.workflow()
            workflow.transitions.removeAll { $0.to == workflow.duplicateStatus }
            try await site.services.catalog.useWorkflow(workflow)
            let sent = try await dev.post("/bug/\(id)", ["last_change": try Self.lastChange(editable), "dupe_of": String(original), "comment": "Same"])
            let refused = try await dev.following(sent).expect(.ok)
            #expect(refused.html.contains("role=\"alert\""), "\(refused.html.components(separatedBy: "role=\"alert\"").dropFirst().first?.prefix(300) ?? "")")
            #expect(refused.contains("Bug \(id) can&#39;t be marked as a duplicate of bug \(original):") || refused.contains("Bug \(id) can't be marked as a duplicate of bug \(original):"))
            #expect(refused.contains("name=\"dupe_of\" value=\"\(original)\"") && refused.contains(">Same</textarea>"))

            try await site.services.catalog.useWorkflow(.classic)
            let shown = try await dev.get("/bug/\(id)")
            try await dev.post("/bug/\(id)", ["last_change": try Self.lastChange(shown), "dupe_of": String(original)]).expect(.seeOther)
            let closed = try await outsider.get("/bug/\(id)")
            #expect(closed.contains("DUPLICATE of <a href=\"/bug/\(original)\">bug \(original)</a>"))
        }
    }

    @Test("error pages know who is signed in; a visitor is offered to log in, never told whether a bug exists; POST errors redirect", arguments: TestBackend.all)
    func errorPages(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let secret = try await site.fileBug("Secret", as: "insider", extra: ["groups": ["secret"]])
            var dev = try await Browser.signedIn(site, as: "dev")
            for path in ["/bug/99999", "/no/such/page"] {
                let page = try await dev.get(path).expect(.notFound)
                #expect(page.contains("Log out") && !page.contains("href=\"/login\""), "\(path)")
            }
            var visitor = Browser(site)
            let hidden = try await visitor.get("/bug/\(secret)").expect(.notFound)
            let missing = try await visitor.get("/bug/99999").expect(.notFound)
            #expect(hidden.contains("does not exist, or you are not allowed to see it"))
            #expect(hidden.contains("href=\"/login?return_to=%2Fbug%2F\(secret)\""))
            func main(_ page: WebPage, _ id: Int) -> String {
                let html = page.html
                return String(html[html.range(of: "<main")!.lowerBound..<html.range(of: "</main>")!.upperBound])
                    .replacingOccurrences(of: "Bug \(id) ", with: "Bug N ").replacingOccurrences(of: "%2F\(id)\"", with: "%2FN\"")
            }
            #expect(main(hidden, secret) == main(missing, 99999))
            // Logging in from there comes back to the bug, for those allowed.
            var insider = Browser(site)
            try await insider.get("/login?return_to=%2Fbug%2F\(secret)")
            let back = try await insider.post("/login", ["login": "insider@example.com", "password": TestSite.password, "return_to": "/bug/\(secret)"])
            #expect(back.location == "/bug/\(secret)")
            // A failure at a POST address answers with a redirect to a page that can be reloaded.
            try await dev.get("/")
            let refused = try await dev.post("/bug/99999/cc", ["follow": "add"])
            #expect(refused.expect(.seeOther).location.hasPrefix("/error?draft="))
            let page = try await dev.following(refused).expect(.notFound)
            #expect(page.contains("Bug 99999 does not exist") && page.contains("Log out"))
            #expect(try await dev.get(refused.location).status == .notFound)
            #expect(try await dev.get("/error").status == .notFound)
        }
    }

    @Test("the list's Save button takes the filters as typed (applied or not) and the name; applying keeps the typed name", arguments: TestBackend.all)
    func saveSearchKeepsTyping(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var browser = try await Browser.signedIn(site, as: "reporter")
            let list = try await browser.get("/bugs")
            #expect(list.contains("formaction=\"/searches/new\""))
            // The filter form sent to the Save page, with a filter typed but never applied.
            let page = try await browser.get("/searches/new?product=Widget&component=&q=crash&name=Crashes").expect(.ok)
            #expect(page.contains("name=\"query\" value=\"product=Widget&amp;q=crash\"") && page.contains("value=\"Crashes\""))
            let query = "product=Widget&q=crash"
            try await browser.post("/searches", ["name": "Crashes", "query": query]).expect(.seeOther)
            #expect(try await browser.get("/").contains("/bugs?product=Widget&amp;q=crash\""))
            // Applying the filters with a name typed keeps the name in its box.
            #expect(try await browser.get("/bugs?q=crash&name=Half%20typed").contains("value=\"Half typed\""))
        }
    }

    @Test("every refused form answers with a redirect to its page, which shows what was typed and why (never a password)", arguments: TestBackend.all)
    func refusedFormsComeBack(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var admin = try await Browser.signedIn(site, as: "admin")
            try await admin.get("/admin/groups")
            let forms: [(String, KeyValuePairs<String, String>, [String])] = [
                ("/admin/groups", ["name": "secret", "description": "Typed description"], ["value=\"Typed description\""]),
                ("/admin/products", ["name": "Widget", "description": "Another widget", "version": "9.9"], ["value=\"Another widget\"", "value=\"9.9\""]),
                ("/admin/products/Widget/components", ["component": "Backend", "description": "Typed", "assignee": "dev@example.com"],
                 ["value=\"Typed\"", "value=\"dev@example.com\""]),
                ("/admin/workflow", ["t:NEW:ASSIGNED": "on"], ["New bugs need at least one status", "name=\"t:NEW:ASSIGNED\" value=\"1\" checked"]),
                ("/account/apikeys", ["description": String(repeating: "k", count: 300)], ["value=\"\(String(repeating: "k", count: 300))\""]),
                ("/account/password", ["current_password": "wrong wrong", "new_password": "secret plum 42", "new_password_confirm": "secret plum 42"],
                 ["current password is not correct"]),
            ]
            for (path, fields, shown) in forms {
                let sent = try await admin.post(path, fields)
                #expect(sent.status == .seeOther && sent.location.contains("draft="), "\(path)")
                let page = try await admin.following(sent).expect(.ok)
                #expect(page.contains("class=\"error\""), "\(path)")
                for text in shown { #expect(page.contains(text), "\(path): \(text)") }
                #expect(!page.contains("secret plum 42") && !page.contains("wrong wrong"))
            }
            // The keys' form: revoking one keeps the name being typed for a new one.
            try await admin.get("/account")
            try await admin.post("/account/apikeys", ["description": "First"]).expect(.ok)
            let account = try await admin.get("/account")
            let key = try #require(account.html.range(of: "/account/apikeys/").map { String(account.html[$0.upperBound...].prefix { $0.isNumber }) })
            #expect(account.contains("formaction=\"/account/apikeys/\(key)/revoke\""))
            let revoked = try await admin.post("/account/apikeys/\(key)/revoke", ["description": "Second, half typed"])
            let after = try await admin.following(revoked).expect(.ok)
            #expect(after.contains("value=\"Second, half typed\"") && after.contains("not saved yet"))
            // The users' form: finding users keeps the new user being typed (never the password).
            try await admin.get("/admin/users")
            let found = try await admin.post("/admin/users/find", ["match": "dev", "login": "typed@example.com", "password": "typed secret 1"])
            #expect(found.expect(.seeOther).location.hasPrefix("/admin/users?match=dev&draft="))
            let list = try await admin.following(found).expect(.ok)
            #expect(list.contains("dev@example.com") && list.contains("value=\"typed@example.com\"") && !list.contains("typed secret 1"))
            // The webhooks' form: deactivating one keeps the address being typed for a new one.
            try await admin.get("/admin/webhooks")
            try await admin.post("/admin/webhooks", ["url": "https://hooks.example.com/a", "secret": "0123456789abcdef!", "events": "bug.created"])
                .expect(.seeOther)
            let hooks = try await admin.get("/admin/webhooks")
            let hook = try #require(hooks.html.range(of: "/admin/webhooks/").map { String(hooks.html[$0.upperBound...].prefix { $0.isNumber }) })
            let off = try await admin.post("/admin/webhooks/\(hook)/deactivate", ["url": "https://hooks.example.com/b"])
            #expect(try await admin.following(off).expect(.ok).contains("value=\"https://hooks.example.com/b\""))
            // Filing: a refused bug comes back with its description.
            try await admin.get("/bug/new?product=Widget")
            let filed = try await admin.postMultipart(
                "/bug/new", ["product": "Widget", "component": "Backend", "version": "1.0", "summary": "", "description": "Long steps typed"], file: nil)
            #expect(filed.expect(.seeOther).location.hasPrefix("/bug/new?product=Widget&draft="))
            let form = try await admin.following(filed).expect(.ok)
            #expect(form.contains("class=\"error\"") && form.contains("Long steps typed</textarea>"))
        }
    }

    @Test("lists mark confidential bugs; duplicates and created attachments link where the reader may follow", arguments: TestBackend.all)
    func marksAndLinks(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let secret = try await site.fileBug("Secret plan", as: "insider", extra: ["groups": ["secret"]])
            let open = try await site.fileBug("Open bug")
            var insider = try await Browser.signedIn(site, as: "insider")
            let list = try await insider.get("/bugs?status=all")
            let secretRow = try #require(list.html.components(separatedBy: "<tr").first { $0.contains("/bug/\(secret)\"") })
            let openRow = try #require(list.html.components(separatedBy: "<tr").first { $0.contains("/bug/\(open)\"") })
            #expect(secretRow.contains("class=\"lock\"") && secretRow.contains("<span class=\"visually-hidden\">Confidential (secret):</span>"))
            #expect(!openRow.contains("class=\"lock\""))
            let home = try await insider.get("/")
            #expect(home.contains("class=\"lock\""))  // reported by the insider: on the home page too

            let attachment = try await site.post(
                "/rest/bug/\(open)/attachment", ["file_name": "a.txt", "summary": "Notes", "content_type": "text/plain", "data": "aGk="], as: "dev"
            ).expect(.created)["ids"][0].int
            let hidden = try await site.post(
                "/rest/bug/\(open)/attachment",
                ["file_name": "b.txt", "summary": "Inside", "content_type": "text/plain", "data": "aGk=", "is_private": true], as: "insider"
            ).expect(.created)["ids"][0].int
            let page = try await insider.get("/bug/\(open)")
            #expect(page.contains("<a href=\"/attachments/\(attachment)/a.txt\">attachment \(attachment)</a>"))
            #expect(page.contains("<a href=\"/attachments/\(hidden)/b.txt\">attachment \(hidden)</a>"))
            var outsider = try await Browser.signedIn(site, as: "outsider")
            let outside = try await outsider.get("/bug/\(open)")
            #expect(outside.contains("<a href=\"/attachments/\(attachment)/a.txt\">attachment \(attachment)</a>"))
            #expect(!outside.contains("/attachments/\(hidden)/"))
        }
    }
}
