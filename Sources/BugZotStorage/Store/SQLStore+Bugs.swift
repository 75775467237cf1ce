import BugZotDomain
import Foundation
import SQLKit

extension SQLStore {
    // MARK: Reading

    /// Which of `aliases` are taken by bugs other than `bugID`.
    public func aliasesInUse(_ aliases: [String], except bugID: Int) async throws -> [String] {
        guard !aliases.isEmpty else { return [] }
        return try await all("SELECT alias FROM bug_aliases WHERE alias IN \(inList(aliases)) AND bug_id <> \(bind: bugID)").map {
            try $0.string("alias")
        }
    }

    // MARK: Writing

    /// Holds the bugs' rows until the transaction ends, so concurrent changes to one bug queue up
    /// instead of overwriting each other. (SQLite's single writer already serialises them.)
    public func lockBugs(_ ids: [Int]) async throws {
        guard sql.dialect.name != "sqlite", !ids.isEmpty else { return }
        try await run("SELECT id FROM bugs WHERE id IN \(inList(ids.sorted())) ORDER BY id FOR UPDATE")
    }

    /// Stores a new bug with its lists and returns its id, reading its product first (callers that
    /// hold the product pass it instead).
    public func insertBug(_ bug: Bug) async throws -> Int {
        guard let product = try await product(name: bug.product) else { throw DomainError.productNotEnterable(bug.product) }
        return try await insertBug(bug, in: product)
    }

    /// Stores a new bug of `product` with its lists and returns its id.
    public func insertBug(_ bug: Bug, in product: Product) async throws -> Int {
        let (productID, componentID) = try Self.productAndComponentIDs(of: bug, in: product)
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

    /// Writes `new` (now in `product`) over `old`: the row and every list that differs, one
    /// statement per table.
    public func updateBug(from old: Bug, to new: Bug, in product: Product) async throws {
        let (productID, componentID) = try Self.productAndComponentIDs(of: new, in: product)
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
        guard !ids.isEmpty else { return }
        try await run("UPDATE bugs SET last_change_at = \(bind: now.unixSeconds) WHERE id IN \(inList(ids))")
    }

    private static func productAndComponentIDs(of bug: Bug, in product: Product) throws -> (Int, Int) {
        guard product.name == bug.product, let component = product.components.first(where: { $0.name == bug.component }) else {
            throw DomainError.invalidComponent(component: bug.component, product: bug.product)
        }
        return (product.id, component.id)
    }

    private func updateLists(bugID id: Int, from old: Bug, to new: Bug) async throws {
        func diff<T: Hashable>(_ before: [T], _ after: [T]) -> (added: [T], removed: [T]) {
            let (beforeSet, afterSet) = (Set(before), Set(after))
            return (after.filter { !beforeSet.contains($0) }, before.filter { !afterSet.contains($0) })
        }
        let aliases = diff(old.aliases, new.aliases)
        if !aliases.removed.isEmpty { try await run("DELETE FROM bug_aliases WHERE bug_id = \(bind: id) AND alias IN \(inList(aliases.removed))") }
        try await insertRows(into: "bug_aliases (alias, bug_id)", aliases.added.map { "(\(bind: $0), \(bind: id))" })

        let cc = diff(old.cc.map(\.id), new.cc.map(\.id))
        if !cc.removed.isEmpty { try await run("DELETE FROM bug_cc WHERE bug_id = \(bind: id) AND user_id IN \(inList(cc.removed))") }
        try await insertRows(into: "bug_cc (bug_id, user_id)", cc.added.map { "(\(bind: id), \(bind: $0))" })

        let keywords = diff(old.keywords, new.keywords)
        if !keywords.removed.isEmpty {
            try await run(
                "DELETE FROM bug_keywords WHERE bug_id = \(bind: id) AND keyword_id IN (SELECT id FROM keywords WHERE name IN \(inList(keywords.removed)))")
        }
        if !keywords.added.isEmpty {
            try await run(
                "INSERT INTO bug_keywords (bug_id, keyword_id) SELECT \(bind: id), id FROM keywords WHERE name IN \(inList(keywords.added))")
        }

        // Both directions of dependency are rows of one table: one statement each way of change.
        let blocks = diff(old.blocks, new.blocks)
        let dependsOn = diff(old.dependsOn, new.dependsOn)
        var removedLinks: [SQLQueryString] = []
        if !blocks.removed.isEmpty { removedLinks.append("(depends_on_id = \(bind: id) AND blocked_id IN \(inList(blocks.removed)))") }
        if !dependsOn.removed.isEmpty { removedLinks.append("(blocked_id = \(bind: id) AND depends_on_id IN \(inList(dependsOn.removed)))") }
        if !removedLinks.isEmpty { try await run("DELETE FROM bug_dependencies WHERE " + removedLinks.joined(separator: " OR ")) }
        try await insertRows(
            into: "bug_dependencies (blocked_id, depends_on_id)",
            blocks.added.map { "(\(bind: $0), \(bind: id))" } + dependsOn.added.map { "(\(bind: id), \(bind: $0))" })

        let seeAlso = diff(old.seeAlso, new.seeAlso)
        if !seeAlso.removed.isEmpty { try await run("DELETE FROM bug_see_also WHERE bug_id = \(bind: id) AND url IN \(inList(seeAlso.removed))") }
        try await insertRows(into: "bug_see_also (bug_id, url)", seeAlso.added.map { "(\(bind: id), \(bind: $0))" })

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
