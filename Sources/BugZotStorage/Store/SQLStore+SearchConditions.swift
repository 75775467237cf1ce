import BugZotDomain
import Foundation
import SQLKit

/// Where a searchable field lives: a column of the search's join, or rows related to the bug.
private enum SearchTarget {
    case column(SQLQueryString, numeric: Bool)
    /// `EXISTS (SELECT 1 FROM <rows> AND <condition on column>)`; `rows` ends in a WHERE clause.
    case related(rows: SQLQueryString, column: SQLQueryString, numeric: Bool)
}

extension SQLStore {
    /// One advanced-search condition as SQL over the search's `b` (bugs).
    func sqlCondition(_ condition: FieldCondition, viewer: Principal, policy: Policy) throws -> SQLQueryString {
        try policy.checkListSizes([
            ("value", condition.value.split(separator: ",").count), ("value", condition.value.split(whereSeparator: \.isWhitespace).count),
        ])
        let target = try searchTarget(condition.field, viewer: viewer, policy: policy)
        let (op, negated) = condition.op.positive
        let positive: SQLQueryString
        switch target {
        case .column(let column, let numeric):
            positive = try predicate(op, on: column, numeric: numeric, value: condition.value)
        case .related(let rows, let column, let numeric):
            if op == .isempty {
                positive = "NOT EXISTS (SELECT 1 FROM \(rows))"
            } else if op == .allwordssubstr || op == .allwords {
                // Every word may match a different related row (a different comment, keyword…).
                positive = try "(" + words(condition.value).map { word -> SQLQueryString in
                    "EXISTS (SELECT 1 FROM \(rows) AND " + (try predicate(.substring, on: column, numeric: numeric, value: word)) + ")"
                }.joined(separator: " AND ") + ")"
            } else {
                positive = "EXISTS (SELECT 1 FROM \(rows) AND " + (try predicate(op, on: column, numeric: numeric, value: condition.value)) + ")"
            }
        }
        return negated ? "NOT (" + positive + ")" : positive
    }

    private func searchTarget(_ field: String, viewer: Principal, policy: Policy) throws -> SearchTarget {
        // Links count only to bugs the viewer may see, so a search can't prove a hidden bug exists.
        let linkedVisible: SQLQueryString = visibilityCondition(of: "ob", viewer: viewer, policy: policy).map { " AND " + $0 } ?? ""
        switch field {
        case "bug_id", "id": return .column("b.id", numeric: true)
        case "short_desc", "summary": return .column("b.summary", numeric: false)
        case "status_whiteboard", "whiteboard": return .column("b.whiteboard", numeric: false)
        case "bug_status", "status": return .column("b.status", numeric: false)
        case "resolution": return .column("b.resolution", numeric: false)
        case "product": return .column("(SELECT name FROM products WHERE id = b.product_id)", numeric: false)
        case "component": return .column("(SELECT name FROM components WHERE id = b.component_id)", numeric: false)
        case "version": return .column("b.version", numeric: false)
        case "target_milestone": return .column("b.target_milestone", numeric: false)
        case "bug_severity", "severity": return .column("b.severity", numeric: false)
        case "priority": return .column("b.priority", numeric: false)
        case "op_sys": return .column("b.op_sys", numeric: false)
        case "rep_platform", "platform": return .column("b.platform", numeric: false)
        case "bug_file_loc", "url": return .column("b.url", numeric: false)
        case "assigned_to": return .column(Self.assigneeLogin, numeric: false)
        case "reporter", "creator": return .column(Self.reporterLogin, numeric: false)
        case "qa_contact": return .column(Self.qaContactLogin, numeric: false)
        case "keywords":
            return .related(rows: "bug_keywords sk JOIN keywords k ON k.id = sk.keyword_id WHERE sk.bug_id = b.id", column: "k.name", numeric: false)
        case "cc":
            return .related(rows: "bug_cc sc JOIN users u ON u.id = sc.user_id WHERE sc.bug_id = b.id", column: "u.login_name", numeric: false)
        case "alias":
            return .related(rows: "bug_aliases sa WHERE sa.bug_id = b.id", column: "sa.alias", numeric: false)
        case "blocked", "blocks":
            return .related(
                rows: "bug_dependencies sd JOIN bugs ob ON ob.id = sd.blocked_id WHERE sd.depends_on_id = b.id" + linkedVisible,
                column: "sd.blocked_id", numeric: true)
        case "dependson", "depends_on":
            return .related(
                rows: "bug_dependencies sd JOIN bugs ob ON ob.id = sd.depends_on_id WHERE sd.blocked_id = b.id" + linkedVisible,
                column: "sd.depends_on_id", numeric: true)
        case "longdesc", "comment":
            // Only comments the viewer may see: `Visibility.canSee` for comments, in SQL.
            let rows: SQLQueryString = policy.isInsider(viewer)
                ? "comments sm WHERE sm.bug_id = b.id"
                : """
                comments sm LEFT JOIN attachments sa ON sa.id = sm.attachment_id
                WHERE sm.bug_id = b.id AND sm.is_private = FALSE
                    AND (sm.attachment_id IS NULL OR sa.is_private = FALSE OR sa.creator_id = \(bind: viewer.user?.id ?? 0))
                """
            return .related(rows: rows, column: "sm.body", numeric: false)
        default:
            throw DomainError.invalidParameter(parameter: "field", reason: "'\(field)' is not a field BugZot can search on.")
        }
    }

