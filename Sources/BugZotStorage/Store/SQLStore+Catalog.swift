import Foundation
import BugZotDomain
import SQLKit

extension SQLStore {
    /// The installation's workflow as stored.
    public func workflow() async throws -> Workflow {
        let statuses = try await all("SELECT name, is_open FROM statuses ORDER BY sort_key").map {
            Workflow.Status(name: try $0.string("name"), isOpen: try $0.bool("is_open"))
        }
        let order = Dictionary(uniqueKeysWithValues: statuses.enumerated().map { ($1.name, $0) })
        let transitions = try await all("SELECT from_status, to_status, comment_required FROM status_transitions").map {
            let from = try $0.string("from_status")
            return Workflow.Transition(
                from: from.isEmpty ? nil : from, to: try $0.string("to_status"), commentRequired: try $0.bool("comment_required"))
        }.sorted { (order[$0.from ?? ""] ?? -1, order[$0.to] ?? 0) < (order[$1.from ?? ""] ?? -1, order[$1.to] ?? 0) }
        let resolutions = try await all("SELECT name FROM resolutions ORDER BY sort_key").map { try $0.string("name") }
        var settings: [String: String] = [:]
        for row in try await all("SELECT name, value FROM settings WHERE name LIKE 'workflow.%'") {
            settings[try row.string("name")] = try row.string("value")
        }
        let names = WorkflowTables.settingNames
        return Workflow(
            name: settings[names.name] ?? "custom", statuses: statuses, transitions: transitions, resolutions: resolutions,
            defaultStatus: settings[names.defaultStatus] ?? statuses.first(where: \.isOpen)?.name ?? "",
            unconfirmedStatus: settings[names.unconfirmed], takenStatus: settings[names.taken],
            duplicateStatus: settings[names.duplicate] ?? statuses.first(where: { !$0.isOpen })?.name ?? "",
            duplicateResolution: settings[names.duplicateResolution] ?? "DUPLICATE")
    }

    /// Replaces the stored workflow.
    public func replaceWorkflow(with workflow: Workflow) async throws {
        announce(.catalog)
        for statement in WorkflowTables.statements(for: workflow) {
            try await run(SQLQueryString(statement))
        }
    }

    /// Statuses that bugs use but `workflow` lacks.
    public func statusesInUse(missingFrom workflow: Workflow) async throws -> [String] {
        try await all("SELECT DISTINCT status FROM bugs WHERE status NOT IN \(inList(workflow.statuses.map(\.name)))").map {
            try $0.string("status")
        }
    }

    public func fieldCatalog() async throws -> FieldCatalog {
        var values: [String: [String]] = [:]
        for row in try await all("SELECT field, value FROM field_values ORDER BY field, sort_key") {
            values[try row.string("field"), default: []].append(try row.string("value"))
        }
        let keywords = try await all("SELECT name FROM keywords ORDER BY name").map { try $0.string("name") }
        return FieldCatalog(
            severities: values[SelectField.severity.rawValue] ?? [], priorities: values[SelectField.priority.rawValue] ?? [],
            opSystems: values[SelectField.opSys.rawValue] ?? [], platforms: values[SelectField.platform.rawValue] ?? [],
            keywords: keywords)
    }

    public func keywordDescriptions() async throws -> [(name: String, description: String)] {
        try await all("SELECT name, description FROM keywords ORDER BY name").map { (try $0.string("name"), try $0.string("description")) }
    }
}
