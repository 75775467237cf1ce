import BugZotDomain
import BugZotSeed
@testable import BugZotStorage
import Foundation
import Logging
import NIOCore
import SQLKit
import Synchronization
import Testing

/// The lists people run most are served by an index in the page's order: no scan of the whole
/// table, no sort of the matching set, so a page of 25 costs the same at a million bugs as at a
/// thousand. Plans are asked of the database for the very statements the store runs, over seeded
/// data after ANALYZE. PostgreSQL's planner rightly scans a table this small, so it is asked with
/// sequential scans and sorts priced out: what is checked is that an index fitting the query
/// exists, and that the query is written so the planner can use it.
@Suite("List and search plans use the indexes that fit them")
struct ListPlanTests {
    /// Someone signed in, in no group: visibility applies.
    private static let viewer = Principal(user: UserSummary(id: 3, login: "x@example.com", realName: "X"), groups: [])

    private static func search(_ build: (inout BugSearch) -> Void) -> BugSearch {
        var search = BugSearch()
        search.limit = 25
        build(&search)
        return search
    }

    private static let byLastChange = [BugOrder(column: .lastChangeTime, descending: true)]

    @Test("open bugs of a product, newest change first: the product index, no sort", arguments: TestBackend.all)
    func productByChange(backend: TestBackend) async throws {
        try await Self.withSeededDatabase(backend) { database, names in
            let plan = try await Self.plan(
                of: Self.search {
                    $0.products = [names.product]
                    $0.resolutions = [""]
                    $0.order = Self.byLastChange
                }, on: database)
            Self.expect(plan, uses: "bugs_product_resolution_changed", backend: backend)
        }
    }

    @Test("component and status: the component index, no sort", arguments: TestBackend.all)
    func componentAndStatus(backend: TestBackend) async throws {
        try await Self.withSeededDatabase(backend) { database, names in
            let plan = try await Self.plan(
                of: Self.search {
                    $0.products = [names.product]
                    $0.components = [names.component]
                    $0.statuses = ["NEW"]
                    $0.order = Self.byLastChange
                }, on: database)
            Self.expect(plan, uses: "bugs_component_status_changed", backend: backend)
            // The component names its product: a second equality on the product would have
            // PostgreSQL intersect two indexes and sort every match of a big component.
            let bugConditions = Self.conditions(onBugsIn: plan)
            #expect(!bugConditions.isEmpty && !bugConditions.contains { $0.contains("product_id") }, "\(plan.joined(separator: "\n"))")
        }
    }

    @Test("my bugs: the one user an assignee value matches is an equality on the assignee index, no sort", arguments: TestBackend.all)
    func myBugs(backend: TestBackend) async throws {
        try await Self.withSeededDatabase(backend) { database, _ in
            let plan = try await Self.plan(
                of: Self.search {
                    $0.assignees = ["someone@example.com"]
                    $0.matchedUsers = MatchedUsers(assignees: [7])  // as the store's lookup of the users found them
                    $0.resolutions = [""]
                    $0.order = Self.byLastChange
                }, on: database)
            Self.expect(plan, uses: "bugs_assignee_resolution_changed", backend: backend)
        }
    }

    @Test("a deep page by position starts at the cursor in the change index", arguments: TestBackend.all)
    func deepKeysetPage(backend: TestBackend) async throws {
        try await Self.withSeededDatabase(backend) { database, _ in
            let plan = try await Self.plan(
                of: Self.search {
                    $0.order = Self.byLastChange
                    $0.after = BugCursor(value: .number(1_700_000_000), id: 500)
                }, on: database)
            Self.expect(plan, uses: "bugs_changed", backend: backend)
        }
    }

    @Test("a quicksearch of one product's open bugs and a word walks that product's open bugs in id order, testing the word's alternatives on each, no sort", arguments: TestBackend.all)
    func quicksearchOfAProduct(backend: TestBackend) async throws {
        try await Self.withSeededDatabase(backend) { database, names in
            let conditions = try QuickSearch.conditions(
                "OPEN product:\(names.product.lowercased()) crash", statuses: ["NEW"], resolutions: ["FIXED"], products: [names.product, "Other"])
            let plan = try await Self.plan(of: Self.search { $0.conditions = conditions }, on: database)
            Self.expect(plan, uses: "bugs_product_resolution_id", backend: backend)
        }
    }

