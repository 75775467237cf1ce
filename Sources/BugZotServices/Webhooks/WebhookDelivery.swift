import AsyncHTTPClient
import BugZotDomain
import BugZotStorage
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// What a `webhook` job carries: which hook, which event, the body as it will be signed, and
/// what the body tells the hook's owner (checked again before it is sent).
public struct WebhookJob: Sendable, Codable {
    public var webhookID: Int
    public var event: String
    public var body: String
    public var disclosure: Disclosure?
}

/// Sends `webhook` jobs: a JSON POST signed with HMAC-SHA256 over the timestamp and the body, so
/// receivers can check who sent it and refuse replays. Every attempt goes into the delivery log.
/// An endpoint that keeps failing is left alone for a while (`breaker`): its deliveries wait in
/// the queue, untried, instead of each holding a worker slot until it times out.
public struct WebhookSender: Sendable {
    let database: any Database
    let client: HTTPClient
    let timeout: TimeAmount
    let breaker: CircuitBreaker

    /// - Parameter timeout: how long one attempt may take, connection included.
    public init(
        database: any Database, client: HTTPClient = .shared, timeout: TimeAmount = .seconds(5), breaker: CircuitBreaker = CircuitBreaker()
    ) {
        self.database = database
        self.client = client
        self.timeout = timeout
        self.breaker = breaker
    }

    /// Where a URL's deliveries go, as the breaker counts failures: scheme, host and port.
    static func endpoint(of url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host else { return url }
        return "\(components.scheme ?? "")://\(host.lowercased()):\(components.port.map(String.init) ?? "")"
    }

    /// `X-BugZot-Signature: sha256=<hex>` over `"<timestamp>.<body>"`.
    public static func signature(secret: String, timestamp: Int, body: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.hexadecimal
    }

    public func deliver(_ job: Job) async throws {
        let payload = try Outbox.decode(WebhookJob.self, from: job.payload)
        guard let hook = try await database.read({ sql in try await SQLStore(sql).webhook(id: payload.webhookID) }), hook.isActive else {
            return  // deactivated since: nothing to send
        }
        let endpoint = Self.endpoint(of: hook.url)
        if case .postponed(let until) = breaker.permission(for: endpoint) {
            throw JobFailure.postponed(until: until, reason: "not tried: \(endpoint) keeps failing")
        }
        let timestamp = Int(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: hook.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "BugZot-Webhook")
        request.headers.add(name: "X-BugZot-Event", value: payload.event)
        request.headers.add(name: "X-BugZot-Delivery", value: String(job.id))
        request.headers.add(name: "X-BugZot-Timestamp", value: String(timestamp))
        request.headers.add(name: "X-BugZot-Signature", value: Self.signature(secret: hook.secret, timestamp: timestamp, body: payload.body))
        request.body = .bytes(ByteBuffer(string: payload.body))
        let started = ContinuousClock.now
        var status: Int?
        var outcome: String
        var failure: JobFailure?
        do {
            let response = try await client.execute(request, timeout: timeout)
            status = Int(response.status.code)
            _ = try? await response.body.collect(upTo: 64 * 1024)
            switch response.status.code {
            case 200..<300: outcome = "delivered"
            case 408, 429, 500...: outcome = "HTTP \(response.status.code), will retry"; failure = .retryLater(outcome)
            default: outcome = "HTTP \(response.status.code), refused"; failure = .permanent(outcome)
            }
        } catch {
            // Cut off (the worker is shutting down): not an attempt, so neither logged nor held against the endpoint.
            try Task.checkCancellation()
            outcome = "\(error), will retry"
            failure = .retryLater(outcome)
        }
        if status.map({ $0 < 500 && $0 != 429 && $0 != 408 }) ?? false {
            breaker.succeeded(endpoint)  // it answers, even if it refuses this delivery
        } else {
            breaker.failed(endpoint)
        }
        let elapsed = ContinuousClock.now - started
        let milliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        let record = (status: status, outcome: outcome)
        try await database.transaction { sql in
            try await SQLStore(sql).insertWebhookDelivery(
                webhookID: hook.id, jobID: job.id, event: payload.event, at: Date(), statusCode: record.status, outcome: record.outcome,
                durationMilliseconds: milliseconds)
        }
        if let failure { throw failure }
    }
}