    private func predicate(_ op: SearchOperator, on column: SQLQueryString, numeric: Bool, value: String) throws -> SQLQueryString {
        let text: SQLQueryString = numeric ? "CAST(\(column) AS TEXT)" : column
        func number(_ value: String) throws -> Int {
            guard let number = Int(value.trimmingCharacters(in: .whitespaces)) else {
                throw DomainError.notNumeric(parameter: "value", value: value)
            }
            return number
        }
        func contains(_ word: String) -> SQLQueryString {
            "LOWER(\(text)) LIKE \(bind: "%" + likeEscaped(word.lowercased()) + "%") ESCAPE '\\'"
        }
        func compare(_ symbol: String) throws -> SQLQueryString {
            numeric ? "\(column) \(unsafeRaw: symbol) \(bind: try number(value))" : "\(column) \(unsafeRaw: symbol) \(bind: value)"
        }
        switch op {
        case .equals:
            return try compare("=")
        case .anyexact:
            let items = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            return numeric ? "\(column) IN \(inList(try items.map(number)))" : "\(column) IN \(inList(items))"
        case .substring:
            return contains(value)
        case .casesubstring:
            // SQLite's LIKE ignores case, so the case-sensitive test is a position search.
            return sql.dialect.name == "sqlite" ? "instr(\(text), \(bind: value)) > 0" : "strpos(\(text), \(bind: value)) > 0"
        case .anywordssubstr, .anywords:
            return "(" + words(value).map(contains).joined(separator: " OR ") + ")"
        case .allwordssubstr, .allwords:
            return "(" + words(value).map(contains).joined(separator: " AND ") + ")"
        case .greaterthan: return try compare(">")
        case .greaterthaneq: return try compare(">=")
        case .lessthan: return try compare("<")
        case .lessthaneq: return try compare("<=")
        case .isempty:
            return numeric ? "\(column) IS NULL" : "COALESCE(\(column), '') = ''"
        case .notequals, .notsubstring, .nowordssubstr, .nowords, .isnotempty:
            return "NOT (" + (try predicate(op.positive.op, on: column, numeric: numeric, value: value)) + ")"
        }
    }

    /// Words of a search value; an empty value is one empty word, which matches everything.
    private func words(_ value: String) -> [String] {
        let words = value.split(whereSeparator: \.isWhitespace).map(String.init)
        return words.isEmpty ? [""] : words
    }
}
