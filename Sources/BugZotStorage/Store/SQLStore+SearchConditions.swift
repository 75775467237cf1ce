import BugZotDomain
import Foundation
import SQLKit

/// Where a searchable field lives: a column of the search's join, or rows related to the bug.
private enum SearchTarget {
    case column(SQLQueryString, numeric: Bool)
    /// `EXISTS (SELECT 1 FROM <rows> AND <condition on column>)`; `rows` ends in a WHERE clause.
    case related(rows: SQLQueryString, column: SQLQueryString, numeric: Bool)
    /// `<key> IN (SELECT id FROM <table> WHERE <condition on name>)`: a field every bug has one
    /// row of (its product, its component), tested on that table's few rows, so the planner
    /// knows how many bugs it leaves and may serve it by the key's index. Where names are
    /// unique (products), one name is an equality with the one row's id, so that an index on
    /// (the key, …, the page's order) walks that row's bugs in order instead of sorting them.
    case named(key: SQLQueryString, table: SQLQueryString, uniqueNames: Bool)
}

extension SQLStore {
    /// A boolean chart's tree as SQL over the search's `b` (bugs); an empty group matches every bug.
    func sqlTerm(_ term: SearchTerm, viewer: Principal, policy: Policy, now: Date) throws -> SQLQueryString {
        func group(_ terms: [SearchTerm], _ join: String) throws -> SQLQueryString {
            guard !terms.isEmpty else { return "(1 = 1)" }
            return "(" + (try terms.map { try sqlTerm($0, viewer: viewer, policy: policy, now: now) }).joined(separator: " \(join) ") + ")"
        }
        switch term {
        case .condition(let condition): return try sqlCondition(condition, viewer: viewer, policy: policy, now: now)
        case .all(let terms): return try group(terms, "AND")
        case .any(let terms): return try group(terms, "OR")
        case .not(let term): return "NOT (" + (try sqlTerm(term, viewer: viewer, policy: policy, now: now)) + ")"
        }
    }

