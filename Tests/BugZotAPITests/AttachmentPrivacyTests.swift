import BugZotDomain
import BugZotREST
import BugZotServices
import BugZotStorage
import BugZotWire
import Foundation
import HTTPTypes
import Testing

/// Everything that carries an attachment's description — its comment in the REST API, the bug
/// page and comment search, its history, mail and webhooks — follows the attachment's privacy at
/// every moment, not the privacy it had when the text was written.
@Suite("Attachment privacy reaches everything that carries the attachment's description")
struct AttachmentPrivacyTests {
    static let description = "Quarterly numbers ZQXW"

    /// Attaches a file described by `description` and returns the attachment's id.
    static func attach(_ site: TestSite, to bug: Int, as user: String, isPrivate: Bool = false) async throws -> Int {
        let body: JSONValue = [
            "ids": [.string("\(bug)")], "data": .string(Data("1,2,3\n".utf8).base64EncodedString()), "file_name": "numbers.csv",
            "summary": .string(description), "content_type": "text/csv", "is_private": .bool(isPrivate),
        ]
        return try await site.post("/rest/bug/\(bug)/attachment", body, as: user).expect(.created)["ids"][0].int
    }

    /// The insider gets editbugs, to edit others' attachments.
    static func letInsiderEdit(_ site: TestSite) async throws {
        try await site.put("/rest/user/insider@example.com", ["groups": ["add": ["editbugs"]]], as: "admin").expect(.ok)
    }

    /// The insider sets an attachment's privacy.
    static func setPrivate(_ site: TestSite, _ attachment: Int, _ isPrivate: Bool) async throws {
        try await site.put("/rest/bug/attachment/\(attachment)", ["is_private": .bool(isPrivate)], as: "insider").expect(.ok)
    }

    /// The comment announcing `attachment` as `user` reads the bug's comments; nil when not shown.
    static func announcement(_ site: TestSite, bug: Int, attachment: Int, as user: String?) async throws -> JSONValue? {
        let comments = try await site.get("/rest/bug/\(bug)/comment", as: user).expect(.ok)["bugs"]["\(bug)"]["comments"].array
        return comments.first { $0["attachment_id"] == .int(attachment) }
    }

    /// Whether anything `user` can read about the bug still carries the description: the REST
    /// comments, the comment by id, `longdesc` search (simple and advanced), the bug page.
    static func seesDescription(_ site: TestSite, bug: Int, comment: Int, as user: String?) async throws -> Bool {
        let comments = try await site.get("/rest/bug/\(bug)/comment", as: user)
        comments.expect(.ok)
        let byID = try await site.get("/rest/bug/comment/\(comment)", as: user)
        let simple = try await site.get("/rest/bug?longdesc=ZQXW&longdesc_type=substring&include_fields=id", as: user).expect(.ok)
        let advanced = try await site.get(
            "/rest/bug?query_format=advanced&f1=longdesc&o1=allwordssubstr&v1=numbers%20ZQXW&include_fields=id", as: user
        ).expect(.ok)
        var browser = Browser(site)
        if let user { browser = try await Browser.signedIn(site, as: user) }
        let page = try await browser.get("/bug/\(bug)").expect(.ok)
        let shown = [
            comments.text.contains("ZQXW"), byID.status == .ok && byID.text.contains("ZQXW"),
            simple["bugs"].array.map { $0["id"].int } == [bug], advanced["bugs"].array.map { $0["id"].int } == [bug], page.contains("ZQXW"),
        ]
        #expect(Set(shown).count == 1, "every path must agree for \(user ?? "anonymous"): \(shown)")
        if !shown[1] { byID.expectError(110, .unauthorized) }
        return shown.allSatisfy { $0 }
    }

