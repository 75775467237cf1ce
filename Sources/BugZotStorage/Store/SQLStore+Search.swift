import Foundation
import BugZotDomain
import SQLKit

extension SQLStore {
    /// Ids of the bugs matching `search` that `viewer` may see, in the search's order.
    public func searchBugIDs(_ search: BugSearch, viewer: Principal, policy: Policy) async throws -> [Int] {
        let search = try await withMatchedUsers(search)
        let order = search.order.isEmpty ? [BugOrder(column: .id, descending: false)] : search.order
        var keys: [SortKey] = order.flatMap { sort in sortKeys(sort.column).map { SortKey(key: $0, descending: sort.descending) } }
        if order.last?.column != .id { keys.append(SortKey(key: "b.id", descending: false)) }
        guard !order.contains(where: { $0.column == .relevance }), let common = try commonTextCondition(search) else {
            return try await all(pageQuery(search, order: order, keys: keys, viewer: viewer, policy: policy, textPlan: .matched))
                .map { try $0.int("id") }
        }
        // The search's own full-text conditions find the page either way: by walking the bugs in
        // the page's order and looking each up in the index (cheap for common words: the first
        // bugs walked fill the page) or by reading every match first (cheap for rare ones). The
        // statement holds both; `common`, which samples rows spread over the index, picks the
        // one that runs as it runs: the other's LIMIT is 0, which ends it before its first row.
        let walked = try pageQuery(search, order: order, keys: keys, viewer: viewer, policy: policy, textPlan: .probed, gate: common)
        let matched = try pageQuery(search, order: order, keys: keys, viewer: viewer, policy: policy, textPlan: .matched, gate: "NOT " + common)
        let outerOrder: [SQLQueryString] = keys.indices.map { "k\(unsafeRaw: String($0)) \(unsafeRaw: keys[$0].descending ? "DESC" : "ASC")" }
        let both: SQLQueryString = "SELECT * FROM (" + walked + ") tw UNION ALL SELECT * FROM (" + matched + ") tm"
        let query: SQLQueryString = "SELECT id FROM (" + both + ") tp ORDER BY " + outerOrder.joined(separator: ", ")
        return try await all(query).map { try $0.int("id") }
    }

    /// The place of bug `id` in a result sorted by `column`: its value of the column, read from
    /// its row alone in one statement; nil when there is no such bug or `viewer` may not see it.
    public func searchCursor(after id: Int, sortedBy column: BugOrder.Column, viewer: Principal, policy: Policy) async throws -> BugCursor? {
        var query: SQLQueryString = "SELECT " + cursorColumn(column) + " AS v FROM bugs b WHERE b.id = \(bind: id)"
        if let visibility = visibilityCondition(of: "b", viewer: viewer, policy: policy) { query += " AND " + visibility }
        guard let row = try await first(query) else { return nil }
        return BugCursor(value: column.isNumeric ? .number(try row.int("v")) : .text(try row.string("v")), id: id)
    }

    /// A column's value as `BugOrder.Column.value(of:)` gives it (a status by name, not by its
    /// sort key), over `bugs b`.
    private func cursorColumn(_ column: BugOrder.Column) -> SQLQueryString {
        switch column {
        case .status: "b.status"
        case .resolution: "b.resolution"
        case .severity: "b.severity"
        case .priority: "b.priority"
        case .relevance: "0"  // `keysetCondition` refuses to page by it
        default: orderColumn(column)
        }
    }

    /// One expression a page is sorted by, and its direction.
    private struct SortKey {
        let key: SQLQueryString
        let descending: Bool
    }

