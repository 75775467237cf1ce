import BugZotDomain
import BugZotStorage
import Foundation

/// Filing and changing bugs: each request is one transaction.
extension BugService {
    /// Files a bug and returns its id.
    public func create(_ request: BugCreateRequest, by principal: Principal) async throws -> Int {
        let reporter = try principal.requireUser()
        try policy.checkListSizes([
            ("alias", request.aliases.count), ("keywords", request.keywords.count), ("blocks", request.blocks.count),
            ("depends_on", request.dependsOn.count), ("cc", request.cc.count), ("groups", request.groups?.count ?? 0),
        ])
        try InputRules.check(request.product, as: .product)
        try InputRules.check([request.assignedTo, request.qaContact].compactMap { $0 } + request.cc, as: .login)
        let now = Date()
        return try await database.transaction { sql in
            let store = SQLStore(sql)
            let snapshot = try await snapshots.current(in: store)
            let rules = snapshot.rules(policy: policy)
            guard let product = snapshot.product(named: request.product) else {
                throw DomainError.productNotEnterable(request.product)
            }
            var asked = ChangeChecks.Request()
            asked.logins = [request.assignedTo, request.qaContact].compactMap { $0 }.filter { !$0.isEmpty } + request.cc
            asked.linkedBugs = request.blocks + request.dependsOn
            asked.dependsOn = request.dependsOn
            asked.blocks = request.blocks
            asked.aliases = Self.wellFormed(request.aliases)
            let checks = try await store.changeChecks(asked, viewer: principal, policy: policy)
            let users = try resolveUsers(asked.logins, in: checks)
            try requireVisible(asked.linkedBugs, in: checks)
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
            if let taken = bug.aliases.first(where: { checks.aliasOwners[$0] != nil }) { throw DomainError.aliasInUse(taken) }
            try checkDependencyLoops(bugID: 0, blocks: bug.blocks, dependsOn: bug.dependsOn, reach: checks.reach)
            let id = try await store.insertBug(bug, in: product)
            let description = try await store.insertComment(
                bugID: id, author: reporter, text: request.description, isPrivate: request.descriptionIsPrivate, at: now, bugIsLocked: true)
            try await Outbox.bugChanged(BugEvent(bugID: id, actorID: reporter.id, when: now, isNew: true, commentIDs: [description.id]), in: store)
            var stored = bug
            stored.id = id
            try await recordChanges([], of: id, from: Self.withoutLists(bug), to: stored, by: reporter, at: now, store: store)
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
        try InputRules.check(identifiers, as: .bugIdentifier)
        try InputRules.check(request.logins, as: .login)
        if let product = request.product { try InputRules.check(product, as: .product) }
        let now = Date()
        return try await database.transaction { sql in
            let store = SQLStore(sql)
            let snapshot = try await snapshots.current(in: store)
            let rules = snapshot.rules(policy: policy)
            // What the request names, read with the first bug; `checks` describes the database
            // before the first change, so bugs after the first read their own link and alias checks.
            var asked = ChangeChecks.Request()
            asked.logins = request.logins
            asked.linkedBugs = request.referencedBugs
            asked.dependsOn = request.dependsOn.add + (request.dependsOn.set ?? [])
            asked.blocks = request.blocks.add + (request.blocks.set ?? [])
            asked.dupeOf = request.dupeOf
            asked.aliases = Self.wellFormed(request.aliases.add + (request.aliases.set ?? []))
            var checks: ChangeChecks?
            var users: [String: UserSummary] = [:]
            var targetProduct: Product?
            func judge(_ read: ChangeChecks) throws {
                users = try resolveUsers(asked.logins, in: read)
                try requireVisible(asked.linkedBugs, in: read)
                targetProduct = try request.product.map { name in
                    guard let product = snapshot.product(named: name) else { throw DomainError.productNotEnterable(name) }
                    return product
                }
                checks = read
            }
            if identifiers.isEmpty { try judge(try await store.changeChecks(asked, viewer: principal, policy: policy)) }
            var results: [BugUpdateResult] = []
            for (index, identifier) in identifiers.enumerated() {
                // The bug as stored and as the caller sees it, its row held until the transaction ends.
                guard let loaded = try await visibleBugs(
                        [identifier], permissive: false, store: store, by: principal, forUpdate: true, checking: index == 0 ? asked : nil, then: judge
                    ).bugs.first,
                    let product = snapshot.product(named: loaded.bug.product)
                else { throw DomainError.bugNotFound(identifier) }
                let (bug, id) = (loaded.bug, loaded.bug.id)
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
                let shown = loaded.shown
                let (edited, changes) = try rules.apply(update, to: shown, product: product, by: principal, at: now)
                let new = Self.restoringHiddenLinks(of: bug, shown: shown, into: edited, workflow: rules.workflow)
                // New aliases and links come from the request, so what `checks` read covers them.
                let addedAliases = new.aliases.filter { !bug.aliases.contains($0) }
                let taken = if let checks { addedAliases.filter { checks.aliasOwners[$0].map { $0 != id } ?? false } }
                    else { try await store.aliasesInUse(addedAliases, except: id) }
                if let taken = taken.first { throw DomainError.aliasInUse(taken) }
                let addedBlocks = new.blocks.filter { !bug.blocks.contains($0) }
                let addedDependencies = new.dependsOn.filter { !bug.dependsOn.contains($0) }
                if !addedBlocks.isEmpty || !addedDependencies.isEmpty {
                    let reach = if let checks { checks.reach } else { try await store.dependencyReach(dependsOn: addedDependencies, blocks: addedBlocks) }
                    try checkDependencyLoops(bugID: id, blocks: addedBlocks, dependsOn: addedDependencies, reach: reach)
                }
                if let dupeOf = new.dupeOf, dupeOf != bug.dupeOf {
                    let chain = if let checks { checks.duplicateChain } else { Set(try await store.duplicateChain(from: dupeOf)) }
                    if chain.contains(id) { throw DomainError.duplicateLoop(dupeOf) }
                }
                checks = nil
                var touched = !changes.isEmpty
                var event = BugEvent(bugID: id, actorID: actor.id, when: now)
                if !changes.isEmpty {
                    event.changes = BugRules.changes(from: bug, to: new)
                    try await store.updateBug(from: bug, to: new, in: targetProduct ?? product)
                    try await recordChanges(event.changes, of: id, from: bug, to: new, by: actor, at: now, store: store)
                }
                if let comment = request.comment {
                    let stored = try await store.insertComment(
                        bugID: id, author: actor, text: comment.text, isPrivate: comment.isPrivate, at: now, bugIsLocked: true)
                    event.commentIDs.append(stored.id)
                    touched = true
                }
                if let dupeOf = new.dupeOf, dupeOf != bug.dupeOf {
                    try await markDuplicate(new, of: dupeOf, by: actor, at: now, store: store)
                }
                if try await changeCommentPrivacy(request.commentPrivacy, bugID: id, by: principal, store: store) { touched = true }
                if touched, changes.isEmpty { try await store.touchBugs([id], at: now) }
                if !event.changes.isEmpty || !event.commentIDs.isEmpty { try await Outbox.bugChanged(event, in: store) }
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
            try await snapshots.current(in: store).rules(policy: policy).checkComment(comment, by: principal)
            let stored = try await store.insertComment(bugID: id, author: author, text: comment.text, isPrivate: comment.isPrivate, at: now)
            try await store.touchBugs([id], at: now)
            try await Outbox.bugChanged(BugEvent(bugID: id, actorID: author.id, when: now, commentIDs: [stored.id]), in: store)
            return stored
        }
    }




    private func requireVisible(_ ids: [Int], in checks: ChangeChecks) throws {
        if let hidden = ids.first(where: { !checks.visibleBugs.contains($0) }) { throw DomainError.bugNotFound(String(hidden)) }
    }

    private func resolveUsers(_ logins: [String], in checks: ChangeChecks) throws -> [String: UserSummary] {
        if let missing = logins.first(where: { checks.users[$0.lowercased()] == nil }) {
            throw DomainError.objectNotFound(kind: "user", name: missing)
        }
        return checks.users
    }




    /// Refuses links that would make a bug depend on itself through other bugs.
    /// `reach` is where the new links (or more links than those) lead: further links never make a
    /// loop appear where the new ones make none, since the stored links have no loop.
    private func checkDependencyLoops(bugID: Int, blocks: [Int], dependsOn: [Int], reach: DependencyReach) throws {
        guard !blocks.isEmpty || !dependsOn.isEmpty else { return }
        // A new dependency D of this bug loops if D (transitively) depends on this bug or on one it blocks.
        let downstream = reach.downstream.union(dependsOn)
        let upstream = reach.upstream.union(blocks)
        if downstream.contains(bugID) || upstream.contains(bugID) || !downstream.isDisjoint(with: upstream) {
            throw DomainError.dependencyLoop
        }
    }

    /// Records `changes` of bug `id` and the changes its links make on the bugs they name, in one
    /// statement, and marks those bugs changed; each of those bugs raises an event of its change
    /// (mail goes only to the people of the bug changed).
    private func recordChanges(
        _ changes: [FieldChange], of id: Int, from old: Bug, to new: Bug, by who: UserSummary, at now: Date, store: SQLStore
    ) async throws {
        let reciprocal = BugRules.reciprocalChanges(of: id, from: old, to: new).sorted { $0.key < $1.key }
        try await store.insertHistory([(id, changes)] + reciprocal.map { ($0.key, $0.value) }, who: who, at: now)
        try await store.touchBugs(reciprocal.map(\.key), at: now)
        for (linked, changes) in reciprocal { store.raise(BugEvent(bugID: linked, actorID: who.id, when: now, changes: changes)) }
    }

    /// Leaves the customary notes on both bugs — each only where it names a bug that everyone
    /// may see, since a note is read by everyone who sees the bug it is on.
    private func markDuplicate(_ duplicate: Bug, of originalID: Int, by who: UserSummary, at now: Date, store: SQLStore) async throws {
        guard let original = try await store.bug(id: originalID) else { return }
        if original.groups.isEmpty {
            _ = try await store.insertComment(
                bugID: duplicate.id, author: who, text: "*** This bug has been marked as a duplicate of bug \(originalID) ***",
                isPrivate: false, at: now, bugIsLocked: true)
        }
        if duplicate.groups.isEmpty {
            let note = try await store.insertComment(
                bugID: originalID, author: who, text: "*** Bug \(duplicate.id) has been marked as a duplicate of this bug. ***",
                isPrivate: false, at: now)
            try await store.touchBugs([originalID], at: now)
            store.raise(BugEvent(bugID: originalID, actorID: who.id, when: now, commentIDs: [note.id]))
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

    /// The aliases worth looking up: the rules refuse the others before any is used (and the
    /// database would refuse some, such as one holding NUL).
    private static func wellFormed(_ aliases: [String]) -> [String] {
        aliases.filter { InputRules.isValidAlias($0) && (try? InputRules.check($0, as: .alias)) != nil }
    }

    private static func withoutLists(_ bug: Bug) -> Bug {
        var empty = bug
        empty.blocks = []
        empty.dependsOn = []
        return empty
    }
}
