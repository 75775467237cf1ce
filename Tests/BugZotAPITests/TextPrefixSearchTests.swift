import BugZotDomain
import BugZotSeed
@testable import BugZotStorage
import Foundation
import SQLKit
import Testing

/// A `substring` search of comments is a phrase whose last word is a prefix (`"w1 w2"*`), and
/// quicksearch's words are prefixes. Each is found as the phrases of the words the index holds that
/// begin with it, so a page of matches costs a few lookups rather than reading every match; the
/// bugs found are Bugzilla's either way: the prefix still finds longer words, whatever the plan.
@Suite("Full-text prefixes: found through the index's words, the same bugs as before")
struct TextPrefixSearchTests {
    private static let outsider = Principal(user: UserSummary(id: 3, login: "x@example.com", realName: "X"), groups: [])

    /// Comments of bugs 1–6 (one each), and 20 words beginning with `zeta` on bug 7.
    private static let comments: [(bug: Int, text: String)] = [
        (1, "The quokka watchers met at noon."),
        (2, "A quokka watched the build."),
        (3, "Quokka watch: the build is green."),
        (4, "The quokka was seen near the watch tower."),
        (5, "The émigré numbatted twice."),
        (6, "Numbats in the Quokkas module."),
        (7, (0..<20).map { "zeta" + String(UnicodeScalar(UInt8(97 + $0))) }.joined(separator: " ")),
    ]

    private static func search(_ field: String, _ op: SearchOperator, _ value: String) -> BugSearch {
        var search = BugSearch()
        search.conditions = [[FieldCondition(field: field, op: op, value: value)]]
        search.limit = 25
        return search
    }

    @Test("a phrase's last word finds the longer words it begins, rare or common, whichever plan runs", arguments: TestBackend.all)
    func prefixPhrases(backend: TestBackend) async throws {
        try await Self.withComments(backend) { database, ids in
            let expected: [(String, BugSearch, [Int])] = [
                ("a phrase whose last word goes on", Self.search("longdesc", .substring, "quokka watch"), [1, 2, 3]),
                ("a phrase whose last word is whole", Self.search("longdesc", .substring, "quokka watched"), [2]),
                ("a phrase in capitals", Self.search("longdesc", .substring, "QUOKKA WATCH"), [1, 2, 3]),
                ("a word's beginning", Self.search("longdesc", .substring, "quokk"), [1, 2, 3, 4, 6]),
                ("a beginning no word has", Self.search("longdesc", .substring, "quokkaz"), []),
                ("a beginning of more words than are written out", Self.search("longdesc", .substring, "zeta"), [7]),
                ("a beginning that is not ASCII", Self.search("longdesc", .substring, "émi"), [5]),
                ("any of two beginnings", Self.search("longdesc", .anywordssubstr, "numbat zetat"), [5, 6, 7]),
                ("all of two beginnings", Self.search("longdesc", .allwordssubstr, "quok numbat"), [6]),
                ("content by a beginning", Self.search("content", .substring, "quokka wat"), [1, 2, 3]),
            ]
            for (name, search, bugs) in expected {
                for common in [1, 1_000_000] {
                    let found = try await database.read { [search] sql in
                        var store = SQLStore(sql)
                        store.commonTextRows = common
                        return try await store.searchBugIDs(search, viewer: Self.outsider, policy: Policy())
                    }
                    #expect(found == bugs.map { ids[$0 - 1] }, "\(name), \(common == 1 ? "walked" : "matched")")
                }
            }
        }
    }

    @Test("a prefix is written as the phrases of the words that begin with it; one of too many words, or none, stays a prefix")
    func expansion() async throws {
        try await Self.withComments(.sqlite) { database, _ in
            func expression(_ words: [String], prefix: Bool = true) async throws -> String {
                let query = TextQuery(terms: [TextQuery.Term(words: words, isPrefix: prefix)], combination: .all)
                return try await database.read { sql in
                    let match = FTS5TextSearch().match(query, in: .comments)
                    return try await sql.raw("SELECT " + match + " AS e").first()?.decode(column: "e", as: String.self) ?? ""
                }
            }
            let cases: [([String], Bool, String)] = [
                (["quokka", "watch"], true, #"("quokka watch" OR "quokka watched" OR "quokka watchers")"#),
                (["Quokka", "WATCHED"], true, #"("Quokka watched")"#),
                (["quokkaz"], true, #""quokkaz"*"#),
                (["zeta"], true, #""zeta"*"#),
                (["zetat"], true, #"("zetat")"#),
                (["émi"], true, #""émi"*"#),
                (["quokka"], false, #""quokka""#),
            ]
            for (words, prefix, written) in cases {
                let found = try await expression(words, prefix: prefix)
                #expect(found == written, "\(words)")
            }
        }
    }

    @Test("a prefix phrase of common words walks the bugs and seeks each comment in the index, reading no match first")
    func walkedPlan() async throws {
        try await Self.withComments(.sqlite) { database, _ in
            let lines = try await database.transaction { sql in
                let recorder = PlanRecorder(base: sql, kind: database.kind)
                var store = SQLStore(recorder)
                store.commonTextRows = 1
                _ = try await store.searchBugIDs(Self.search("longdesc", .substring, "quokka watch"), viewer: Self.outsider, policy: Policy())
                return recorder.lines
            }
            let text = lines.joined(separator: "\n")
            // Each comment is sought by its rowid among the phrases' matches (the index's plan of a
            // MATCH with `rowid =`), and the words are read from the vocabulary a word at a time.
            #expect(lines.contains { $0.contains("comment_fts VIRTUAL TABLE INDEX") && $0.contains("=") }, "\(text)")
            #expect(lines.contains { $0.contains("comment_fts_terms VIRTUAL TABLE") }, "\(text)")
        }
    }

    /// A migrated database with 40 seeded bugs and `comments` on seven of them that outsiders see
    /// (bug n of `comments` is the nth of those); `body` gets their ids.
    private static func withComments(_ backend: TestBackend, _ body: @escaping @Sendable (any Database, [Int]) async throws -> Void) async throws {
        try await backend.withMigratedDatabase { database in
            let generator = SeedGenerator(plan: SeedPlan(bugs: 40, randomSeed: 5, endTime: 1_780_000_000))
            _ = try await SeedLoader(database: database).load(generator, append: false, passwordHash: "!")
            let ids = try await database.transaction { sql in
                let store = SQLStore(sql)
                var all = BugSearch()
                all.limit = 7
                let ids = try await store.searchBugIDs(all, viewer: outsider, policy: Policy())
                let author = UserSummary(id: 1, login: "", realName: "")
                let now = Date(timeIntervalSince1970: 1_780_000_000)
                for (bug, text) in comments {
                    _ = try await store.insertComment(bugID: ids[bug - 1], author: author, text: text, isPrivate: false, at: now)
                }
                return ids
            }
            try await body(database, ids)
        }
    }
}
