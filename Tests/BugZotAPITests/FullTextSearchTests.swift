import BugZotDomain
import BugZotREST
import BugZotSeed
@testable import BugZotStorage
import BugZotWire
import Foundation
import HTTPTypes
import SQLKit
import Testing

@Suite("Full-text search: summaries, comments and attachments, by words")
struct FullTextSearchTests {
    private static func ids(_ site: TestSite, _ query: String, as user: String = "admin") async throws -> [Int] {
        try await site.get("/rest/bug?\(query)&include_fields=id", as: user).expect(.ok)["bugs"].array.map { $0["id"].int }
    }

    private static func count(_ site: TestSite, _ query: String, as user: String) async throws -> Int {
        try await site.get("/rest/bug?\(query)&count_only=1", as: user).expect(.ok)["bug_count"].int
    }

    private static func comment(_ site: TestSite, on bug: Int, _ text: String, isPrivate: Bool = false, as user: String = "dev") async throws {
        try await site.post("/rest/bug/\(bug)/comment", ["comment": .string(text), "is_private": .bool(isPrivate)], as: user).expect(.created)
    }

    /// Attaches a file as `user`; a private one is made private by the insider afterwards (only
    /// insiders set privacy), so that `user` is a non-insider uploader of a private attachment.
    private static func attach(
        _ site: TestSite, to bug: Int, fileName: String, summary: String, isPrivate: Bool = false, as user: String = "dev"
    ) async throws -> Int {
        let body: JSONObject = [
            "ids": [.string("\(bug)")], "data": .string(Data("data".utf8).base64EncodedString()), "file_name": .string(fileName),
            "summary": .string(summary), "content_type": "text/plain",
        ]
        let id = try await site.post("/rest/bug/\(bug)/attachment", .object(body), as: user).expect(.created)["ids"][0].int
        if isPrivate { try await setPrivate(site, id, true) }
        return id
    }

    /// The insider (given editbugs, to edit others' attachments) sets an attachment's privacy.
    private static func setPrivate(_ site: TestSite, _ attachment: Int, _ isPrivate: Bool, summary: String? = nil) async throws {
        try await site.put("/rest/user/insider@example.com", ["groups": ["add": ["editbugs"]]], as: "admin").expect(.ok)
        var body: JSONObject = ["is_private": .bool(isPrivate)]
        if let summary { body["summary"] = .string(summary) }
        try await site.put("/rest/bug/attachment/\(attachment)", .object(body), as: "insider").expect(.ok)
    }