    /// The statement of one page of `search` in `order` (`keys`, the id last). With a `gate` (a
    /// condition on no row, in the LIMIT: SQLite tests a subquery in WHERE row by row), it returns
    /// nothing unless the gate holds, and names the keys `k0`, `k1`…
    private func pageQuery(
        _ search: BugSearch, order: [BugOrder], keys: [SortKey], viewer: Principal, policy: Policy,
        textPlan: TextPlan, gate: SQLQueryString? = nil
    ) throws -> SQLQueryString {
        var conditions = try matchConditions(search, viewer: viewer, policy: policy, textPlan: textPlan)
        if let after = search.after { conditions.append(try keysetCondition(after: after, order: order)) }

        // Bugs alone in FROM: names of products and people are reached through subqueries, so the
        // planner can walk the id index and stop at the limit.
        var query: SQLQueryString = "SELECT b.id"
        if gate != nil {
            for (index, sort) in keys.enumerated() { query += ", " + sort.key + " AS k\(unsafeRaw: String(index))" }
        }
        query += " FROM bugs b"
        if order.contains(where: { $0.column == .relevance }) { query += try relevanceJoin(search, viewer: viewer, policy: policy) }
        if !conditions.isEmpty { query += " WHERE " + conditions.joined(separator: " AND ") }
        let sorts: [SQLQueryString] = keys.map { $0.key + " \(unsafeRaw: $0.descending ? "DESC" : "ASC")" }
        query += " ORDER BY " + sorts.joined(separator: ", ")
        if let gate {
            query += " LIMIT (CASE WHEN " + gate + " THEN \(bind: search.rowsToRead ?? Int(Int32.max)) ELSE 0 END)"
        } else if let limit = search.rowsToRead {
            // A page's size is written into the statement: PostgreSQL prices a bound LIMIT as a
            // tenth of the matches, which makes its plan for any value look dearer than one for
            // the value at hand, so it planned every page afresh (0.2–0.4 ms of its CPU each);
            // written, a list's statement is planned once per connection. Small pages only, so
            // that the sizes callers ask for make a bounded number of statements.
            query += limit <= Self.writtenLimit ? " LIMIT \(unsafeRaw: String(limit))" : " LIMIT \(bind: limit)"
        } else if search.offset > 0 {
            query += " LIMIT \(bind: Int(Int32.max))"  // SQLite needs a LIMIT before OFFSET
        }
        if search.offset > 0 { query += " OFFSET \(bind: search.offset)" }
        return query
    }

    /// The largest page size written into a search's statement rather than bound.
    static let writtenLimit = 100

    /// How many bugs match `search` that `viewer` may see, whatever its order, page and limit.
    public func countBugs(_ search: BugSearch, viewer: Principal, policy: Policy) async throws -> Int {
        if let tallied = tallyCount(search, viewer: viewer, policy: policy) { return try await first(tallied)?.int("n") ?? 0 }
        let search = try await withMatchedUsers(search)
        let conditions = try matchConditions(search, viewer: viewer, policy: policy)
        var query: SQLQueryString = "SELECT COUNT(*) AS n FROM bugs b"
        if !conditions.isEmpty { query += " WHERE " + conditions.joined(separator: " AND ") }
        return try await first(query)?.int("n") ?? 0
    }

