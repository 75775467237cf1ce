import BugZotDomain
import BugZotREST
import BugZotServices
import BugZotWire
import Foundation
import HTTPTypes
import NIOCore
import Testing

@Suite("Web UI: bugs")
struct WebBugTests {
    @Test("filing a bug with an attachment, then commenting and closing it from its page", arguments: TestBackend.all)
    func lifecycle(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var reporter = try await Browser.signedIn(site, as: "reporter")
            #expect(try await reporter.get("/bug/new").expect(.ok).contains("/bug/new?product=Widget"))
            try await reporter.get("/bug/new?product=Widget").expect(.ok)
            let filed = try await reporter.postMultipart(
                "/bug/new",
                ["product": "Widget", "component": "Backend", "version": "1.0", "summary": "Crash on <save>", "description": "It *crashes*."],
                file: ("crash.log", "text/plain", "stack trace here"))
            let location = filed.expect(.seeOther).location
            let id = try #require(Int(location.dropFirst("/bug/".count).prefix { $0.isNumber }))
            let page = try await reporter.get("/bug/\(id)").expect(.ok)
            #expect(page.contains("Crash on &lt;save&gt;") && page.contains("It <em>crashes</em>."))
            #expect(page.contains("/attachments/") && page.contains("crash.log"))

            var dev = try await Browser.signedIn(site, as: "dev")
            let devPage = try await dev.get("/bug/\(id)")
            let lastChange = try #require(devPage.html.range(of: "name=\"last_change\" value=\"").map { devPage.html[$0.upperBound...].prefix { $0.isNumber } })
            try await dev.post(
                "/bug/\(id)", ["last_change": String(lastChange), "status": "RESOLVED", "resolution": "FIXED", "comment": "Fixed in **r42**."]
            ).expect(.seeOther)
            let closed = try await reporter.get("/bug/\(id)")
            #expect(closed.contains("RESOLVED FIXED") && closed.contains("Fixed in <strong>r42</strong>."))
            let bug = try await site.bug(id)
            #expect(bug["status"].string == "RESOLVED" && bug["resolution"].string == "FIXED")
        }
    }

    @Test("a refused change comes back (after a redirect) with everything entered, the status too, and says why", arguments: TestBackend.all)
    func failedChangeKeepsComment(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug()
            var dev = try await Browser.signedIn(site, as: "dev")
            try await dev.get("/bug/\(id)")
            let sent = try await dev.post(
                "/bug/\(id)", ["status": "RESOLVED", "priority": "High", "whiteboard": "needs triage", "comment": "My careful analysis"])
            #expect(sent.expect(.seeOther).location.hasPrefix("/bug/\(id)?draft="))
            let page = try await dev.following(sent).expect(.ok)
            #expect(page.contains("resolution is required"))
            #expect(page.contains(">My careful analysis</textarea>"))
            #expect(page.contains("<option value=\"RESOLVED\" selected>") && page.contains("<option value=\"High\" selected>"))
            #expect(page.contains("name=\"whiteboard\" value=\"needs triage\""))
            // Reloading shows the same and sends nothing; nothing was saved.
            #expect(try await dev.get(String(sent.location.prefix { $0 != "#" })).contains(">My careful analysis</textarea>"))
            let bug = try await site.bug(id)
            #expect(bug["status"].string != "RESOLVED" && bug["priority"].string != "High")
        }
    }

    @Test("someone else's change in between is listed, the person's own edits are kept, and theirs are not undone", arguments: TestBackend.all)
    func midAirCollision(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug()
            var dev = try await Browser.signedIn(site, as: "dev")
            let opened = try await dev.get("/bug/\(id)")
            let seen = try #require(opened.html.range(of: "name=\"last_change\" value=\"").map { opened.html[$0.upperBound...].prefix { $0.isNumber } })
            try await Task.sleep(for: .milliseconds(1100))  // change times are whole seconds
            try await site.put("/rest/bug/\(id)", ["priority": "Highest", "comment": ["body": "Raising this."]], as: "admin").expect(.ok)
            // The form as loaded: the old priority, with dev's own edits.
            let before = try await site.bug(id)
            #expect(before["priority"].string == "Highest")
            let sent = try await dev.post(
                "/bug/\(id)", ["last_change": String(seen), "priority": "---", "severity": "critical", "comment": "keep me"])
            let page = try await dev.following(sent).expect(.ok)
            #expect(page.contains("changed this bug after you opened it") && page.contains("keep me</textarea>"))
            // What changed meanwhile: the field and the comment.
            let meanwhile = try #require(page.html.range(of: "<section class=\"meanwhile\"").map { String(page.html[$0.lowerBound...].prefix(3000)) })
            #expect(meanwhile.contains("<td>priority</td>") && meanwhile.contains("Highest") && meanwhile.contains("href=\"#c1\""))
            // dev's edit is in the form; the priority dev never touched shows the other change.
            #expect(page.contains("<option value=\"critical\" selected>") && page.contains("<option value=\"Highest\" selected>"))
            // Saving the form as it came back keeps both changes.
            let again = try #require(page.html.range(of: "name=\"last_change\" value=\"").map { page.html[$0.upperBound...].prefix { $0.isNumber } })
            try await dev.post(
                "/bug/\(id)", ["last_change": String(again), "priority": "Highest", "severity": "critical", "comment": "keep me"]
            ).expect(.seeOther)
            let bug = try await site.bug(id)
            #expect(bug["priority"].string == "Highest" && bug["severity"].string == "critical")
        }
    }

    @Test("people without the right see fields read-only, and a forged change is refused", arguments: TestBackend.all)
    func permissions(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug(as: "reporter")
            var outsider = try await Browser.signedIn(site, as: "outsider")
            let page = try await outsider.get("/bug/\(id)").expect(.ok)
            #expect(!page.contains("<select id=\"field-priority\"") && page.contains("<output id=\"field-priority\""))
            let refused = try await outsider.following(try await outsider.post("/bug/\(id)", ["priority": "High"]))
            #expect(refused.expect(.ok).contains("proper permissions"))
            #expect(try await site.bug(id)["priority"].string != "High")
        }
    }

    @Test("a confidential bug and a private comment stay invisible to an outsider on every page", arguments: TestBackend.all)
    func confidentiality(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let secret = try await site.fileBug("Secret launch plan", as: "insider", extra: ["groups": ["secret"]])
            let open = try await site.fileBug("Public bug")
            try await site.post("/rest/bug/\(open)/comment", ["comment": "Insider-only remark", "is_private": true], as: "insider").expect(.created)
            var outsider = try await Browser.signedIn(site, as: "outsider")
            try await outsider.get("/bug/\(secret)").expect(.notFound)
            #expect(try await outsider.get("/bugs?status=all").contains("Secret launch plan") == false)
            #expect(try await outsider.get("/bugs?status=all&q=launch").contains("Secret launch") == false)
            #expect(try await outsider.get("/bug/\(open)").contains("Insider-only remark") == false)
            var insider = try await Browser.signedIn(site, as: "insider")
            #expect(try await insider.get("/bug/\(secret)").expect(.ok).contains("Confidential: secret"))
            #expect(try await insider.get("/bug/\(open)").contains("Insider-only remark"))
        }
    }

    @Test("the list pages by position: each page continues where the last ended, in sort order", arguments: TestBackend.all)
    func keysetPaging(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let admin = try await site.services.auth.principal(userID: 1)
            var filed: [Int] = []
            for number in 0..<120 {
                var request = BugCreateRequest(product: "Widget", component: "Backend", version: "1.0", summary: "Bug \(number % 7)")
                request.description = "x"
                filed.append(try await site.services.bugs.create(request, by: admin))
            }
            var browser = try await Browser.signedIn(site, as: "admin")
            var path: String? = "/bugs?sort=summary&desc=1"
            var seen: [Int] = []
            var pages = 0
            while let next = path {
                let page = try await browser.get(next.replacingOccurrences(of: "&amp;", with: "&")).expect(.ok)
                let ids = page.listedBugIDs
                seen += ids
                pages += 1
                path = page.html.range(of: "rel=\"next\"").flatMap { _ in
                    page.html.range(of: "<a href=\"/bugs?[^\"]*\" rel=\"next\"", options: .regularExpression)
                        .map { String(page.html[$0].dropFirst("<a href=\"".count).prefix { $0 != "\"" }) }
                }
            }
            #expect(pages == 3)
            #expect(seen.count == filed.count && Set(seen) == Set(filed))
            let expected = filed.sorted { a, b in
                let (x, y) = ("Bug \((a - filed[0]) % 7)", "Bug \((b - filed[0]) % 7)")
                return x != y ? x > y : a < b
            }
            #expect(seen == expected)
        }
    }

    @Test("saved searches: saved from the list, listed at home, deleted", arguments: TestBackend.all)
    func savedSearches(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var browser = try await Browser.signedIn(site, as: "reporter")
            try await browser.get("/bugs?product=Widget&status=all")
            try await browser.post("/searches", ["name": "All widgets", "query": "product=Widget&status=all&after=9"]).expect(.seeOther)
            let home = try await browser.get("/")
            #expect(home.contains("All widgets") && home.contains("/bugs?product=Widget&amp;status=all\""))
            let id = try #require(home.html.range(of: "/searches/").map { home.html[$0.upperBound...].prefix { $0.isNumber } })
            try await browser.post("/searches/\(id)/delete", [:]).expect(.seeOther)
            #expect(try await browser.get("/").contains("All widgets") == false)
        }
    }

    @Test("attaching from the bug page streams the file; the CC toggle adds and removes me", arguments: TestBackend.all)
    func attachAndFollow(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug()
            var outsider = try await Browser.signedIn(site, as: "outsider")
            try await outsider.get("/bug/\(id)")
            try await outsider.postMultipart("/bug/\(id)/attachments", ["attachment_summary": "Screenshot"], file: ("shot.png", "image/png", "PNG!"))
                .expect(.seeOther)
            let attachments = try await site.get("/rest/bug/\(id)/attachment", as: "admin").expect(.ok)["bugs"]["\(id)"]
            #expect(attachments[0]["summary"].string == "Screenshot")
            let forged = try await outsider.postMultipart(
                "/bug/\(id)/attachments", ["attachment_summary": "x", "csrf_token": "forged"], file: ("a.txt", "text/plain", "a"))
            try await outsider.following(forged).expect(.forbidden)
            try await outsider.post("/bug/\(id)/cc", ["follow": "add"]).expect(.seeOther)
            #expect(try await site.bug(id)["cc"].strings == ["outsider@example.com"])
            try await outsider.post("/bug/\(id)/cc", ["follow": "remove"]).expect(.seeOther)
            #expect(try await site.bug(id)["cc"].strings == [])
        }
    }

    @Test("reply with quote fills the comment box with the quoted comment", arguments: TestBackend.all)
    func replyWithQuote(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug()
            var browser = try await Browser.signedIn(site, as: "dev")
            let page = try await browser.get("/bug/\(id)?reply=0")
            #expect(page.contains("(In reply to Reporter from comment #0)\n&gt; Steps: save."))
        }
    }

    @Test(
        "a reply to a private comment, or to one private through its attachment, is private until unticked; with and without script",
        arguments: TestBackend.all)
    func replyToPrivateIsPrivate(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug()
            try await site.post("/rest/bug/\(id)/comment", ["comment": "Insider-only remark", "is_private": true], as: "insider").expect(.created)
            let attachment = try await site.post(
                "/rest/bug/\(id)/attachment", ["file_name": "a.txt", "summary": "Internal notes", "content_type": "text/plain", "data": "aGk="],
                as: "insider"
            ).expect(.created)["ids"][0].int
            try await site.put("/rest/bug/attachment/\(attachment)", ["is_private": true], as: "insider").expect(.ok)  // private later
            var insider = try await Browser.signedIn(site, as: "insider")
            let ticked = "name=\"comment_private\" value=\"1\" checked>"

            // Without script: the reply link loads the page with the quote, and the box ticked.
            let privateReply = try await insider.get("/bug/\(id)?reply=1").expect(.ok)
            #expect(privateReply.contains("(In reply to Insider from comment #1)\n&gt; Insider-only remark"))
            #expect(privateReply.contains(ticked))
            let attachmentReply = try await insider.get("/bug/\(id)?reply=2").expect(.ok)
            #expect(attachmentReply.contains("&gt; Created attachment \(attachment)"))
            #expect(attachmentReply.contains(ticked))
            #expect(try await insider.get("/bug/\(id)?reply=0").contains(ticked) == false)
            #expect(try await insider.get("/bug/\(id)").contains(ticked) == false)

            // With script: the links say which comments are private, for the script to tick the box.
            let page = try await insider.get("/bug/\(id)").html
            func replyLink(_ count: Int) -> Substring? {
                page.range(of: "href=\"/bug/\(id)?reply=\(count)#comment\"").map { page[$0.lowerBound...].prefix { $0 != ">" } }
            }
            #expect(replyLink(0)?.contains("data-private") == false)
            #expect(replyLink(1)?.contains("data-private") == true)
            #expect(replyLink(2)?.contains("data-private") == true)
        }
    }

    @Test("pages: no inline script or style, a strict CSP, gzip, and under 100 KB with 50 comments", arguments: TestBackend.all)
    func pageWeight(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug()
            for number in 1...50 {
                try await site.post(
                    "/rest/bug/\(id)/comment", ["comment": .string("Comment \(number): " + String(repeating: "words and more words ", count: 20))],
                    as: "dev"
                ).expect(.created)
            }
            var browser = try await Browser.signedIn(site, as: "dev")
            let page = try await browser.get("/bug/\(id)").expect(.ok)
            #expect(page.body.readableBytes < 100 * 1024)
            #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            #expect(page.html.range(of: "<script(?![^>]*src=)", options: .regularExpression) == nil)
            #expect(page.html.range(of: " on[a-z]+=|style=", options: .regularExpression) == nil)
            let zipped = try await browser.get("/bug/\(id)", headers: [.acceptEncoding: "gzip, br"])
            #expect(zipped.headers[.contentEncoding] == "gzip" && zipped.body.readableBytes < page.body.readableBytes / 3)
        }
    }

    @Test("assets are named by their content and cached for a year", arguments: TestBackend.all)
    func assets(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var browser = Browser(site)
            let home = try await browser.get("/")
            let css = try #require(home.html.range(of: "/static/bugzot\\.[0-9a-f]{12}\\.css", options: .regularExpression).map { String(home.html[$0]) })
            let asset = try await browser.get(css).expect(.ok)
            #expect(asset.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(asset.headers[.contentType] == "text/css; charset=utf-8")
            try await browser.get("/static/bugzot.000000000000.css").expect(.notFound)
        }
    }
}
