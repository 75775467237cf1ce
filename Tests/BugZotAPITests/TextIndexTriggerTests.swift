import BugZotREST
import BugZotServices
@testable import BugZotStorage
import BugZotWire
import Foundation
import HTTPTypes
import SQLKit
import Testing

/// A bug's or an attachment's update writes every column, its text included; the full-text index
/// is rewritten only when the text changes (migration 016, `TextSearch.changeTriggers`). Each test
/// takes a row's entry out of the index behind the store's back: a write that rewrote the entry
/// would bring it back, and the row would be found again.
@Suite("The full-text index is rewritten when the text changes, not on every change")
struct TextIndexTriggerTests {
    private static func ids(_ site: TestSite, _ query: String) async throws -> [Int] {
        try await site.get("/rest/bug?\(query)&include_fields=id", as: "admin").expect(.ok)["bugs"].array.map { $0["id"].int }
    }

    /// Removes the index entry of row `id` of `source` (bugs or attachments).
    private static func forgetEntry(of id: Int, in source: String, _ site: TestSite, backend: TestBackend) async throws {
        let statement: SQLQueryString =
            switch backend {
            case .sqlite: "DELETE FROM \(unsafeRaw: source == "bugs" ? "bug_summary_fts" : "attachment_fts") WHERE rowid = \(bind: id)"
            case .postgres: "UPDATE \(unsafeRaw: source) SET search_words = NULL WHERE id = \(bind: id)"
            }
        try await site.services.database.transaction { sql in try await sql.raw(statement).run() }
    }

    @Test("a status change leaves the summary's entry alone; a summary change rewrites it", arguments: TestBackend.all)
    func summaries(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let id = try await site.fileBug("Kestrel crashes on save", as: "dev")
            #expect(try await Self.ids(site, "content=kestrel") == [id])
            try await Self.forgetEntry(of: id, in: "bugs", site, backend: backend)
            try await site.put("/rest/bug/\(id)", ["status": "ASSIGNED", "priority": "High"], as: "dev").expect(.ok)
            #expect(try await Self.ids(site, "content=kestrel") == [], "the update did not touch the index")
            try await site.put("/rest/bug/\(id)", ["summary": "Osprey crashes on save"], as: "dev").expect(.ok)
            #expect(try await Self.ids(site, "content=osprey") == [id])
            #expect(try await Self.ids(site, "content=kestrel") == [])
        }
    }

    /// Found by its file name: its first description is also in the comment that announces it.
    @Test("an attachment's obsolescence leaves its entry alone; a new description rewrites it", arguments: TestBackend.all)
    func attachments(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let bug = try await site.fileBug("Crash on save", as: "dev")
            let body: JSONValue = [
                "ids": [.string("\(bug)")], "data": .string(Data("data".utf8).base64EncodedString()), "file_name": "kestrel.txt",
                "summary": "Trace", "content_type": "text/plain",
            ]
            let attachment = try await site.post("/rest/bug/\(bug)/attachment", body, as: "dev").expect(.created)["ids"][0].int
            #expect(try await Self.ids(site, "content=kestrel") == [bug])
            try await Self.forgetEntry(of: attachment, in: "attachments", site, backend: backend)
            try await site.put("/rest/bug/attachment/\(attachment)", ["is_obsolete": true], as: "dev").expect(.ok)
            #expect(try await Self.ids(site, "content=kestrel") == [], "the update did not touch the index")
            try await site.put("/rest/bug/attachment/\(attachment)", ["summary": "Osprey trace"], as: "dev").expect(.ok)
            #expect(try await Self.ids(site, "content=osprey") == [bug])
            #expect(try await Self.ids(site, "content=kestrel") == [bug])
        }
    }

    @Test("a fresh database's update triggers test whether the text changed", arguments: TestBackend.all)
    func definitions(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let query: SQLQueryString =
                switch backend {
                case .sqlite: "SELECT sql AS definition FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%fts_update'"
                case .postgres:
                    """
                    SELECT pg_get_triggerdef(t.oid) AS definition FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                    WHERE t.tgname LIKE '%search_words%' AND c.relnamespace = current_schema()::regnamespace
                    """
                }
            let definitions = try await site.services.database.read { sql in
                try await sql.raw(query).all().map { try $0.decode(column: "definition", as: String.self) }
            }
            let updates = definitions.filter { $0.contains("UPDATE") }
            #expect(updates.count == 3, "bugs, comments, attachments")
            #expect(updates.allSatisfy { $0.contains("WHEN") })
        }
    }
}
