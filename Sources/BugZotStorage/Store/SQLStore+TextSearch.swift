import BugZotDomain
import SQLKit

/// How a full-text condition finds its bugs.
enum TextPlan: Sendable {
    /// Every match read from the index first (`b.id IN (…)`): cheap when the words are rare, and
    /// the rows that then drive the search.
    case matched
    /// Each bug the search walks, in the page's order, looked up in the index by its key: cheap
    /// when the words are common, as the first bugs walked hold a page of matches.
    case probed
    /// Whichever of the two fits the words, decided as the statement runs: for a condition that
    /// cannot drive the search (inside OR or NOT), whose bugs are walked anyway.
    case chosen
}

extension SQLStore {
    /// The full-text index of this store's dialect.
    var textSearch: any TextSearch { DatabaseKind(of: sql).textSearch }

    /// `condition` as a full-text search over `b` (bugs), found as `plan` says, or nil when the
    /// index does not answer it (`longdesc` with an operator that is not a word search, or a value
    /// without words: those scan comments as every other field's related rows are). `content` is
    /// the summary, comments and attachments together and is only ever searched by words; `matches`
    /// only searches `content`.
    func fullTextCondition(_ condition: FieldCondition, viewer: Principal, policy: Policy, plan: TextPlan = .chosen) throws -> SQLQueryString? {
        guard let (sources, query, negated) = try fullTextSearch(condition) else { return nil }
        func bugs(matching query: TextQuery) -> SQLQueryString {
            let matched: SQLQueryString = "b.id IN (" + sources.map { textRows(of: $0, matching: query, scored: false, viewer: viewer, policy: policy) }
                .joined(separator: " UNION ALL ") + ")"
            let probed: SQLQueryString = "(" + sources.map { textProbe(of: $0, matching: query, viewer: viewer, policy: policy) }
                .joined(separator: " OR ") + ")"
            switch plan {
            case .matched: return matched
            case .probed: return probed
            case .chosen: return "(CASE WHEN " + isCommon(query, in: sources) + " THEN " + probed + " ELSE " + matched + " END)"
            }
        }
        // Every term may be in a different comment (or the summary), as Bugzilla's per-bug index has it.
        let positive: SQLQueryString = query.combination == .all && query.terms.count > 1
            ? "(" + query.terms.map { bugs(matching: TextQuery(terms: [$0], combination: .all)) }.joined(separator: " AND ") + ")"
            : bugs(matching: query)
        return negated ? "NOT (" + positive + ")" : positive
    }

    /// A condition on no row: whether every full-text condition of the search's own (each a
    /// group of one, not negated) is common (`isCommon`), so that walking the bugs in the page's order finds a
    /// page of them soon; nil when the search has none.
    func commonTextCondition(_ search: BugSearch) throws -> SQLQueryString? {
        let own = search.conditions.compactMap { $0.count == 1 ? $0.first : nil }
            + search.charts.compactMap { if case .condition(let condition) = $0 { condition } else { nil } }
        let common = try own.compactMap { condition -> SQLQueryString? in
            guard let (sources, query, negated) = try fullTextSearch(condition), !negated else { return nil }
            guard query.combination == .all else { return isCommon(query, in: sources) }
            return "(" + query.terms.map { isCommon(TextQuery(terms: [$0], combination: .all), in: sources) }.joined(separator: " AND ") + ")"
        }
        return common.isEmpty ? nil : "(" + common.joined(separator: " AND ") + ")"
    }

    /// What the full-text index is asked for `condition`: its sources, its query, and whether the
    /// operator negates it; nil when the index does not answer the condition.
    private func fullTextSearch(_ condition: FieldCondition) throws -> (sources: [TextSource], query: TextQuery, negated: Bool)? {
        let full = condition.field == "content"
        guard full || condition.op.positive.op != .matches else {
            throw DomainError.invalidParameter(
                parameter: "field", reason: "'\(condition.op.rawValue)' searches the full text: use it with the field 'content', not '\(condition.field)'.")
        }
        guard let sources = Self.textSources(of: condition.field) else { return nil }
        guard let (query, negated) = TextQuery.of(condition.value, op: condition.op) else {
            guard !full else {
                throw DomainError.invalidParameter(
                    parameter: "field",
                    reason: "'content' is searched by words: use matches, notmatches, or a substring or words operator, not '\(condition.op.rawValue)'.")
            }
            return nil
        }
        guard !query.terms.isEmpty else {
            guard !full else {
                throw DomainError.invalidParameter(parameter: "value", reason: "a 'content' search needs at least one word (letters or digits).")
            }
            return nil
        }
        try query.checkSize()
        return (sources, query, negated)
    }

