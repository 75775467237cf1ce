import BugZotDomain
import BugZotServices
import Foundation

extension BugOperations {
    /// `GET /bug?…`: search → `{"bugs": [...]}`. Bugs the caller can't see are silently left out.
    /// With `count_only=1` (as bugzilla.mozilla.org has it) only `{"bug_count": N}`: the total a
    /// paged search walks. `after=ID` (BugZot's own) gives the page after that bug in the search's
    /// order: keyset paging, so a deep page costs what the first one does, unlike `offset`.
    public func search(_ parameters: WireParameters, by principal: Principal) async throws -> JSONValue {
        let fields = parameters.has("quicksearch") ? try await services.catalog.fieldData() : nil
        var search = try Self.bugSearch(from: parameters, maxSearchResults: maxSearchResults, fields: fields)
        if try parameters.bool("count_only") == true {
            return ["bug_count": .int(try await services.bugs.count(search, by: principal))]
        }
        if let after = try parameters.int("after") {
            search.after = try await cursor(after: after, order: search.order, by: principal)
        }
        let bugs = try await services.bugs.search(search, by: principal)
        return try await bugList(bugs, parameters: parameters, viewer: principal, faults: nil)
    }

    /// The place of bug `id` (which the principal must be able to see) in a result sorted by `order`.
    private func cursor(after id: Int, order: [BugOrder], by principal: Principal) async throws -> BugCursor {
        guard order.count <= 1 else {
            throw DomainError.invalidParameter(parameter: "after", reason: "paging after a bug takes at most one order column.")
        }
        return try await services.bugs.cursor(after: id, sortedBy: order.first?.column ?? .id, by: principal)
    }

    /// Reads Bugzilla's search parameters, by API or internal name. `limit=0` (or none, without an
    /// offset) asks for every match and a limit above `maxSearchResults` for more than it: either is
    /// refused when more than `maxSearchResults` bugs match.
    /// Quicksearch's status words are the workflow's statuses and resolutions, `P1` the catalog's first priority.
    static func bugSearch(from parameters: WireParameters, maxSearchResults: Int, fields: CatalogService.FieldData?) throws(DomainError) -> BugSearch {
        var search = BugSearch()
        for text in try parameters.strings(["id", "bug_id", "ids"]) {
            for part in text.split(separator: ",") {
                guard let id = Int(part.trimmingCharacters(in: .whitespaces)) else {
                    throw .notNumeric(parameter: "id", value: String(part))
                }
                search.ids.append(id)
            }
        }
        search.aliases = try parameters.strings("alias")
        search.products = try parameters.strings("product")
        search.components = try parameters.strings("component")
        search.versions = try parameters.strings("version")
        search.targetMilestones = try parameters.strings("target_milestone")
        search.statuses = try parameters.strings(["status", "bug_status"])
        search.resolutions = try parameters.strings("resolution").map { $0 == "---" ? "" : $0 }
        search.severities = try parameters.strings(["severity", "bug_severity"])
        search.priorities = try parameters.strings("priority")
        search.opSystems = try parameters.strings("op_sys")
        search.platforms = try parameters.strings(["platform", "rep_platform"])
        search.summaries = try parameters.strings(["summary", "short_desc"])
        search.whiteboards = try parameters.strings(["whiteboard", "status_whiteboard"])
        search.urls = try parameters.strings(["url", "bug_file_loc"])
        search.reporters = try parameters.strings(["creator", "reporter"])
        search.assignees = try parameters.strings("assigned_to")
        search.qaContacts = try parameters.strings("qa_contact")
        search.cc = try parameters.strings("cc")
        search.keywords = try parameters.commaSeparated("keywords")
        search.conditions = try advancedConditions(from: parameters)
        search.charts = try legacyCharts(from: parameters)
        if let chart = try booleanChart(from: parameters) { search.charts.append(chart) }
        for text in try parameters.strings("quicksearch") {
            search.conditions += try QuickSearch.conditions(
                text, statuses: Set(fields?.workflow.statuses.map(\.name) ?? []), resolutions: Set(fields?.workflow.resolutions ?? []),
                priorities: fields?.catalog.priorities ?? [], products: fields?.products.map(\.name) ?? [])
        }
        search.createdSince = try parameters.date("creation_time")
        search.changedSince = try parameters.date("last_change_time")
        search.order = try parameters.commaSeparated("order").compactMap(order)
        let limit = try parameters.int("limit")
        let offset = try parameters.int("offset") ?? 0
        guard offset >= 0 else { throw .invalidParameter(parameter: "offset", reason: "must not be negative.") }
        guard (limit ?? 0) >= 0 else { throw .invalidParameter(parameter: "limit", reason: "must not be negative.") }
        search.offset = offset
        switch limit {
        case nil where offset > 0: search.limit = 50
        case let limit? where limit > 0 && limit <= maxSearchResults: search.limit = limit
        default: search.maximumResults = maxSearchResults
        }
        return search
    }

