/// WAMP ids (wamp.md §4): integers in 1...2^53, so that they survive a JavaScript number. Global
/// scope (sessions, publications) is random and uniform; router scope (subscriptions,
/// registrations) and session scope (the router's own request ids) count up from 1.
public enum WAMPID {
    /// The largest id: 2^53.
    public static let maximum: UInt64 = 1 << 53

    /// A global-scope id: uniformly random in 1...2^53.
    public static func random() -> UInt64 {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// A global-scope id drawn from `generator`.
    public static func random(using generator: inout some RandomNumberGenerator) -> UInt64 {
        UInt64.random(in: 1...maximum, using: &generator)
    }
}

/// Sequential ids for router and session scope: 1, 2, 3, …, back to 1 after 2^53.
public struct WAMPIDCounter: Sendable {
    private var last: UInt64 = 0

    /// A counter whose first id is 1.
    public init() {}

    /// The next id.
    public mutating func next() -> UInt64 {
        last = last >= WAMPID.maximum ? 1 : last + 1
        return last
    }
}
