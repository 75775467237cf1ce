import BugZotDomain
import BugZotSeed
import Foundation
import SQLKit

/// Writes a `SeedGenerator`'s data through the bulk path: the catalog first (what an earlier seed
/// made is found by name and reused), then the bugs a batch per transaction, each batch generated
/// while the one before is written. Refuses a database that already has bugs unless told to append.
public struct SeedLoader: Sendable {
    /// How far a load has come, after each batch.
    public struct Progress: Sendable {
        public let bugs: Int
        public let comments: Int
        public let total: Int
        public let elapsed: Duration
    }

    /// What a load wrote.
    public struct Summary: Sendable {
        public let firstBugID: Int
        public let bugs: Int
        public let comments: Int
        public let history: Int
        public let usersCreated: Int
        public let elapsed: Duration
    }

    public let database: any Database
    /// Bugs per transaction.
    public let batchSize: Int

    public init(database: any Database, batchSize: Int = 5_000) {
        self.database = database
        self.batchSize = max(1, batchSize)
    }

    /// Loads everything `generator` makes. `passwordHash` is stored for every person created (an
    /// unusable one keeps them from logging in; API keys still work).
    public func load(
        _ generator: SeedGenerator, append: Bool, passwordHash: String, progress: @escaping @Sendable (Progress) -> Void = { _ in }
    ) async throws -> Summary {
        let clock = ContinuousClock()
        let started = clock.now
        let kind = database.kind
        let existing: (count: Int, last: Int) = try await database.read { sql in
            let row = try await sql.raw("SELECT COUNT(*) AS n, COALESCE(MAX(id), 0) AS last FROM bugs").first()
            return (try row?.decode(column: "n", as: Int.self) ?? 0, try row?.decode(column: "last", as: Int.self) ?? 0)
        }
        if existing.count > 0 && !append { throw SeedRefusal.hasBugs(existing.count) }
        let catalog = generator.catalog
        let (ids, usersCreated) = try await database.transaction { sql in
            try await Self.writeCatalog(catalog, passwordHash: passwordHash, sql: sql, kind: kind)
        }
        let firstBugID = existing.last + 1
        let total = generator.plan.bugs
        func batch(at start: Int) -> Task<SeedBatch, Never>? {
            guard start < total else { return nil }
            let range = start..<min(total, start + batchSize)
            return Task { SeedBatch(generator.bugs(range, firstBugID: firstBugID), ids: ids) }
        }
        var (written, comments, history) = (0, 0, 0)
        var next = batch(at: 0)
        while let pending = next {
            let rows = await pending.value
            next = batch(at: written + rows.bugCount)
            try await database.transaction { sql in
                let writer = try await bulkWriter(for: sql, kind: kind)
                for table in rows.tables { try await writer.write(table) }
                try await writer.continueIDs(of: "bugs")
            }
            written += rows.bugCount
            comments += rows.commentCount
            history += rows.historyCount
            progress(Progress(bugs: written, comments: comments, total: total, elapsed: clock.now - started))
        }
        // The planner's statistics of the tables written (only those: on PostgreSQL a bare ANALYZE
        // would read every schema's), so that lists use the indexes that fit them from the start.
        try await database.transaction { sql in
            if kind == .sqlite { try await sql.raw("PRAGMA analysis_limit=2000").run() }
            for table in SeedBatch.tableNames + ["users", "user_groups"] { try await sql.raw("ANALYZE \(ident: table)").run() }
        }
        // Batches leave the full-text index in many parts, each of which a lookup seeks in.
        for statement in kind.textSearch.mergeStatements {
            try await database.transaction { sql in try await sql.raw(SQLQueryString(statement)).run() }
        }
        return Summary(
            firstBugID: firstBugID, bugs: written, comments: comments, history: history, usersCreated: usersCreated,
            elapsed: clock.now - started)
    }

