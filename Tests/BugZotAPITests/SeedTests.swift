import BugZotDomain
import BugZotREST
import BugZotSeed
import BugZotServices
@testable import BugZotStorage
import BugZotWire
import Foundation
import HTTPTypes
import SQLKit
import Synchronization
import Testing

@Suite("bugzot seed: generated data through the bulk path")
struct SeedTests {
    /// A fixed plan: the same data whenever the tests run.
    private static func plan(bugs: Int = 200, seed: UInt64 = 7) -> SeedPlan {
        SeedPlan(bugs: bugs, randomSeed: seed, endTime: 1_780_000_000)
    }

    @Test("the same seed gives the same bugs, whatever the batches; another seed gives others")
    func deterministic() {
        let first = SeedGenerator(plan: Self.plan())
        let again = SeedGenerator(plan: Self.plan())
        #expect(first.catalog == again.catalog)
        #expect(first.bugs(0..<50, firstBugID: 1) == again.bugs(0..<20, firstBugID: 1) + again.bugs(20..<50, firstBugID: 1))
        #expect(SeedGenerator(plan: Self.plan(seed: 8)).bugs(0..<50, firstBugID: 1) != first.bugs(0..<50, firstBugID: 1))
    }

    @Test("the data is skewed as real trackers are")
    func skewed() {
        let generator = SeedGenerator(plan: Self.plan(bugs: 5_000))
        let bugs = generator.bugs(0..<5_000, firstBugID: 1)
        let comments = bugs.map(\.comments.count)
        let mean = Double(comments.reduce(0, +)) / Double(bugs.count)
        #expect((4.0...6.5).contains(mean), "about 5 comments per bug: \(mean)")
        #expect(comments.max() ?? 0 >= 100, "a few bugs have hundreds of comments")
        let closed = bugs.filter { !$0.resolution.isEmpty }.count
        #expect(closed > bugs.count * 7 / 10, "most bugs are closed: \(closed)")
        let perProduct = Dictionary(grouping: bugs, by: \.product).values.map(\.count).sorted(by: >)
        #expect(perProduct[0] > bugs.count / 4, "the biggest product holds a large share: \(perProduct)")
        let perAssignee = Dictionary(grouping: bugs, by: \.assignee).values.map(\.count).sorted(by: >)
        #expect(perAssignee[0] > 3 * perAssignee[perAssignee.count / 2], "a few people hold most assignments: \(perAssignee)")
        let newestHalf = bugs.filter { $0.createdAt > (generator.plan.startTime + generator.plan.endTime) / 2 }.count
        #expect(newestHalf > bugs.count * 6 / 10, "recent activity is denser: \(newestHalf)")
        #expect(bugs.contains { !$0.groups.isEmpty } && bugs.contains { !$0.dependsOn.isEmpty } && bugs.contains { $0.dupeOf != nil })
        #expect(bugs.allSatisfy { bug in bug.dependsOn.allSatisfy { $0 < bug.id } && (bug.dupeOf ?? 0) < bug.id })
    }

