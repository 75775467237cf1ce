import BugZotDomain
import BugZotStorage
import Foundation

/// Puts slow work in the job queue inside the transaction of the change that causes it, so the
/// work exists exactly when the change does.
public enum Outbox {
    /// The kinds of job, and what their payloads are.
    public enum Kind {
        /// A `BugEvent`: fanned out into mail and webhook jobs.
        public static let bugEvent = "bug_event"
        /// A `MailContent`: one message to one person.
        public static let mail = "mail"
        /// A `WebhookJob`: one POST to one webhook.
        public static let webhook = "webhook"
    }

    /// A change set of a bug, in the transaction that makes it: an event, published once the
    /// transaction commits (`EventService`), and a `bug_event` job that fans it out into mail and
    /// webhooks. Every write of a bug comes through here.
    public static func bugChanged(_ event: BugEvent, in store: SQLStore) async throws {
        store.raise(event)
        try await store.enqueueJob(kind: Kind.bugEvent, payload: try encode(event), runAt: event.when)
    }

    /// A message; `key` keeps a retried fan-out from queueing it twice.
    public static func mail(_ content: MailContent, key: String?, in store: SQLStore, at now: Date = Date()) async throws {
        try await store.enqueueJob(kind: Kind.mail, payload: try encode(content), idempotencyKey: key, runAt: now)
    }

    /// One delivery to one webhook; `key` keeps a retried fan-out from queueing it twice.
    static func webhook(_ delivery: WebhookJob, key: String, in store: SQLStore, at now: Date = Date()) async throws {
        try await store.enqueueJob(kind: Kind.webhook, payload: try encode(delivery), idempotencyKey: key, runAt: now)
    }

    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, from payload: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(type, from: Data(payload.utf8))
    }
}
