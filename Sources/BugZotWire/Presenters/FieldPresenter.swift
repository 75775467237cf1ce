import BugZotDomain
import BugZotServices

/// The `/rest/field/bug` descriptions of the fields BugZot has.
public enum FieldPresenter {
    private enum FieldType: Int {
        case unknown = 0, freetext = 1, singleSelect = 2, keywords = 8, date = 9
    }

    /// Every field, with its values where it has a list of them.
    public static func fields(_ data: CatalogService.FieldData) -> [JSONValue] {
        var fields: [JSONValue] = []
        func add(_ name: String, _ display: String, _ type: FieldType, mandatory: Bool = false, onEntry: Bool = false,
                 values: [JSONValue]? = nil, valueField: String? = nil) {
            var field: JSONObject = [
                "id": .int(fields.count + 1), "name": .string(name), "display_name": .string(display), "type": .int(type.rawValue),
                "is_custom": false, "is_mandatory": .bool(mandatory), "is_on_bug_entry": .bool(onEntry),
                "visibility_field": .null, "visibility_values": [], "value_field": JSONValue(valueField),
            ]
            if let values { field["values"] = .array(values) }
            fields.append(.object(field))
        }
        func value(_ name: String, sortKey: Int, extra: JSONObject = [:], products: [String] = []) -> JSONValue {
            var object: JSONObject = [
                "name": .string(name), "sort_key": .int(sortKey), "sortkey": .int(sortKey), "visibility_values": JSONValue(strings: products),
            ]
            object.merge(extra) { $1 }
            return .object(object)
        }
        let workflow = data.workflow
        func transitions(from status: String?) -> JSONValue {
            .array(workflow.targets(from: status).map { ["name": .string($0.to), "comment_required": .bool($0.commentRequired)] })
        }
        let statuses = [value("", sortKey: 0, extra: ["is_open": .null, "can_change_to": transitions(from: nil)])]
            + workflow.statuses.enumerated().map { index, status in
                value(status.name, sortKey: (index + 1) * 100, extra: ["is_open": .bool(status.isOpen), "can_change_to": transitions(from: status.name)])
            }
        add("bug_id", "Bug #", .unknown)
        add("short_desc", "Summary", .freetext, mandatory: true, onEntry: true)
        add("product", "Product", .singleSelect, mandatory: true, onEntry: true,
            values: data.products.enumerated().map { value($1.name, sortKey: $0) })
        add("component", "Component", .singleSelect, mandatory: true, onEntry: true,
            values: data.products.flatMap { product in
                product.components.map { value($0.name, sortKey: $0.sortKey, extra: ["is_active": .bool($0.isActive)], products: [product.name]) }
            }, valueField: "product")
        add("version", "Version", .singleSelect, mandatory: true, onEntry: true,
            values: data.products.flatMap { product in
                product.versions.map { value($0.name, sortKey: $0.sortKey, extra: ["is_active": .bool($0.isActive)], products: [product.name]) }
            }, valueField: "product")
        add("target_milestone", "Target Milestone", .singleSelect,
            values: data.products.flatMap { product in
                product.milestones.map { value($0.name, sortKey: $0.sortKey, extra: ["is_active": .bool($0.isActive)], products: [product.name]) }
            }, valueField: "product")
        add("bug_status", "Status", .singleSelect, onEntry: true, values: statuses)
        add("resolution", "Resolution", .singleSelect,
            values: ([""] + workflow.resolutions).enumerated().map { value($1, sortKey: $0 * 100) })
        for field in SelectField.allCases {
            add(field.internalName, field.displayName, .singleSelect, onEntry: true,
                values: data.catalog.values(of: field).enumerated().map { value($1, sortKey: ($0 + 1) * 100) })
        }
        add("keywords", "Keywords", .keywords, onEntry: true,
            values: data.keywordDescriptions.enumerated().map { value($1.name, sortKey: $0, extra: ["description": .string($1.description)]) })
        add("assigned_to", "Assignee", .unknown, onEntry: true)
        add("qa_contact", "QA Contact", .unknown, onEntry: true)
        add("reporter", "Reporter", .unknown)
        add("cc", "CC", .unknown, onEntry: true)
        add("bug_file_loc", "URL", .freetext, onEntry: true)
        add("status_whiteboard", "Whiteboard", .freetext, onEntry: true)
        add("deadline", "Deadline", .date, onEntry: true)
        add("longdesc", "Comment", .unknown)
        add("creation_ts", "Creation date", .unknown)
        add("delta_ts", "Last changed date", .unknown)
        return fields
    }
}

extension SelectField {
    /// The field's label on Bugzilla's pages.
    public var displayName: String {
        switch self {
        case .severity: "Severity"
        case .priority: "Priority"
        case .opSys: "OS"
        case .platform: "Hardware"
        }
    }
}
