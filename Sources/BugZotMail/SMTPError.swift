/// Why a message could not be handed to the SMTP server, sorted by what the caller should do:
/// retry a transient failure later, record a permanent one.
public enum SMTPError: Error, Sendable, CustomStringConvertible {
    /// A failure that may go away: a 4xx reply, a refused, dropped or timed-out connection, a failed
    /// TLS handshake. `code` is the server's reply code when there was one.
    case transient(code: Int?, message: String)
    /// A failure that retrying will not fix: a 5xx reply, a message larger than the server
    /// accepts, an extension or authentication mechanism the server lacks. `code` is the server's
    /// reply code when there was one.
    case permanent(code: Int?, message: String)

    /// Whether sending the same message again later may succeed.
    public var isTransient: Bool {
        if case .transient = self { true } else { false }
    }

    /// The server's reply code, if the failure came from a reply.
    public var code: Int? {
        switch self {
        case .transient(let code, _), .permanent(let code, _): code
        }
    }

    /// What went wrong, without the reply code.
    public var message: String {
        switch self {
        case .transient(_, let message), .permanent(_, let message): message
        }
    }

    /// The kind, the code if any, and the message: `SMTP permanent failure (550): RCPT TO:<…> failed: …`.
    public var description: String {
        let kind = isTransient ? "transient" : "permanent"
        return code.map { "SMTP \(kind) failure (\($0)): \(message)" } ?? "SMTP \(kind) failure: \(message)"
    }

    /// The error for an unwelcome `reply` to `step`: transient for 4xx, permanent for 5xx, and
    /// transient for codes that make no sense at this point (the server is confused, not the message).
    static func unexpected(_ reply: SMTPReply, to step: String) -> SMTPError {
        let message = "\(step) failed: \(reply)"
        return reply.code >= 500 ? .permanent(code: reply.code, message: message) : .transient(code: reply.code, message: message)
    }
}
