import BugZotDomain
import BugZotStorage
import Foundation

/// How many requests of one kind that anyone may send without signing in (sign-ups,
/// password-reset requests), each of which stores rows and sends mail, one client may make in a
/// window. Counted like failed logins, in the same table, under a digest of the client's address
/// group (`ClientAddress.throttleKey`: IPv6 by its /64), so a request adds at most one short row,
/// and none once the client is throttled.
public struct AddressThrottle: Sendable {
    /// What the requests are called in the refusal ("sign-ups").
    public let what: String
    /// The kind of the rows' subjects (`signup:…`), apart from the login throttle's.
    let kind: String
    /// Requests one client may make in `window`.
    public let limit: Int
    /// How long a request counts (and its row is kept).
    public let window: TimeInterval

    /// Sign-ups per address group an hour: a whole office behind one address signing up on its
    /// first day fits, a script making accounts (and mailing strangers) does not.
    public static let signUps = AddressThrottle(what: "sign-ups", kind: "signup", limit: 10, window: 3600)
    /// Password-reset requests per address group an hour (each may mail someone).
    public static let resetRequests = AddressThrottle(what: "password-reset requests", kind: "reset", limit: 10, window: 3600)

    /// Counts one request from `clientAddress` in the caller's transaction, or refuses it with
    /// `addressThrottled` (recording nothing) when the client already made `limit` in `window`.
    func admit(clientAddress: String, in store: SQLStore, at now: Date) async throws {
        let subject = kind + ":" + Secrets.digest(ClientAddress.throttleKey(clientAddress))
        let windowStart = now.addingTimeInterval(-window)
        try await store.clearLoginFailures(kinds: [kind], before: windowStart)
        let earlier = try await store.loginFailureCounts(subjects: [subject], since: windowStart)[subject, default: 0]
        guard earlier < limit else { throw DomainError.addressThrottled(what: what) }
        _ = try await store.recordLoginAttempt(subjects: [subject], at: now)
    }
}
