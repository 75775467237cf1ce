import BugZotStorage
import Foundation

/// Each person's saved searches, kept in memory so that a bug list (which offers them) costs no
/// statement for them. A person's are forgotten the moment the database announces a change to
/// that person — saving or deleting a search announces one — on PostgreSQL whichever instance
/// made it, and after `lifetime` in any case. While the change feed is not live, nothing is kept.
final class SavedSearchCache: Sendable {
    /// The safety net under the invalidations.
    static let lifetime = Duration.seconds(60)
    /// Far more people than are active at once; past it the oldest go.
    static let capacity = 10_000

    private let searches = TimedCache<Int, [SavedSearch]>(lifetime: lifetime, capacity: capacity)
    private let feed: ChangeFeed

    init(feed: ChangeFeed) {
        self.feed = feed
        feed.observe { [weak self] notice in self?.hear(notice) }
    }

    /// The saved searches of `userID`: those kept, or else `load`'s.
    func searches(of userID: Int, loading load: () async throws -> [SavedSearch]) async throws -> [SavedSearch] {
        guard feed.isLive else { return try await load() }
        return try await searches.value(for: userID, loading: load) ?? []
    }

    private func hear(_ notice: ChangeNotice) {
        switch notice {
        case .reset:
            searches.invalidateAll()
        case .changed(let changes):
            if changes.contains(.everyone) { return searches.invalidateAll() }
            let people = Set(changes.compactMap { change -> Int? in if case .user(let id) = change { id } else { nil } })
            guard !people.isEmpty else { return }
            searches.invalidate { userID, _ in people.contains(userID) }
        }
    }
}
