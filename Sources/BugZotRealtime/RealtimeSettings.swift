/// The limits of the WAMP router at `/ws`.
public struct RealtimeSettings: Sendable {
    /// The largest WAMP message (one WebSocket message, however fragmented) a client may send;
    /// a bigger one closes the connection with 1009.
    public var maxMessageBytes: Int
    /// Bytes that may wait unsent to one session; past them it is a slow consumer and is closed (1008).
    public var maxQueuedBytes: Int
    /// Subscriptions one session may hold.
    public var maxSubscriptions: Int
    /// Registrations one session may hold.
    public var maxRegistrations: Int
    /// Calls one session may have under way at once.
    public var maxCallsInFlight: Int
    /// How often the server pings; a connection that doesn't answer by the next ping is closed.
    public var pingInterval: Duration
    /// How long a connection may take from the upgrade to WELCOME.
    public var joinTimeout: Duration
    /// How long a WAMP-CRA challenge may wait for its answer.
    public var challengeWindow: Duration

    /// The defaults: 1 MiB messages, 1 MiB queued, 1,000 subscriptions, 100 registrations,
    /// 256 calls in flight, a ping every 30 s, 30 s to join, a minute to answer a challenge.
    public init(
        maxMessageBytes: Int = 1 << 20, maxQueuedBytes: Int = 1 << 20, maxSubscriptions: Int = 1000, maxRegistrations: Int = 100,
        maxCallsInFlight: Int = 256, pingInterval: Duration = .seconds(30), joinTimeout: Duration = .seconds(30),
        challengeWindow: Duration = .seconds(60)
    ) {
        self.maxMessageBytes = maxMessageBytes
        self.maxQueuedBytes = maxQueuedBytes
        self.maxSubscriptions = maxSubscriptions
        self.maxRegistrations = maxRegistrations
        self.maxCallsInFlight = maxCallsInFlight
        self.pingInterval = pingInterval
        self.joinTimeout = joinTimeout
        self.challengeWindow = challengeWindow
    }
}