    /// The conditions on `bugs b` that a search's criteria and the viewer's visibility make, ANDed.
    /// The visibility condition is `Visibility.canSee` in SQL; keep the two in step.
    /// `textPlan` is how the search's own full-text conditions (each a group of one) find their
    /// bugs; those inside OR or NOT choose as they run.
    private func matchConditions(_ search: BugSearch, viewer: Principal, policy: Policy, textPlan: TextPlan = .matched) throws -> [SQLQueryString] {
        var conditions: [SQLQueryString] = []
        func anyOf<T: Encodable & Sendable>(_ column: SQLQueryString, _ values: [T]) {
            if !values.isEmpty { conditions.append("\(column) IN \(inList(values))") }
        }
        func containsAny(_ column: SQLQueryString, _ values: [String]) {
            guard !values.isEmpty else { return }
            let alternatives = values.map { value -> SQLQueryString in
                "LOWER(\(column)) LIKE \(bind: "%" + likeEscaped(value.lowercased()) + "%") ESCAPE '\\'"
            }
            conditions.append("(" + alternatives.joined(separator: " OR ") + ")")
        }
        anyOf("b.id", search.ids)
        if !search.aliases.isEmpty {
            conditions.append("b.id IN (SELECT bug_id FROM bug_aliases WHERE alias IN \(inList(search.aliases)))")
        }
        conditions += tallyConditions(search, of: "b")
        anyOf("b.version", search.versions)
        anyOf("b.target_milestone", search.targetMilestones)
        anyOf("b.severity", search.severities)
        anyOf("b.priority", search.priorities)
        anyOf("b.op_sys", search.opSystems)
        anyOf("b.platform", search.platforms)
        containsAny("b.summary", search.summaries)
        containsAny("b.whiteboard", search.whiteboards)
        containsAny("b.url", search.urls)
        let matched = search.matchedUsers
        for (column, values, ids) in [
            ("b.reporter_id", search.reporters, matched?.reporters), ("b.assignee_id", search.assignees, matched?.assignees),
            ("b.qa_contact_id", search.qaContacts, matched?.qaContacts),
        ] where !values.isEmpty {
            conditions.append(userCondition("\(unsafeRaw: column)", values: values, matched: ids))
        }
        if !search.cc.isEmpty {
            conditions.append("b.id IN (SELECT bug_id FROM bug_cc WHERE " + userCondition("user_id", values: search.cc, matched: matched?.cc) + ")")
        }
        for keyword in search.keywords {
            conditions.append(
                "b.id IN (SELECT bk.bug_id FROM bug_keywords bk JOIN keywords k ON k.id = bk.keyword_id WHERE k.name = \(bind: keyword))")
        }
        let now = Date()
        for alternatives in search.conditions where !alternatives.isEmpty {
            let plan = alternatives.count == 1 ? textPlan : .chosen
            let sql = try alternatives.map { try sqlCondition($0, viewer: viewer, policy: policy, now: now, textPlan: plan) }
            conditions.append("(" + sql.joined(separator: " OR ") + ")")
        }
        for chart in search.charts {
            if case .condition(let condition) = chart {
                conditions.append(try sqlCondition(condition, viewer: viewer, policy: policy, now: now, textPlan: textPlan))
            } else {
                conditions.append(try sqlTerm(chart, viewer: viewer, policy: policy, now: now))
            }
        }
        if let since = search.createdSince { conditions.append("b.created_at >= \(bind: since.unixSeconds)") }
        if let since = search.changedSince { conditions.append("b.last_change_at >= \(bind: since.unixSeconds)") }
        if let visibility = visibilityCondition(of: "b", viewer: viewer, policy: policy) { conditions.append(visibility) }
        return conditions
    }

    /// The conditions on the fields `bug_tally` counts by — product, component, status and
    /// resolution — over the rows named `row` (bugs or tally rows, which name them alike), ANDed.
    /// One product (and one of its components) is an equality with a value the planner knows is
    /// single, so that an index on (product or component, …, the page's order) serves the page
    /// without a sort; an IN list of several would need one.
    func tallyConditions(_ search: BugSearch, of row: String) -> [SQLQueryString] {
        var conditions: [SQLQueryString] = []
        let product: SQLQueryString = "SELECT id FROM products WHERE name = \(bind: search.products.first ?? "")"
        // One component of one product names its product too. A second equality, on the product,
        // would only mislead PostgreSQL: taking the two for independent, it expects a handful of
        // rows, intersects both indexes and sorts every match (7,700 bugs at 1 M), where the
        // component's index alone serves the page in order.
        let oneComponent = search.products.count == 1 && search.components.count == 1
        if search.products.count == 1, !oneComponent {
            conditions.append("\(ident: row).product_id = (" + product + ")")
        } else if search.products.count > 1 {
            conditions.append("\(ident: row).product_id IN (SELECT id FROM products WHERE name IN \(inList(search.products)))")
        }
        if oneComponent {
            conditions.append(
                "\(ident: row).component_id = (SELECT id FROM components WHERE name = \(bind: search.components[0]) AND product_id = ("
                    + product + "))")
        } else if !search.components.isEmpty {
            conditions.append("\(ident: row).component_id IN (SELECT id FROM components WHERE name IN \(inList(search.components)))")
        }
        if !search.statuses.isEmpty { conditions.append("\(ident: row).status IN \(inList(search.statuses))") }
        if !search.resolutions.isEmpty { conditions.append("\(ident: row).resolution IN \(inList(search.resolutions))") }
        return conditions
    }

