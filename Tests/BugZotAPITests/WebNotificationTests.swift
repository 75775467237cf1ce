import BugZotDomain
import BugZotREST
import BugZotServices
import BugZotStorage
import BugZotWire
import Foundation
import HTTPTypes
import Testing

@Suite("Web UI: mail settings, password reset, job queue and webhooks")
struct WebNotificationTests {
    /// The newest queued message to `login`, as the worker would send it.
    static func queuedMail(to login: String, in site: TestSite) async throws -> MailContent? {
        let box = MailBox()
        let worker = site.services.worker(transport: box, logger: TestBackend.logger)
        while try await worker.runDueJobs() > 0 {}
        return await box.messages(to: login).last
    }

    @Test("a forgotten password: the page never says whether the account exists; the mailed link sets a new password once", arguments: TestBackend.all)
    func passwordReset(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var browser = Browser(site)
            try await browser.get("/forgot")
            let known = try await browser.post("/forgot", ["login": "reporter@example.com"])
            let unknown = try await browser.post("/forgot", ["login": "nobody@example.com"])
            #expect(try await browser.following(known).expect(.ok).contains("If <strong>reporter@example.com</strong> belongs to an account"))
            #expect(try await browser.following(unknown).expect(.ok).contains("If <strong>nobody@example.com</strong> belongs to an account"))
            let mail = try #require(try await Self.queuedMail(to: "reporter@example.com", in: site))
            let link = try #require(mail.text.split(separator: "\n").first { $0.contains("/reset?token=") })
            let path = String(link[link.range(of: "/reset?token=")!.lowerBound...])
            try await browser.get(path).expect(.ok)
            let token = String(path.dropFirst("/reset?token=".count))
            try await browser.post("/reset", ["token": token, "password": "new fine password", "password_confirm": "new fine password"])
                .expect(.seeOther)
            try await browser.get("/login")
            try await browser.post("/login", ["login": "reporter@example.com", "password": "new fine password"]).expect(.seeOther)
            try await browser.get(path).expect(.unprocessableContent)  // used up
            // Asking again at once sends nothing more: the form can't flood a mailbox.
            try await browser.get("/forgot")
            try await browser.post("/forgot", ["login": "reporter@example.com"]).expect(.seeOther)
            try await browser.post("/forgot", ["login": "reporter@example.com"]).expect(.seeOther)
            let box = MailBox()
            let worker = site.services.worker(transport: box, logger: TestBackend.logger)
            while try await worker.runDueJobs() > 0 {}
            #expect(await box.messages(to: "reporter@example.com").count == 1)
        }
    }

    @Test("mail settings: kinds of change turned off and components watched are saved", arguments: TestBackend.all)
    func mailSettings(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var browser = try await Browser.signedIn(site, as: "outsider")
            let page = try await browser.get("/account")
            #expect(page.contains("name=\"mail\" value=\"comment\" checked") && page.contains("Widget / Backend"))
            let component = try #require(try await site.services.catalog.product(named: "Widget")?.components.first)
            try await browser.postPairs(
                "/account/mail", [("csrf_token", browser.csrfToken), ("mail", "new"), ("mail", "status"), ("watch", String(component.id))]
            ).expect(.seeOther)
            let saved = try await browser.get("/account")
            #expect(!saved.contains("name=\"mail\" value=\"comment\" checked") && saved.contains("name=\"mail\" value=\"status\" checked"))
            #expect(saved.contains("name=\"watch\" value=\"\(component.id)\" checked"))
        }
    }

    @Test("administrators see dead jobs and retry them, and register webhooks, from the pages", arguments: TestBackend.all)
    func adminPages(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            _ = try await site.fileBug(as: "reporter")
            let box = MailBox()
            await box.failNext(.permanent("550 mailbox unavailable"))
            let worker = site.services.worker(transport: box, logger: TestBackend.logger)
            while try await worker.runDueJobs() > 0 {}
            var admin = try await Browser.signedIn(site, as: "admin")
            let jobs = try await admin.get("/admin/jobs").expect(.ok)
            #expect(jobs.contains("550 mailbox unavailable"))
            let id = try #require(jobs.html.range(of: "/admin/jobs/").map { jobs.html[$0.upperBound...].prefix { $0.isNumber } })
            try await admin.post("/admin/jobs/\(id)/retry", [:]).expect(.seeOther)
            while try await worker.runDueJobs() > 0 {}
            #expect(await box.recipients() == ["dev@example.com"])

            try await admin.get("/admin/webhooks")
            let weak = try await admin.post("/admin/webhooks", ["url": "ftp://example.com", "secret": "short", "events": "bug.created"])
            let weakPage = try await admin.following(weak).expect(.ok)
            #expect(weakPage.contains("http:// or https://") && weakPage.contains("value=\"ftp://example.com\"") && !weakPage.contains("short"))
            try await admin.post(
                "/admin/webhooks", ["url": "https://hooks.example.com/bugzot", "secret": "0123456789abcdef!", "events": "bug.created"]
            ).expect(.seeOther)
            #expect(try await admin.get("/admin/webhooks").contains("https://hooks.example.com/bugzot"))
            var outsider = try await Browser.signedIn(site, as: "outsider")
            try await outsider.get("/admin/webhooks").expect(.forbidden)
            try await outsider.get("/admin/jobs").expect(.forbidden)
        }
    }

    @Test("webhook payloads show only what the owner may see, signed over timestamp and body", arguments: TestBackend.all)
    func webhookPayloads(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let admin = try await site.services.auth.principal(userID: 1)
            _ = try await site.services.webhooks.create(
                url: "https://hooks.example.com/x", secret: "0123456789abcdef", product: "Widget", events: ["bug.commented"], by: admin)
            // The owner stops being an administrator (and so an insider and a member of every group).
            try await site.put("/rest/user/admin@example.com", ["groups": ["remove": ["admin"]]], as: "admin").expect(.ok)
            let open = try await site.fileBug(as: "reporter")
            let secret = try await site.fileBug("Secret", as: "insider", extra: ["groups": ["secret"]])
            try await site.post("/rest/bug/\(open)/comment", ["comment": "public words"], as: "dev").expect(.created)
            try await site.post("/rest/bug/\(open)/comment", ["comment": "insider words", "is_private": true], as: "insider").expect(.created)
            try await site.post("/rest/bug/\(secret)/comment", ["comment": "secret words"], as: "insider").expect(.created)
            // Fan out only: webhook jobs stay queued, to be read here.
            let fanOut = try await site.services.database.transaction { sql in
                try await SQLStore(sql).claimJobs(limit: 10, now: Date(), leaseUntil: Date().addingTimeInterval(60))
            }.filter { $0.kind == Outbox.Kind.bugEvent }
            for job in fanOut { try await site.services.notifications.fanOut(job, mail: site.services.composer) }
            let queued = try await site.services.database.read { sql in try await SQLStore(sql).jobs(state: .queued, limit: 50) }
            let payloads = queued.filter { $0.kind == Outbox.Kind.webhook }.map(\.payload)
            #expect(payloads.count == 1 && payloads[0].contains("public words") && payloads[0].contains("bug.commented"))
            #expect(!payloads.contains { $0.contains("insider words") || $0.contains("secret words") })
            // HMAC-SHA256(key, "1700000000.{}"), as any receiver computes it.
            #expect(WebhookSender.signature(secret: "key", timestamp: 1_700_000_000, body: "{}") == "sha256=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae")
        }
    }
}
