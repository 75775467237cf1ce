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

    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: String = "./bugzot-data", databaseURL: String? = nil,
        bcryptCost: UInt8 = 10, maxRequestBytes: Int = 10 * 1024 * 1024, maxAttachmentBytes: Int = 100 * 1024 * 1024,
        attachmentStore: AttachmentStoreKind = .files, publicURL: String? = nil
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
    }

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
