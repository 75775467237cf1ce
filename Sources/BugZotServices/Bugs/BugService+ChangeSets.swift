import BugZotDomain
import BugZotStorage

extension BugService {
    /// The change sets of `events`, in their order, each with all it takes to cut it to anyone's
    /// view (`ChangeSet.seen(by:policy:)`); nil for one whose bug or actor is gone. The statements
    /// are a handful however many events, and none per person told.
    func changeSets(of events: [BugEvent], store: SQLStore) async throws -> [ChangeSet?] {
        guard !events.isEmpty else { return [] }
        let bugs = Dictionary(try await store.bugs(ids: Array(Set(events.map(\.bugID)))).map { ($0.id, $0) }) { first, _ in first }
        let linked = events.map { event in bugs[event.bugID].map { ChangeSet.linkedBugIDs(of: $0, event: event) } ?? [] }
        var access = bugs.mapValues(Visibility.BugAccess.init)
        let unread = Set(linked.joined()).subtracting(bugs.keys)
        if !unread.isEmpty {
            for bug in try await store.bugs(ids: Array(unread)) { access[bug.id] = Visibility.BugAccess(bug) }
        }
        let commentIDs = events.flatMap(\.commentIDs)
        let comments = commentIDs.isEmpty ? [] : try await store.comments(ids: commentIDs)
        let attachmentIDs = events.flatMap(\.namedAttachmentIDs)
        let attachments = attachmentIDs.isEmpty ? [] : try await store.attachments(ids: attachmentIDs)
        let actors = Dictionary(try await store.users(ids: Array(Set(events.map(\.actorID)))).map { ($0.id, $0.summary) }) { first, _ in first }
        return zip(events, linked).map { event, linked in
            guard let bug = bugs[event.bugID], let actor = actors[event.actorID] else { return nil }
            return ChangeSet(
                event: event, bug: bug, actor: actor,
                comments: comments.filter { event.commentIDs.contains($0.id) && $0.bugID == bug.id }.sorted { $0.count < $1.count },
                attachments: attachments.filter { event.namedAttachmentIDs.contains($0.id) && $0.bugID == bug.id },
                linkedBugs: access.filter { linked.contains($0.key) })
        }
    }
}