    @Test("words in comments are found, whole or by their beginnings, through content, longdesc and the advanced-search fields", arguments: TestBackend.all)
    func wordsInComments(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let crash = try await site.fileBug("Crash on save")
            let slow = try await site.fileBug("Slow startup")
            try await Self.comment(site, on: crash, "The segfault happens in the renderer")
            try await Self.comment(site, on: slow, "Profiling shows the renderer waiting on disk")
            #expect(try await Self.ids(site, "content=segfault") == [crash])
            #expect(try await Self.ids(site, "content=RENDERER") == [crash, slow])
            #expect(try await Self.ids(site, "content=render") == [], "matches takes whole words")
            #expect(try await Self.ids(site, "content=render*") == [crash, slow])
            #expect(try await Self.ids(site, "content=renderer%20disk") == [slow], "every word, each anywhere in the bug")
            #expect(try await Self.ids(site, "content=renderer%20startup") == [slow], "the summary is part of the content")
            #expect(try await Self.ids(site, "f1=content&o1=matches&v1=segfault") == [crash])
            #expect(try await Self.ids(site, "f1=content&o1=notmatches&v1=segfault") == [slow])
            #expect(try await Self.ids(site, "longdesc=segf&longdesc_type=substring") == [crash], "substring operators match beginnings of words")
            #expect(try await Self.ids(site, "longdesc=profil%20disk&longdesc_type=allwordssubstr") == [slow])
            #expect(try await Self.ids(site, "longdesc=segfault%20profiling&longdesc_type=anywords") == [crash, slow])
            #expect(try await Self.ids(site, "f1=longdesc&o1=nowords&v1=segfault") == [slow])
            #expect(try await Self.ids(site, "f1=comment&o1=allwords&v1=renderer%20waiting") == [slow])
        }
    }

    @Test("a \"quoted phrase\" matches those words in a row, within one comment", arguments: TestBackend.all)
    func phrase(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let inOrder = try await site.fileBug("Editor")
            let scattered = try await site.fileBug("Viewer")
            try await Self.comment(site, on: inOrder, "Crash on save, every time.")
            try await Self.comment(site, on: scattered, "On save the window flickers; a crash follows.")
            #expect(try await Self.ids(site, "content=crash%20save") == [inOrder, scattered])
            #expect(try await Self.ids(site, "content=%22crash%20on%20save%22") == [inOrder])
            #expect(try await Self.ids(site, "content=%22crash%20on%20sa%22*") == [inOrder], "a phrase may end in a prefix")
            #expect(try await Self.ids(site, "longdesc=crash%20on%20sa&longdesc_type=substring") == [inOrder])
        }
    }

    @Test("private comments are found only by those who may read them, and counts and limits leave the rest out", arguments: TestBackend.all)
    func privateComments(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let open = try await site.fileBug("Open bug")
            let confidential = try await site.fileBug("Customer bug")
            let withPrivate = try await site.fileBug("Private attachment bug")
            try await Self.comment(site, on: open, "Seen at ACME too")
            try await Self.comment(site, on: confidential, "Customer is ACME", isPrivate: true, as: "insider")
            // The upload's comment follows the attachment's privacy, for its uploader too.
            _ = try await Self.attach(site, to: withPrivate, fileName: "notes.txt", summary: "ACME numbers", isPrivate: true, as: "reporter")
            #expect(try await Self.ids(site, "content=acme", as: "outsider") == [open])
            #expect(try await Self.ids(site, "content=acme", as: "reporter") == [open, withPrivate])
            #expect(try await Self.ids(site, "content=acme", as: "insider") == [open, confidential, withPrivate])
            #expect(try await Self.ids(site, "longdesc=acme", as: "outsider") == [open])
            #expect(try await Self.count(site, "content=acme", as: "outsider") == 1)
            #expect(try await Self.count(site, "content=acme", as: "insider") == 3)
            #expect(try await Self.ids(site, "content=acme&limit=1&offset=1", as: "outsider") == [])
            #expect(try await Self.ids(site, "content=acme&limit=1&offset=1", as: "insider") == [confidential])
        }
    }

    @Test("the bug's own visibility is the search's: a hidden bug's words find nothing", arguments: TestBackend.all)
    func hiddenBugs(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let secret = try await site.fileSecretBug("Secret launch plan")
            try await Self.comment(site, on: secret, "Codename zephyr", as: "insider")
            #expect(try await Self.ids(site, "content=zephyr", as: "outsider") == [])
            #expect(try await Self.count(site, "content=zephyr", as: "outsider") == 0)
            #expect(try await Self.ids(site, "content=zephyr", as: "insider") == [secret])
        }
    }

    @Test("attachment descriptions and file names are found; private ones by insiders and their uploader only", arguments: TestBackend.all)
    func attachments(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let bug = try await site.fileBug("Memory grows")
            let other = try await site.fileBug("Leaky faucet")
            _ = try await Self.attach(site, to: bug, fileName: "heap-dump.hprof", summary: "Allocation profile")
            _ = try await Self.attach(site, to: other, fileName: "drip.txt", summary: "Quarterly figures", isPrivate: true, as: "reporter")
            #expect(try await Self.ids(site, "content=allocation", as: "outsider") == [bug])
            #expect(try await Self.ids(site, "content=hprof", as: "outsider") == [bug])
            #expect(try await Self.ids(site, "content=%22heap%20dump%22", as: "outsider") == [bug])
            #expect(try await Self.ids(site, "content=quarterly", as: "outsider") == [])
            #expect(try await Self.ids(site, "content=drip", as: "outsider") == [])
            #expect(try await Self.ids(site, "content=drip", as: "reporter") == [other])
            #expect(try await Self.ids(site, "content=quarterly", as: "insider") == [other])
        }
    }

    @Test("order=relevance puts the best matches first; it needs a full-text term, and pages by offset", arguments: TestBackend.all)
    func relevance(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let once = try await site.fileBug("Startup")
            let often = try await site.fileBug("Deadlock in scheduler")
            let unrelated = try await site.fileBug("Typo")
            try await Self.comment(site, on: once, "Maybe a deadlock?")
            try await Self.comment(site, on: often, "Deadlock again: the deadlock detector saw a deadlock cycle.")
            #expect(try await Self.ids(site, "content=deadlock&order=relevance") == [often, once])
            #expect(try await Self.ids(site, "content=deadlock&order=relevance%20DESC") == [often, once])
            #expect(try await Self.ids(site, "content=deadlock&order=relevance%20ASC") == [once, often])
            #expect(try await Self.ids(site, "content=deadlock&order=relevance&limit=1&offset=1") == [once])
            #expect(try await Self.ids(site, "longdesc=deadlock&order=relevance") == [often, once])
            #expect(try await Self.ids(site, "f1=content&o1=matches&v1=deadlock&order=relevance") == [often, once])
            #expect(try await Self.ids(site, "content=deadlock&order=bug_id%20DESC") == [often, once])
            #expect(!(try await Self.ids(site, "order=bug_id")).isEmpty && unrelated > 0)
            let none = try await site.get("/rest/bug?product=Widget&order=relevance", as: "admin")
            none.expectError(53, .badRequest)
            #expect(none.errorMessage.contains("relevance"))
            try await site.get("/rest/bug?f1=content&o1=notmatches&v1=deadlock&order=relevance", as: "admin").expectError(53, .badRequest)
            try await site.get("/rest/bug?content=deadlock&order=relevance&after=\(often)", as: "admin").expectError(53, .badRequest)
        }
    }

    @Test("the index follows every write: a new comment, a changed summary, an attachment's privacy", arguments: TestBackend.all)
    func keptInStep(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let bug = try await site.fileBug("Flaky build")
            #expect(try await Self.ids(site, "content=quokka") == [])
            try await Self.comment(site, on: bug, "A quokka chewed the cable")
            #expect(try await Self.ids(site, "content=quokka") == [bug])

            try await site.put("/rest/bug/\(bug)", ["summary": "Broken pipeline"], as: "dev").expect(.ok)
            #expect(try await Self.ids(site, "content=flaky") == [])
            #expect(try await Self.ids(site, "content=pipeline") == [bug])

            let attachment = try await Self.attach(site, to: bug, fileName: "trace.log", summary: "Wombat trace", as: "dev")
            #expect(try await Self.ids(site, "content=wombat", as: "outsider") == [bug])
            try await Self.setPrivate(site, attachment, true)
            #expect(try await Self.ids(site, "content=wombat", as: "outsider") == [], "neither the description nor its comment")
            #expect(try await Self.ids(site, "content=wombat", as: "dev") == [bug], "the uploader still sees it")
            try await Self.setPrivate(site, attachment, false, summary: "Numbat trace")
            #expect(try await Self.ids(site, "content=numbat", as: "outsider") == [bug])
        }
    }

    @Test("search syntax is only words: quotes, stars, NEAR, parentheses never fail; a search without words or with the wrong operator is a clear error", arguments: TestBackend.all)
    func syntax(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let bug = try await site.fileBug("Near the edge")
            try await Self.comment(site, on: bug, "NEAR(a b) OR c: foo.bar() crashed")
            for value in ["%22near", "NEAR(a%20b)", "near%20OR", "(edge", "edge)", "foo.bar()", "a%22%20OR%20%22b", "%5E:edge", "-edge", "edge*%20*", "AND"] {
                let response = try await site.get("/rest/bug?content=\(value)&include_fields=id", as: "admin")
                #expect(response.status == .ok, "\(value): \(response.text)")
            }
            #expect(try await Self.ids(site, "content=NEAR(a%20b)") == [bug], "the phrase NEAR a, and b")
            #expect(try await Self.ids(site, "content=%22foo.bar%22") == [bug])
            #expect(try await Self.ids(site, "content=%22near%20the") == [bug], "an unclosed quote runs to the end")
            for query in ["content=***", "content=%22%22", "f1=content&o1=matches&v1=!!!"] {
                let response = try await site.get("/rest/bug?\(query)", as: "admin")
                response.expectError(53, .badRequest)
                #expect(response.errorMessage.contains("word"), "\(query): \(response.text)")
            }
            let many = (0...TextQuery.maximumTerms).map { "w\($0)" }.joined(separator: "%20")
            try await site.get("/rest/bug?content=\(many)", as: "admin").expectError(53, .badRequest)
            // However many full-text conditions a search has, relevance costs one index query per source.
            let charts = (1...200).map { "f\($0)=content&o\($0)=anywords&v\($0)=edge%20w\($0)" }.joined(separator: "&")
            #expect(try await Self.ids(site, "j_top=OR&\(charts)&order=relevance") == [bug])
            try await site.get("/rest/bug?f1=content&o1=equals&v1=edge", as: "admin").expectError(53, .badRequest)
            try await site.get("/rest/bug?f1=short_desc&o1=matches&v1=edge", as: "admin").expectError(53, .badRequest)
            // Quicksearch adds the full text only for words: punctuation alone searches the summary.
            for text in ["%23%28%29", "%28%29", "ALL%20%23%21%21"] {
                let response = try await site.get("/rest/bug?quicksearch=\(text)", as: "admin")
                #expect(response.status == .ok, "\(text): \(response.text)")
            }
            // A longdesc value without words scans the comments as before.
            #expect(try await Self.ids(site, "longdesc=%28%29&longdesc_type=substring") == [bug])
        }
    }

    @Test("the web list's text filter searches comments too, as the viewer may read them", arguments: TestBackend.all)
    func webListText(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let bug = try await site.fileBug("Printer jams")
            let confidential = try await site.fileBug("Scanner jams")
            try await Self.comment(site, on: bug, "Happens with recycled paper")
            try await Self.comment(site, on: confidential, "Only with recycled toner", isPrivate: true, as: "insider")
            var outsider = try await Browser.signedIn(site, as: "outsider")
            var insider = try await Browser.signedIn(site, as: "insider")
            func listed(_ page: WebPage) -> [Bool] { [bug, confidential].map { page.contains("href=\"/bug/\($0)\"") } }
            #expect(listed(try await outsider.get("/bugs?status=all&q=recycled").expect(.ok)) == [true, false])
            #expect(listed(try await insider.get("/bugs?status=all&q=recycled").expect(.ok)) == [true, true])
            #expect(listed(try await insider.get("/bugs?status=all&q=recyc%20toner")) == [false, true], "beginnings of words, every one")
            #expect(listed(try await insider.get("/bugs?status=all&q=%22recycled%20paper%22")) == [true, false])
            #expect(listed(try await insider.get("/bugs?status=all&q=jams")) == [true, true], "the summary as before")
            #expect(listed(try await insider.get("/bugs?status=all&q=%22(%22")) == [false, false])
        }
    }
}

