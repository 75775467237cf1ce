import BugZotDomain
import BugZotStorage
import Foundation

/// Filing, finding, reading and changing bugs. A bug someone may not see is, to them, a bug
/// that does not exist: every path answers the same way for both. Reading is here; changes are
/// in `BugService+Changes`, the visibility helpers in `BugService+Visibility`.
public struct BugService: Sendable {
    let database: any Database
    let policy: Policy
    /// The workflow, catalog and field rules, in memory.
    let snapshots: CatalogSnapshots

    public init(database: any Database, policy: Policy, snapshots: CatalogSnapshots) {
        self.database = database
        self.policy = policy
        self.snapshots = snapshots
    }

    // MARK: Reading

    /// Bugs by id or alias. Unless `permissive`, the first missing or hidden one is an error;
    /// otherwise those become faults.
    public func bugs(_ identifiers: [String], permissive: Bool, by principal: Principal) async throws
        -> (bugs: [Bug], faults: [(identifier: String, error: DomainError)])
    {
        try policy.checkListSizes([("ids", identifiers.count)])
        return try await database.read { sql in
            let (loaded, faults) = try await visibleBugs(identifiers, permissive: permissive, store: SQLStore(sql), by: principal)
            return (loaded.map(\.shown), faults)
        }
    }

    public func search(_ search: BugSearch, by principal: Principal) async throws -> [Bug] {
        try policy.checkListSizes(search.listSizes)
        try search.checkText()
        return try await database.read { sql in
            let store = SQLStore(sql)
            let ids = try await store.searchBugIDs(search, viewer: principal, policy: policy)
            try search.checkResultCount(ids.count)
            let loaded = Dictionary(try await store.loadBugs(ids: ids, seenBy: (principal, policy)).map { ($0.bug.id, $0) }) { first, _ in first }
            return ids.compactMap { loaded[$0] }.filter { Visibility.canSee($0.bug, principal, policy: policy) }.map(\.shown)
        }
    }

    /// The place of bug `id` in a result sorted by `column`, for `BugSearch.after`: one statement
    /// that reads the bug's value of the column. A bug the principal may not see is not found.
    public func cursor(after id: Int, sortedBy column: BugOrder.Column, by principal: Principal) async throws -> BugCursor {
        let cursor = try await database.read { sql in
            try await SQLStore(sql).searchCursor(after: id, sortedBy: column, viewer: principal, policy: policy)
        }
        guard let cursor else { throw DomainError.bugNotFound(String(id)) }
        return cursor
    }

    /// How many bugs match, of those the principal may see: the total behind a paged search.
    public func count(_ search: BugSearch, by principal: Principal) async throws -> Int {
        try policy.checkListSizes(search.listSizes)
        try search.checkText()
        return try await database.read { sql in try await SQLStore(sql).countBugs(search, viewer: principal, policy: policy) }
    }

    /// Ids only, for callers that need no more (and to check visibility in bulk).
    public func searchIDs(_ search: BugSearch, by principal: Principal) async throws -> [Int] {
        try policy.checkListSizes(search.listSizes)
        try search.checkText()
        let ids = try await database.read { sql in try await SQLStore(sql).searchBugIDs(search, viewer: principal, policy: policy) }
        try search.checkResultCount(ids.count)
        return ids
    }

    /// Each bug's history, with changes naming bugs the viewer can't see left out.
    public func history(_ identifiers: [String], since: Date?, by principal: Principal) async throws -> [(bug: Bug, history: [HistoryEntry])] {
        try await database.read { sql in
            let store = SQLStore(sql)
            var result: [(bug: Bug, history: [HistoryEntry])] = []
            for identifier in identifiers {
                guard let loaded = try await visibleBugs([identifier], permissive: false, store: store, by: principal).bugs.first else {
                    throw DomainError.bugNotFound(identifier)
                }
                let entries = try await withoutHiddenAttachments(
                    try await store.history(bugID: loaded.bug.id, since: since), store: store, by: principal)
                result.append((loaded.bug, try await scrubbed(entries, of: loaded, store: store, by: principal)))
            }
            return result
        }
    }

    /// A bug with what its page shows — its comments, history and attachments — as the viewer
    /// may see them, read together: one read of six statements at most, however much it holds.
    public func record(of identifier: String, by principal: Principal) async throws -> BugRecord {
        try await database.read { sql in
            let store = SQLStore(sql)
            guard let loaded = try await visibleBugs([identifier], permissive: false, store: store, by: principal).bugs.first else {
                throw DomainError.bugNotFound(identifier)
            }
            let id = loaded.bug.id
            let comments = try await store.comments(bugIDs: [id]).filter { Visibility.canSee($0, principal, policy: policy) }
            let attachments = try await store.attachments(bugIDs: [id])
            let entries = try await withoutHiddenAttachments(try await store.history(bugID: id), known: attachments, store: store, by: principal)
            return BugRecord(
                bug: loaded.shown, comments: comments, history: try await scrubbed(entries, of: loaded, store: store, by: principal),
                attachments: attachments.filter { AttachmentRules.canSee($0, principal, policy: policy) })
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
}

/// A bug and what its page shows, as one viewer may see them.
public struct BugRecord: Sendable {
    /// Links to bugs hidden from the viewer left out.
    public var bug: Bug
    /// Oldest first, private ones only for those who may read them.
    public var comments: [Comment]
    /// Oldest first, without changes naming hidden bugs or attachments.
    public var history: [HistoryEntry]
    /// The attachments the viewer may see.
    public var attachments: [Attachment]
}
