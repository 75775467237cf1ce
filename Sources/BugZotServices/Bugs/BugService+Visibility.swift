import BugZotDomain
import BugZotStorage
import Foundation

/// What a viewer may see of bugs: hidden bugs are missing ones, and links, history and
/// attachments that would name them are left out.
extension BugService {
    /// The id of a bug named by number or alias, if the viewer may see it (one statement).
    func visibleBugID(_ identifier: String, store: SQLStore, by principal: Principal) async throws -> Int {
        var search = BugSearch()
        let reference = try Self.reference(identifier)
        search.ids = reference.number.map { [$0] } ?? []
        search.aliases = reference.alias.map { [$0] } ?? []
        guard let id = try await store.searchBugIDs(search, viewer: principal, policy: policy).first else {
            throw DomainError.bugNotFound(reference.text)
        }
        return id
    }

    /// What a bug identifier names: a number, or an alias of the valid form.
    static func reference(_ identifier: String) throws(DomainError) -> BugReference {
        try InputRules.check(identifier, as: .bugIdentifier)
        let trimmed = identifier.trimmingCharacters(in: .whitespaces)
        if let number = Int(trimmed) { return BugReference(text: trimmed, number: number) }
        guard InputRules.isValidAlias(trimmed) else { throw DomainError.invalidBugID(trimmed) }
        return BugReference(text: trimmed, number: nil)
    }

    /// The bugs these identifiers name that the viewer may see, links to hidden bugs left out, in
    /// the order named (a bug named twice comes twice): two statements however many bugs, lists
    /// and links. Unless `permissive`, the first invalid, missing or hidden one is an error;
    /// otherwise those become faults. `forUpdate` holds their rows until the transaction ends.
    func visibleBugs(_ identifiers: [String], permissive: Bool, store: SQLStore, by principal: Principal, forUpdate: Bool = false) async throws
        -> (bugs: [LoadedBug], faults: [(identifier: String, error: DomainError)])
    {
        try await visibleBugs(identifiers, permissive: permissive, store: store, by: principal, forUpdate: forUpdate, checking: nil) { _ in }
    }

    /// The same, reading what a change checks (`request`) in the same statements; `judge` sees
    /// those checks before any identifier is judged, so that its errors come first.
    func visibleBugs(
        _ identifiers: [String], permissive: Bool, store: SQLStore, by principal: Principal, forUpdate: Bool,
        checking request: ChangeChecks.Request?, then judge: (ChangeChecks) throws -> Void
    ) async throws -> (bugs: [LoadedBug], faults: [(identifier: String, error: DomainError)]) {
        let references = identifiers.map { identifier in Result { () throws(DomainError) in try Self.reference(identifier) } }
        let named = references.compactMap { try? $0.get() }
        let (ids, aliases) = (named.compactMap(\.number), named.compactMap(\.alias))
        let loaded: [LoadedBug]
        if let request {
            let read = try await store.loadBugs(ids: ids, aliases: aliases, seenBy: (principal, policy), forUpdate: forUpdate, checking: request)
            try judge(read.checks)
            loaded = read.bugs
        } else {
            loaded = try await store.loadBugs(ids: ids, aliases: aliases, seenBy: (principal, policy), forUpdate: forUpdate)
        }
        var bugs: [LoadedBug] = []
        var faults: [(identifier: String, error: DomainError)] = []
        for (identifier, reference) in zip(identifiers, references) {
            do {
                let reference = try reference.get()
                guard let found = loaded.first(where: { reference.names($0.bug) }) else { throw DomainError.bugNotFound(reference.text) }
                // The rule is checked again on the bug as loaded (its lists come from a second
                // statement), so a bug hidden in between is still not shown.
                guard Visibility.canSee(found.bug, principal, policy: policy) else { throw DomainError.bugNotFound(String(found.bug.id)) }
                bugs.append(found)
            } catch let error as DomainError where permissive {
                faults.append((identifier, error))
            }
        }
        return (bugs, faults)
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
        let visible = try await visibleIDs(Set(bugs.flatMap(Visibility.linkedBugIDs(of:))), store: store, by: principal)
        return bugs.map { Visibility.withoutHiddenLinks($0, visible: visible.contains) }
    }

    /// History as the viewer may see it: bug numbers they can't see removed from link fields.
    /// The bug it is of, when given, already says which of its links they may see; only other
    /// bugs are looked up.
    func scrubbed(_ entries: [HistoryEntry], of bug: LoadedBug? = nil, store: SQLStore, by principal: Principal) async throws -> [HistoryEntry] {
        let linked = Visibility.linkedBugIDs(in: entries.flatMap(\.changes))
        let known = bug.map { Visibility.linkedBugIDs(of: $0.bug) } ?? []
        let visible = (bug?.visibleLinks ?? []).union(try await visibleIDs(linked.subtracting(known), store: store, by: principal))
        return entries.compactMap { entry in
            var entry = entry
            entry.changes = Visibility.withoutHiddenLinks(entry.changes, visible: visible.contains)
            return entry.changes.isEmpty ? nil : entry
        }
    }

    /// History without the changes to private attachments the viewer may not see; `known` are
    /// attachments already read (those of the bug), so that only others are looked up.
    func withoutHiddenAttachments(
        _ entries: [HistoryEntry], known: [Attachment] = [], store: SQLStore, by principal: Principal
    ) async throws -> [HistoryEntry] {
        let ids = Set(entries.flatMap(\.changes).compactMap(\.attachmentID))
        guard !ids.isEmpty else { return entries }
        let unknown = ids.subtracting(known.map(\.id))
        let read = unknown.isEmpty ? [] : try await store.attachments(ids: Array(unknown))
        let visible = Set((known + read).filter { AttachmentRules.canSee($0, principal, policy: policy) }.map(\.id))
        return entries.compactMap { entry in
            var entry = entry
            entry.changes.removeAll { change in change.attachmentID.map { !visible.contains($0) } ?? false }
            return entry.changes.isEmpty ? nil : entry
        }
    }
}

/// A bug as a request names it: a number, or an alias.
struct BugReference {
    /// The identifier, trimmed, as an error quotes it.
    let text: String
    let number: Int?
    var alias: String? { number == nil ? text : nil }

    func names(_ bug: Bug) -> Bool {
        number.map { $0 == bug.id } ?? bug.aliases.contains(text)
    }
}
