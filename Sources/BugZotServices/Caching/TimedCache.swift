import Synchronization

/// Values loaded from the database and kept in memory: each for at most `lifetime`, at most
/// `capacity` of them (past it the oldest go). An invalidation forgets at once, and a value whose
/// load was under way when one happened is handed to its caller but not kept: it may have been
/// read before the change, which must not come back through the cache.
final class TimedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        let loaded: ContinuousClock.Instant
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        /// Counts invalidations, so that a load can tell whether one happened while it ran.
        var generation = 0
    }

    private let lifetime: Duration
    private let capacity: Int
    private let state = Mutex(State())

    init(lifetime: Duration, capacity: Int) {
        self.lifetime = lifetime
        self.capacity = max(1, capacity)
    }

    /// The value kept for `key`, unless it is older than the lifetime.
    func cached(_ key: Key) -> Value? {
        let now = ContinuousClock.now
        return state.withLock { state in
            guard let entry = state.entries[key] else { return nil }
            guard now - entry.loaded < lifetime else {
                state.entries[key] = nil
                return nil
            }
            return entry.value
        }
    }

    /// The value for `key`: the one kept, or else `load`'s, which is kept unless it is nil (nothing
    /// to keep) or something was invalidated while it loaded.
    func value(for key: Key, loading load: () async throws -> Value?) async throws -> Value? {
        if let value = cached(key) { return value }
        let generation = state.withLock { $0.generation }
        guard let value = try await load() else { return nil }
        keep(value, for: key, ifNothingInvalidatedSince: generation)
        return value
    }

    /// Changes the value kept for `key` in place; nothing when none is kept (it was invalidated).
    func update(_ key: Key, _ change: (inout Value) -> Void) {
        state.withLock { state in
            guard var entry = state.entries[key] else { return }
            change(&entry.value)
            state.entries[key] = entry
        }
    }

    /// Forgets the value kept for `key` (one that ended by itself: nothing changed).
    func remove(_ key: Key) {
        _ = state.withLock { $0.entries.removeValue(forKey: key) }
    }

    /// Forgets the values that `isStale` picks, and makes the loads under way not keep theirs.
    func invalidate(where isStale: (Key, Value) -> Bool) {
        state.withLock { state in
            state.generation += 1
            state.entries = state.entries.filter { !isStale($0.key, $0.value.value) }
        }
    }

    /// Forgets everything, and makes the loads under way not keep theirs.
    func invalidateAll() {
        state.withLock { state in
            state.generation += 1
            state.entries = [:]
        }
    }

    private func keep(_ value: Value, for key: Key, ifNothingInvalidatedSince generation: Int) {
        let now = ContinuousClock.now
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries[key] == nil, state.entries.count >= capacity {
                state.entries = state.entries.filter { now - $0.value.loaded < lifetime }
                if state.entries.count >= capacity, let oldest = state.entries.min(by: { $0.value.loaded < $1.value.loaded }) {
                    state.entries[oldest.key] = nil
                }
            }
            state.entries[key] = Entry(value: value, loaded: now)
        }
    }
}

/// The one key of a cache that keeps a single value.
enum SingleValue: Hashable, Sendable {
    case value
}

extension TimedCache where Key == SingleValue {
    /// A cache of one value.
    convenience init(lifetime: Duration) {
        self.init(lifetime: lifetime, capacity: 1)
    }

    /// The value kept, or else `load`'s, kept unless something was invalidated while it loaded.
    func value(loading load: () async throws -> Value) async throws -> Value {
        if let value = cached(.value) { return value }
        let generation = state.withLock { $0.generation }
        let value = try await load()
        keep(value, for: .value, ifNothingInvalidatedSince: generation)
        return value
    }
}