@Suite("Full-text search: the index and its migration")
struct FullTextIndexTests {
    @Test("SQLite's FTS5 is compiled in")
    func fts5() async throws {
        try await TestBackend.sqlite.withMigratedDatabase { database in
            let used = try await database.read { sql in
                try await sql.raw("SELECT sqlite_compileoption_used('ENABLE_FTS5') AS used").first()?.decode(column: "used", as: Int.self)
            }
            #expect(used == 1)
        }
    }

    private static let before010 = Array(Schema.migrations.prefix { $0.name != "010_full_text_search" })

    /// Five bugs with a comment each and an attachment on the last, written before migration 010.
    private static func writeOldRows(_ database: any Database) async throws -> (author: UserSummary, bugs: [Int]) {
        try await database.transaction { sql in
            let store = SQLStore(sql)
            let now = Date()
            let id = try await store.insertUser(login: "a@example.com", realName: "A", passwordHash: "x", at: now)
            let author = UserSummary(id: id, login: "a@example.com", realName: "A")
            try await store.insertMinimalProduct(assignee: author)
            var bugs: [Int] = []
            for index in 0..<5 {
                let bug = try await store.insertBug(Bug(
                    id: 0, product: "P", component: "C", version: "1", summary: "Summary \(index) kiwi", status: "NEW", severity: "normal",
                    priority: "---", opSys: "All", platform: "All", reporter: author, assignedTo: author, creationTime: now, lastChangeTime: now))
                _ = try await store.insertComment(bugID: bug, author: author, text: "Comment mentions emu\(index)", isPrivate: false, at: now)
                bugs.append(bug)
            }
            _ = try await store.insertAttachment(Attachment(
                id: 0, bugID: bugs[4], fileName: "old-capture.pcap", summary: "Packets", contentType: "text/plain", isPatch: false,
                isObsolete: false, isPrivate: false, creator: author, creationTime: now, lastChangeTime: now, size: 1, blobKey: "k"))
            return (author, bugs)
        }
    }