    /// Bugzilla's custom search: `fN/oN/vN`, `nN` to negate, `fN=OP`…`fN=CP` groups joined by `jN`,
    /// the top level by `j_top` (`BooleanChart`).
    private static func booleanChart(from parameters: WireParameters) throws(DomainError) -> SearchTerm? {
        var rows: [BooleanChart.Row] = []
        for key in parameters.keys where key.count > 1 && key.hasPrefix("f") {
            guard let index = Int(key.dropFirst()), index >= 0, let field = try parameters.string(key) else { continue }
            rows.append(
                BooleanChart.Row(
                    index: index, field: field, op: try parameters.string("o\(index)"), value: try parameters.string("v\(index)") ?? "",
                    negated: try parameters.bool("n\(index)") == true, join: try parameters.string("j\(index)")))
        }
        return try BooleanChart.parse(rows, top: try parameters.string("j_top"))
    }

    /// `longdesc` (+ `longdesc_type`) and `emailN`.
    private static func advancedConditions(from parameters: WireParameters) throws(DomainError) -> [[FieldCondition]] {
        func op(_ name: String?, parameter: String) throws(DomainError) -> SearchOperator {
            try SearchOperator(named: name, parameter: parameter)
        }
        for unsupported in ["savedsearch", "sharer_id", "tags", "emaillongdesc1", "emaillongdesc2"] where parameters.has(unsupported) {
            throw .invalidParameter(parameter: unsupported, reason: "BugZot does not support this search parameter yet.")
        }
        var groups: [[FieldCondition]] = []
        for text in try parameters.strings("longdesc") where !text.isEmpty {
            let type = try parameters.string("longdesc_type") ?? SearchOperator.allwordssubstr.rawValue
            groups.append([FieldCondition(field: "longdesc", op: try op(type, parameter: "longdesc_type"), value: text)])
        }
        // Bugzilla's simple search box: the full text (summary, comments, attachments) by words.
        for text in try parameters.strings("content") where !text.isEmpty {
            groups.append([FieldCondition(field: "content", op: .matches, value: text)])
        }
        let keys = parameters.keys
        // emailN with emailtypeN, over the roles flagged by email<role>N=1.
        let roles = ["assigned_to", "reporter", "qa_contact", "cc"]
        for key in keys.sorted() where key.hasPrefix("email") && Int(key.dropFirst("email".count)) != nil {
            let index = key.dropFirst("email".count)
            guard let value = try parameters.string(key), !value.isEmpty else { continue }
            let type = try op(try parameters.string("emailtype\(index)") ?? SearchOperator.substring.rawValue, parameter: "emailtype\(index)")
            var chosen: [String] = []
            for role in roles where try parameters.bool("email\(role)\(index)") == true { chosen.append(role) }
            guard !chosen.isEmpty else {
                throw .invalidParameter(parameter: key, reason: "name at least one of email\(roles.joined(separator: "/"))\(index).")
            }
            groups.append(chosen.map { FieldCondition(field: $0, op: type, value: value) })
        }
        return groups
    }

    /// Bugzilla's boolean charts of old, `fieldX-Y-Z/typeX-Y-Z/valueX-Y-Z`: within chart X, the
    /// conditions of a row Y are alternatives and its rows all apply; `negateX=1` negates the whole
    /// chart. Every chart applies.
    private static func legacyCharts(from parameters: WireParameters) throws(DomainError) -> [SearchTerm] {
        var charts: [Int: [Int: [(Int, FieldCondition)]]] = [:]
        for key in parameters.keys where key.hasPrefix("field") {
            let position = key.dropFirst("field".count)
            let parts = position.split(separator: "-", omittingEmptySubsequences: false).compactMap { Int($0) }
            guard parts.count == 3, let field = try parameters.string(key), field != "noop" else { continue }
            let condition = FieldCondition(
                field: field, op: try SearchOperator(named: try parameters.string("type\(position)"), parameter: "type\(position)"),
                value: try parameters.string("value\(position)") ?? "")
            charts[parts[0], default: [:]][parts[1], default: []].append((parts[2], condition))
        }
        return try charts.keys.sorted().map { (chart) throws(DomainError) -> SearchTerm in
            let rows = charts[chart] ?? [:]
            let term = SearchTerm.all(rows.keys.sorted().map { row in
                .any((rows[row] ?? []).sorted { $0.0 < $1.0 }.map { .condition($0.1) })
            })
            return try parameters.bool("negate\(chart)") == true ? .not(term) : term
        }
    }

    /// `bug_id DESC`, `changeddate`, `priority,bug_severity`…; unknown columns are ignored.
    private static func order(_ text: String) -> BugOrder? {
        let parts = text.split(separator: " ")
        guard let name = parts.first?.lowercased() else { return nil }
        let columns: [String: BugOrder.Column] = [
            "bug_id": .id, "id": .id, "short_desc": .summary, "summary": .summary, "bug_status": .status, "status": .status,
            "resolution": .resolution, "bug_severity": .severity, "severity": .severity, "priority": .priority,
            "product": .product, "component": .component, "version": .version, "assigned_to": .assignee,
            "reporter": .reporter, "creator": .reporter, "opendate": .creationTime, "creation_ts": .creationTime,
            "creation_time": .creationTime, "changeddate": .lastChangeTime, "delta_ts": .lastChangeTime,
            "last_change_time": .lastChangeTime, "target_milestone": .targetMilestone, "relevance": .relevance,
        ]
        guard let column = columns[name] else { return nil }
        let direction = parts.dropFirst().first?.uppercased()
        // Relevance puts the best matches first unless ASC asks otherwise, as in Bugzilla.
        return BugOrder(column: column, descending: column == .relevance ? direction != "ASC" : direction == "DESC")
    }
}
