import BugZotDomain
import Foundation
import SQLKit

/// A URL that receives signed JSON about bug changes.
public struct Webhook: Sendable, Equatable {
    public let id: Int
    public let ownerID: Int
    public let url: String
    public let secret: String
    /// Only bugs of this product; nil for all.
    public let product: String?
    /// Only these events (`bug.created`, `bug.changed`, `bug.commented`).
    public let events: Set<String>
    public let isActive: Bool
}

/// One attempt to deliver to a webhook.
public struct WebhookDeliveryRecord: Sendable, Equatable {
    public let id: Int
    public let webhookID: Int
    public let jobID: Int
    public let event: String
    public let attemptedAt: Date
    public let statusCode: Int?
    public let outcome: String
    public let durationMilliseconds: Int
}

extension SQLStore {
    private func webhook(from row: any SQLRow) throws -> Webhook {
        Webhook(
            id: try row.int("id"), ownerID: try row.int("owner_id"), url: try row.string("url"), secret: try row.string("secret"),
            product: try row.optionalString("product"),
            events: Set(try row.string("events").split(separator: ",").map(String.init)), isActive: try row.bool("is_active"))
    }

    public func insertWebhook(ownerID: Int, url: String, secret: String, product: String?, events: Set<String>, at now: Date) async throws -> Int {
        try await insert(
            """
            INSERT INTO webhooks (owner_id, url, secret, product, events, is_active, created_at)
            VALUES (\(bind: ownerID), \(bind: url), \(bind: secret), \(bind: product), \(bind: events.sorted().joined(separator: ",")), TRUE, \(bind: now.unixSeconds))
            """)
    }

    /// Every webhook, active or not, oldest first.
    public func webhooks() async throws -> [Webhook] {
        try await all("SELECT id, owner_id, url, secret, product, events, is_active FROM webhooks ORDER BY id").map(webhook(from:))
    }

    public func webhook(id: Int) async throws -> Webhook? {
        try await first("SELECT id, owner_id, url, secret, product, events, is_active FROM webhooks WHERE id = \(bind: id)").map(webhook(from:))
    }

    public func deactivateWebhook(id: Int) async throws {
        try await run("UPDATE webhooks SET is_active = FALSE WHERE id = \(bind: id)")
    }

    public func insertWebhookDelivery(
        webhookID: Int, jobID: Int, event: String, at now: Date, statusCode: Int?, outcome: String, durationMilliseconds: Int
    ) async throws {
        try await run(
            """
            INSERT INTO webhook_deliveries (webhook_id, job_id, event, attempted_at, status_code, outcome, duration_ms)
            VALUES (\(bind: webhookID), \(bind: jobID), \(bind: event), \(bind: now.unixSeconds), \(bind: statusCode), \(bind: outcome), \(bind: durationMilliseconds))
            """)
    }

    /// A webhook's newest delivery attempts first.
    public func webhookDeliveries(webhookID: Int, limit: Int) async throws -> [WebhookDeliveryRecord] {
        try await all(
            """
            SELECT id, webhook_id, job_id, event, attempted_at, status_code, outcome, duration_ms FROM webhook_deliveries
            WHERE webhook_id = \(bind: webhookID) ORDER BY id DESC LIMIT \(bind: limit)
            """
        ).map {
            WebhookDeliveryRecord(
                id: try $0.int("id"), webhookID: try $0.int("webhook_id"), jobID: try $0.int("job_id"), event: try $0.string("event"),
                attemptedAt: try $0.date("attempted_at"), statusCode: try $0.optionalInt("status_code"), outcome: try $0.string("outcome"),
                durationMilliseconds: try $0.int("duration_ms"))
        }
    }
}