    /// Checks that every old row is found by its words, once.
    private static func expectIndexed(_ database: any Database, author: UserSummary, bugs: [Int]) async throws {
        let viewer = Principal(user: author, groups: [])
        func found(_ field: String, _ op: SearchOperator, _ value: String) async throws -> [Int] {
            var search = BugSearch()
            search.conditions = [[FieldCondition(field: field, op: op, value: value)]]
            return try await database.read { [search] sql in try await SQLStore(sql).searchBugIDs(search, viewer: viewer, policy: Policy()) }
        }
        #expect(try await found("content", .matches, "kiwi") == bugs)
        #expect(try await found("content", .matches, "emu3") == [bugs[3]])
        #expect(try await found("longdesc", .substring, "emu") == bugs)
        #expect(try await found("content", .matches, "pcap") == [bugs[4]])
    }

    @Test("migration 010 indexes what was written before it, in batches", arguments: TestBackend.all)
    func backfill(backend: TestBackend) async throws {
        let database = try await backend.makeDatabase()
        try await database.withRunning {
            try await Migrator.migrate(database, migrations: Self.before010)
            let (author, bugs) = try await Self.writeOldRows(database)
            let applied = try await Migrator.migrate(database, batchSize: 2)
            #expect(applied.first == "010_full_text_search")
            try await Self.expectIndexed(database, author: author, bugs: bugs)
            #expect(try await Migrator.migrate(database).isEmpty)
        }
    }

