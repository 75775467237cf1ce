import BugZotDomain
import BugZotStorage
import Foundation

/// Filing, finding, reading and changing bugs. A bug someone may not see is, to them, a bug
/// that does not exist: every path answers the same way for both.
public struct BugService: Sendable {
    let database: any Database
    let policy: Policy

    public init(database: any Database, policy: Policy) {
        self.database = database
        self.policy = policy
    }

    // MARK: Reading

    /// Bugs by id or alias. Unless `permissive`, the first missing or hidden one is an error;
    /// otherwise those become faults.
    public func bugs(_ identifiers: [String], permissive: Bool, by principal: Principal) async throws
        -> (bugs: [Bug], faults: [(identifier: String, error: DomainError)])
    {
        try policy.checkListSizes([("ids", identifiers.count)])
        return try await database.read { sql in
            let store = SQLStore(sql)
            var ids: [Int] = []
            var faults: [(identifier: String, error: DomainError)] = []
            for identifier in identifiers {
                do {
                    ids.append(try await visibleBugID(identifier, store: store, by: principal))
                } catch let error as DomainError where permissive {
                    faults.append((identifier, error))
                }
            }
            // The rule is checked again on the loaded bugs, so a bug hidden between the
            // check above and the load is still not shown.
            let loaded = try await store.bugs(ids: ids)
            for bug in loaded where !Visibility.canSee(bug, principal, policy: policy) {
                guard permissive else { throw DomainError.bugNotFound(String(bug.id)) }
                faults.append((String(bug.id), .bugNotFound(String(bug.id))))
            }
            let visible = loaded.filter { Visibility.canSee($0, principal, policy: policy) }
            return (try await scrubbed(visible, store: store, by: principal), faults)
        }
    }

    public func search(_ search: BugSearch, by principal: Principal) async throws -> [Bug] {
        try policy.checkListSizes(search.listSizes)
        return try await database.read { sql in
            let store = SQLStore(sql)
            let ids = try await store.searchBugIDs(search, viewer: principal, policy: policy)
            let visible = try await store.bugs(ids: ids).filter { Visibility.canSee($0, principal, policy: policy) }
            return try await scrubbed(visible, store: store, by: principal)
        }
    }

    /// Ids only, for callers that need no more (and to check visibility in bulk).
    public func searchIDs(_ search: BugSearch, by principal: Principal) async throws -> [Int] {
        try await database.read { sql in try await SQLStore(sql).searchBugIDs(search, viewer: principal, policy: policy) }
    }

    /// Each bug's history, with changes naming bugs the viewer can't see left out.
    public func history(_ identifiers: [String], since: Date?, by principal: Principal) async throws -> [(bug: Bug, history: [HistoryEntry])] {
        try await database.read { sql in
            let store = SQLStore(sql)
            var result: [(bug: Bug, history: [HistoryEntry])] = []
            for identifier in identifiers {
                let id = try await visibleBugID(identifier, store: store, by: principal)
                guard let bug = try await store.bug(id: id) else { throw DomainError.bugNotFound(identifier) }
                let entries = try await withoutHiddenAttachments(try await store.history(bugID: id, since: since), store: store, by: principal)
                result.append((bug, try await scrubbed(entries, store: store, by: principal)))
            }
            return result
        }
    }

    /// The visible comments of each bug, by bug id.
    public func comments(ofBugs identifiers: [String], since: Date?, by principal: Principal) async throws -> [(bugID: Int, comments: [Comment])] {
        try await database.read { sql in
            let store = SQLStore(sql)
            var result: [(bugID: Int, comments: [Comment])] = []
            for identifier in identifiers {
                let id = try await visibleBugID(identifier, store: store, by: principal)
                let comments = try await store.comments(bugIDs: [id], since: since)
                result.append((id, comments.filter { Visibility.canSee($0, principal, policy: policy) }))
            }
            return result
        }
    }

    /// Comments by id; a comment on a hidden bug does not exist, a private one is refused.
    public func comments(ids: [Int], by principal: Principal) async throws -> [Comment] {
        try await database.read { sql in
            let store = SQLStore(sql)
            let comments = try await store.comments(ids: ids)
            let visibleBugs = try await visibleIDs(Set(comments.map(\.bugID)), store: store, by: principal)
            for id in ids {
                guard let comment = comments.first(where: { $0.id == id }), visibleBugs.contains(comment.bugID) else {
                    throw DomainError.commentNotFound(String(id))
                }
                guard Visibility.canSee(comment, principal, policy: policy) else { throw DomainError.commentPrivate(id: id) }
            }
            return comments
        }
    }

    // MARK: Writing