    /// Whether `query` matches at least `commonTextRows` of the sampled rows (`TextSample`) of one of `sources` (a
    /// condition on no row). How a prefix is sampled is the index's (`TextSearch.hasMatches`).
    private func isCommon(_ query: TextQuery, in sources: [TextSource]) -> SQLQueryString {
        "(" + sources.map { textSearch.hasMatches(in: $0, matching: query, rows: commonTextRows) }.joined(separator: " OR ") + ")"
    }

    /// `LEFT JOIN` of each bug's relevance (`r.score`): the scores of the summary, comments and
    /// attachments the viewer may see that match any of the search's full-text terms, added up
    /// (one index query per source, however many terms). A search without a full-text term has no
    /// relevance to sort by, and is refused.
    func relevanceJoin(_ search: BugSearch, viewer: Principal, policy: Policy) throws -> SQLQueryString {
        var terms: [TextSource: [TextQuery.Term]] = [:]
        for condition in search.allConditions {
            guard let sources = Self.textSources(of: condition.field), let (query, negated) = TextQuery.of(condition.value, op: condition.op),
                !negated
            else { continue }
            for source in sources { terms[source, default: []] += query.terms }
        }
        let rows = TextSource.allCases.compactMap { source -> SQLQueryString? in
            guard let found = terms[source], !found.isEmpty else { return nil }
            return textRows(of: source, matching: TextQuery(terms: found, combination: .any), scored: true, viewer: viewer, policy: policy)
        }
        guard !rows.isEmpty else {
            throw DomainError.invalidParameter(
                parameter: "order",
                reason: "relevance ranks the bugs a full-text search finds (content, or longdesc by words); this search has none.")
        }
        return " LEFT JOIN (SELECT bug_id, SUM(score) AS score FROM (" + rows.joined(separator: " UNION ALL ")
            + ") tr GROUP BY bug_id) r ON r.bug_id = b.id"
    }

    /// What a searchable field holds of the full text: `content` all of it, `longdesc` the comments.
    private static func textSources(of field: String) -> [TextSource]? {
        switch field {
        case "content": TextSource.allCases
        case "longdesc", "comment": [.comments]
        default: nil
        }
    }

    private func textRows(of source: TextSource, matching query: TextQuery, scored: Bool, viewer: Principal, policy: Policy) -> SQLQueryString {
        let visible: SQLQueryString? = switch source {
        case .summaries: nil  // the bug's own visibility is the search's
        case .comments: commentVisibility(of: "tc", viewer: viewer, policy: policy)
        case .attachments: attachmentVisibility(of: "ta", viewer: viewer, policy: policy)
        }
        return textSearch.rows(of: source, matching: query, scored: scored, visible: visible)
    }

    private func textProbe(of source: TextSource, matching query: TextQuery, viewer: Principal, policy: Policy) -> SQLQueryString {
        let visible: SQLQueryString? = switch source {
        case .summaries: nil
        case .comments: commentVisibility(of: "tc", viewer: viewer, policy: policy)
        case .attachments: attachmentVisibility(of: "ta", viewer: viewer, policy: policy)
        }
        return textSearch.probe(of: source, matching: query, visible: visible)
    }

    /// Whether the viewer may read the comment `comment` names (within a bug they see); nil when they
    /// may read every one. `Visibility.canSee` for comments, in SQL: private ones for insiders, one
    /// about an attachment for those who may see the attachment as it is now.
    func commentVisibility(of comment: String, viewer: Principal, policy: Policy) -> SQLQueryString? {
        guard !policy.isInsider(viewer) else { return nil }
        return """
            (\(ident: comment).is_private = FALSE AND (\(ident: comment).attachment_id IS NULL
                OR EXISTS (SELECT 1 FROM attachments va WHERE va.id = \(ident: comment).attachment_id
                    AND (va.is_private = FALSE OR va.creator_id = \(bind: viewer.user?.id ?? 0)))))
            """
    }

    /// Whether the viewer may see the attachment `attachment` names (within a bug they see); nil
    /// when they see every one: private ones for insiders and their creator (`AttachmentRules.canSee`).
    func attachmentVisibility(of attachment: String, viewer: Principal, policy: Policy) -> SQLQueryString? {
        guard !policy.isInsider(viewer) else { return nil }
        return "(\(ident: attachment).is_private = FALSE OR \(ident: attachment).creator_id = \(bind: viewer.user?.id ?? 0))"
    }
}
