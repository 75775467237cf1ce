import Synchronization

/// A first-come-first-served lock for async code: holders may suspend while holding it,
/// which an actor alone does not prevent from interleaving. A waiter may give up after a while.
final class AsyncLock: Sendable {
    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var locked = false
        var waiters: [Waiter] = []
        var nextID = 0
    }

    private let state = Mutex(State())

    /// Runs `body` holding the lock; when it can't be had within `wait`, throws `expired()` instead.
    func withLock<T: Sendable>(
        waitingAtMost wait: Duration? = nil, orThrow expired: () -> any Error = { CancellationError() }, _ body: () async throws -> T
    ) async throws -> T {
        guard await acquire(waitingAtMost: wait) else { throw expired() }
        defer { release() }
        return try await body()
    }

    /// True once the lock is held; false when `wait` ran out first.
    private func acquire(waitingAtMost wait: Duration?) async -> Bool {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        var timer: Task<Void, Never>?
        defer { timer?.cancel() }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let acquired = state.withLock { state in
                if state.locked {
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return false
                }
                state.locked = true
                return true
            }
            if acquired {
                continuation.resume(returning: true)
            } else if let wait {
                timer = Task { [weak self] in
                    try? await Task.sleep(for: wait)
                    if !Task.isCancelled { self?.expire(id) }
                }
            }
        }
    }

    /// Gives a waiter up, unless it has been handed the lock already.
    private func expire(_ id: Int) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(returning: false)
    }

    private func release() {
        let next = state.withLock { state -> Waiter? in
            if state.waiters.isEmpty {
                state.locked = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.continuation.resume(returning: true)  // ownership passes straight to the next waiter
    }
}
