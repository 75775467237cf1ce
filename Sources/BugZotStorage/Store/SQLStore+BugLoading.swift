import BugZotDomain
import Foundation
import SQLKit

/// A bug as loaded for a viewer: every link as stored, and which linked bugs they may see.
public struct LoadedBug: Sendable {
    /// The bug with all its links, hidden ones included (what a change must write back).
    public var bug: Bug
    /// The linked bugs (blocks, depends on, duplicate of) the viewer may see.
    public var visibleLinks: Set<Int>

    /// The bug as the viewer may see it: links to bugs hidden from them left out.
    public var shown: Bug {
        var shown = bug
        shown.blocks = bug.blocks.filter(visibleLinks.contains)
        shown.dependsOn = bug.dependsOn.filter(visibleLinks.contains)
        if let dupeOf = bug.dupeOf, !visibleLinks.contains(dupeOf) { shown.dupeOf = nil }
        return shown
    }
}

extension SQLStore {
    /// The bugs with these ids or aliases, in id order, each with every list it has — in two
    /// statements however many bugs, CCs, keywords and links they have: the rows with their
    /// people, then every list of every bug at once. With a viewer (and the policy that rules
    /// what they see), only the bugs they may see (the SQL form of `Visibility.canSee`), and which
    /// of their linked bugs they may see; without one, every bug and every link. `forUpdate`
    /// holds the rows until the transaction ends (on PostgreSQL; SQLite's single writer already
    /// serialises changes).
    public func loadBugs(
        ids: [Int], aliases: [String] = [], seenBy viewer: (principal: Principal, policy: Policy)?, forUpdate: Bool = false
    ) async throws -> [LoadedBug] {
        try await load(ids: ids, aliases: aliases, seenBy: viewer, forUpdate: forUpdate, checking: nil).bugs
    }

    /// The bugs, as `loadBugs(ids:aliases:seenBy:forUpdate:)` loads them, and what a change to them
    /// checks (`changeChecks`), read in the same two statements (alone when no bug is found).
    public func loadBugs(
        ids: [Int], aliases: [String] = [], seenBy viewer: (principal: Principal, policy: Policy), forUpdate: Bool = false,
        checking request: ChangeChecks.Request
    ) async throws -> (bugs: [LoadedBug], checks: ChangeChecks) {
        let (bugs, checks) = try await load(ids: ids, aliases: aliases, seenBy: viewer, forUpdate: forUpdate, checking: request)
        if let checks { return (bugs, checks) }
        return (bugs, try await changeChecks(request, viewer: viewer.principal, policy: viewer.policy))
    }

