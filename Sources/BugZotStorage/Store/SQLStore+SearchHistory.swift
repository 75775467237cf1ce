import BugZotDomain
import Foundation
import SQLKit

/// The `changed*` search operators, over `bug_history`: only the rows the viewer could read in
/// the bug's history (`BugService.history`) count, so a search reveals no more than it does.
extension SQLStore {
    /// The history field (as `bug_history.field` names it) of each searchable field name.
    private static let historyFields: [String: String] = [
        "short_desc": "summary", "summary": "summary", "product": "product", "component": "component", "version": "version",
        "target_milestone": "target_milestone", "bug_status": "status", "status": "status", "resolution": "resolution",
        "bug_severity": "severity", "severity": "severity", "priority": "priority", "op_sys": "op_sys",
        "rep_platform": "platform", "platform": "platform", "assigned_to": "assigned_to", "qa_contact": "qa_contact",
        "bug_file_loc": "url", "url": "url", "status_whiteboard": "whiteboard", "whiteboard": "whiteboard",
        "deadline": "deadline", "alias": "alias", "cc": "cc", "keywords": "keywords", "bug_group": "groups", "groups": "groups",
        "see_also": "see_also", "reporter_accessible": "is_creator_accessible", "is_creator_accessible": "is_creator_accessible",
        "cclist_accessible": "is_cc_accessible", "is_cc_accessible": "is_cc_accessible",
        "blocked": "blocks", "blocks": "blocks", "dependson": "depends_on", "depends_on": "depends_on",
        "dup_id": "dupe_of", "dupe_of": "dupe_of",
        "attachments.description": "attachments.description", "attachments.filename": "attachments.filename",
        "attachments.mimetype": "attachments.mimetype", "attachments.ispatch": "attachments.ispatch",
        "attachments.isobsolete": "attachments.isobsolete", "attachments.isprivate": "attachments.isprivate",
    ]
    /// History fields whose values are bug numbers: the history shows only those the viewer may see.
    private static let linkFields: Set<String> = ["blocks", "depends_on", "dupe_of"]

    /// `changedbefore`/`changedafter` (a date, inclusive), `changedfrom`/`changedto` (the value
    /// removed or added, or one item of a list's), `changedby` (a login): some visible history row
    /// of the field says so.
    func historyCondition(_ condition: FieldCondition, viewer: Principal, policy: Policy, now: Date) throws -> SQLQueryString {
        guard let field = Self.historyFields[condition.field] else {
            throw DomainError.invalidParameter(parameter: "field", reason: "BugZot keeps no history of '\(condition.field)' to search with \(condition.op.rawValue).")
        }
        var rows: SQLQueryString = "bug_history h WHERE h.bug_id = b.id AND h.field = \(bind: field)"
        if !policy.isInsider(viewer) {
            // Changes to a private attachment are for insiders and the person who attached it.
            rows += """
                 AND (h.attachment_id IS NULL OR EXISTS (SELECT 1 FROM attachments ha WHERE ha.id = h.attachment_id
                    AND (ha.is_private = FALSE OR ha.creator_id = \(bind: viewer.user?.id ?? 0))))
                """
        }
        let isLink = Self.linkFields.contains(field)
        let value = condition.value.trimmingCharacters(in: .whitespaces)
        switch condition.op {
        case .changedbefore, .changedafter:
            guard !isLink else { throw Self.linkHistoryRefusal(condition) }
            let when = try Self.date(condition).unixSeconds(relativeTo: now)
            rows += condition.op == .changedbefore ? " AND h.changed_at <= \(bind: when)" : " AND h.changed_at >= \(bind: when)"
        case .changedfrom, .changedto:
            let column: SQLQueryString = condition.op == .changedfrom ? "h.removed" : "h.added"
            if isLink {
                // Only a bug the viewer may see: a hidden bug's number matches nothing, as it would if it did not exist.
                guard let number = Int(value) else { throw DomainError.notNumeric(parameter: "value", value: value) }
                let visible = visibilityCondition(of: "hb", viewer: viewer, policy: policy).map { " AND " + $0 } ?? ""
                rows += " AND EXISTS (SELECT 1 FROM bugs hb WHERE hb.id = \(bind: number)" + visible + ")"
            }
            // Lists are kept as "a, b": the value may be the whole text or one of its items.
            rows += " AND (\(column) = \(bind: value) OR ', ' || \(column) || ', ' LIKE \(bind: "%, " + likeEscaped(value) + ", %") ESCAPE '\\')"
        case .changedby:
            guard !isLink else { throw Self.linkHistoryRefusal(condition) }
            rows += " AND h.who_id IN (SELECT id FROM users WHERE LOWER(login_name) = \(bind: value.lowercased()))"
        default:
            throw DomainError.invalidParameter(parameter: "operator", reason: "'\(condition.op.rawValue)' is not a history operator.")
        }
        return "EXISTS (SELECT 1 FROM " + rows + ")"
    }

    private static func date(_ condition: FieldCondition) throws -> SearchDate {
        guard let date = SearchDate(condition.value) else {
            throw DomainError.invalidParameter(parameter: "value", reason: "'\(condition.value)' is not a date: use \(SearchDate.forms).")
        }
        return date
    }

    /// Dependency changes name other bugs, some of which the viewer may not see: they are searched by a bug's number.
    private static func linkHistoryRefusal(_ condition: FieldCondition) -> DomainError {
        .invalidParameter(
            parameter: "operator",
            reason: "changes of \(condition.field) are searched by bug number: use changedfrom or changedto with a bug you can see.")
    }
}
