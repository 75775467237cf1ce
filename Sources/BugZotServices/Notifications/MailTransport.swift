import BugZotDomain

/// Where messages go: an SMTP server, or files when none is configured.
public protocol MailTransport: Sendable {
    /// Sends one message. Throws `JobFailure.retryLater` for what may work later (a 4xx reply, a
    /// dropped connection) and `JobFailure.permanent` for what never will (a 5xx reply).
    func send(_ mail: MailContent) async throws
}