    /// The checks come back when the bugs' lists were read (some bug was found).
    private func load(
        ids: [Int], aliases: [String], seenBy viewer: (principal: Principal, policy: Policy)?, forUpdate: Bool,
        checking request: ChangeChecks.Request?
    ) async throws -> (bugs: [LoadedBug], checks: ChangeChecks?) {
        guard !ids.isEmpty || !aliases.isEmpty else { return ([], nil) }
        if ids.count > Self.bugsPerLoad {
            // Each statement binds every id several times; keep well within both databases' limits.
            var loaded: [LoadedBug] = []
            var checks: ChangeChecks?
            for start in stride(from: 0, to: ids.count, by: Self.bugsPerLoad) {
                let chunk = Array(ids[start..<min(start + Self.bugsPerLoad, ids.count)])
                let part = try await load(
                    ids: chunk, aliases: start == 0 ? aliases : [], seenBy: viewer, forUpdate: forUpdate, checking: checks == nil ? request : nil)
                loaded += part.bugs
                checks = checks ?? part.checks
            }
            return (loaded, checks)
        }
        let visible = viewer.flatMap { visibilityCondition(of: "b", viewer: $0.principal, policy: $0.policy) }
        var query: SQLQueryString = """
            SELECT b.*, p.name AS product_name, cl.name AS classification_name, c.name AS component_name,
                r.login_name AS reporter_login, r.real_name AS reporter_name, a.login_name AS assignee_login,
                a.real_name AS assignee_name, q.login_name AS qa_login, q.real_name AS qa_name
            FROM bugs b
            JOIN products p ON p.id = b.product_id
            JOIN classifications cl ON cl.id = p.classification_id
            JOIN components c ON c.id = b.component_id
            JOIN users r ON r.id = b.reporter_id
            JOIN users a ON a.id = b.assignee_id
            LEFT JOIN users q ON q.id = b.qa_contact_id
            WHERE
            """
        // Only the branches asked for: PostgreSQL can't use the id index for an OR with an empty
        // alias branch, and would read every bug.
        let byAlias: SQLQueryString = "SELECT bug_id FROM bug_aliases WHERE alias IN \(inList(aliases))"
        switch (ids.isEmpty, aliases.isEmpty) {
        case (false, true): query += " b.id IN \(inList(ids))"
        case (true, false): query += " b.id IN (" + byAlias + ")"
        default: query += " b.id IN (SELECT id FROM bugs WHERE id IN \(inList(ids)) UNION " + byAlias + ")"
        }
        if let visible { query += " AND " + visible }
        query += " ORDER BY b.id"
        if forUpdate, sql.dialect.name != "sqlite" { query += " FOR UPDATE OF b" }
        var bugs: [Int: Bug] = [:]
        var order: [Int] = []
        for row in try await all(query) {
            let bug = try bug(from: row)
            bugs[bug.id] = bug
            order.append(bug.id)
        }
        guard !order.isEmpty else { return ([], nil) }
        var visibleLinks: [Int: Set<Int>] = [:]
        var lists = listsQuery(of: order, seenBy: viewer)
        let asked = viewer.flatMap { viewer in request.flatMap { checkQuery($0, viewer: viewer.principal, policy: viewer.policy) } }
        if let asked {
            // The checks' rows ride along as rows of bug 0, which no bug is.
            lists = Self.with(asked.tables) + lists
                + " UNION ALL SELECT 0 AS bug_id, kind AS list, item, number, name, 1 AS shown FROM (" + asked.select + ") asked"
        }
        var checks = request.map { _ in ChangeChecks() }
        for row in try await all(lists + " ORDER BY list, item, number") {
            let id = try row.int("bug_id")
            if id == 0 {
                checks?.add(kind: try row.string("list"), number: try row.int("number"), item: try row.optionalString("item"), name: try row.optionalString("name"))
                continue
            }
            switch try row.string("list") {
            case "cc":
                bugs[id]?.cc.append(UserSummary(id: try row.int("number"), login: try row.string("item"), realName: try row.string("name")))
            case "alias": bugs[id]?.aliases.append(try row.string("item"))
            case "keywords": bugs[id]?.keywords.append(try row.string("item"))
            case "see_also": bugs[id]?.seeAlso.append(try row.string("item"))
            case "groups": bugs[id]?.groups.append(try row.string("item"))
            case let link:
                let other = try row.int("number")
                if link == "depends_on" { bugs[id]?.dependsOn.append(other) }
                if link == "blocks" { bugs[id]?.blocks.append(other) }
                if try row.int("shown") == 1 { visibleLinks[id, default: []].insert(other) }
            }
        }
        let loaded = order.compactMap { id -> LoadedBug? in
            guard var bug = bugs[id] else { return nil }
            bug.cc.sort { $0.login < $1.login }
            let links = viewer == nil ? Set(bug.blocks + bug.dependsOn + (bug.dupeOf.map { [$0] } ?? [])) : visibleLinks[id] ?? []
            return LoadedBug(bug: bug, visibleLinks: links)
        }
        return (loaded, checks)
    }

    /// The most bugs one pair of statements loads (a larger set takes a pair per slice of this size).
    static let bugsPerLoad = 1_000

    /// The bugs with these ids, in the order asked, every link included; missing ids are skipped.
    public func bugs(ids: [Int]) async throws -> [Bug] {
        let loaded = Dictionary(try await loadBugs(ids: ids, seenBy: nil).map { ($0.bug.id, $0.bug) }) { first, _ in first }
        return ids.compactMap { loaded[$0] }
    }

