import BugZotDomain
import Foundation
import SQLKit

extension SQLStore {
    // MARK: Reading

    /// The bugs with these ids, in the order asked; missing ids are skipped. Each query joins
    /// little, because PostgreSQL plans every statement afresh and wide joins cost more to plan
    /// than to run.
    public func bugs(ids: [Int]) async throws -> [Bug] {
        guard !ids.isEmpty else { return [] }
        let idList = inList(ids)
        let rows = try await all(
            """
            SELECT b.*, p.name AS product_name, cl.name AS classification_name, c.name AS component_name
            FROM bugs b
            JOIN products p ON p.id = b.product_id
            JOIN classifications cl ON cl.id = p.classification_id
            JOIN components c ON c.id = b.component_id
            WHERE b.id IN \(idList)
            """)
        let ccRows = try await all("SELECT bug_id, user_id FROM bug_cc WHERE bug_id IN \(idList)")
        var peopleIDs = Set<Int>()
        for row in rows {
            peopleIDs.insert(try row.int("reporter_id"))
            peopleIDs.insert(try row.int("assignee_id"))
            if let qaID = try row.optionalInt("qa_contact_id") { peopleIDs.insert(qaID) }
        }
        for row in ccRows { peopleIDs.insert(try row.int("user_id")) }
        var people: [Int: UserSummary] = [:]
        for row in try await all("SELECT id, login_name, real_name FROM users WHERE id IN \(inList(Array(peopleIDs)))") {
            let user = UserSummary(id: try row.int("id"), login: try row.string("login_name"), realName: try row.string("real_name"))
            people[user.id] = user
        }
        func person(_ id: Int) throws -> UserSummary {
            guard let user = people[id] else { throw StoreError.missingUser(id) }
            return user
        }
        var bugs: [Int: Bug] = [:]
        for row in rows {
            let bug = try bug(from: row, person: person)
            bugs[bug.id] = bug
        }
        for row in ccRows {
            bugs[try row.int("bug_id")]?.cc.append(try person(try row.int("user_id")))
        }
        for id in bugs.keys { bugs[id]?.cc.sort { $0.login < $1.login } }
        // The plain-text lists in one round trip.
        let lists = try await all(
            """
            SELECT bug_id, 'alias' AS list, alias AS item FROM bug_aliases WHERE bug_id IN \(idList)
            UNION ALL SELECT bk.bug_id, 'keywords', k.name FROM bug_keywords bk JOIN keywords k ON k.id = bk.keyword_id
                WHERE bk.bug_id IN \(idList)
            UNION ALL SELECT bug_id, 'see_also', url FROM bug_see_also WHERE bug_id IN \(idList)
            UNION ALL SELECT bg.bug_id, 'groups', g.name FROM bug_groups bg JOIN access_groups g ON g.id = bg.group_id
                WHERE bg.bug_id IN \(idList)
            ORDER BY item
            """)
        for row in lists {
            let id = try row.int("bug_id")
            let item = try row.string("item")
            switch try row.string("list") {
            case "alias": bugs[id]?.aliases.append(item)
            case "keywords": bugs[id]?.keywords.append(item)
            case "see_also": bugs[id]?.seeAlso.append(item)
            default: bugs[id]?.groups.append(item)
            }
        }
        for row in try await all(
            "SELECT blocked_id, depends_on_id FROM bug_dependencies WHERE blocked_id IN \(idList) OR depends_on_id IN \(idList) ORDER BY blocked_id, depends_on_id"
        ) {
            let blocked = try row.int("blocked_id")
            let dependsOn = try row.int("depends_on_id")
            bugs[blocked]?.dependsOn.append(dependsOn)
            bugs[dependsOn]?.blocks.append(blocked)
        }
        return ids.compactMap { bugs[$0] }
    }

    public func bug(id: Int) async throws -> Bug? {
        try await bugs(ids: [id]).first
    }

    private func bug(from row: any SQLRow, person: (Int) throws -> UserSummary) throws -> Bug {
        Bug(
            id: try row.int("id"), product: try row.string("product_name"), classification: try row.string("classification_name"),
            component: try row.string("component_name"), version: try row.string("version"),
            targetMilestone: try row.string("target_milestone"), summary: try row.string("summary"),
            status: try row.string("status"), resolution: try row.string("resolution"), severity: try row.string("severity"),
            priority: try row.string("priority"), opSys: try row.string("op_sys"), platform: try row.string("platform"),
            reporter: try person(try row.int("reporter_id")), assignedTo: try person(try row.int("assignee_id")),
            qaContact: try row.optionalInt("qa_contact_id").map(person),
            dupeOf: try row.optionalInt("dupe_of"), url: try row.string("url"), whiteboard: try row.string("whiteboard"),
            deadline: try row.optionalString("deadline"), isCreatorAccessible: try row.bool("is_creator_accessible"),
            isCCAccessible: try row.bool("is_cc_accessible"), isConfirmed: try row.bool("is_confirmed"),
            creationTime: try row.date("created_at"), lastChangeTime: try row.date("last_change_at"))
    }

