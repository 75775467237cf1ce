import BugZotRealtime
import Foundation

/// Everything an instance needs to start. The command line fills it from flags and environment.
public struct AppConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Holds the SQLite database (when no database URL is given) and, later, attachments.
    public var dataDirectory: String
    /// A PostgreSQL URL; nil means the embedded SQLite database in the data directory.
    public var databaseURL: String?
    public var bcryptCost: UInt8
    /// The largest request body accepted, in bytes.
    public var maxRequestBytes: Int
    /// The largest attachment accepted, in bytes.
    public var maxAttachmentBytes: Int
    /// Where attachment bytes go: files in the data directory, or the database itself (for
    /// instances that share no disk).
    public var attachmentStore: AttachmentStoreKind
    /// The address people reach BugZot at (`https://bugs.example.com`), for links sent to them;
    /// nil takes it from each request's Host header. An https address also marks cookies Secure.
    public var publicURL: String?
    /// `smtp://[user:password@]host[:port]` or `smtps://…`; nil writes mail to files in the data directory.
    public var smtpURL: String?
    /// The sender of every message.
    public var mailFrom: String?
    /// Whether `serve` runs a job worker too (`bugzot worker` runs one alone).
    public var runsWorker: Bool
    /// The first retry of a failed job waits about this long; each later one twice as long.
    public var jobRetrySeconds: Double
    /// Attempts before a job is dead.
    public var jobMaxAttempts: Int
    /// How long a claimed job belongs to its worker; a crashed worker's jobs run again after it.
    public var jobLeaseSeconds: Double
    /// How long events are kept for live clients to resume from; the worker prunes older ones hourly.
    public var eventRetentionHours = 72
    /// A keep-alive connection with no request under way is closed after this long.
    public var idleTimeoutSeconds: Double = 60
    /// A request's headers must arrive within this long of its first byte.
    public var headerTimeoutSeconds: Double = 20
    /// Open connections served at once; more are answered 503 (lowered at start to fit the open-files limit).
    public var maxConnections = 1000
    /// After SIGTERM, requests and jobs under way get this long to finish; then they are cut off
    /// (a cut-off job runs again when its lease ends) and the process exits.
    public var shutdownTimeoutSeconds: Double = 15
    /// `shutdownTimeoutSeconds`, as a duration.
    public var shutdownPeriod: Duration { .milliseconds(Int(shutdownTimeoutSeconds * 1000)) }
    /// The longest one database call may take, waiting for a connection included (on SQLite: the
    /// longest a transaction waits for the single writer).
    public var databaseTimeoutSeconds: Double = 30
    /// Whether responses say how many SQL statements they took (`X-BugZot-SQL-Statements`), for
    /// tests and benchmarks; off by default, so as not to show internals. The request log line has
    /// the count either way.
    public var exposesStatementCounts = false
    /// The most bugs one search on /rest returns (Bugzilla's `max_search_results`): a search asking
    /// for all (`limit=0` or none) or for more that matches more is refused, never cut short.
    public var maxSearchResults = 10_000
    /// The WAMP router's limits at `/ws`: message size, queued bytes per session, subscriptions,
    /// registrations and calls in flight per session, keepalive pings.
    public var realtime = RealtimeSettings()

    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: String = "./bugzot-data", databaseURL: String? = nil,
        bcryptCost: UInt8 = 10, maxRequestBytes: Int = 10 * 1024 * 1024, maxAttachmentBytes: Int = 100 * 1024 * 1024,
        attachmentStore: AttachmentStoreKind = .files, publicURL: String? = nil, smtpURL: String? = nil, mailFrom: String? = nil,
        runsWorker: Bool = true, jobRetrySeconds: Double = 30, jobMaxAttempts: Int = 10, jobLeaseSeconds: Double = 300
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.databaseURL = databaseURL
        self.bcryptCost = bcryptCost
        self.maxRequestBytes = maxRequestBytes
        self.maxAttachmentBytes = maxAttachmentBytes
        self.attachmentStore = attachmentStore
        self.publicURL = publicURL
        self.smtpURL = smtpURL
        self.mailFrom = mailFrom
        self.runsWorker = runsWorker
        self.jobRetrySeconds = jobRetrySeconds
        self.jobMaxAttempts = jobMaxAttempts
        self.jobLeaseSeconds = jobLeaseSeconds
    }

    /// The site's address in links sent to people.
    public var siteURL: String {
        let url = publicURL ?? "http://\(host):\(port)"
        return url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    /// The host part of Message-IDs, List-Ids and the default sender.
    public var mailDomain: String { URL(string: siteURL)?.host ?? "localhost" }

    /// Where mail goes when no SMTP server is configured.
    public var mailPath: String { (dataDirectory as NSString).appendingPathComponent("mail") }

    /// Where attachment bytes are kept.
    public var attachmentsPath: String { (dataDirectory as NSString).appendingPathComponent("attachments") }

    /// The SQLite file used when no database URL is set.
    public var sqlitePath: String { (dataDirectory as NSString).appendingPathComponent("bugzot.sqlite") }
}

/// Where attachment bytes are kept.
public enum AttachmentStoreKind: String, Sendable, CaseIterable {
    case files
    case database
}
