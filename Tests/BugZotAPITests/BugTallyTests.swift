import BugZotREST
import BugZotSeed
import BugZotServices
import BugZotStorage
import BugZotWire
import Foundation
import HTTPTypes
import SQLKit
import Testing

/// Counts on product, component, status and resolution alone are read off a tally the database
/// keeps in step with every write (migration 013). Whatever was written, and whoever asks, they
/// equal the count of the matching bugs themselves.
@Suite("Counts read off the tally equal counting the bugs, after every kind of write")
struct BugTallyTests {
    /// The counts checked, each on the tally's fields only.
    private static let queries = [
        "product=Widget", "product=Widget&status=NEW", "product=Widget&component=Backend&status=NEW", "component=UI",
        "resolution=---", "status=RESOLVED&resolution=FIXED", "product=Gadget", "product=Widget&product=Gadget&status=ASSIGNED",
        "product=Widget&resolution=---&resolution=FIXED", "product=Nothing",
    ]
    private static let viewers: [String?] = [nil, "outsider", "reporter", "dev", "insider", "admin"]

    /// Each query's count as each viewer gets it equals the count of the same search made with a
    /// condition that holds for every bug (so counted bug by bug, not off the tally), and the
    /// tally's sums equal the bugs' own numbers.
    private static func expectInStep(_ site: TestSite, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for query in queries {
            for viewer in viewers {
                let tallied = try await site.get("/rest/bug?\(query)&count_only=1", as: viewer).expect(.ok)["bug_count"].int
                let counted = try await site.get("/rest/bug?\(query)&f1=bug_id&o1=greaterthan&v1=0&count_only=1", as: viewer)
                    .expect(.ok)["bug_count"].int
                #expect(tallied == counted, "\(query) as \(viewer ?? "anonymous")", sourceLocation: sourceLocation)
            }
        }
        #expect(try await outOfStep(site.services.database) == 0, "tally rows that disagree with the bugs", sourceLocation: sourceLocation)
    }