    /// The bug an alias names.
    public func bugID(alias: String) async throws -> Int? {
        try await first("SELECT bug_id FROM bug_aliases WHERE alias = \(bind: alias)")?.int("bug_id")
    }

    /// Which of `aliases` are taken by bugs other than `bugID`.
    public func aliasesInUse(_ aliases: [String], except bugID: Int) async throws -> [String] {
        try await all("SELECT alias FROM bug_aliases WHERE alias IN \(inList(aliases)) AND bug_id <> \(bind: bugID)").map {
            try $0.string("alias")
        }
    }

    /// Every bug reachable from `start` by following `depends_on` (or `blocks`) links.
    public func dependencyClosure(of start: [Int], following direction: DependencyDirection) async throws -> Set<Int> {
        guard !start.isEmpty else { return [] }
        let (from, to): (SQLQueryString, SQLQueryString) =
            direction == .dependsOn ? ("blocked_id", "depends_on_id") : ("depends_on_id", "blocked_id")
        let rows = try await all(
            """
            WITH RECURSIVE reach(id) AS (
                SELECT \(to) FROM bug_dependencies WHERE \(from) IN \(inList(start))
                UNION SELECT d.\(to) FROM bug_dependencies d JOIN reach ON d.\(from) = reach.id
            ) SELECT id FROM reach
            """)
        return Set(try rows.map { try $0.int("id") })
    }

    /// The chain of duplicates starting at `bugID`: its dupe_of, that bug's dupe_of, and so on.
    public func duplicateChain(from bugID: Int) async throws -> [Int] {
        let rows = try await all(
            """
            WITH RECURSIVE chain(id, depth) AS (
                SELECT dupe_of, 1 FROM bugs WHERE id = \(bind: bugID) AND dupe_of IS NOT NULL
                UNION SELECT b.dupe_of, chain.depth + 1 FROM bugs b JOIN chain ON b.id = chain.id
                WHERE b.dupe_of IS NOT NULL AND chain.depth < 1000
            ) SELECT id FROM chain ORDER BY depth
            """)
        return try rows.map { try $0.int("id") }
    }

    // MARK: Writing

    /// Holds the bugs' rows until the transaction ends, so concurrent changes to one bug queue up
    /// instead of overwriting each other. (SQLite's single writer already serialises them.)
    public func lockBugs(_ ids: [Int]) async throws {
        guard sql.dialect.name != "sqlite", !ids.isEmpty else { return }
        try await run("SELECT id FROM bugs WHERE id IN \(inList(ids.sorted())) ORDER BY id FOR UPDATE")
    }

    /// Stores a new bug with its lists and returns its id.
    public func insertBug(_ bug: Bug) async throws -> Int {
        let (productID, componentID) = try await productAndComponentIDs(product: bug.product, component: bug.component)
        let id = try await insert(
            """
            INSERT INTO bugs (product_id, component_id, version, target_milestone, summary, status, resolution, severity,
                priority, op_sys, platform, reporter_id, assignee_id, qa_contact_id, dupe_of, url, whiteboard, deadline,
                is_creator_accessible, is_cc_accessible, is_confirmed, created_at, last_change_at)
            VALUES (\(bind: productID), \(bind: componentID), \(bind: bug.version), \(bind: bug.targetMilestone), \(bind: bug.summary),
                \(bind: bug.status), \(bind: bug.resolution), \(bind: bug.severity), \(bind: bug.priority), \(bind: bug.opSys),
                \(bind: bug.platform), \(bind: bug.reporter.id), \(bind: bug.assignedTo.id), \(bind: bug.qaContact?.id),
                \(bind: bug.dupeOf), \(bind: bug.url), \(bind: bug.whiteboard), \(bind: bug.deadline), \(bind: bug.isCreatorAccessible),
                \(bind: bug.isCCAccessible), \(bind: bug.isConfirmed), \(bind: bug.creationTime.unixSeconds), \(bind: bug.lastChangeTime.unixSeconds))
            """)
        var empty = bug
        empty.aliases = []
        empty.cc = []
        empty.keywords = []
        empty.blocks = []
        empty.dependsOn = []
        empty.groups = []
        empty.seeAlso = []
        try await updateLists(bugID: id, from: empty, to: bug)
        return id
    }

    /// Writes `new` over `old`: the row and every list that differs.
    public func updateBug(from old: Bug, to new: Bug) async throws {
        let (productID, componentID) = try await productAndComponentIDs(product: new.product, component: new.component)
        try await run(
            """
            UPDATE bugs SET product_id = \(bind: productID), component_id = \(bind: componentID), version = \(bind: new.version),
                target_milestone = \(bind: new.targetMilestone), summary = \(bind: new.summary), status = \(bind: new.status),
                resolution = \(bind: new.resolution), severity = \(bind: new.severity), priority = \(bind: new.priority),
                op_sys = \(bind: new.opSys), platform = \(bind: new.platform), assignee_id = \(bind: new.assignedTo.id),
                qa_contact_id = \(bind: new.qaContact?.id), dupe_of = \(bind: new.dupeOf), url = \(bind: new.url),
                whiteboard = \(bind: new.whiteboard), deadline = \(bind: new.deadline),
                is_creator_accessible = \(bind: new.isCreatorAccessible), is_cc_accessible = \(bind: new.isCCAccessible),
                is_confirmed = \(bind: new.isConfirmed), last_change_at = \(bind: new.lastChangeTime.unixSeconds)
            WHERE id = \(bind: old.id)
            """)
        try await updateLists(bugID: old.id, from: old, to: new)
    }

