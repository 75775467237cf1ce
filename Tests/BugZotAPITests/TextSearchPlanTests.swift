import BugZotDomain
import BugZotSeed
@testable import BugZotStorage
import Foundation
import SQLKit
import Testing

/// A full-text search finds its page one of two ways, chosen as the statement runs by sampling
/// rows spread over the index's history: a common word by walking the bugs in the page's order and
/// looking each up in the index (never reading every match), a rare one by reading its matches
/// first. Both find exactly the same bugs, for every kind of term, order, page and viewer.
@Suite("Full-text search plans: common and rare words find the same bugs")
struct TextSearchPlanTests {
    /// Someone signed in, in no group: visibility applies, private comments are hidden.
    private static let outsider = Principal(user: UserSummary(id: 3, login: "x@example.com", realName: "X"), groups: [])
    private static let insider = Principal(user: UserSummary(id: 4, login: "y@example.com", realName: "Y"), groups: [SystemGroup.insider.rawValue])

    /// A store that takes every word found in the sample as common (so walks), and one that takes none as common.
    private static func stores(_ sql: any SQLDatabase) -> (walking: SQLStore, matching: SQLStore) {
        var walking = SQLStore(sql)
        walking.commonTextRows = 1
        var matching = SQLStore(sql)
        matching.commonTextRows = 1_000_000
        return (walking, matching)
    }

    private static func search(_ conditions: [[FieldCondition]], order: [BugOrder] = [], limit: Int? = 25, build: (inout BugSearch) -> Void = { _ in })
        -> BugSearch
    {
        var search = BugSearch()
        search.conditions = conditions
        search.order = order
        search.limit = limit
        build(&search)
        return search
    }

    @Test("common and rare words, phrases, prefixes, negation, OR groups and quicksearch find the same bugs both ways", arguments: TestBackend.all)
    func sameBugs(backend: TestBackend) async throws {
        try await Self.withSeededDatabase(backend) { database, words in
            let byChange = [BugOrder(column: .lastChangeTime, descending: true)]
            let searches: [(String, BugSearch)] = [
                ("a common word", Self.search([[FieldCondition(field: "longdesc", op: .allwords, value: words.common)]])),
                ("a common word, newest change first", Self.search([[FieldCondition(field: "longdesc", op: .allwords, value: words.common)]], order: byChange)),
                ("a common word, second page", Self.search([[FieldCondition(field: "longdesc", op: .allwords, value: words.common)]]) { $0.offset = 25 }),
                ("a rare word", Self.search([[FieldCondition(field: "longdesc", op: .allwords, value: "quokka")]])),
                ("a word found nowhere", Self.search([[FieldCondition(field: "longdesc", op: .allwords, value: "zyzzyva")]])),
                ("a common and a rare word", Self.search([[FieldCondition(field: "longdesc", op: .allwords, value: "\(words.common) quokka")]])),
                ("a phrase", Self.search([[FieldCondition(field: "longdesc", op: .substring, value: words.phrase)]])),
                ("a prefix", Self.search([[FieldCondition(field: "longdesc", op: .substring, value: String(words.common.dropLast()))]])),
                ("content, all of it", Self.search([[FieldCondition(field: "content", op: .matches, value: words.common)]], order: byChange)),
                ("a negated word", Self.search([[FieldCondition(field: "longdesc", op: .nowords, value: words.common)]])),
                ("a word or a summary", Self.search([[
                    FieldCondition(field: "longdesc", op: .allwords, value: "quokka"), FieldCondition(field: "short_desc", op: .substring, value: "crash"),
                ]])),
                ("every match", Self.search([[FieldCondition(field: "longdesc", op: .allwords, value: words.common)]], limit: nil)),
                ("a boolean chart", Self.search([], order: byChange) { $0.charts = [.condition(FieldCondition(field: "longdesc", op: .allwords, value: words.common))] }),
            ]
            let quick = try QuickSearch.conditions(
                "OPEN \(words.common)", statuses: ["NEW", "ASSIGNED", "RESOLVED"], resolutions: ["FIXED", "DUPLICATE"])
            for (name, search) in searches + [("a quicksearch", Self.search(quick))] {
                for viewer in [Self.outsider, Self.insider] {
                    let (walked, matched) = try await database.read { [search] sql in
                        let (walking, matching) = Self.stores(sql)
                        return (
                            try await walking.searchBugIDs(search, viewer: viewer, policy: Policy()),
                            try await matching.searchBugIDs(search, viewer: viewer, policy: Policy())
                        )
                    }
                    #expect(walked == matched, "\(name), \(viewer.groups.isEmpty ? "outsider" : "insider")")
                }
            }
        }
    }

