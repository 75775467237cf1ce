/// What a queued message tells its recipient about one bug, kept with the message so that it
/// goes out only while the recipient may still see all of it: a bug made confidential, or a
/// comment or attachment made private, between writing the message and sending it keeps the
/// message back (mail waits in the queue for as long as its server is down).
public struct Disclosure: Sendable, Equatable, Codable {
    public var recipientID: Int
    public var bugID: Int
    /// The comments the message quotes.
    public var commentIDs: [Int]
    /// The attachments whose changes it lists (the comments bring their own).
    public var attachmentIDs: [Int]

    public init(recipientID: Int, bugID: Int, commentIDs: [Int], attachmentIDs: [Int]) {
        self.recipientID = recipientID
        self.bugID = bugID
        self.commentIDs = commentIDs
        self.attachmentIDs = attachmentIDs
    }

    /// What `comments` and `changes` of `bugID` tell `recipientID`.
    public init(recipientID: Int, bugID: Int, comments: [Comment], changes: [FieldChange]) {
        self.init(
            recipientID: recipientID, bugID: bugID, commentIDs: comments.map(\.id),
            attachmentIDs: Array(Set(changes.compactMap(\.attachmentID))).sorted())
    }
}
