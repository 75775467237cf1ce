import NIOCore
import NIOSSL

/// The last inbound handler of an SMTP connection: parses the server's replies and hands each
/// one to whoever waits for it, or keeps it until someone does. Once the connection fails or
/// closes, waiting fails with a transient `SMTPError` saying why.
final class SMTPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private struct Waiter {
        let promise: EventLoopPromise<SMTPReply>
        let step: String
        let timeout: Scheduled<Void>
    }

    /// How many replies may arrive before they are asked for (the greeting is one).
    static let maximumUnclaimedReplies = 8

    private let eventLoop: any EventLoop
    private var context: ChannelHandlerContext?
    private var parser = SMTPReplyParser()
    private var unclaimedReplies = CircularBuffer<SMTPReply>()
    private var waiter: Waiter?
    /// Why no more replies will come; set once, by the first failure.
    private var endReason: String?

    /// A handler for a channel running on `eventLoop`.
    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Whether the server has sent bytes nobody asked for yet.
    var hasUnclaimedInput: Bool {
        !unclaimedReplies.isEmpty || parser.hasBufferedInput
    }

    /// The next reply; fails if the connection ends first or nothing arrives within `timeout`,
    /// closing the connection in that case. `step` names what the reply answers, for errors.
    func nextReply(to step: String, timeout: Duration) -> EventLoopFuture<SMTPReply> {
        eventLoop.preconditionInEventLoop()
        precondition(waiter == nil, "only one reply can be awaited at a time")
        if let reply = unclaimedReplies.popFirst() {
            return eventLoop.makeSucceededFuture(reply)
        }
        if let endReason {
            return eventLoop.makeFailedFuture(Self.error(endReason, step: step))
        }
        let promise = eventLoop.makePromise(of: SMTPReply.self)
        let timeoutTask = eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) {
            self.connectionEnded(because: "timed out after \(timeout.seconds) s")
        }
        waiter = Waiter(promise: promise, step: step, timeout: timeoutTask)
        return promise.futureResult
    }

    /// Records that the connection is unusable, failing the waiting step, and closes it.
    func connectionEnded(because reason: String) {
        // The first reason is the real one; closing the channel reports "closed" again afterwards.
        let firstReason = endReason ?? reason
        endReason = firstReason
        if let waiter {
            self.waiter = nil
            waiter.timeout.cancel()
            waiter.promise.fail(Self.error(firstReason, step: waiter.step))
        }
        context?.close(promise: nil)
    }

    /// Keeps the context, to close the channel when a wait fails.
    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    /// Forgets the context.
    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Parses the bytes and delivers every reply they complete.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard endReason == nil else { return }
        parser.append(unwrapInboundIn(data))
        do {
            while let reply = try parser.nextReply() {
                deliver(reply)
            }
        } catch {
            connectionEnded(because: (error as? SMTPError)?.message ?? "\(error)")
        }
    }

    /// The server (or a timeout, or the client) closed the connection.
    func channelInactive(context: ChannelHandlerContext) {
        connectionEnded(because: "the connection was closed")
        context.fireChannelInactive()
    }

    /// A socket or TLS error; the connection is given up.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let isTLSFailure = error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError
        connectionEnded(because: isTLSFailure ? "TLS failed: \(error)" : "connection failed: \(error)")
    }

    private func deliver(_ reply: SMTPReply) {
        guard let waiter else {
            // Without PIPELINING a server answers each command once; a pile of unasked-for
            // replies means a broken or hostile server, not one worth buffering for.
            guard unclaimedReplies.count < Self.maximumUnclaimedReplies else {
                connectionEnded(because: "the server sent more than \(Self.maximumUnclaimedReplies) replies nobody asked for")
                return
            }
            unclaimedReplies.append(reply)
            return
        }
        self.waiter = nil
        waiter.timeout.cancel()
        waiter.promise.succeed(reply)
    }

    private static func error(_ reason: String, step: String) -> SMTPError {
        .transient(code: nil, message: "\(reason) while waiting for the reply to \(step)")
    }
}