    @Test("a burst of new comments without a common word leaves it common; a word found nowhere is rare", arguments: TestBackend.all)
    func sampleSpreadOverHistory(backend: TestBackend) async throws {
        try await Self.withSeededDatabase(backend) { database, words in
            let (common, absent) = try await database.transaction { sql in
                let store = SQLStore(sql)
                let author = UserSummary(id: 1, login: "", realName: "")
                let now = Date(timeIntervalSince1970: 1_780_000_000)
                // More comments than the whole sample holds, as a script filing bugs writes them.
                for n in 0..<(TextSample.rows + 100) {
                    _ = try await store.insertComment(bugID: 1 + n % 50, author: author, text: "Filed by a script.", isPrivate: false, at: now)
                }
                func isCommon(_ word: String) async throws -> Bool {
                    let search = Self.search([[FieldCondition(field: "longdesc", op: .allwords, value: word)]])
                    let gate = try #require(try store.commonTextCondition(search))
                    let row = try await sql.raw("SELECT CASE WHEN " + gate + " THEN 1 ELSE 0 END AS c").first()
                    return try row?.decode(column: "c", as: Int.self) == 1
                }
                return (try await isCommon(words.common), try await isCommon("zyzzyva"))
            }
            #expect(common)
            #expect(!absent)
        }
    }

    @Test("private comments are found by insiders only, whichever way the search runs", arguments: TestBackend.all)
    func privateComments(backend: TestBackend) async throws {
        try await Self.withSeededDatabase(backend) { database, _ in
            let search = Self.search([[FieldCondition(field: "longdesc", op: .allwords, value: "wombat")]])
            for common in [1, 1_000_000] {
                let (outside, inside) = try await database.read { sql in
                    var store = SQLStore(sql)
                    store.commonTextRows = common
                    return (
                        try await store.searchBugIDs(search, viewer: Self.outsider, policy: Policy()),
                        try await store.searchBugIDs(search, viewer: Self.insider, policy: Policy())
                    )
                }
                #expect(outside == [])
                #expect(inside == [Self.privateBug])
            }
        }
    }

    @Test("a common word walks the bugs in the page's order and looks each up in the index, reading no match first", arguments: TestBackend.all)
    func commonWordPlan(backend: TestBackend) async throws {
        try await Self.withSeededDatabase(backend) { database, words in
            let search = Self.search([[FieldCondition(field: "longdesc", op: .allwords, value: words.common)]], order: [BugOrder(column: .lastChangeTime, descending: true)])
            let lines = try await database.transaction { [search] sql in
                let recorder = PlanRecorder(base: sql, kind: database.kind)
                var store = SQLStore(recorder)
                store.commonTextRows = 1
                _ = try await store.searchBugIDs(search, viewer: Self.outsider, policy: Policy())
                return recorder.lines
            }
            let text = lines.joined(separator: "\n")
            switch backend {
            case .sqlite:
                // The walked half: bugs in the change index, each comment looked up in the index by its rowid.
                #expect(lines.contains { $0.contains("SCAN b USING INDEX bugs_changed") }, "\(text)")
                #expect(lines.contains { $0.contains("comment_fts VIRTUAL TABLE INDEX") && $0.contains("=") }, "\(text)")
            case .postgres:
                // The walked half: bugs in the change index, each one's comments by its key, tested one by one.
                #expect(text.contains("using bugs_changed on bugs b\n"), "\(text)")
                #expect(text.contains("Index Cond: (bug_id = b.id)"), "\(text)")
            }
        }
    }

    private static let privateBug = 7

    /// A migrated database with 2,000 seeded bugs, a rare word in the comments of two of them, a
    /// word in one private comment, and the seed's commonest comment word and a phrase of it.
    private static func withSeededDatabase(
        _ backend: TestBackend, _ body: @escaping @Sendable (any Database, (common: String, phrase: String)) async throws -> Void
    ) async throws {
        try await backend.withMigratedDatabase { database in
            let generator = SeedGenerator(plan: SeedPlan(bugs: 2_000, randomSeed: 3, endTime: 1_780_000_000))
            _ = try await SeedLoader(database: database).load(generator, append: false, passwordHash: "!")
            let words = try await database.transaction { sql in
                let store = SQLStore(sql)
                let author = UserSummary(id: 1, login: "", realName: "")
                let now = Date(timeIntervalSince1970: 1_780_000_000)
                for bug in [5, 1_500] {
                    _ = try await store.insertComment(bugID: bug, author: author, text: "A quokka was seen.", isPrivate: false, at: now)
                }
                _ = try await store.insertComment(bugID: privateBug, author: author, text: "Only insiders know the wombat.", isPrivate: true, at: now)
                let bodies = try await sql.raw("SELECT body FROM comments ORDER BY id DESC LIMIT 500").all().map { try $0.decode(column: "body", as: String.self) }
                var counts: [String: Int] = [:]
                for body in bodies { for word in Set(TextQuery.words(of: body.lowercased())) where word.count >= 5 { counts[word, default: 0] += 1 } }
                let common = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key ?? ""
                let phrase = bodies.lazy.compactMap { body -> String? in
                    let words = TextQuery.words(of: body.lowercased())
                    guard let index = words.firstIndex(of: common), index + 1 < words.count else { return nil }
                    return words[index] + " " + words[index + 1]
                }.first ?? common
                return (common, phrase)
            }
            try await body(database, words)
        }
    }
}