    public func bug(id: Int) async throws -> Bug? {
        try await bugs(ids: [id]).first
    }

    /// Every list of the bugs `ids` in one statement (to be ordered by list, item, number): `list` names it, `item` holds its text (a
    /// CC's login), `number` its number (a CC's user id, a linked bug), and `shown` whether the
    /// viewer may see the linked bug of a link (`dupe_of` rows only say that).
    private func listsQuery(of ids: [Int], seenBy viewer: (principal: Principal, policy: Policy)?) -> SQLQueryString {
        let idList = inList(ids)
        let shown: SQLQueryString = viewer.flatMap { visibilityCondition(of: "ob", viewer: $0.principal, policy: $0.policy) }
            .map { "CASE WHEN \($0) THEN 1 ELSE 0 END" } ?? "1"
        return """
            SELECT cc.bug_id, 'cc' AS list, u.login_name AS item, u.id AS number, u.real_name AS name, 1 AS shown
                FROM bug_cc cc JOIN users u ON u.id = cc.user_id WHERE cc.bug_id IN \(idList)
            UNION ALL SELECT bug_id, 'alias', alias, NULL, NULL, 1 FROM bug_aliases WHERE bug_id IN \(idList)
            UNION ALL SELECT bk.bug_id, 'keywords', k.name, NULL, NULL, 1 FROM bug_keywords bk JOIN keywords k ON k.id = bk.keyword_id
                WHERE bk.bug_id IN \(idList)
            UNION ALL SELECT bug_id, 'see_also', url, NULL, NULL, 1 FROM bug_see_also WHERE bug_id IN \(idList)
            UNION ALL SELECT bg.bug_id, 'groups', g.name, NULL, NULL, 1 FROM bug_groups bg JOIN access_groups g ON g.id = bg.group_id
                WHERE bg.bug_id IN \(idList)
            UNION ALL SELECT d.blocked_id, 'depends_on', NULL, d.depends_on_id, NULL, \(shown)
                FROM bug_dependencies d JOIN bugs ob ON ob.id = d.depends_on_id WHERE d.blocked_id IN \(idList)
            UNION ALL SELECT d.depends_on_id, 'blocks', NULL, d.blocked_id, NULL, \(shown)
                FROM bug_dependencies d JOIN bugs ob ON ob.id = d.blocked_id WHERE d.depends_on_id IN \(idList)
            UNION ALL SELECT b.id, 'dupe_of', NULL, b.dupe_of, NULL, \(shown)
                FROM bugs b JOIN bugs ob ON ob.id = b.dupe_of WHERE b.id IN \(idList)
            """
    }

    private func bug(from row: any SQLRow) throws -> Bug {
        let qaContact = try row.optionalInt("qa_contact_id").map { id in
            UserSummary(id: id, login: try row.string("qa_login"), realName: try row.string("qa_name"))
        }
        return Bug(
            id: try row.int("id"), product: try row.string("product_name"), classification: try row.string("classification_name"),
            component: try row.string("component_name"), version: try row.string("version"),
            targetMilestone: try row.string("target_milestone"), summary: try row.string("summary"),
            status: try row.string("status"), resolution: try row.string("resolution"), severity: try row.string("severity"),
            priority: try row.string("priority"), opSys: try row.string("op_sys"), platform: try row.string("platform"),
            reporter: UserSummary(id: try row.int("reporter_id"), login: try row.string("reporter_login"), realName: try row.string("reporter_name")),
            assignedTo: UserSummary(id: try row.int("assignee_id"), login: try row.string("assignee_login"), realName: try row.string("assignee_name")),
            qaContact: qaContact,
            dupeOf: try row.optionalInt("dupe_of"), url: try row.string("url"), whiteboard: try row.string("whiteboard"),
            deadline: try row.optionalString("deadline"), isCreatorAccessible: try row.bool("is_creator_accessible"),
            isCCAccessible: try row.bool("is_cc_accessible"), isConfirmed: try row.bool("is_confirmed"),
            creationTime: try row.date("created_at"), lastChangeTime: try row.date("last_change_at"))
    }
}