    /// Rows after the cursor in `order` (one column, then id ascending): a page that costs the
    /// same however deep it is, unlike OFFSET.
    private func keysetCondition(after cursor: BugCursor, order: [BugOrder]) throws -> SQLQueryString {
        guard order.count == 1, let sort = order.first else {
            throw DomainError.invalidParameter(parameter: "order", reason: "paging by position takes one sort column.")
        }
        guard sort.column != .relevance else {
            throw DomainError.invalidParameter(parameter: "after", reason: "paging by position does not work with relevance order: page with offset.")
        }
        let comparison: SQLQueryString = sort.descending ? "<" : ">"
        if sort.column == .id {
            return "b.id \(comparison) \(bind: cursor.id)"
        }
        let column = orderColumn(sort.column)
        if let ranked = ProductOrder(sort.column), case .text(let text) = cursor.value {
            // By the product's sort key, then the name: the cursor's key is its own product's.
            let rank = ranked.rank(of: column, product: "b.product_id")
            let cursorRank = ranked.rank(of: "\(bind: text)", product: "(SELECT product_id FROM bugs WHERE id = \(bind: cursor.id))")
            return """
                (\(rank) \(comparison) \(cursorRank) OR (\(rank) = \(cursorRank) AND (\(column) \(comparison) \(bind: text)
                    OR (\(column) = \(bind: text) AND b.id > \(bind: cursor.id)))))
                """
        }
        let value: SQLQueryString
        switch (cursor.value, sort.column.isNumeric) {
        case (.number(let number), true): value = "\(bind: number)"
        case (.text(let text), false): value = DefinedOrder(sort.column)?.rank(of: "\(bind: text)") ?? "\(bind: text)"
        default: throw DomainError.invalidParameter(parameter: "after", reason: "the position does not fit the sort column.")
        }
        // The first bound alone is a range an index in this order can start at (an OR of two is not).
        let bound: SQLQueryString = sort.descending ? "<=" : ">="
        return "\(column) \(bound) \(value) AND (\(column) \(comparison) \(value) OR (\(column) = \(value) AND b.id > \(bind: cursor.id)))"
    }

    /// Whether the viewer may see the bug the alias `bug` names; nil when they see every bug.
    /// A bug in no group (`is_restricted` false, as `Visibility.canSee` tests its groups) costs a
    /// column test; each one in a group an index probe of `bug_groups` (and `bug_cc`).
    /// `LIMIT 1 OFFSET 0` keeps the subqueries correlated on PostgreSQL: without it the planner may hash every confidential bug (and every CC of the viewer) first, once per query,
    /// which at a million bugs made a page 30 times dearer than the probes.
    func visibilityCondition(of bug: String, viewer: Principal, policy: Policy) -> SQLQueryString? {
        if viewer.isAdmin { return nil }
        let userID = viewer.user?.id ?? 0
        var people: SQLQueryString = """
            \(ident: bug).assignee_id = \(bind: userID)
            OR (\(ident: bug).is_creator_accessible = TRUE AND \(ident: bug).reporter_id = \(bind: userID))
            OR (\(ident: bug).is_cc_accessible = TRUE
                AND EXISTS (SELECT 1 FROM bug_cc vc WHERE vc.bug_id = \(ident: bug).id AND vc.user_id = \(bind: userID) LIMIT 1 OFFSET 0))
            """
        if policy.useQAContact { people += " OR \(ident: bug).qa_contact_id = \(bind: userID)" }
        return """
            (\(ident: bug).is_restricted = FALSE
            OR NOT EXISTS (SELECT 1 FROM bug_groups vg WHERE vg.bug_id = \(ident: bug).id
                AND vg.group_id NOT IN (SELECT group_id FROM user_groups WHERE user_id = \(bind: userID)) LIMIT 1 OFFSET 0)
            OR \(people))
            """
    }

