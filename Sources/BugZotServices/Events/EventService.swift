import BugZotDomain
import BugZotStorage
import Foundation

/// Events after commit, for live consumers (the WAMP router, the live web UI): who hears of each
/// committed change set, what each person may see of it, and a replay from a sequence number.
/// Events are published only once their transaction has committed, never after a rollback; on
/// PostgreSQL every instance hears every event (`NOTIFY` carries the number, the row the change).
public struct EventService: Sendable {
    let database: any Database
    let bugs: BugService
    let policy: Policy
    /// How long events are kept (`JobWorker` prunes older ones every hour), as the error of a
    /// replay from before them says.
    let retention: TimeInterval

    /// The most events one `since` call returns.
    public static let maximumReplay = 1_000

    public init(database: any Database, bugs: BugService, policy: Policy, retention: TimeInterval = 72 * 3600) {
        self.database = database
        self.bugs = bugs
        self.policy = policy
        self.retention = retention
    }

    /// Calls `handler` with every notice from now on, synchronously on the committing task (or
    /// the notification listener): it should only hand the notice on, never wait.
    public func observe(_ handler: @escaping @Sendable (EventNotice) -> Void) {
        database.changes.observe { notice in
            switch notice {
            case .reset:
                handler(.reset)
            case .changed(let changes):
                for case .events(let sequences) in changes {
                    for sequence in sequences { handler(.committed(sequence: sequence)) }
                }
            }
        }
    }

    /// The news of one event for each of `principals`, in their order: the change set, its bug,
    /// who may see the bugs it links to, its comments and attachments are read once, then cut to
    /// each person's view in memory (no statement per person). Someone who may not see the bug
    /// gets nothing; an event no longer kept gives nothing.
    public func news(ofSequence sequence: Int, for principals: [Principal]) async throws -> [[BugNews]] {
        try await database.read { [bugs, policy] sql in
            let store = SQLStore(sql)
            guard let stored = try await store.event(sequence: sequence),
                let changeSet = try await bugs.changeSets(of: [stored.event], store: store).first ?? nil
            else { return principals.map { _ in [] } }
            return principals.map { Self.news(of: stored, changeSet, for: $0, policy: policy) }
        }
    }

    /// The news after `sequence` that `principal` may see, oldest first, from at most `limit`
    /// events (1–`maximumReplay`); resume from the last item's sequence (or `latestSequence`).
    /// Asking from before the oldest event kept is an error: those events are gone, and the
    /// caller must read the bugs again.
    public func since(_ sequence: Int, limit: Int, for principal: Principal) async throws -> [BugNews] {
        guard sequence >= 0 else { throw DomainError.invalidParameter(parameter: "since", reason: "a sequence number is 0 or more.") }
        guard (1...Self.maximumReplay).contains(limit) else {
            throw DomainError.invalidParameter(parameter: "limit", reason: "it must be between 1 and \(Self.maximumReplay).")
        }
        return try await database.read { [bugs, policy, retention] sql in
            let store = SQLStore(sql)
            let events = try await store.events(after: sequence, limit: limit)
            // Read after the rows: a pruning in between is still seen.
            let range = try await store.eventRange()
            guard sequence >= range.prunedThrough else {
                throw DomainError.invalidParameter(
                    parameter: "since",
                    reason: "the events up to \(range.prunedThrough) are gone (events are kept for \(Int(retention / 3600)) hours); "
                        + "read the bugs again and resume from \(range.latest).")
            }
            let changeSets = try await bugs.changeSets(of: events.map(\.event), store: store)
            return zip(events, changeSets).flatMap { stored, changeSet in
                changeSet.map { Self.news(of: stored, $0, for: principal, policy: policy) } ?? []
            }
        }
    }

    /// The newest sequence number given out (0 before the first event): `since` it misses nothing.
    public var latestSequence: Int {
        get async throws {
            try await database.read { sql in try await SQLStore(sql).eventRange().latest }
        }
    }

    /// The items of one event as `principal` may see them.
    static func news(of stored: StoredEvent, _ changeSet: ChangeSet, for principal: Principal, policy: Policy) -> [BugNews] {
        guard let view = changeSet.seen(by: principal, policy: policy) else { return [] }
        func item(_ kind: BugNews.Kind, bug: Bug? = nil, changes: [FieldChange] = [], comment: Comment? = nil, attachment: Attachment? = nil)
            -> BugNews
        {
            BugNews(
                sequence: stored.sequence, kind: kind, bugID: changeSet.bug.id, product: changeSet.bug.product,
                component: changeSet.bug.component, actor: changeSet.actor.login, when: stored.event.when, bug: bug, changes: changes,
                comment: comment, attachment: attachment)
        }
        return stored.kinds.flatMap { kind -> [BugNews] in
            switch kind {
            case .created: [item(.created, bug: view.bug)]
            case .changed:
                view.changes.contains { $0.attachmentID == nil } ? [item(.changed, changes: view.changes.filter { $0.attachmentID == nil })] : []
            case .commented: view.comments.map { item(.commented, comment: $0) }
            case .attachment:
                view.attachments.map { attachment in
                    item(.attachment, changes: view.changes.filter { $0.attachmentID == attachment.id }, attachment: attachment)
                }
            case .flag: []
            }
        }
    }
}