    @Test("a seeded site: REST sees every bug, counts match, confidential bugs are hidden from outsiders", arguments: TestBackend.all)
    func seededSite(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let database = site.services.database
            let generator = try await Self.generator(for: database)
            let summary = try await SeedLoader(database: database, batchSize: 64).load(generator, append: false, passwordHash: "!")
            let bugs = generator.bugs(0..<200, firstBugID: summary.firstBugID)
            #expect(summary.bugs == 200 && summary.comments == bugs.map(\.comments.count).reduce(0, +))
            #expect(try await site.get("/rest/bug?count_only=1", as: "admin").expect(.ok)["bug_count"] == .int(200))
            let confidential = bugs.filter { !$0.groups.isEmpty }
            #expect(!confidential.isEmpty)
            #expect(try await site.get("/rest/bug?count_only=1", as: "outsider").expect(.ok)["bug_count"] == .int(200 - confidential.count))
            try await site.get("/rest/bug/\(confidential[0].id)", as: "outsider").expectError(101, .notFound)
            #expect(try await site.bug(confidential[0].id)["groups"].array.count == 1)

            let busiest = try #require(bugs.max { $0.comments.count < $1.comments.count })
            let comments = try await site.get("/rest/bug/\(busiest.id)/comment", as: "admin").expect(.ok)["bugs"]["\(busiest.id)"]["comments"]
            #expect(comments.array.count == busiest.comments.count)
            #expect(comments[0]["text"] == .string(busiest.comments[0].body))
            let bug = try await site.bug(busiest.id)
            #expect(bug["summary"] == .string(busiest.summary) && bug["status"] == .string(busiest.status))
            #expect(bug["depends_on"].array.count == busiest.dependsOn.count)
            let history = try await site.get("/rest/bug/\(busiest.id)/history", as: "admin").expect(.ok)["bugs"][0]["history"]
            #expect(history.array.count == Set(busiest.history.map(\.changeSet)).count)

            // Text in comments is found like any comment's (the full-text index is kept by the same inserts).
            let withWord = bugs.filter { $0.comments.contains { $0.body.contains("bisected") } }.count
            #expect(try await site.get("/rest/bug?longdesc=bisected&count_only=1", as: "admin").expect(.ok)["bug_count"] == .int(withWord))

            // A new bug after the seeded ones gets the next id, and its comments number on.
            let filed = try await site.fileBug("After the seed")
            #expect(filed == summary.firstBugID + 200)
        }
    }

    @Test("a database with bugs is left as it is, unless appending", arguments: TestBackend.all)
    func refusesToMix(backend: TestBackend) async throws {
        try await backend.withMigratedDatabase { database in
            let generator = try await Self.generator(for: database)
            let loader = SeedLoader(database: database, batchSize: 100)
            let first = try await loader.load(generator, append: false, passwordHash: "!")
            let counts = try await Self.counts(database)
            await #expect(throws: SeedRefusal.self) { try await loader.load(generator, append: false, passwordHash: "!") }
            #expect(try await Self.counts(database) == counts)

            let second = try await loader.load(generator, append: true, passwordHash: "!")
            #expect(second.firstBugID == first.firstBugID + 200 && second.usersCreated == 0)
            let after = try await Self.counts(database)
            #expect(after.bugs == 400 && after.users == counts.users && after.products == counts.products)
        }
    }

    @Test("the same seed writes the same rows", arguments: TestBackend.all)
    func sameRows(backend: TestBackend) async throws {
        let digests = Digests()
        for _ in 0..<2 {
            try await backend.withMigratedDatabase { database in
                let generator = try await Self.generator(for: database)
                _ = try await SeedLoader(database: database, batchSize: 50).load(generator, append: false, passwordHash: "!")
                let rows = try await database.read { sql in
                    try await sql.raw(
                        """
                        SELECT b.id, b.summary, b.status, b.resolution, u.login_name, p.name AS product,
                            (SELECT COUNT(*) FROM comments c WHERE c.bug_id = b.id) AS comments,
                            (SELECT COUNT(*) FROM bug_cc c WHERE c.bug_id = b.id) AS cc
                        FROM bugs b JOIN users u ON u.id = b.assignee_id JOIN products p ON p.id = b.product_id ORDER BY b.id
                        """
                    ).all().map { row in
                        "\(try row.decode(column: "id", as: Int.self)) \(try row.decode(column: "summary", as: String.self)) "
                            + "\(try row.decode(column: "status", as: String.self)) \(try row.decode(column: "resolution", as: String.self)) "
                            + "\(try row.decode(column: "login_name", as: String.self)) \(try row.decode(column: "product", as: String.self)) "
                            + "\(try row.decode(column: "comments", as: Int.self)) \(try row.decode(column: "cc", as: Int.self))"
                    }
                }
                digests.add(rows)
            }
        }
        let all = digests.all
        #expect(all.count == 2 && all[0].count == 200 && all[0] == all[1])
    }

    private static func generator(for database: any Database) async throws -> SeedGenerator {
        let (workflow, fields) = try await database.read { sql in (try await SQLStore(sql).workflow(), try await SQLStore(sql).fieldCatalog()) }
        return SeedGenerator(plan: SeedPlan(bugs: 200, randomSeed: 7, endTime: 1_780_000_000, workflow: workflow, fields: fields))
    }

    private struct Counts: Equatable {
        let bugs: Int, comments: Int, users: Int, products: Int
    }

    private static func counts(_ database: any Database) async throws -> Counts {
        try await database.read { sql in
            func count(_ table: String) async throws -> Int {
                try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()?.decode(column: "n", as: Int.self) ?? -1
            }
            return Counts(bugs: try await count("bugs"), comments: try await count("comments"), users: try await count("users"), products: try await count("products"))
        }
    }
}

/// What each run saw, collected across runs.
private final class Digests: Sendable {
    private let rows = Mutex<[[String]]>([])
    func add(_ digest: [String]) { rows.withLock { $0.append(digest) } }
    var all: [[String]] { rows.withLock { $0 } }
}