    /// Files a bug and returns its id.
    public func create(_ request: BugCreateRequest, by principal: Principal) async throws -> Int {
        let reporter = try principal.requireUser()
        try policy.checkListSizes([
            ("alias", request.aliases.count), ("keywords", request.keywords.count), ("blocks", request.blocks.count),
            ("depends_on", request.dependsOn.count), ("cc", request.cc.count), ("groups", request.groups?.count ?? 0),
        ])
        let now = Date()
        return try await database.transaction { sql in
            let store = SQLStore(sql)
            let rules = try await self.rules(store)
            guard let product = try await store.product(name: request.product) else {
                throw DomainError.productNotEnterable(request.product)
            }
            let logins = [request.assignedTo, request.qaContact].compactMap { $0 }.filter { !$0.isEmpty } + request.cc
            let users = try await resolveUsers(logins, store: store)
            let referenced = request.blocks + request.dependsOn
            try await requireVisible(referenced, store: store, by: principal)
            var draft = BugDraft(
                product: product, component: request.component, version: request.version, summary: request.summary,
                description: request.description, descriptionIsPrivate: request.descriptionIsPrivate,
                severity: request.severity, priority: request.priority, opSys: request.opSys, platform: request.platform,
                aliases: request.aliases, cc: request.cc.compactMap { users[$0.lowercased()] }, groups: request.groups,
                status: request.status, resolution: request.resolution, targetMilestone: request.targetMilestone,
                keywords: request.keywords, blocks: request.blocks, dependsOn: request.dependsOn, url: request.url,
                whiteboard: request.whiteboard, deadline: request.deadline)
            draft.assignedTo = request.assignedTo.flatMap { users[$0.lowercased()] }
            draft.qaContact = request.qaContact.flatMap { users[$0.lowercased()] }
            let bug = try rules.newBug(from: draft, by: principal, at: now)
            if let taken = try await store.aliasesInUse(bug.aliases, except: 0).first { throw DomainError.aliasInUse(taken) }
            try await checkDependencyLoops(bugID: 0, blocks: bug.blocks, dependsOn: bug.dependsOn, store: store)
            let id = try await store.insertBug(bug)
            _ = try await store.insertComment(
                bugID: id, author: reporter, text: request.description, isPrivate: request.descriptionIsPrivate, at: now)
            var stored = bug
            stored.id = id
            try await recordReciprocalChanges(of: id, from: Self.withoutLists(bug), to: stored, by: reporter, at: now, store: store)
            return id
        }
    }