    /// Finds or creates every group, keyword, person and product of the catalog; returns the ids.
    private static func writeCatalog(
        _ catalog: SeedCatalog, passwordHash: String, sql: any SQLDatabase, kind: DatabaseKind
    ) async throws -> (SeedIDs, Int) {
        let store = SQLStore(sql)
        let writer = try await bulkWriter(for: sql, kind: kind)
        // Servers running beside the seed forget their catalog and who is in which group at once.
        store.announce(.catalog)
        store.announce(.everyone)

        var groupIDs: [String: Int] = [:]
        let groupNames = Set(catalog.users.flatMap(\.groups) + catalog.groups.map(\.name))
        for group in try await store.groups(names: Array(groupNames)) { groupIDs[group.name] = group.id }
        for group in catalog.groups where groupIDs[group.name] == nil {
            groupIDs[group.name] = try await store.insertGroup(name: group.name, description: group.description, isActive: true, isBugGroup: true)
        }

        var keywordIDs: [String: Int] = [:]
        for row in try await sql.raw("SELECT id, name FROM keywords").all() {
            keywordIDs[try row.decode(column: "name", as: String.self)] = try row.decode(column: "id", as: Int.self)
        }
        var nextKeyword = try await nextID(of: "keywords", sql: sql)
        var keywordRows = BulkRows("keywords", ["id", "name", "description"])
        for keyword in catalog.keywords where keywordIDs[keyword] == nil {
            keywordIDs[keyword] = nextKeyword
            keywordRows.append(.int(nextKeyword), .text(keyword), .text("Added by bugzot seed"))
            nextKeyword += 1
        }
        try await writer.write(keywordRows)
        try await writer.continueIDs(of: "keywords")

        var userIDs: [String: Int] = [:]
        let logins = catalog.users.map(\.login)
        for start in stride(from: 0, to: logins.count, by: 500) {
            for user in try await store.users(logins: Array(logins[start..<min(logins.count, start + 500)])) { userIDs[user.login] = user.id }
        }
        var nextUser = try await nextID(of: "users", sql: sql)
        var userRows = BulkRows("users", ["id", "login_name", "real_name", "password_hash", "is_enabled", "created_at"])
        var memberships = BulkRows("user_groups", ["user_id", "group_id"])
        let now = Int(Date().timeIntervalSince1970)
        var created = 0
        for user in catalog.users where userIDs[user.login] == nil {
            userIDs[user.login] = nextUser
            userRows.append(.int(nextUser), .text(user.login), .text(user.realName), .text(passwordHash), .bool(true), .int(now))
            for group in user.groups {
                if let groupID = groupIDs[group] { memberships.append(.int(nextUser), .int(groupID)) }
            }
            nextUser += 1
            created += 1
        }
        try await writer.write(userRows)
        try await writer.write(memberships)
        try await writer.continueIDs(of: "users")
        let users = catalog.users.map { userIDs[$0.login] ?? 0 }

        guard let classification = try await sql.raw("SELECT id FROM classifications ORDER BY id LIMIT 1").first()?.decode(column: "id", as: Int.self)
        else { throw SeedRefusal.noClassification }
        var productIDs: [Int] = []
        var componentIDs: [[Int]] = []
        let existingProducts = Dictionary(
            try await store.products(names: catalog.products.map(\.name)).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for product in catalog.products {
            let existing = existingProducts[product.name]
            var productID = existing?.id ?? 0
            if existing == nil {
                productID = try await store.insertProduct(
                    name: product.name, description: product.description, classificationID: classification, isActive: true,
                    defaultMilestone: product.milestones[0], allowsUnconfirmed: true)
            }
            productIDs.append(productID)
            for version in product.versions where !(existing?.versions.contains { $0.name == version } ?? false) {
                _ = try await store.insertVersion(productID: productID, name: version)
            }
            for milestone in product.milestones where !(existing?.milestones.contains { $0.name == milestone } ?? false) {
                _ = try await store.insertMilestone(productID: productID, name: milestone)
            }
            var components: [Int] = []
            for component in product.components {
                if let found = existing?.components.first(where: { $0.name == component.name }) {
                    components.append(found.id)
                } else {
                    components.append(
                        try await store.insertComponent(
                            productID: productID, name: component.name, description: component.description,
                            assigneeID: users[component.defaultAssignee], qaContactID: component.defaultQAContact.map { users[$0] },
                            isActive: true, defaultCC: []))
                }
            }
            componentIDs.append(components)
        }
        let ids = SeedIDs(
            users: users, groups: catalog.groups.map { groupIDs[$0.name] ?? 0 }, products: productIDs, components: componentIDs,
            keywords: catalog.keywords.map { keywordIDs[$0] ?? 0 })
        return (ids, created)
    }

    private static func nextID(of table: String, sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("SELECT COALESCE(MAX(id), 0) + 1 AS next FROM \(ident: table)").first()?.decode(column: "next", as: Int.self) ?? 1
    }
}

/// The database ids of the catalog's entries, by their positions in the `SeedCatalog`.
struct SeedIDs: Sendable {
    let users: [Int]
    let groups: [Int]
    let products: [Int]
    let components: [[Int]]
    let keywords: [Int]
}

/// One batch of generated bugs as the rows of each table, in the order foreign keys need.
struct SeedBatch: Sendable {
    static let tableNames = ["bugs", "bug_groups", "bug_cc", "bug_keywords", "bug_dependencies", "comments", "bug_history"]
    let tables: [BulkRows]
    let bugCount: Int
    let commentCount: Int
    let historyCount: Int

