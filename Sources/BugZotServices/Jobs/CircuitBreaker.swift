import Foundation
import Synchronization

/// Remembers which endpoints keep failing, so that their jobs wait instead of each spending a
/// worker slot on a timeout. After `threshold` failures in a row an endpoint is *open*: its jobs
/// are postponed, untried, until the cool-down ends (doubling at each opening, up to
/// `maximumCooldown`). Then one job probes it: success forgets the failures, failure opens it again.
public final class CircuitBreaker: Sendable {
    /// Whether a job for an endpoint may be tried now.
    public enum Permission: Sendable, Equatable {
        case allowed
        /// Not before this time.
        case postponed(until: Date)
    }

    private struct Endpoint {
        var failures = 0
        var openings = 0
        var openUntil: Date?
        var probing = false
    }

    public let threshold: Int
    public let cooldown: TimeInterval
    public let maximumCooldown: TimeInterval
    private let endpoints = Mutex<[String: Endpoint]>([:])

    public init(threshold: Int = 3, cooldown: TimeInterval = 30, maximumCooldown: TimeInterval = 3600) {
        self.threshold = max(1, threshold)
        self.cooldown = cooldown
        self.maximumCooldown = maximumCooldown
    }

    /// Asks to try `endpoint` now; an allowed try must be followed by `succeeded` or `failed`.
    public func permission(for endpoint: String, now: Date = Date()) -> Permission {
        endpoints.withLock { endpoints in
            guard var state = endpoints[endpoint], let openUntil = state.openUntil else { return .allowed }
            if now < openUntil { return .postponed(until: openUntil.addingTimeInterval(Self.jitter(cooldown))) }
            // Cooled down: one job probes the endpoint while the others keep waiting.
            if state.probing { return .postponed(until: now.addingTimeInterval(cooldown + Self.jitter(cooldown))) }
            state.probing = true
            endpoints[endpoint] = state
            return .allowed
        }
    }

    /// The endpoint answered: its failures are forgotten.
    public func succeeded(_ endpoint: String) {
        _ = endpoints.withLock { $0.removeValue(forKey: endpoint) }
    }

    /// The endpoint failed (no answer, or an answer saying it is unwell).
    public func failed(_ endpoint: String, now: Date = Date()) {
        endpoints.withLock { endpoints in
            var state = endpoints[endpoint] ?? Endpoint()
            state.failures += 1
            state.probing = false
            if state.failures >= threshold {
                state.openings += 1
                state.openUntil = now.addingTimeInterval(min(maximumCooldown, cooldown * pow(2, Double(state.openings - 1))))
            }
            endpoints[endpoint] = state
        }
    }

    /// Up to a tenth more, so postponed jobs don't all return at the same moment.
    private static func jitter(_ interval: TimeInterval) -> TimeInterval {
        interval * Double.random(in: 0...0.1)
    }
}