    @Test("an attachment made private later takes its description away from customers and visitors, and gives it back when public again", arguments: TestBackend.all)
    func madePrivateLater(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            try await Self.letInsiderEdit(site)
            let bug = try await site.fileBug(as: "reporter")
            // Uploaded by dev, who has editbugs but is no insider.
            let attachment = try await Self.attach(site, to: bug, as: "dev")
            let comment = try #require(try await Self.announcement(site, bug: bug, attachment: attachment, as: "insider"))["id"].int
            for user in [nil, "outsider", "reporter", "insider"] {
                #expect(try await Self.seesDescription(site, bug: bug, comment: comment, as: user))
            }

            try await Self.setPrivate(site, attachment, true)
            for user in [nil, "outsider", "reporter"] {
                #expect(try await !Self.seesDescription(site, bug: bug, comment: comment, as: user))
            }
            // Insiders and the uploader keep it; it is marked private, about its attachment.
            for user in ["insider", "dev", "admin"] {
                #expect(try await Self.seesDescription(site, bug: bug, comment: comment, as: user))
            }
            let shown = try #require(try await Self.announcement(site, bug: bug, attachment: attachment, as: "insider"))
            #expect(shown["is_private"] == .bool(true) && shown["text"].string.hasPrefix("Created attachment \(attachment)\n"))

            try await Self.setPrivate(site, attachment, false)
            for user in [nil, "outsider", "reporter", "insider"] {
                #expect(try await Self.seesDescription(site, bug: bug, comment: comment, as: user))
            }
            #expect(try await Self.announcement(site, bug: bug, attachment: attachment, as: "outsider")?["is_private"] == .bool(false))
        }
    }

    @Test("an attachment created private is never shown to customers, until it is made public", arguments: TestBackend.all)
    func createdPrivate(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            try await Self.letInsiderEdit(site)
            let bug = try await site.fileBug(as: "reporter")
            let attachment = try await Self.attach(site, to: bug, as: "insider", isPrivate: true)
            let comment = try #require(try await Self.announcement(site, bug: bug, attachment: attachment, as: "insider"))["id"].int
            for user in [nil, "outsider", "reporter", "dev"] {
                #expect(try await !Self.seesDescription(site, bug: bug, comment: comment, as: user))
            }
            #expect(try await Self.seesDescription(site, bug: bug, comment: comment, as: "insider"))
            try await Self.setPrivate(site, attachment, false)
            #expect(try await Self.seesDescription(site, bug: bug, comment: comment, as: "outsider"))
        }
    }

    @Test("privacy changes are in the history with their attachment, for those who may see the attachment", arguments: TestBackend.all)
    func history(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            try await Self.letInsiderEdit(site)
            let bug = try await site.fileBug(as: "reporter")
            let attachment = try await Self.attach(site, to: bug, as: "dev")
            try await Self.setPrivate(site, attachment, true)
            try await site.put("/rest/bug/attachment/\(attachment)", ["summary": "Numbers of ACME ZQXW"], as: "insider").expect(.ok)
            func changes(as user: String) async throws -> [JSONValue] {
                try await site.get("/rest/bug/\(bug)/history", as: user).expect(.ok)["bugs"][0]["history"].array.flatMap { $0["changes"].array }
            }
            let insider = try await changes(as: "insider")
            #expect(insider.contains { change in
                change["field_name"] == "attachments.isprivate" && change["removed"] == "0" && change["added"] == "1"
                    && change["attachment_id"] == .int(attachment)
            })
            #expect(try await changes(as: "outsider").isEmpty)
            try await Self.setPrivate(site, attachment, false)
            let outsider = try await changes(as: "outsider")
            #expect(outsider.filter { $0["field_name"] == "attachments.isprivate" }.map { $0["added"].string } == ["1", "0"])
        }
    }

    /// Runs the queued change sets' fan-out and returns the mail and webhook jobs it queued (unsent).
    static func fanOut(_ site: TestSite) async throws -> (mail: [MailContent], webhooks: [String]) {
        let jobs = try await site.services.database.transaction { sql in
            try await SQLStore(sql).claimJobs(limit: 100, now: Date(), leaseUntil: Date().addingTimeInterval(60))
        }
        for job in jobs where job.kind == Outbox.Kind.bugEvent { try await site.services.notifications.fanOut(job, mail: site.services.composer) }
        let queued = try await site.services.database.read { sql in try await SQLStore(sql).jobs(state: .queued, limit: 100) }
        let mail = try queued.filter { $0.kind == Outbox.Kind.mail }.map { try JSONDecoder().decode(MailContent.self, from: Data($0.payload.utf8)) }
        return (mail, queued.filter { $0.kind == Outbox.Kind.webhook }.map(\.payload))
    }

    @Test("mail and webhooks tell of a private attachment's description only those who may see it, at the time they are written", arguments: TestBackend.all)
    func notifications(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            _ = try await site.services.users.createAccount(
                login: "colleague@example.com", realName: "Colleague", password: TestSite.password, groups: ["insider"])
            let admin = try await site.services.auth.principal(userID: 1)
            _ = try await site.services.webhooks.create(
                url: "https://hooks.example.com/x", secret: "0123456789abcdef", product: "Widget", events: ["bug.commented", "bug.changed"],
                by: admin)
            try await Self.letInsiderEdit(site)
            // The webhook's owner stops being an administrator, and so an insider.
            try await site.put("/rest/user/admin@example.com", ["groups": ["remove": ["admin"]]], as: "admin").expect(.ok)
            let bug = try await site.fileBug(as: "reporter", extra: ["cc": ["colleague@example.com", "outsider@example.com"]])
            _ = try await Self.fanOut(site)

            // Created private: only the insider colleague hears of it.
            let hidden = try await Self.attach(site, to: bug, as: "insider", isPrivate: true)
            var round = try await Self.fanOut(site)
            #expect(round.mail.map(\.to) == ["colleague@example.com"] && round.mail[0].text.contains("ZQXW"))
            #expect(round.webhooks.isEmpty)

            // Created public, then made private before the change set goes out: nobody but insiders is told.
            let later = try await Self.attach(site, to: bug, as: "dev")
            try await Self.setPrivate(site, later, true)
            round = try await Self.fanOut(site)
            #expect(round.mail.filter { $0.text.contains("ZQXW") }.map(\.to) == ["colleague@example.com"])
            #expect(!round.webhooks.contains { $0.contains("ZQXW") })

            // Made public again: now everyone involved may be told, the webhook too.
            try await Self.setPrivate(site, hidden, false)
            let public_ = try await Self.attach(site, to: bug, as: "dev")
            round = try await Self.fanOut(site)
            #expect(Set(round.mail.filter { $0.text.contains("ZQXW") }.map(\.to)).isSuperset(of: ["outsider@example.com", "reporter@example.com"]))
            #expect(round.webhooks.contains { $0.contains("ZQXW") && $0.contains("Created attachment \(public_)") })
        }
    }

    @Test("a message written before its attachment, comment or bug became hidden is not sent", arguments: TestBackend.all)
    func heldBack(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            try await Self.letInsiderEdit(site)
            let admin = try await site.services.auth.principal(userID: 1)
            _ = try await site.services.webhooks.create(
                url: "https://hooks.example.com/x", secret: "0123456789abcdef", product: "Widget", events: ["bug.commented"], by: admin)
            try await site.put("/rest/user/admin@example.com", ["groups": ["remove": ["admin"]]], as: "admin").expect(.ok)
            let bug = try await site.fileBug(as: "reporter", extra: ["cc": ["outsider@example.com"]])
            _ = try await Self.fanOut(site)

            // Written while public, the attachment turns private before the mail goes out.
            let attachment = try await Self.attach(site, to: bug, as: "dev")
            let written = try await Self.fanOut(site)
            #expect(Set(written.mail.filter { $0.text.contains("ZQXW") }.map(\.to)) == ["outsider@example.com", "reporter@example.com"])
            let hook = try #require(written.webhooks.first.map { try JSONDecoder().decode(WebhookJob.self, from: Data($0.utf8)) })
            #expect(try await site.services.notifications.maySend(hook.disclosure))
            try await Self.setPrivate(site, attachment, true)
            #expect(try await !site.services.notifications.maySend(hook.disclosure))
            #expect(try await !site.services.notifications.maySend(try #require(written.mail.first?.disclosure)))

            // Written while the bug was open to its CC list, it becomes confidential first.
            try await site.post("/rest/bug/\(bug)/comment", ["comment": "Launch date QQ9"], as: "dev").expect(.created)
            let commented = try await Self.fanOut(site)
            let toOutsider = try #require(commented.mail.first { $0.to == "outsider@example.com" })
            try await site.put("/rest/bug/\(bug)", ["groups": ["add": ["secret"]], "is_cc_accessible": false], as: "insider").expect(.ok)
            #expect(try await !site.services.notifications.maySend(toOutsider.disclosure))

            // The worker sends what is left: none of it to those who may no longer see it.
            let box = MailBox()
            var settings = JobWorker.Settings()
            settings.maximumAttempts = 1
            let worker = site.services.worker(transport: box, settings: settings, logger: TestBackend.logger)
            while try await worker.runDueJobs(now: Date().addingTimeInterval(120)) > 0 {}
            #expect(await !box.sent.contains { $0.to != "insider@example.com" && $0.text.contains("ZQXW") })
            #expect(await !box.messages(to: "outsider@example.com").contains { $0.text.contains("QQ9") })
            #expect(await box.messages(to: "reporter@example.com").contains { $0.text.contains("QQ9") })
        }
    }
}

