import BugZotDomain
import BugZotStorage
import Foundation

/// Every use case BugZot offers, wired to one database; the adapters (REST, CLI) call these.
public struct AppServices: Sendable {
    public let database: any Database
    public let policy: Policy
    public let auth: AuthService
    public let sessions: SessionService
    public let accounts: AccountService
    public let users: UserService
    public let catalog: CatalogService
    /// The catalog, workflow and field rules in memory (shared by the services that read them).
    public let snapshots: CatalogSnapshots
    public let bugs: BugService
    public let attachments: AttachmentService
    public let notifications: NotificationService
    /// Events after each commit, cut to each person's view, and their replay.
    public let events: EventService
    public let jobs: JobQueue
    public let webhooks: WebhookService
    /// Unsaved form contents, kept for the page a browser is sent back to.
    public let drafts: DraftService
    /// Writes every email BugZot sends.
    public let composer: MailComposer

    public init(
        database: any Database, blobs: any BlobStore, attachmentLimit: Int = 100 * 1024 * 1024, policy: Policy = Policy(),
        hasher: PasswordHasher = PasswordHasher(), throttle: AuthService.Throttle = .init(),
        composer: MailComposer = MailComposer(siteURL: "http://127.0.0.1:8080", mailDomain: "localhost"),
        eventRetention: TimeInterval = 72 * 3600
    ) {
        self.database = database
        self.policy = policy
        self.auth = AuthService(database: database, hasher: hasher, throttle: throttle)
        self.sessions = SessionService(database: database, auth: auth)
        self.accounts = AccountService(database: database, hasher: hasher, policy: policy, composer: composer)
        self.composer = composer
        self.users = UserService(database: database, hasher: hasher, policy: policy)
        self.snapshots = CatalogSnapshots(database: database)
        self.catalog = CatalogService(database: database, snapshots: snapshots)
        self.bugs = BugService(database: database, policy: policy, snapshots: snapshots)
        self.attachments = AttachmentService(database: database, blobs: blobs, bugs: bugs, policy: policy, limit: attachmentLimit)
        self.notifications = NotificationService(database: database, bugs: bugs, policy: policy)
        self.events = EventService(database: database, bugs: bugs, policy: policy, retention: eventRetention)
        self.jobs = JobQueue(database: database)
        self.webhooks = WebhookService(database: database)
        self.drafts = DraftService(database: database)
    }
}