    /// Applies one request to each bug, all in one transaction.
    public func update(_ identifiers: [String], with request: BugUpdateRequest, by principal: Principal) async throws -> [BugUpdateResult] {
        let actor = try principal.requireUser()
        try policy.checkListSizes([
            ("ids", identifiers.count), ("alias", request.aliases.count), ("keywords", request.keywords.count),
            ("blocks", request.blocks.count), ("depends_on", request.dependsOn.count), ("cc", request.cc.count),
            ("groups", request.groups.count), ("see_also", request.seeAlso.count), ("comment_is_private", request.commentPrivacy.count),
        ])
        let now = Date()
        return try await database.transaction { sql in
            let store = SQLStore(sql)
            let rules = try await self.rules(store)
            let users = try await resolveUsers(request.logins, store: store)
            try await requireVisible(request.referencedBugs, store: store, by: principal)
            let targetProduct = try await request.product.asyncMap { name in
                guard let product = try await store.product(name: name) else { throw DomainError.productNotEnterable(name) }
                return product
            }
            var results: [BugUpdateResult] = []
            for identifier in identifiers {
                let id = try await visibleBugID(identifier, store: store, by: principal)
                try await store.lockBugs([id])
                guard let bug = try await store.bug(id: id), let product = try await store.product(name: bug.product) else {
                    throw DomainError.bugNotFound(identifier)
                }
                var update = BugUpdate()
                update.summary = request.summary
                update.product = targetProduct
                update.component = request.component
                update.version = request.version
                update.targetMilestone = request.targetMilestone
                update.status = request.status
                update.resolution = request.resolution
                update.severity = request.severity
                update.priority = request.priority
                update.opSys = request.opSys
                update.platform = request.platform
                update.url = request.url
                update.whiteboard = request.whiteboard
                update.assignedTo = request.assignedTo.flatMap { users[$0.lowercased()] }
                update.resetAssignedTo = request.resetAssignedTo
                update.qaContact = request.qaContact.map { $0.isEmpty ? nil : users[$0.lowercased()] }
                update.resetQAContact = request.resetQAContact
                update.deadline = request.deadline
                update.dupeOf = request.dupeOf
                update.isCreatorAccessible = request.isCreatorAccessible
                update.isCCAccessible = request.isCCAccessible
                update.aliases = request.aliases
                update.keywords = request.keywords
                update.blocks = request.blocks
                update.dependsOn = request.dependsOn
                update.cc = ListEdit(
                    add: request.cc.add.compactMap { users[$0.lowercased()] }, remove: request.cc.remove.compactMap { users[$0.lowercased()] },
                    set: request.cc.set.map { $0.compactMap { users[$0.lowercased()] } })
                update.groups = request.groups
                update.seeAlso = request.seeAlso
                update.comment = request.comment
                // The caller edits the bug as they see it; links to bugs hidden from them stay as they are.
                let shown = try await scrubbed([bug], store: store, by: principal)[0]
                let (edited, changes) = try rules.apply(update, to: shown, product: product, by: principal, at: now)
                let new = Self.restoringHiddenLinks(of: bug, shown: shown, into: edited, workflow: rules.workflow)
                if let taken = try await store.aliasesInUse(new.aliases, except: id).first { throw DomainError.aliasInUse(taken) }
                try await checkDependencyLoops(
                    bugID: id, blocks: new.blocks.filter { !bug.blocks.contains($0) },
                    dependsOn: new.dependsOn.filter { !bug.dependsOn.contains($0) }, store: store)
                if let dupeOf = new.dupeOf, dupeOf != bug.dupeOf {
                    if try await store.duplicateChain(from: dupeOf).contains(id) { throw DomainError.duplicateLoop(dupeOf) }
                }
                var touched = !changes.isEmpty
                if !changes.isEmpty {
                    try await store.updateBug(from: bug, to: new)
                    try await store.insertHistory(bugID: id, who: actor, at: now, changes: BugRules.changes(from: bug, to: new))
                    try await recordReciprocalChanges(of: id, from: bug, to: new, by: actor, at: now, store: store)
                }
                if let comment = request.comment {
                    _ = try await store.insertComment(bugID: id, author: actor, text: comment.text, isPrivate: comment.isPrivate, at: now)
                    touched = true
                }
                if let dupeOf = new.dupeOf, dupeOf != bug.dupeOf {
                    try await markDuplicate(new, of: dupeOf, by: actor, at: now, store: store)
                }
                if try await changeCommentPrivacy(request.commentPrivacy, bugID: id, by: principal, store: store) { touched = true }
                if touched, changes.isEmpty { try await store.touchBugs([id], at: now) }
                results.append(BugUpdateResult(id: id, aliases: new.aliases, lastChangeTime: touched ? now : bug.lastChangeTime, changes: changes))
            }
            return results
        }
    }

    /// Adds a comment to a bug and returns it.
    public func addComment(to identifier: String, _ comment: NewComment, by principal: Principal) async throws -> Comment {
        let author = try principal.requireUser()
        let now = Date()
        return try await database.transaction { sql in
            let store = SQLStore(sql)
            let id = try await visibleBugID(identifier, store: store, by: principal)
            try await self.rules(store).checkComment(comment, by: principal)
            let stored = try await store.insertComment(bugID: id, author: author, text: comment.text, isPrivate: comment.isPrivate, at: now)
            try await store.touchBugs([id], at: now)
            return stored
        }
    }

    // MARK: Helpers

    private func rules(_ store: SQLStore) async throws -> BugRules {
        BugRules(
            workflow: try await store.workflow(), catalog: try await store.fieldCatalog(), policy: policy,
            bugGroups: try await store.bugGroupNames())
    }