    /// How many (product, component, status, resolution) keys whose tally differs from the bugs'.
    private static func outOfStep(_ database: any Database) async throws -> Int {
        try await database.read { sql in
            try #require(
                try await sql.raw(
                    """
                    SELECT CAST(COUNT(*) AS BIGINT) AS n FROM (
                        SELECT product_id, component_id, status, resolution, SUM(n) AS n FROM bug_tally
                        GROUP BY product_id, component_id, status, resolution
                    ) t FULL OUTER JOIN (
                        SELECT product_id, component_id, status, resolution, COUNT(*) AS n FROM bugs
                        GROUP BY product_id, component_id, status, resolution
                    ) b ON b.product_id = t.product_id AND b.component_id = t.component_id AND b.status = t.status
                        AND b.resolution = t.resolution
                    WHERE COALESCE(t.n, 0) <> COALESCE(b.n, 0)
                    """
                ).first()
            ).decode(column: "n", as: Int.self)
        }
    }

    @Test("filing, changing status, resolution, component and product, and groups keep counts right for everyone", arguments: TestBackend.all)
    func writesKeepTheTally(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            try await site.post("/rest/product", ["name": "Gadget", "description": "Gadgets", "version": "1.0"], as: "admin").expect(.created)
            for (product, component) in [("Gadget", "Frontend"), ("Widget", "UI")] {
                try await site.post(
                    "/rest/component",
                    ["product": .string(product), "name": .string(component), "description": "Parts", "default_assignee": "dev@example.com"],
                    as: "admin"
                ).expect(.created)
            }
            let open = try await site.fileBug("Open", as: "reporter")
            let other = try await site.fileBug("Another", as: "dev")
            let secret = try await site.fileSecretBug("Members only")
            let ccd = try await site.fileSecretBug("Outsider CC'd", extra: ["cc": ["outsider@example.com"]])
            try await Self.expectInStep(site)

            try await site.put("/rest/bug/\(open)", ["status": "ASSIGNED"], as: "dev").expect(.ok)
            try await site.put("/rest/bug/\(other)", ["status": "RESOLVED", "resolution": "FIXED"], as: "dev").expect(.ok)
            try await site.put("/rest/bug/\(secret)", ["status": "RESOLVED", "resolution": "FIXED"], as: "admin").expect(.ok)
            try await Self.expectInStep(site)

            try await site.put("/rest/bug/\(other)", ["resolution": "WONTFIX"], as: "dev").expect(.ok)
            try await site.put("/rest/bug/\(ccd)", ["component": "UI"], as: "admin").expect(.ok)
            try await site.put("/rest/bug/\(open)", ["product": "Gadget", "component": "Frontend", "version": "1.0"], as: "admin").expect(.ok)
            try await Self.expectInStep(site)

            try await site.put("/rest/bug/\(open)", ["groups": ["add": ["secret"]]], as: "admin").expect(.ok)
            try await site.put("/rest/bug/\(secret)", ["groups": ["remove": ["secret"]]], as: "admin").expect(.ok)
            try await site.put("/rest/bug/\(ccd)", ["is_cc_accessible": false], as: "admin").expect(.ok)
            try await Self.expectInStep(site)
        }
    }

    @Test("the seed's bulk path (multi-row INSERT, COPY) keeps the tally, confidential bugs included", arguments: TestBackend.all)
    func seedKeepsTheTally(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let database = site.services.database
            let (workflow, fields) = try await database.read { sql in (try await SQLStore(sql).workflow(), try await SQLStore(sql).fieldCatalog()) }
            let generator = SeedGenerator(plan: SeedPlan(bugs: 300, randomSeed: 5, endTime: 1_780_000_000, workflow: workflow, fields: fields))
            _ = try await SeedLoader(database: database, batchSize: 64).load(generator, append: false, passwordHash: "!")
            #expect(try await Self.outOfStep(database) == 0)
            let product = generator.catalog.products[0]
            for query in ["product=\(product.name)", "product=\(product.name)&status=NEW", "product=\(product.name)&resolution=---"] {
                for viewer in Self.viewers {
                    let path = query.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? query
                    let tallied = try await site.get("/rest/bug?\(path)&count_only=1", as: viewer).expect(.ok)["bug_count"].int
                    let counted = try await site.get("/rest/bug?\(path)&f1=bug_id&o1=greaterthan&v1=0&count_only=1", as: viewer)
                        .expect(.ok)["bug_count"].int
                    #expect(tallied == counted, "\(query) as \(viewer ?? "anonymous")")
                }
            }
        }
    }

    @Test("migration 013 tallies the bugs already there", arguments: TestBackend.all)
    func migrationTallies(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let database = site.services.database
            _ = try await site.fileBug("Open", as: "reporter")
            _ = try await site.fileSecretBug("Members only")
            // Back to the schema before 013.
            try await database.transaction { sql in
                let undo = database.kind == .sqlite
                    ? ["bugs_tally_insert", "bugs_tally_delete", "bugs_tally_update", "users_names_insert", "users_names_delete", "users_names_update"]
                        .map { "DROP TRIGGER \($0)" } + ["DROP TABLE user_names"]
                    : ["insert", "delete", "update"].flatMap { ["DROP TRIGGER bugs_tally_\($0) ON bugs", "DROP FUNCTION bugzot_bug_tally_\($0)()"] }
                        + ["DROP INDEX IF EXISTS users_login_name_trigrams", "DROP INDEX IF EXISTS users_real_name_trigrams"]
                let tables = ["DROP TABLE bug_tally", "DROP INDEX bugs_restricted_product", "DROP INDEX bugs_restricted_component"]
                for statement in undo + tables + ["DELETE FROM schema_migrations WHERE name = '013_bug_tally'"] {
                    try await sql.raw(SQLQueryString(statement)).run()
                }
            }
            #expect(try await Migrator.migrate(database) == ["013_bug_tally"])
            try await Self.expectInStep(site)
            _ = try await site.fileBug("Filed after", as: "dev")
            try await Self.expectInStep(site)
            #expect(try await Self.outOfStep(database) == 0)
        }
    }
}
