import BugZotREST
import BugZotSeed
import BugZotServices
import BugZotStorage
import BugZotWire
import Foundation
import HTTPTypes
import SQLKit
import Testing

@Suite("Bugs in a group are marked restricted by the database, and counts see what each person may see")
struct RestrictedBugTests {
    /// Whether storage has marked the bug as in a group (`bugs.is_restricted`).
    private static func isRestricted(_ id: Int, in site: TestSite) async throws -> Bool {
        try await site.services.database.read { sql in
            try #require(
                try await sql.raw("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM bugs WHERE id = \(bind: id) AND is_restricted = TRUE").first()
            ).decode(column: "n", as: Int.self) == 1
        }
    }

    /// How many bugs whose flag disagrees with their groups.
    private static func outOfStep(in database: any Database) async throws -> Int {
        try await database.read { sql in
            try #require(
                try await sql.raw(
                    """
                    SELECT CAST(COUNT(*) AS BIGINT) AS n FROM bugs b
                    WHERE b.is_restricted <> EXISTS (SELECT 1 FROM bug_groups g WHERE g.bug_id = b.id)
                    """
                ).first()
            ).decode(column: "n", as: Int.self)
        }
    }

    private static func count(_ site: TestSite, as user: String?) async throws -> Int {
        try await site.get("/rest/bug?product=Widget&count_only=1", as: user).expect(.ok)["bug_count"].int
    }

    @Test("filing with groups, adding and removing them keep the flag in step", arguments: TestBackend.all)
    func flagFollowsGroups(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            try await site.post("/rest/group", ["name": "legal", "description": "Legal"], as: "admin").expect(.created)
            let open = try await site.fileBug("Open", as: "dev")
            let secret = try await site.fileBug("Secret", as: "admin", extra: ["groups": ["secret"]])
            #expect(try await !Self.isRestricted(open, in: site))
            #expect(try await Self.isRestricted(secret, in: site))

            try await site.put("/rest/bug/\(open)", ["groups": ["add": ["secret", "legal"]]], as: "admin").expect(.ok)
            #expect(try await Self.isRestricted(open, in: site))
            try await site.put("/rest/bug/\(open)", ["groups": ["remove": ["secret"]]], as: "admin").expect(.ok)
            #expect(try await Self.isRestricted(open, in: site), "still in one group")
            try await site.put("/rest/bug/\(open)", ["groups": ["remove": ["legal"]]], as: "admin").expect(.ok)
            #expect(try await !Self.isRestricted(open, in: site))
            try await site.put("/rest/bug/\(secret)", ["groups": ["remove": ["secret"]]], as: "admin").expect(.ok)
            #expect(try await !Self.isRestricted(secret, in: site))
            #expect(try await Self.outOfStep(in: site.services.database) == 0)
        }
    }

    @Test("the seed's bulk path (multi-row INSERT, COPY) marks every bug in a group", arguments: TestBackend.all)
    func seededBugsAreMarked(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let database = site.services.database
            let (workflow, fields) = try await database.read { sql in (try await SQLStore(sql).workflow(), try await SQLStore(sql).fieldCatalog()) }
            let generator = SeedGenerator(plan: SeedPlan(bugs: 100, randomSeed: 3, endTime: 1_780_000_000, workflow: workflow, fields: fields))
            let summary = try await SeedLoader(database: database, batchSize: 32).load(generator, append: false, passwordHash: "!")
            let marked = try await database.read { sql in
                try #require(try await sql.raw("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM bugs WHERE is_restricted = TRUE").first())
                    .decode(column: "n", as: Int.self)
            }
            #expect(marked == generator.bugs(0..<100, firstBugID: summary.firstBugID).filter { !$0.groups.isEmpty }.count)
            #expect(try await Self.outOfStep(in: database) == 0)
        }
    }

    @Test("migration 012 marks the bugs already in a group", arguments: TestBackend.all)
    func migrationBackfills(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let database = site.services.database
            _ = try await site.fileBug("Open", as: "dev")
            let secrets = [try await site.fileSecretBug("One"), try await site.fileSecretBug("Two")]
            // Back to the schema before 012 (less 013's indexes on its column), with its bugs' groups in place.
            try await database.transaction { sql in
                let later = ["DROP INDEX bugs_restricted_product", "DROP INDEX bugs_restricted_component"]
                let undo = later + (database.kind == .sqlite
                    ? ["DROP TRIGGER bug_groups_restrict", "DROP TRIGGER bug_groups_move", "DROP TRIGGER bug_groups_unrestrict"]
                    : ["DROP TRIGGER bug_groups_restrict ON bug_groups", "DROP FUNCTION bugzot_bug_groups_restrict()"])
                for statement in undo + ["ALTER TABLE bugs DROP COLUMN is_restricted", "DELETE FROM schema_migrations WHERE name = '012_restricted_bugs'"] {
                    try await sql.raw(SQLQueryString(statement)).run()
                }
            }
            #expect(try await Migrator.migrate(database) == ["012_restricted_bugs"])
            #expect(try await Self.outOfStep(in: database) == 0)
            for id in secrets { #expect(try await Self.isRestricted(id, in: site)) }
        }
    }

    @Test("PostgreSQL connections plan without JIT compilation, which cost a large count more than the query")
    func noJIT() async throws {
        guard TestBackend.all.contains(.postgres) else { return }
        try await TestBackend.postgres.withMigratedDatabase { database in
            let jit = try await database.read { sql in try #require(try await sql.raw("SELECT current_setting('jit') AS jit").first()) }
            #expect(try jit.decode(column: "jit", as: String.self) == "off")
        }
    }

    @Test("count_only over open and confidential bugs counts what outsiders, members, reporters and CCs may see", arguments: TestBackend.all)
    func countsByViewer(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            _ = try await site.fileBug("Open one", as: "reporter")
            _ = try await site.fileBug("Open two", as: "dev")
            let membersOnly = try await site.fileSecretBug("Members only")
            let ccd = try await site.fileSecretBug("Outsider CC'd", extra: ["cc": ["outsider@example.com"]])
            let reported = try await site.fileBug("Reported, then made secret", as: "reporter")
            try await site.put("/rest/bug/\(reported)", ["groups": ["add": ["secret"]], "assigned_to": "admin@example.com"], as: "admin")
                .expect(.ok)

            #expect(try await Self.count(site, as: nil) == 2)
            #expect(try await Self.count(site, as: "outsider") == 3, "the open bugs and the one they are CC'd on")
            #expect(try await Self.count(site, as: "reporter") == 3, "the open bugs and the one they reported")
            #expect(try await Self.count(site, as: "dev") == 2)
            #expect(try await Self.count(site, as: "insider") == 5)
            #expect(try await Self.count(site, as: "admin") == 5)

            try await site.put("/rest/bug/\(ccd)", ["is_cc_accessible": false], as: "admin").expect(.ok)
            try await site.put("/rest/bug/\(reported)", ["is_creator_accessible": false], as: "admin").expect(.ok)
            #expect(try await Self.count(site, as: "outsider") == 2)
            #expect(try await Self.count(site, as: "reporter") == 2)
            #expect(try await Self.count(site, as: "insider") == 5)

            try await site.put("/rest/bug/\(membersOnly)", ["groups": ["remove": ["secret"]]], as: "admin").expect(.ok)
            #expect(try await Self.count(site, as: nil) == 3)
            #expect(try await Self.count(site, as: "outsider") == 3)
        }
    }
}