    @Test("counting a product's bugs of one status sums its tally and checks its confidential bugs of that status only", arguments: TestBackend.all)
    func countByStatus(backend: TestBackend) async throws {
        try await Self.withSeededDatabase(backend) { database, names in
            let plan = try await Self.plan(
                of: Self.search {
                    $0.products = [names.product]
                    $0.statuses = ["NEW"]
                }, on: database, count: true)
            Self.expect(plan, uses: "bugs_restricted_product", backend: backend)
            let text = plan.joined(separator: "\n")
            switch backend {
            case .sqlite: #expect(plan.contains { $0.hasPrefix("SEARCH t USING") && $0.contains("(product_id=") }, "\(text)")
            case .postgres: #expect(text.contains("using bug_tally_pkey on bug_tally t"), "\(text)")
            }
        }
    }

    @Test("counting a component's bugs of one status: its tally, its confidential bugs of that status", arguments: TestBackend.all)
    func countByComponentAndStatus(backend: TestBackend) async throws {
        try await Self.withSeededDatabase(backend) { database, names in
            let plan = try await Self.plan(
                of: Self.search {
                    $0.products = [names.product]
                    $0.components = [names.component]
                    $0.statuses = ["NEW"]
                }, on: database, count: true)
            Self.expect(plan, uses: "bugs_restricted_component", backend: backend)
        }
    }

    @Test("loading bugs by id or alias reads them by key, never the whole table", arguments: TestBackend.all, [false, true])
    func loadByKey(backend: TestBackend, byAlias: Bool) async throws {
        try await Self.withSeededDatabase(backend) { database, _ in
            let plan = try await database.transaction { sql in
                let recorder = PlanRecorder(base: sql, kind: database.kind)
                _ = try await SQLStore(recorder).loadBugs(
                    ids: [5, 7], aliases: byAlias ? ["crash-on-save"] : [], seenBy: (Self.viewer, Policy()))
                return recorder.lines
            }
            let text = plan.joined(separator: "\n")
            #expect(!plan.isEmpty)
            #expect(!plan.contains { $0.hasPrefix("SCAN b") } && !text.contains("Seq Scan on bugs"), "\(text)")
        }
    }

    @Test("a page of a list is planned once per connection, then runs its generic plan", arguments: TestBackend.all.filter { $0 == .postgres })
    func pagePlannedOnce(backend: TestBackend) async throws {
        try await Self.withSeededDatabase(backend) { database, names in
            let search = Self.search {
                $0.products = [names.product]
                $0.resolutions = [""]
                $0.order = Self.byLastChange
            }
            let (generic, custom) = try await database.read { sql in
                for _ in 1...8 { _ = try await SQLStore(sql).searchBugIDs(search, viewer: Self.viewer, policy: Policy()) }
                let row = try await sql.raw(
                    "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE \(bind: "SELECT b.id FROM bugs b%")"
                ).first()
                return (try row?.decode(column: "generic_plans", as: Int.self), try row?.decode(column: "custom_plans", as: Int.self))
            }
            // PostgreSQL plans the first five runs for their values, then keeps the generic plan
            // if it costs no more (a bound LIMIT made it look dearer, so every page was planned).
            #expect(custom == 5 && generic == 3)
        }
    }

    @Test("a full-text page runs unprepared, planned for its words every time", arguments: TestBackend.all.filter { $0 == .postgres })
    func textPagePlannedForItsWords(backend: TestBackend) async throws {
        try await Self.withSeededDatabase(backend) { database, _ in
            let (statements, generic) = try await database.read { sql in
                for words in ["stack trace", "still", "crash"] {
                    let search = Self.search {
                        $0.conditions = [[FieldCondition(field: "longdesc", op: .substring, value: words)]]
                        $0.limit = 25
                    }
                    for _ in 1...8 { _ = try await SQLStore(sql).searchBugIDs(search, viewer: Self.viewer, policy: Policy()) }
                }
                let row = try await sql.raw(
                    """
                    SELECT COUNT(*) AS statements, CAST(COALESCE(SUM(generic_plans), 0) AS BIGINT) AS generic
                    FROM pg_prepared_statements WHERE statement LIKE \(bind: "%search_words @@%")
                    """
                ).first()
                return (try row?.decode(column: "statements", as: Int.self), try row?.decode(column: "generic", as: Int.self))
            }
            // Planned for their words every time: a plan for any words would walk or gather as
            // if every word were as common as the next (a phrase's took seconds at a million bugs).
            #expect(statements == 0 && generic == 0)
        }
    }

    // MARK: Support