    @Test("migration 010 cut off midway (index made, one batch done, nothing recorded) runs again to the end", arguments: TestBackend.all)
    func resumedBackfill(backend: TestBackend) async throws {
        let database = try await backend.makeDatabase()
        try await database.withRunning {
            try await Migrator.migrate(database, migrations: Self.before010)
            let (author, bugs) = try await Self.writeOldRows(database)
            let textSearch = backend == .sqlite ? DatabaseKind.sqlite.textSearch : DatabaseKind.postgres.textSearch
            try await database.transaction { sql in
                for statement in textSearch.indexStatements { try await sql.raw(SQLQueryString(statement)).run() }
                for backfill in textSearch.backfills { try await sql.raw(backfill.statement(0, 2)).run() }
            }
            #expect(try await Migrator.migrate(database, batchSize: 3).first == "010_full_text_search")
            try await Self.expectIndexed(database, author: author, bugs: bugs)
        }
    }

    @Test("a full-text search reads the full-text indexes, never every comment or attachment", arguments: TestBackend.all)
    func plan(backend: TestBackend) async throws {
        try await backend.withMigratedDatabase { database in
            let (author, _) = try await Self.writeOldRows(database)
            var search = BugSearch()
            search.conditions = [[FieldCondition(field: "content", op: .matches, value: "emu3 kiwi")]]
            search.order = [BugOrder(column: .relevance, descending: true)]
            search.limit = 25
            let lines = try await database.transaction { [search] sql in
                // PostgreSQL rightly scans tables this small: price that out, to see the index is usable.
                if database.kind == .postgres { try await sql.raw("SET LOCAL enable_seqscan = off").run() }
                let recorder = PlanRecorder(base: sql, kind: database.kind)
                _ = try await SQLStore(recorder).searchBugIDs(search, viewer: Principal(user: author, groups: []), policy: Policy())
                return recorder.lines
            }
            let text = lines.joined(separator: "\n")
            switch backend {
            case .sqlite:
                for table in ["bug_summary_fts", "comment_fts", "attachment_fts"] {
                    #expect(lines.contains { $0.hasPrefix("SCAN \(table) VIRTUAL TABLE INDEX") }, "\(text)")
                }
                // Rows of real tables are only looked up by key; the matches' scores are the one thing scanned.
                #expect(lines.filter { $0.hasPrefix("SCAN ") }.allSatisfy { $0.contains("VIRTUAL TABLE") || $0 == "SCAN tr" }, "\(text)")
            case .postgres:
                for table in ["bugs", "comments", "attachments"] {
                    #expect(text.contains("Bitmap Index Scan on \(table)_search_words"), "\(text)")
                }
                #expect(!text.contains("Seq Scan"), "\(text)")
            }
        }
    }

    @Test("bugs written by the bulk path (bugzot seed) are indexed as they are written", arguments: TestBackend.all)
    func seeded(backend: TestBackend) async throws {
        try await backend.withMigratedDatabase { database in
            let generator = SeedGenerator(plan: SeedPlan(bugs: 40, randomSeed: 5, endTime: 1_780_000_000))
            _ = try await SeedLoader(database: database).load(generator, append: false, passwordHash: "!")
            let (bug, body) = try await database.read { sql in
                let row = try #require(try await sql.raw("SELECT bug_id, body FROM comments ORDER BY id DESC LIMIT 1").first())
                return (try row.decode(column: "bug_id", as: Int.self), try row.decode(column: "body", as: String.self))
            }
            let word = try #require(TextQuery.words(of: body).max { $0.count < $1.count })
            var search = BugSearch()
            search.conditions = [[FieldCondition(field: "longdesc", op: .allwords, value: word)]]
            let admin = Principal(user: nil, groups: [SystemGroup.admin.rawValue])
            let found = try await database.read { [search] sql in try await SQLStore(sql).searchBugIDs(search, viewer: admin, policy: Policy()) }
            #expect(found.contains(bug), "\(word)")
        }
    }
}
