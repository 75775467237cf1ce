import BugZotREST
import BugZotWire
import Foundation
import HTTPTypes
import Testing

/// `GET /rest/bug?quicksearch=` speaks Bugzilla's quicksearch: status words, `field:value`,
/// `:component`, `@assignee`, `#summary`, `-` negation, ids, product and component names — and
/// never finds a bug the caller may not see.
@Suite("Quicksearch over REST")
struct QuickSearchAPITests {
    @Test("the examples of Bugzilla's quicksearch help find what they describe", arguments: TestBackend.all)
    func examples(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            try await site.post("/rest/product", ["name": "Gadget", "description": "Gadgets", "version": "1.0"], as: "admin").expect(.created)
            try await site.post(
                "/rest/component", ["product": "Gadget", "name": "Frontend", "description": "UI", "default_assignee": "admin@example.com"],
                as: "admin"
            ).expect(.created)
            let crash = try await site.fileBug("Crash on save", as: "dev")
            let slow = try await site.fileBug("Slow startup", as: "reporter")
            let button = try await site.fileBug(
                "Button misaligned", as: "reporter", extra: ["product": "Gadget", "component": "Frontend"])
            let fixed = try await site.fileBug("Crash on load", as: "dev")
            try await site.put("/rest/bug/\(fixed)", ["status": "RESOLVED", "resolution": "FIXED"], as: "dev").expect(.ok)
            let secret = try await site.fileSecretBug("Crash in the vault")
            func ids(_ text: String, as user: String = "outsider") async throws -> [Int] {
                let query = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                return try await site.get("/rest/bug?quicksearch=\(query)&include_fields=id", as: user).expect(.ok)["bugs"].array.map { $0["id"].int }
            }
            #expect(try await ids("product:Gadget") == [button])
            #expect(try await ids("product:gad") == [button])  // part of the name, either case
            #expect(try await ids("product:nothing,gadg") == [button])
            #expect(try await ids("product:nothing").isEmpty)
            #expect(try await ids("-product:gadget") == [crash, slow])
            #expect(try await ids("Gadget") == [button])
            #expect(try await ids("FIXED") == [fixed])
            #expect(try await ids("NEW") == [crash])
            #expect(try await ids("UNCONFIRMED,RESOLVED") == [slow, button, fixed])
            #expect(try await ids("CRASH") == [crash])  // names no status or resolution: an ordinary word
            #expect(try await ids("ALL crash") == [crash, fixed])
            #expect(try await ids("crash") == [crash])
            #expect(try await ids(":Front") == [button])
            #expect(try await ids("#startup") == [slow])
            #expect(try await ids("-crash") == [slow, button])
            #expect(try await ids("@dev") == [crash, slow])
            #expect(try await ids("@dev -#crash") == [slow])
            #expect(try await ids("#crash|#button") == [crash, button])
            #expect(try await ids("#crash OR #button") == [crash, button])
            #expect(try await ids("\"on save\"") == [crash])
            #expect(try await ids("CLOSED") == [fixed])
            #expect(try await ids("\(crash),\(fixed)") == [crash, fixed])
            #expect(try await ids("\(button)") == [button])
            // Hidden bugs stay hidden, however they are asked for.
            for text in ["ALL crash", "\(secret)", "ALL vault", "ALL @admin", "ALL -#save"] {
                #expect(try await !ids(text).contains(secret))
            }
            #expect(try await ids("ALL vault", as: "insider") == [secret])
            try await site.get("/rest/bug?quicksearch=%22open", as: "outsider").expectError(53, .badRequest)
            // Too many words to search at once: a clear refusal, not a slow query.
            let manyWords = String(repeating: "w+", count: 300)
            try await site.get("/rest/bug?quicksearch=\(manyWords)", as: "outsider").expectError(53, .badRequest)
        }
    }
}

extension QuickSearchAPITests {
    @Test("the rest of the help page: comparisons with relative dates, abbreviations, NOT, P1, [whiteboard, words in comments", arguments: TestBackend.all)
    func moreOfTheGrammar(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let crash = try await site.fileBug("Crash on save", as: "dev", extra: ["priority": "Highest", "whiteboard": "needs-triage"])
            let slow = try await site.fileBug("Slow startup", as: "dev", extra: ["priority": "High"])
            let fixed = try await site.fileBug("Crash on load", as: "dev")
            try await site.put("/rest/bug/\(fixed)", ["status": "RESOLVED", "resolution": "FIXED"], as: "dev").expect(.ok)
            try await site.post("/rest/bug/\(slow)/comment", ["comment": "The splash screen flickers."], as: "dev").expect(.created)
            let secret = try await site.fileSecretBug("Crash in the vault")
            try await site.post("/rest/bug/\(secret)/comment", ["comment": "The splash screen of the vault."], as: "insider").expect(.created)
            func ids(_ text: String, as user: String = "outsider") async throws -> [Int] {
                let query = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                return try await site.get("/rest/bug?quicksearch=\(query)&include_fields=id", as: user).expect(.ok)["bugs"].array.map { $0["id"].int }
            }
            #expect(try await ids("creation_ts>-2w") == [crash, slow])
            #expect(try await ids("ALL creation_ts<-2w").isEmpty)
            #expect(try await ids("FIX") == [fixed])
            #expect(try await ids("RESOLVED+") == [fixed])
            #expect(try await ids("summ=\"Slow startup\"") == [slow])
            #expect(try await ids("prio!=Highest") == [slow])
            #expect(try await ids("NOT #crash") == [slow])
            #expect(try await ids("P1") == [crash])
            #expect(try await ids("P1-2") == [crash, slow])
            #expect(try await ids("[triage") == [crash])
            // Plain words also search the comments the caller may read (the full text).
            #expect(try await ids("splash") == [slow])
            #expect(try await ids("splash", as: "insider") == [slow, secret])
            #expect(try await ids("--comments splash").isEmpty)
            try await site.get("/rest/bug?quicksearch=creation_ts%3E-2x", as: "outsider").expectError(53, .badRequest)
        }
    }
}
