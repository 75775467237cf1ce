import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// One TCP (or TLS) connection to an SMTP server: writes command lines and waits, each time for
/// at most the step timeout, for the replies. Never blocks an event loop.
struct SMTPConnection: Sendable {
    private let channel: any Channel
    private let replies: NIOLoopBound<SMTPReplyHandler>
    private let timeout: Duration
    private let logger: Logger

    private init(channel: any Channel, replies: NIOLoopBound<SMTPReplyHandler>, timeout: Duration, logger: Logger) {
        self.channel = channel
        self.replies = replies
        self.timeout = timeout
        self.logger = logger
    }

    /// Opens a connection, with TLS from the start when `tls` is given. Throws whatever NIO
    /// throws when the connection can't be made (refused, unresolvable, timed out, …).
    static func connect(
        host: String, port: Int, tls: (context: NIOSSLContext, serverHostname: String?)?,
        on group: any EventLoopGroup, timeout: Duration, logger: Logger
    ) async throws -> SMTPConnection {
        try await ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(timeout))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        let tlsHandler = try NIOSSLClientHandler(context: tls.context, serverHostname: tls.serverHostname)
                        try channel.pipeline.syncOperations.addHandler(tlsHandler)
                    }
                    let replyHandler = SMTPReplyHandler(eventLoop: channel.eventLoop)
                    try channel.pipeline.syncOperations.addHandler(replyHandler)
                    return SMTPConnection(
                        channel: channel, replies: NIOLoopBound(replyHandler, eventLoop: channel.eventLoop),
                        timeout: timeout, logger: logger)
                }
            }
    }

    /// Waits for a reply without sending anything (for the greeting).
    func reply(to step: String) async throws -> SMTPReply {
        try await exchange(nil, step: step)
    }

    /// Sends one command line (CRLF is added) and returns the reply. `loggedAs` replaces the line
    /// in the debug log, for commands that carry secrets.
    func send(_ command: String, loggedAs: String? = nil) async throws -> SMTPReply {
        logger.debug("C: \(loggedAs ?? command)")
        return try await exchange(ByteBuffer(string: command + "\r\n"), step: loggedAs ?? command)
    }

    /// Sends the message data (already dot-stuffed and terminated) and returns the final reply.
    func sendData(_ payload: [UInt8]) async throws -> SMTPReply {
        logger.debug("C: <\(payload.count) bytes of message data>")
        return try await exchange(ByteBuffer(bytes: payload), step: "the message data")
    }

    /// Puts TLS under the connection after the server agreed to STARTTLS (RFC 3207). Refuses if
    /// the server already sent more, since those bytes would have come before encryption.
    func startTLS(context: NIOSSLContext, serverHostname: String?) async throws {
        let channel = channel
        let replies = replies
        try await channel.eventLoop.submit {
            guard !replies.value.hasUnclaimedInput else {
                throw SMTPError.transient(code: nil, message: "the server sent unrequested data after agreeing to STARTTLS")
            }
            let tlsHandler = try NIOSSLClientHandler(context: context, serverHostname: serverHostname)
            try channel.pipeline.syncOperations.addHandler(tlsHandler, position: .first)
        }.get()
    }

    /// Closes the connection; closing one already closed is fine.
    func close() async {
        try? await channel.close()
    }

    /// Starts closing the connection without waiting, from any thread (for task cancellation);
    /// whatever waits for a reply then fails.
    func abort() {
        channel.close(promise: nil)
    }

    private func exchange(_ bytes: ByteBuffer?, step: String) async throws -> SMTPReply {
        let channel = channel
        let replies = replies
        let timeout = timeout
        let reply = try await channel.eventLoop.flatSubmit {
            // Waiting starts before writing, so the timeout also covers a server that stops reading.
            let reply = replies.value.nextReply(to: step, timeout: timeout)
            if let bytes {
                channel.writeAndFlush(bytes).whenFailure { error in
                    replies.value.connectionEnded(because: "sending failed: \(error)")
                }
            }
            return reply
        }.get()
        logger.debug("S: \(reply)")
        return reply
    }
}
