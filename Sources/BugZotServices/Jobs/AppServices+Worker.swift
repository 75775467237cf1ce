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
            Outbox.Kind.mail: { job in try await transport.send(try Outbox.decode(MailContent.self, from: job.payload)) },
            Outbox.Kind.webhook: { job in try await sender.deliver(job) },
        ]
        return JobWorker(database: database, handlers: handlers, settings: settings, logger: logger)
    }
}
