import Synchronization

/// The calls under way on a database, so that the database is the last thing to stop. When a
/// shutdown period ends, ServiceLifecycle cancels every service at once, the database among them;
/// the work cut off then cleans up after itself (an upload removes its chunks, a job records its
/// outcome) in tasks of its own, which need the database still open. So on being cut off, the
/// database lets the calls under way, and those begun within a short window after, finish
/// (bounded) before it closes.
final class CallDrain: Sendable {
    /// How long after being cut off new calls (the clean-ups of cancelled work) are still let in.
    static let window = Duration.milliseconds(250)
    /// The longest the database waits for its calls before closing, window included; well within
    /// the cancellation limit of the service group (`runUntilShutdown`).
    static let bound = Duration.seconds(2)

    private let running = Mutex(0)

    /// Runs `body` as a call under way.
    func call<T>(_ body: () async throws -> T) async throws -> T {
        running.withLock { $0 += 1 }
        defer { running.withLock { $0 -= 1 } }
        return try await body()
    }

    /// Waits until no call is under way, for at most `bound`; when `cutOff` (the database's service
    /// was cancelled, not shut down gracefully after the services using it), first for `window`.
    /// It runs in a task of its own, so that it waits even in a cancelled task.
    func finish(cutOff: Bool) async {
        await Task {
            let deadline = ContinuousClock.now + Self.bound
            if cutOff { try? await Task.sleep(for: Self.window) }
            while self.running.withLock({ $0 }) > 0, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(10))
            }
        }.value
    }
}
