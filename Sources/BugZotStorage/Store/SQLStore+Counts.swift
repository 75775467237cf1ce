import BugZotDomain
import SQLKit

extension SQLStore {
    /// `SELECT … AS n`, the count of `search`'s matches the viewer may see read off `bug_tally`
    /// (Schema+BugTally.swift), when every condition of the search is on the tally's fields
    /// (product, component, status, resolution); nil otherwise. The tally counts every bug; the
    /// confidential ones among them that the viewer may not see are counted live and taken off.
    func tallyCount(_ search: BugSearch, viewer: Principal, policy: Policy) -> SQLQueryString? {
        guard Self.isTallied(search) else { return nil }
        let onTally = tallyConditions(search, of: "t")
        // BIGINT: PostgreSQL's SUM of BIGINTs is NUMERIC.
        var query: SQLQueryString = "SELECT CAST((SELECT COALESCE(SUM(t.n), 0) FROM bug_tally t"
        if !onTally.isEmpty { query += " WHERE " + onTally.joined(separator: " AND ") }
        query += ")"
        if let visible = visibilityCondition(of: "b", viewer: viewer, policy: policy) {
            // `is_restricted = TRUE` as the partial indexes `bugs_restricted_*` say it, so that they
            // serve; `IS NOT TRUE`, since a bug without a QA contact makes the condition NULL, not false.
            let hidden = ["b.is_restricted = TRUE"] + tallyConditions(search, of: "b") + [visible + " IS NOT TRUE"]
            query += " - (SELECT COUNT(*) FROM bugs b WHERE " + hidden.joined(separator: " AND ") + ")"
        }
        return query + " AS BIGINT) AS n"
    }

    /// Whether `search` filters on the tally's fields only (its order and paging don't matter to a count).
    private static func isTallied(_ search: BugSearch) -> Bool {
        var tallied = BugSearch()
        tallied.products = search.products
        tallied.components = search.components
        tallied.statuses = search.statuses
        tallied.resolutions = search.resolutions
        tallied.order = search.order
        tallied.limit = search.limit
        tallied.offset = search.offset
        tallied.after = search.after
        tallied.maximumResults = search.maximumResults
        return tallied == search
    }
}