    init(_ bugs: [SeedBug], ids: SeedIDs) {
        var rows = BulkRows(
            "bugs",
            [
                "id", "product_id", "component_id", "version", "target_milestone", "summary", "status", "resolution", "severity",
                "priority", "op_sys", "platform", "reporter_id", "assignee_id", "qa_contact_id", "dupe_of", "is_confirmed",
                "created_at", "last_change_at",
            ])
        var groups = BulkRows("bug_groups", ["bug_id", "group_id"])
        var cc = BulkRows("bug_cc", ["bug_id", "user_id"])
        var keywords = BulkRows("bug_keywords", ["bug_id", "keyword_id"])
        var dependencies = BulkRows("bug_dependencies", ["blocked_id", "depends_on_id"])
        var comments = BulkRows("comments", ["bug_id", "count", "author_id", "body", "is_private", "created_at"])
        var history = BulkRows("bug_history", ["bug_id", "change_set", "who_id", "changed_at", "field", "removed", "added"])
        var (commentCount, historyCount) = (0, 0)
        for bug in bugs {
            let id = BulkValue.int(bug.id)
            rows.append(
                id, .int(ids.products[bug.product]), .int(ids.components[bug.product][bug.component]), .text(bug.version),
                .text(bug.targetMilestone), .text(bug.summary), .text(bug.status), .text(bug.resolution), .text(bug.severity),
                .text(bug.priority), .text(bug.opSys), .text(bug.platform), .int(ids.users[bug.reporter]), .int(ids.users[bug.assignee]),
                bug.qaContact.map { .int(ids.users[$0]) } ?? .null, bug.dupeOf.map { .int($0) } ?? .null, .bool(bug.isConfirmed),
                .int(bug.createdAt), .int(bug.lastChangeAt))
            for group in bug.groups { groups.append(id, .int(ids.groups[group])) }
            for user in bug.cc { cc.append(id, .int(ids.users[user])) }
            for keyword in bug.keywords { keywords.append(id, .int(ids.keywords[keyword])) }
            for other in bug.dependsOn { dependencies.append(id, .int(other)) }
            for (count, comment) in bug.comments.enumerated() {
                comments.append(id, .int(count), .int(ids.users[comment.author]), .text(comment.body), .bool(comment.isPrivate), .int(comment.at))
            }
            for change in bug.history {
                history.append(
                    id, .text("seed-\(bug.id)-\(change.changeSet)"), .int(ids.users[change.who]), .int(change.at), .text(change.field),
                    .text(change.removed), .text(change.added))
            }
            commentCount += bug.comments.count
            historyCount += bug.history.count
        }
        tables = [rows, groups, cc, keywords, dependencies, comments, history]
        assert(tables.map(\.table) == Self.tableNames)
        bugCount = bugs.count
        self.commentCount = commentCount
        self.historyCount = historyCount
    }
}

/// Why `bugzot seed` leaves a database as it is.
public enum SeedRefusal: Error, CustomStringConvertible {
    /// It has bugs, and appending was not asked for.
    case hasBugs(Int)
    /// It has no classification to file products under (not migrated).
    case noClassification

    public var description: String {
        switch self {
        case .hasBugs(let count):
            "The database already has \(count) bugs; seed leaves it as it is. Pass --append to add the generated bugs after them, or seed an empty database."
        case .noClassification:
            "The database has no classification to file products under; run bugzot migrate first."
        }
    }
}
