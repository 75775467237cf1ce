import Foundation

/// An email to be rendered as an RFC 5322 message: plain text, optionally with an HTML alternative,
/// and the threading headers that keep a bug's mails in one conversation.
public struct MailMessage: Sendable {
    /// The author, shown in the `From` header.
    public var from: MailAddress
    /// The recipients shown in the `To` header (the SMTP envelope is given separately when sending).
    public var to: [MailAddress]
    /// The subject line; may contain any Unicode text.
    public var subject: String
    /// The plain-text body.
    public var text: String
    /// An HTML alternative to `text`, or `nil` for a text-only message.
    public var html: String?
    /// The message's unique id without angle brackets, e.g. `bug-12-change-34@bugs.example.com`.
    public var messageID: String
    /// The id of the message this one answers, without angle brackets.
    public var inReplyTo: String?
    /// The ids of the thread's earlier messages, oldest first, without angle brackets.
    public var references: [String]
    /// When the message was written; rendered in UTC.
    public var date: Date
    /// Further header fields in order, e.g. `List-Id` or `X-BugZot-Product`. Fields the renderer
    /// writes itself (`From`, `Content-Type`, …) are ignored here so they can't appear twice.
    public var extraHeaders: [(name: String, value: String)]

    /// A message; only the addresses, subject, text and id are required.
    public init(
        from: MailAddress, to: [MailAddress], subject: String, text: String, html: String? = nil,
        messageID: String, inReplyTo: String? = nil, references: [String] = [], date: Date = Date(),
        extraHeaders: [(name: String, value: String)] = []
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.date = date
        self.extraHeaders = extraHeaders
    }

    /// Whether any address in the headers has non-ASCII characters, so the message can only be
    /// relayed by a server offering SMTPUTF8.
    public var needsSMTPUTF8: Bool {
        from.isInternationalized || to.contains(where: \.isInternationalized)
    }
}