    /// Checks that the plan reads the bugs through `index` and sorts nothing; visibility's probes
    /// (bug_groups, bug_cc) must be index lookups too.
    private static func expect(_ plan: [String], uses index: String, backend: TestBackend, sourceLocation: SourceLocation = #_sourceLocation) {
        let text = plan.joined(separator: "\n")
        switch backend {
        case .sqlite:
            #expect(plan.contains { $0.contains("USING INDEX \(index) (") || $0.contains("USING COVERING INDEX \(index) (") }, "\(text)", sourceLocation: sourceLocation)
            #expect(!text.contains("TEMP B-TREE"), "\(text)", sourceLocation: sourceLocation)
            #expect(!plan.contains { $0 == "SCAN b" || $0.hasPrefix("SCAN b ") }, "\(text)", sourceLocation: sourceLocation)
        case .postgres:
            #expect(text.contains("Index Scan using \(index) on bugs") || text.contains("Index Only Scan using \(index) on bugs"), "\(text)", sourceLocation: sourceLocation)
            #expect(!plan.contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("Sort") || $0.contains("-> Sort") }, "\(text)", sourceLocation: sourceLocation)
            // The page's own scan (a full-text alternative's scan of the index, `bugs ts`, may be a sequential one here).
            #expect(!plan.contains { $0.hasSuffix("Seq Scan on bugs b") }, "\(text)", sourceLocation: sourceLocation)
            // Visibility probes each bug read; it never hashes every confidential bug first.
            #expect(!text.contains("hashed SubPlan") && !text.contains("on bug_groups vg") || text.contains("Index Only Scan using bug_groups_pkey on bug_groups vg"), "\(text)", sourceLocation: sourceLocation)
        }
    }

    /// The conditions the plan tests on the rows of `bugs b` as it reads them (SQLite's index
    /// terms, PostgreSQL's Index Cond and Filter lines of that scan).
    private static func conditions(onBugsIn plan: [String]) -> [String] {
        guard let scan = plan.firstIndex(where: { $0.contains(" on bugs b") || $0.hasPrefix("SEARCH b ") || $0.hasPrefix("SCAN b") }) else { return [] }
        if !plan[scan].contains(" on bugs b") { return [plan[scan]] }
        let details = plan[(scan + 1)...].prefix { !$0.contains("->") && !$0.contains("SubPlan") }
        return details.map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("Index Cond:") || $0.hasPrefix("Filter:") }
    }

    /// The plan of the statement the store runs for `search` (its rows are not read).
    private static func plan(of search: BugSearch, on database: any Database, count: Bool = false) async throws -> [String] {
        try await database.transaction { sql in
            if database.kind == .postgres {
                for setting in ["enable_seqscan", "enable_sort", "enable_bitmapscan"] {
                    try await sql.raw("SET LOCAL \(unsafeRaw: setting) = off").run()
                }
            }
            let recorder = PlanRecorder(base: sql, kind: database.kind)
            if count {
                _ = try? await SQLStore(recorder).countBugs(search, viewer: viewer, policy: Policy())
            } else {
                _ = try await SQLStore(recorder).searchBugIDs(search, viewer: viewer, policy: Policy())
            }
            return recorder.lines
        }
    }

    /// A migrated database with 2,000 seeded bugs (statistics gathered), and the names of its
    /// biggest product and that product's biggest component.
    private static func withSeededDatabase(
        _ backend: TestBackend, _ body: @escaping @Sendable (any Database, (product: String, component: String)) async throws -> Void
    ) async throws {
        try await backend.withMigratedDatabase { database in
            let generator = SeedGenerator(plan: SeedPlan(bugs: 2_000, randomSeed: 3, endTime: 1_780_000_000))
            _ = try await SeedLoader(database: database).load(generator, append: false, passwordHash: "!")
            let product = generator.catalog.products[0]
            try await body(database, (product.name, product.components[0].name))
        }
    }
}

/// Instead of running each statement, asks the database for its plan and keeps the plan's lines
/// (the statement returns no rows).
final class PlanRecorder: SQLDatabase, Sendable {
    let base: any SQLDatabase
    let kind: DatabaseKind
    private let recorded = Mutex<[String]>([])

    init(base: any SQLDatabase, kind: DatabaseKind) {
        self.base = base
        self.kind = kind
    }

    var lines: [String] { recorded.withLock { $0 } }
    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        base.execute(sql: Explained(kind: kind, query: query)) { [self] row in
            let line = (try? row.decode(column: kind == .sqlite ? "detail" : "QUERY PLAN", as: String.self)) ?? ""
            recorded.withLock { $0.append(line) }
        }
    }
}

/// `EXPLAIN` in front of a statement.
private struct Explained: SQLExpression {
    let kind: DatabaseKind
    let query: any SQLExpression

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write(kind == .sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN (COSTS OFF) ")
        query.serialize(to: &serializer)
    }
}
