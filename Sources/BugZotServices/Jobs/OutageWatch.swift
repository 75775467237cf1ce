import BugZotStorage
import Foundation
import Logging
import Synchronization

/// Whether the database was last found unavailable, so that an outage is logged once when it
/// starts (a warning) and once when it ends (info), however many tasks keep running into it. A
/// call's outcome counts only if the call began after the last change: a slow call that began
/// before an outage neither ends it nor, begun before the recovery, starts another.
final class OutageWatch: Sendable {
    private enum State {
        case up(since: ContinuousClock.Instant?)
        case down(since: ContinuousClock.Instant)
    }

    private let state = Mutex(State.up(since: nil))
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// Notes that a call begun at `begun` failed with `error`; returns the outage, or nil when
    /// the error is something else (a bug, which the caller logs).
    func failed(_ error: any Error, begun: ContinuousClock.Instant) -> StorageUnavailable? {
        guard let outage = StorageUnavailable(classifying: error) else { return nil }
        let starts = state.withLock { state in
            guard case .up(let since) = state, since.map({ begun >= $0 }) ?? true else { return false }
            state = .down(since: .now)
            return true
        }
        if starts {
            logger.warning("the database is unavailable: jobs wait until it is back", metadata: ["error": "\(outage)"])
        }
        return outage
    }

    /// Notes that a call begun at `begun` succeeded, ending the outage if there was one.
    func reached(begun: ContinuousClock.Instant) {
        let ended: ContinuousClock.Instant? = state.withLock { state in
            guard case .down(let since) = state, begun >= since else { return nil }
            state = .up(since: .now)
            return since
        }
        guard let ended else { return }
        logger.info("the database is available again: jobs run", metadata: ["outage_seconds": "\((ContinuousClock.now - ended).components.seconds)"])
    }
}
