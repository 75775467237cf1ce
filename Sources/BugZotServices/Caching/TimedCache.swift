import Synchronization

/// Keeps a loaded value for a short time. For data that changes rarely and that other instances
/// may change (the workflow), where being a few seconds late is harmless.
final class TimedCache<Value: Sendable>: Sendable {
    private let lifetime: Duration
    private let entry = Mutex<(value: Value, loaded: ContinuousClock.Instant)?>(nil)

    init(lifetime: Duration) {
        self.lifetime = lifetime
    }

    func value(loading load: () async throws -> Value) async throws -> Value {
        let now = ContinuousClock.now
        if let cached = entry.withLock({ $0 }), now - cached.loaded < lifetime { return cached.value }
        let value = try await load()
        entry.withLock { $0 = (value, now) }
        return value
    }

    func invalidate() {
        entry.withLock { $0 = nil }
    }
}
