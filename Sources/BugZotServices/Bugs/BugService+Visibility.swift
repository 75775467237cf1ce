import BugZotDomain
import BugZotStorage
import Foundation

/// What a viewer may see of bugs: hidden bugs are missing ones, and links, history and
/// attachments that would name them are left out.
extension BugService {
    /// The id of a bug named by number or alias, if the viewer may see it.
    func visibleBugID(_ identifier: String, store: SQLStore, by principal: Principal) async throws -> Int {
        try InputRules.check(identifier, as: .bugIdentifier)
        let trimmed = identifier.trimmingCharacters(in: .whitespaces)
        let id: Int
        if let number = Int(trimmed) {
            id = number
        } else if InputRules.isValidAlias(trimmed), let aliased = try await store.bugID(alias: trimmed) {
            id = aliased
        } else if InputRules.isValidAlias(trimmed) {
            throw DomainError.bugNotFound(trimmed)
        } else {
            throw DomainError.invalidBugID(trimmed)
        }
        guard try await visibleIDs([id], store: store, by: principal).contains(id) else { throw DomainError.bugNotFound(trimmed) }
        return id
    }

    /// Which of these bugs the viewer may see.
    func visibleIDs(_ ids: Set<Int>, store: SQLStore, by principal: Principal) async throws -> Set<Int> {
        guard !ids.isEmpty else { return [] }
        var search = BugSearch()
        search.ids = Array(ids)
        return Set(try await store.searchBugIDs(search, viewer: principal, policy: policy))
    }

    /// Bugs as the viewer may see them: links to hidden bugs removed.
    func scrubbed(_ bugs: [Bug], store: SQLStore, by principal: Principal) async throws -> [Bug] {
        let linked = Set(bugs.flatMap { $0.blocks + $0.dependsOn + ($0.dupeOf.map { [$0] } ?? []) })
        let visible = try await visibleIDs(linked, store: store, by: principal)
        return bugs.map { bug in
            var bug = bug
            bug.blocks = bug.blocks.filter(visible.contains)
            bug.dependsOn = bug.dependsOn.filter(visible.contains)
            if let dupeOf = bug.dupeOf, !visible.contains(dupeOf) { bug.dupeOf = nil }
            return bug
        }
    }

    /// History as the viewer may see it: bug numbers they can't see removed from link fields.
    func scrubbed(_ entries: [HistoryEntry], store: SQLStore, by principal: Principal) async throws -> [HistoryEntry] {
        let linkFields: Set<String> = ["blocks", "depends_on", "dupe_of"]
        func numbers(_ text: String) -> [Int] { text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
        let linked = Set(entries.flatMap(\.changes).filter { linkFields.contains($0.field) }.flatMap { numbers($0.removed) + numbers($0.added) })
        let visible = try await visibleIDs(linked, store: store, by: principal)
        return entries.compactMap { entry in
            var entry = entry
            entry.changes = entry.changes.compactMap { change in
                guard linkFields.contains(change.field) else { return change }
                let removed = numbers(change.removed).filter(visible.contains).map(String.init).joined(separator: ", ")
                let added = numbers(change.added).filter(visible.contains).map(String.init).joined(separator: ", ")
                return removed.isEmpty && added.isEmpty ? nil : FieldChange(field: change.field, removed: removed, added: added)
            }
            return entry.changes.isEmpty ? nil : entry
        }
    }

    /// History without the changes to private attachments the viewer may not see.
    func withoutHiddenAttachments(_ entries: [HistoryEntry], store: SQLStore, by principal: Principal) async throws -> [HistoryEntry] {
        let ids = Set(entries.flatMap(\.changes).compactMap(\.attachmentID))
        guard !ids.isEmpty else { return entries }
        let visible = Set(try await store.attachments(ids: Array(ids)).filter { AttachmentRules.canSee($0, principal, policy: policy) }.map(\.id))
        return entries.compactMap { entry in
            var entry = entry
            entry.changes.removeAll { change in change.attachmentID.map { !visible.contains($0) } ?? false }
            return entry.changes.isEmpty ? nil : entry
        }
    }
}
