import BugZotDomain
import BugZotStorage
import Logging

extension AppServices {
    /// A worker for every kind of job BugZot queues: change sets fan out into messages and
    /// webhook deliveries; messages go to `transport`, deliveries to `webhooks`.
    public func worker(
        transport: any MailTransport, webhooks: WebhookSender? = nil, settings: JobWorker.Settings = .init(), logger: Logger
    ) -> JobWorker {
        let notifications = self.notifications
        let composer = self.composer
        let sender = webhooks ?? WebhookSender(database: database)
        let handlers: [String: JobWorker.Handler] = [
            Outbox.Kind.bugEvent: { job in try await notifications.fanOut(job, mail: composer) },
            // What became hidden from the recipient since the message was written is not sent.
            Outbox.Kind.mail: { job in
                let content = try Outbox.decode(MailContent.self, from: job.payload)
                if try await notifications.maySend(content.disclosure) { try await transport.send(content) }
            },
            Outbox.Kind.webhook: { job in
                if try await notifications.maySend(try Outbox.decode(WebhookJob.self, from: job.payload).disclosure) {
                    try await sender.deliver(job)
                }
            },
        ]
        return JobWorker(database: database, handlers: handlers, settings: settings, logger: logger)
    }
}