    /// The id of a bug named by number or alias, if the viewer may see it.
    func visibleBugID(_ identifier: String, store: SQLStore, by principal: Principal) async throws -> Int {
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

    private func visibleIDs(_ ids: Set<Int>, store: SQLStore, by principal: Principal) async throws -> Set<Int> {
        guard !ids.isEmpty else { return [] }
        var search = BugSearch()
        search.ids = Array(ids)
        return Set(try await store.searchBugIDs(search, viewer: principal, policy: policy))
    }

    private func requireVisible(_ ids: [Int], store: SQLStore, by principal: Principal) async throws {
        let visible = try await visibleIDs(Set(ids), store: store, by: principal)
        if let hidden = ids.first(where: { !visible.contains($0) }) { throw DomainError.bugNotFound(String(hidden)) }
    }

    private func resolveUsers(_ logins: [String], store: SQLStore) async throws -> [String: UserSummary] {
        let users = try await store.userSummaries(logins: logins)
        if let missing = logins.first(where: { users[$0.lowercased()] == nil }) {
            throw DomainError.objectNotFound(kind: "user", name: missing)
        }
        return users
    }

    /// Bugs as the viewer may see them: links to hidden bugs removed.
    private func scrubbed(_ bugs: [Bug], store: SQLStore, by principal: Principal) async throws -> [Bug] {
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
    private func scrubbed(_ entries: [HistoryEntry], store: SQLStore, by principal: Principal) async throws -> [HistoryEntry] {
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
    private func withoutHiddenAttachments(_ entries: [HistoryEntry], store: SQLStore, by principal: Principal) async throws -> [HistoryEntry] {
        let ids = Set(entries.flatMap(\.changes).compactMap(\.attachmentID))
        guard !ids.isEmpty else { return entries }
        let visible = Set(try await store.attachments(ids: Array(ids)).filter { AttachmentRules.canSee($0, principal, policy: policy) }.map(\.id))
        return entries.compactMap { entry in
            var entry = entry
            entry.changes.removeAll { change in change.attachmentID.map { !visible.contains($0) } ?? false }
            return entry.changes.isEmpty ? nil : entry
        }
    }

    /// Refuses links that would make a bug depend on itself through other bugs.
    private func checkDependencyLoops(bugID: Int, blocks: [Int], dependsOn: [Int], store: SQLStore) async throws {
        guard !blocks.isEmpty || !dependsOn.isEmpty else { return }
        // A new dependency D of this bug loops if D (transitively) depends on this bug or on one it blocks.
        let downstream = try await store.dependencyClosure(of: dependsOn, following: .dependsOn).union(dependsOn)
        let upstream = try await store.dependencyClosure(of: blocks, following: .blocks).union(blocks)
        if downstream.contains(bugID) || upstream.contains(bugID) || !downstream.isDisjoint(with: upstream) {
            throw DomainError.dependencyLoop
        }
    }

    private func recordReciprocalChanges(of id: Int, from old: Bug, to new: Bug, by who: UserSummary, at now: Date, store: SQLStore) async throws {
        let reciprocal = BugRules.reciprocalChanges(of: id, from: old, to: new)
        for (otherID, changes) in reciprocal {
            try await store.insertHistory(bugID: otherID, who: who, at: now, changes: changes)
        }
        try await store.touchBugs(Array(reciprocal.keys), at: now)
    }

    /// Leaves the customary notes on both bugs — each only where it names a bug that everyone
    /// may see, since a note is read by everyone who sees the bug it is on.
    private func markDuplicate(_ duplicate: Bug, of originalID: Int, by who: UserSummary, at now: Date, store: SQLStore) async throws {
        guard let original = try await store.bug(id: originalID) else { return }
        if original.groups.isEmpty {
            _ = try await store.insertComment(
                bugID: duplicate.id, author: who, text: "*** This bug has been marked as a duplicate of bug \(originalID) ***",
                isPrivate: false, at: now)
        }
        if duplicate.groups.isEmpty {
            _ = try await store.insertComment(
                bugID: originalID, author: who, text: "*** Bug \(duplicate.id) has been marked as a duplicate of this bug. ***",
                isPrivate: false, at: now)
            try await store.touchBugs([originalID], at: now)
        }
    }

    /// Returns whether any comment's privacy changed.
    private func changeCommentPrivacy(_ privacy: [Int: Bool], bugID: Int, by principal: Principal, store: SQLStore) async throws -> Bool {
        guard !privacy.isEmpty else { return false }
        guard policy.isInsider(principal) else { throw DomainError.notInsider }
        let comments = try await store.comments(ids: Array(privacy.keys))
        var changed = false
        for (commentID, isPrivate) in privacy {
            guard let comment = comments.first(where: { $0.id == commentID && $0.bugID == bugID }) else {
                throw DomainError.commentNotFound(String(commentID))
            }
            if comment.isPrivate != isPrivate {
                try await store.setCommentPrivacy(commentID: commentID, bugID: bugID, isPrivate: isPrivate)
                changed = true
            }
        }
        return changed
    }

    /// `edited` with the links `shown` left out put back: hidden blockers and dependencies stay,
    /// and a hidden duplicate target stays while the bug is still resolved as a duplicate.
    private static func restoringHiddenLinks(of bug: Bug, shown: Bug, into edited: Bug, workflow: Workflow) -> Bug {
        var new = edited
        new.blocks += bug.blocks.filter { !shown.blocks.contains($0) }
        new.dependsOn += bug.dependsOn.filter { !shown.dependsOn.contains($0) }
        if shown.dupeOf == nil, new.dupeOf == nil, new.resolution == workflow.duplicateResolution {
            new.dupeOf = bug.dupeOf
        }
        return new
    }

    private static func withoutLists(_ bug: Bug) -> Bug {
        var empty = bug
        empty.blocks = []
        empty.dependsOn = []
        return empty
    }
}