    static let reporterLogin: SQLQueryString = "(SELECT login_name FROM users WHERE id = b.reporter_id)"
    static let assigneeLogin: SQLQueryString = "(SELECT login_name FROM users WHERE id = b.assignee_id)"
    static let qaContactLogin: SQLQueryString = "COALESCE((SELECT login_name FROM users WHERE id = b.qa_contact_id), '')"

    /// What a column sorts by: versions and milestones by their product's sort key, then by name.
    private func sortKeys(_ column: BugOrder.Column) -> [SQLQueryString] {
        guard let ranked = ProductOrder(column) else { return [orderColumn(column)] }
        return [ranked.rank(of: orderColumn(column), product: "b.product_id"), orderColumn(column)]
    }

    private func orderColumn(_ column: BugOrder.Column) -> SQLQueryString {
        switch column {
        case .id: "b.id"
        case .summary: "b.summary"
        case .status: DefinedOrder.status.rank(of: "b.status")
        case .resolution: DefinedOrder.resolution.rank(of: "b.resolution")
        case .severity: DefinedOrder.severity.rank(of: "b.severity")
        case .priority: DefinedOrder.priority.rank(of: "b.priority")
        case .product: "(SELECT name FROM products WHERE id = b.product_id)"
        case .component: "(SELECT name FROM components WHERE id = b.component_id)"
        case .version: "b.version"
        case .assignee: Self.assigneeLogin
        case .reporter: Self.reporterLogin
        case .creationTime: "b.created_at"
        case .lastChangeTime: "b.last_change_at"
        case .targetMilestone: "b.target_milestone"
        case .relevance: "COALESCE(r.score, 0)"  // `relevanceJoin`
        }
    }
}

/// The columns whose values sort in the order the installation defines — the workflow's statuses
/// and resolutions, the catalog's severities and priorities — rather than alphabetically. A value
/// sorts by its `sort_key`; one no longer defined (and the empty resolution of an open bug) first.
/// Versions and milestones, which each product orders by the sort keys it gives them; one no
/// longer defined sorts as key 0.
private enum ProductOrder {
    case version, milestone

    init?(_ column: BugOrder.Column) {
        switch column {
        case .version: self = .version
        case .targetMilestone: self = .milestone
        default: return nil
        }
    }

    /// The sort key of the version or milestone `value` of `product` (columns or bound values).
    func rank(of value: SQLQueryString, product: SQLQueryString) -> SQLQueryString {
        switch self {
        case .version: "COALESCE((SELECT sort_key FROM versions WHERE product_id = \(product) AND name = \(value)), 0)"
        case .milestone: "COALESCE((SELECT sort_key FROM milestones WHERE product_id = \(product) AND name = \(value)), 0)"
        }
    }
}

private enum DefinedOrder {
    case status, resolution, severity, priority

    init?(_ column: BugOrder.Column) {
        switch column {
        case .status: self = .status
        case .resolution: self = .resolution
        case .severity: self = .severity
        case .priority: self = .priority
        default: return nil
        }
    }

    /// The sort key of `value` (a column or a bound value), so rows and a page's cursor compare alike.
    func rank(of value: SQLQueryString) -> SQLQueryString {
        let key: SQLQueryString = switch self {
        case .status: "SELECT sort_key FROM statuses WHERE name = \(value)"
        case .resolution: "SELECT sort_key FROM resolutions WHERE name = \(value)"
        case .severity: "SELECT sort_key FROM field_values WHERE field = \(bind: SelectField.severity.rawValue) AND value = \(value)"
        case .priority: "SELECT sort_key FROM field_values WHERE field = \(bind: SelectField.priority.rawValue) AND value = \(value)"
        }
        return "COALESCE((\(key)), 0)"
    }
}
