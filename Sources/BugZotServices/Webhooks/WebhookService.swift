import BugZotDomain
import BugZotStorage
import Foundation

/// Webhooks for administrators: register a URL with a filter and a secret, see its deliveries.
public struct WebhookService: Sendable {
    let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    public func webhooks(by principal: Principal) async throws -> [Webhook] {
        try principal.require(.admin, action: "manage webhooks")
        return try await database.read { sql in try await SQLStore(sql).webhooks() }
    }

    /// Registers a webhook owned by the caller: its payloads show what the caller may see.
    public func create(url: String, secret: String, product: String?, events: Set<String>, by principal: Principal) async throws -> Int {
        try principal.require(.admin, action: "manage webhooks")
        let owner = try principal.requireUser()
        try InputRules.check(url, as: .webhookURL)
        try InputRules.check(secret, as: .webhookSecret)
        if let product { try InputRules.check(product, as: .product) }
        let url = url.trimmingCharacters(in: .whitespaces)
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
            parsed.host != nil
        else { throw DomainError.invalidParameter(parameter: "url", reason: "it must be an http:// or https:// address.") }
        guard secret.count >= 16, secret.count <= 200 else {
            throw DomainError.invalidParameter(parameter: "secret", reason: "it must be 16 to 200 characters long.")
        }
        let events = events.filter { !$0.isEmpty }
        guard !events.isEmpty, events.isSubset(of: WebhookPayload.events) else {
            throw DomainError.invalidParameter(parameter: "events", reason: "choose from \(WebhookPayload.events.joined(separator: ", ")).")
        }
        let now = Date()
        return try await database.transaction { sql in
            let store = SQLStore(sql)
            if let product, try await store.product(name: product) == nil { throw DomainError.objectNotFound(kind: "product", name: product) }
            return try await store.insertWebhook(ownerID: owner.id, url: url, secret: secret, product: product, events: events, at: now)
        }
    }

    /// Stops deliveries to a webhook; its log stays.
    public func deactivate(id: Int, by principal: Principal) async throws {
        try principal.require(.admin, action: "manage webhooks")
        try await database.transaction { sql in try await SQLStore(sql).deactivateWebhook(id: id) }
    }

    public func deliveries(of id: Int, limit: Int = 100, by principal: Principal) async throws -> (Webhook, [WebhookDeliveryRecord]) {
        try principal.require(.admin, action: "manage webhooks")
        return try await database.read { sql in
            let store = SQLStore(sql)
            guard let hook = try await store.webhook(id: id) else { throw DomainError.objectNotFound(kind: "webhook", name: String(id)) }
            return (hook, try await store.webhookDeliveries(webhookID: id, limit: min(limit, 1000)))
        }
    }
}