    /// Marks other bugs changed (their dependency lists moved with this one).
    public func touchBugs(_ ids: [Int], at now: Date) async throws {
        try await run("UPDATE bugs SET last_change_at = \(bind: now.unixSeconds) WHERE id IN \(inList(ids))")
    }

    private func productAndComponentIDs(product: String, component: String) async throws -> (Int, Int) {
        guard let row = try await first(
            "SELECT p.id AS p_id, c.id AS c_id FROM products p JOIN components c ON c.product_id = p.id WHERE p.name = \(bind: product) AND c.name = \(bind: component)"
        ) else { throw DomainError.invalidComponent(component: component, product: product) }
        return (try row.int("p_id"), try row.int("c_id"))
    }

    private func updateLists(bugID id: Int, from old: Bug, to new: Bug) async throws {
        func diff<T: Hashable>(_ before: [T], _ after: [T]) -> (added: [T], removed: [T]) {
            let (beforeSet, afterSet) = (Set(before), Set(after))
            return (after.filter { !beforeSet.contains($0) }, before.filter { !afterSet.contains($0) })
        }
        let aliases = diff(old.aliases, new.aliases)
        if !aliases.removed.isEmpty { try await run("DELETE FROM bug_aliases WHERE bug_id = \(bind: id) AND alias IN \(inList(aliases.removed))") }
        for alias in aliases.added { try await run("INSERT INTO bug_aliases (alias, bug_id) VALUES (\(bind: alias), \(bind: id))") }

        let cc = diff(old.cc.map(\.id), new.cc.map(\.id))
        if !cc.removed.isEmpty { try await run("DELETE FROM bug_cc WHERE bug_id = \(bind: id) AND user_id IN \(inList(cc.removed))") }
        for userID in cc.added { try await run("INSERT INTO bug_cc (bug_id, user_id) VALUES (\(bind: id), \(bind: userID))") }

        let keywords = diff(old.keywords, new.keywords)
        if !keywords.removed.isEmpty {
            try await run(
                "DELETE FROM bug_keywords WHERE bug_id = \(bind: id) AND keyword_id IN (SELECT id FROM keywords WHERE name IN \(inList(keywords.removed)))")
        }
        if !keywords.added.isEmpty {
            try await run(
                "INSERT INTO bug_keywords (bug_id, keyword_id) SELECT \(bind: id), id FROM keywords WHERE name IN \(inList(keywords.added))")
        }

        let blocks = diff(old.blocks, new.blocks)
        if !blocks.removed.isEmpty {
            try await run("DELETE FROM bug_dependencies WHERE depends_on_id = \(bind: id) AND blocked_id IN \(inList(blocks.removed))")
        }
        for blocked in blocks.added {
            try await run("INSERT INTO bug_dependencies (blocked_id, depends_on_id) VALUES (\(bind: blocked), \(bind: id))")
        }
        let dependsOn = diff(old.dependsOn, new.dependsOn)
        if !dependsOn.removed.isEmpty {
            try await run("DELETE FROM bug_dependencies WHERE blocked_id = \(bind: id) AND depends_on_id IN \(inList(dependsOn.removed))")
        }
        for dependency in dependsOn.added {
            try await run("INSERT INTO bug_dependencies (blocked_id, depends_on_id) VALUES (\(bind: id), \(bind: dependency))")
        }

        let seeAlso = diff(old.seeAlso, new.seeAlso)
        if !seeAlso.removed.isEmpty { try await run("DELETE FROM bug_see_also WHERE bug_id = \(bind: id) AND url IN \(inList(seeAlso.removed))") }
        for url in seeAlso.added { try await run("INSERT INTO bug_see_also (bug_id, url) VALUES (\(bind: id), \(bind: url))") }

        let groups = diff(old.groups, new.groups)
        if !groups.removed.isEmpty {
            try await run(
                "DELETE FROM bug_groups WHERE bug_id = \(bind: id) AND group_id IN (SELECT id FROM access_groups WHERE name IN \(inList(groups.removed)))")
        }
        if !groups.added.isEmpty {
            try await run(
                "INSERT INTO bug_groups (bug_id, group_id) SELECT \(bind: id), id FROM access_groups WHERE name IN \(inList(groups.added))")
        }
    }
}

/// Which way to walk the dependency graph.
public enum DependencyDirection: Sendable {
    case dependsOn
    case blocks
}