@Suite("Upgrading: comments written before attachments decided their comments' privacy")
struct AttachmentCommentMigrationTests {
    @Test("a comment that copied its private attachment's privacy follows the attachment after the upgrade; others keep their own", arguments: TestBackend.all)
    func upgrade(backend: TestBackend) async throws {
        let database = try await backend.makeDatabase()
        try await database.withRunning {
            try await Migrator.migrate(database, migrations: Array(Schema.migrations.prefix { $0.name != "007_attachment_comment_privacy" }))
            let ids = try await database.transaction { sql in
                let store = SQLStore(sql)
                let now = Date()
                let id = try await store.insertUser(login: "a@example.com", realName: "A", passwordHash: "x", at: now)
                let author = UserSummary(id: id, login: "a@example.com", realName: "A")
                try await store.insertMinimalProduct(assignee: author)
                let bug = try await store.insertBug(Bug(
                    id: 0, product: "P", component: "C", version: "1", summary: "S", status: "NEW", severity: "normal",
                    priority: "---", opSys: "All", platform: "All", reporter: author, assignedTo: author, creationTime: now, lastChangeTime: now))
                func attached(isPrivate: Bool, commentIsPrivate: Bool) async throws -> Int {
                    let attachment = try await store.insertAttachment(Attachment(
                        id: 0, bugID: bug, fileName: "f", summary: "s", contentType: "text/plain", isPatch: false, isObsolete: false,
                        isPrivate: isPrivate, creator: author, creationTime: now, lastChangeTime: now, size: 1, blobKey: "k"))
                    let comment = try await store.insertComment(bugID: bug, author: author, text: "Created attachment", isPrivate: commentIsPrivate, at: now)
                    try await store.setCommentAttachment(commentID: comment.id, attachmentID: attachment)
                    return comment.id
                }
                // Written the old way: private along with its private attachment.
                let copied = try await attached(isPrivate: true, commentIsPrivate: true)
                // Made private by an insider although its attachment is public.
                let chosen = try await attached(isPrivate: false, commentIsPrivate: true)
                return (copied, chosen)
            }
            try await Migrator.migrate(database)
            let comments = try await database.read { sql in try await SQLStore(sql).comments(ids: [ids.0, ids.1]) }
            #expect(comments.map(\.isPrivate) == [false, true])
            #expect(comments.map(\.isEffectivelyPrivate) == [true, true])
        }
    }
}