    /// One advanced-search condition as SQL over the search's `b` (bugs). Dates (relative ones
    /// included) are read against `now`; a full-text condition finds its bugs as `textPlan` says.
    func sqlCondition(_ condition: FieldCondition, viewer: Principal, policy: Policy, now: Date, textPlan: TextPlan = .chosen) throws -> SQLQueryString {
        try policy.checkListSizes([
            ("value", condition.value.split(separator: ",").count), ("value", condition.value.split(whereSeparator: \.isWhitespace).count),
        ])
        if condition.op.isHistory { return try historyCondition(condition, viewer: viewer, policy: policy, now: now) }
        if let fullText = try fullTextCondition(condition, viewer: viewer, policy: policy, plan: textPlan) { return fullText }
        let target = try searchTarget(condition.field, viewer: viewer, policy: policy)
        let (op, negated) = condition.op.positive
        // A date is compared as the column keeps it: Unix seconds, or a deadline's day.
        var value = condition.value
        if let date = condition.dateValue {
            value = condition.valueKind == .day ? date.day(relativeTo: now) : String(date.unixSeconds(relativeTo: now))
        }
        var positive: SQLQueryString
        switch target {
        case .column(let column, let numeric):
            positive = try predicate(op, on: column, numeric: numeric, value: value)
            // A bug without a deadline has none to compare: it matches no comparison, and the negation of each.
            if condition.valueKind == .day && op != .isempty { positive = "(\(column) IS NOT NULL AND " + positive + ")" }
        case .named(let key, let table, let uniqueNames):
            let rows = " (SELECT id FROM " + table + " WHERE " + (try predicate(op, on: "name", numeric: false, value: value)) + ")"
            // Not under NOT: no such name makes the equality NULL, whose negation matches nothing.
            positive = key + (uniqueNames && op == .equals && !negated ? " =" : " IN") + rows
        case .related(let rows, let column, let numeric):
            if op == .isempty {
                positive = "NOT EXISTS (SELECT 1 FROM \(rows))"
            } else if op == .allwordssubstr || op == .allwords {
                // Every word may match a different related row (a different comment, keyword…).
                positive = try "(" + words(value).map { word -> SQLQueryString in
                    "EXISTS (SELECT 1 FROM \(rows) AND " + (try predicate(.substring, on: column, numeric: numeric, value: word)) + ")"
                }.joined(separator: " AND ") + ")"
            } else {
                positive = "EXISTS (SELECT 1 FROM \(rows) AND " + (try predicate(op, on: column, numeric: numeric, value: value)) + ")"
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
        case "product": return .named(key: "b.product_id", table: "products", uniqueNames: true)
        case "component": return .named(key: "b.component_id", table: "components", uniqueNames: false)
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
        case "assigned_to_realname": return .column("(SELECT real_name FROM users WHERE id = b.assignee_id)", numeric: false)
        case "reporter_realname": return .column("(SELECT real_name FROM users WHERE id = b.reporter_id)", numeric: false)
        case "qa_contact_realname": return .column("COALESCE((SELECT real_name FROM users WHERE id = b.qa_contact_id), '')", numeric: false)
        case "classification":
            return .column(
                "(SELECT c.name FROM classifications c JOIN products p ON p.classification_id = c.id WHERE p.id = b.product_id)", numeric: false)
        case "creation_ts", "creation_time", "opendate": return .column("b.created_at", numeric: true)
        case "delta_ts", "last_change_time", "changeddate": return .column("b.last_change_at", numeric: true)
        case "deadline": return .column("b.deadline", numeric: false)
        case "reporter_accessible", "is_creator_accessible":
            return .column("(CASE WHEN b.is_creator_accessible THEN 1 ELSE 0 END)", numeric: true)
        case "cclist_accessible", "is_cc_accessible": return .column("(CASE WHEN b.is_cc_accessible THEN 1 ELSE 0 END)", numeric: true)
        case "everconfirmed", "is_confirmed": return .column("(CASE WHEN b.is_confirmed THEN 1 ELSE 0 END)", numeric: true)
        case "dup_id", "dupe_of":
            return .related(rows: "bugs ob WHERE ob.id = b.dupe_of" + linkedVisible, column: "ob.id", numeric: true)
        case "bug_group", "groups":
            return .related(rows: "bug_groups sg JOIN access_groups g ON g.id = sg.group_id WHERE sg.bug_id = b.id", column: "g.name", numeric: false)
        case "see_also":
            return .related(rows: "bug_see_also ss WHERE ss.bug_id = b.id", column: "ss.url", numeric: false)
        case "commenter":
            return .related(rows: visibleComments(viewer: viewer, policy: policy, author: true), column: "cu.login_name", numeric: false)
        case "attachments.description", "attachments.filename", "attachments.mimetype", "attachments.ispatch", "attachments.isobsolete",
            "attachments.isprivate":
            let columns: [String: (SQLQueryString, Bool)] = [
                "attachments.description": ("sa.summary", false), "attachments.filename": ("sa.file_name", false),
                "attachments.mimetype": ("sa.content_type", false), "attachments.ispatch": ("(CASE WHEN sa.is_patch THEN 1 ELSE 0 END)", true),
                "attachments.isobsolete": ("(CASE WHEN sa.is_obsolete THEN 1 ELSE 0 END)", true),
                "attachments.isprivate": ("(CASE WHEN sa.is_private THEN 1 ELSE 0 END)", true),
            ]
            let (column, numeric) = columns[field] ?? ("sa.summary", false)
            return .related(rows: visibleAttachments(viewer: viewer, policy: policy), column: column, numeric: numeric)
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
            return .related(rows: visibleComments(viewer: viewer, policy: policy, author: false), column: "sm.body", numeric: false)
        default:
            throw DomainError.invalidParameter(parameter: "field", reason: "'\(field)' is not a field BugZot can search on.")
        }
    }

    /// The bug's comments the viewer may see (`Visibility.canSee` for comments, in SQL) as `sm`,
    /// with their authors as `cu` when `author` is set; ends in a WHERE clause.
    private func visibleComments(viewer: Principal, policy: Policy, author: Bool) -> SQLQueryString {
        let authors: SQLQueryString = author ? " JOIN users cu ON cu.id = sm.author_id" : ""
        let visible = commentVisibility(of: "sm", viewer: viewer, policy: policy).map { " AND " + $0 } ?? ""
        return "comments sm" + authors + " WHERE sm.bug_id = b.id" + visible
    }

    /// The bug's attachments the viewer may see (`AttachmentRules.canSee`, in SQL) as `sa`; ends in a WHERE clause.
    private func visibleAttachments(viewer: Principal, policy: Policy) -> SQLQueryString {
        "attachments sa WHERE sa.bug_id = b.id" + (attachmentVisibility(of: "sa", viewer: viewer, policy: policy).map { " AND " + $0 } ?? "")
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
        case .regexp:
            // Checked by `SearchPattern` first, so both databases read it alike; SQLite's REGEXP is BugZot's own matcher.
            return sql.dialect.name == "sqlite" ? "\(text) REGEXP \(bind: value)" : "\(text) ~ \(bind: value)"
        case .notequals, .notsubstring, .nowordssubstr, .nowords, .isnotempty, .notregexp:
            return "NOT (" + (try predicate(op.positive.op, on: column, numeric: numeric, value: value)) + ")"
        case .changedbefore, .changedafter, .changedfrom, .changedto, .changedby:
            throw DomainError.invalidParameter(parameter: "operator", reason: "'\(op.rawValue)' searches a field's history, not its value.")
        case .matches, .notmatches:  // `fullTextCondition` answers them, on `content` only
            throw DomainError.invalidParameter(parameter: "operator", reason: "'\(op.rawValue)' searches the full text of 'content' only.")
        }
    }

    /// Words of a search value; an empty value is one empty word, which matches everything.
    private func words(_ value: String) -> [String] {
        let words = value.split(whereSeparator: \.isWhitespace).map(String.init)
        return words.isEmpty ? [""] : words
    }
}
