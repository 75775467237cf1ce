import Foundation

/// A file attached to a bug. Its bytes live in a blob store under `blobKey` (their SHA-256).
public struct Attachment: Sendable, Equatable {
    public var id: Int
    public var bugID: Int
    public var fileName: String
    public var summary: String
    public var contentType: String
    public var isPatch: Bool
    public var isObsolete: Bool
    public var isPrivate: Bool
    public var creator: UserSummary
    public var creationTime: Date
    public var lastChangeTime: Date
    public var size: Int
    public var blobKey: String

    public init(
        id: Int, bugID: Int, fileName: String, summary: String, contentType: String, isPatch: Bool, isObsolete: Bool,
        isPrivate: Bool, creator: UserSummary, creationTime: Date, lastChangeTime: Date, size: Int, blobKey: String
    ) {
        self.id = id
        self.bugID = bugID
        self.fileName = fileName
        self.summary = summary
        self.contentType = contentType
        self.isPatch = isPatch
        self.isObsolete = isObsolete
        self.isPrivate = isPrivate
        self.creator = creator
        self.creationTime = creationTime
        self.lastChangeTime = lastChangeTime
        self.size = size
        self.blobKey = blobKey
    }
}
