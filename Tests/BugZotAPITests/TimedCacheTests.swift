@testable import BugZotServices
import Testing

/// The cache under the principal cache and the catalog snapshot: a change can't come back
/// through it, it forgets by age, and it holds at most its capacity.
@Suite("A timed cache never brings back what was invalidated")
struct TimedCacheTests {
    @Test("a value loaded while an invalidation happens is handed out but not kept")
    func loadRacingInvalidation() async throws {
        let cache = TimedCache<String, Int>(lifetime: .seconds(60), capacity: 10)
        let loaded = try await cache.value(for: "key") {
            cache.invalidateAll()  // the change commits while the old value is being read
            return 1
        }
        #expect(loaded == 1)
        #expect(cache.cached("key") == nil)
        #expect(try await cache.value(for: "key") { 2 } == 2)
        #expect(cache.cached("key") == 2)
    }

    @Test("an invalidation forgets only what it names; nothing invalid is kept")
    func selectiveInvalidation() async throws {
        let cache = TimedCache<String, Int>(lifetime: .seconds(60), capacity: 10)
        for (key, value) in [("a", 1), ("b", 2)] { _ = try await cache.value(for: key) { value } }
        _ = try await cache.value(for: "missing") { nil }
        cache.invalidate { _, value in value == 1 }
        #expect(cache.cached("a") == nil && cache.cached("b") == 2 && cache.cached("missing") == nil)
    }

    @Test("values older than the lifetime are loaded again, and past the capacity the oldest go")
    func lifetimeAndCapacity() async throws {
        let aged = TimedCache<String, Int>(lifetime: .milliseconds(1), capacity: 10)
        _ = try await aged.value(for: "a") { 1 }
        try await Task.sleep(for: .milliseconds(20))
        #expect(aged.cached("a") == nil)

        let small = TimedCache<Int, Int>(lifetime: .seconds(60), capacity: 3)
        for key in 1...5 { _ = try await small.value(for: key) { key } }
        #expect((1...5).map { small.cached($0) } == [nil, nil, 3, 4, 5])
    }
}
