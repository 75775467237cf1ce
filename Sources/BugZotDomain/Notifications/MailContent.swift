/// One email, ready for a transport: the sender is the transport's. Codable, since it waits in
/// the job queue until it is sent.
public struct MailContent: Sendable, Equatable, Codable {
    public var to: String
    public var toName: String
    public var subject: String
    public var text: String
    public var html: String?
    /// Without angle brackets.
    public var messageID: String
    public var inReplyTo: String?
    public var references: [String]
    /// `List-Id`, `X-BugZot-*`: for people's mail filters.
    public var headers: [Header]
    /// For mail about a bug: what it tells, checked again before it is sent.
    public var disclosure: Disclosure?

    public struct Header: Sendable, Equatable, Codable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(
        to: String, toName: String, subject: String, text: String, html: String? = nil, messageID: String,
        inReplyTo: String? = nil, references: [String] = [], headers: [Header] = []
    ) {
        self.to = to
        self.toName = toName
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.headers = headers
    }
}
