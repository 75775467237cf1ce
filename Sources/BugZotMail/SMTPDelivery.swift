/// What the server said when it took a message.
public struct SMTPDelivery: Sendable {
    /// A recipient the server refused while accepting others.
    public struct RejectedRecipient: Sendable, Hashable {
        /// The envelope address.
        public let address: String
        /// The server's reply to `RCPT TO`.
        public let reply: SMTPReply

        /// Whether the refusal was a 4xx, so sending to this recipient later may work.
        public var isTransient: Bool { reply.code < 500 }
    }

    /// The reply after the message data, e.g. `250 2.0.0 Ok: queued as 4F2A1`.
    public let reply: SMTPReply
    /// The envelope recipients the server accepted, in the order given.
    public let acceptedRecipients: [String]
    /// The envelope recipients the server refused; the message was not sent to them.
    public let rejectedRecipients: [RejectedRecipient]
}
