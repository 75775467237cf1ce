import BugZotWAMP
import BugZotWire
import NIOCore
import NIOWebSocket
import Synchronization

/// Where one session's messages go: its WebSocket, written on the connection's event loop
/// straight into the channel (no task per message), text frames for JSON and binary for
/// MessagePack. What waits unsent is bounded: a session whose client reads too slowly is told
/// why and closed (1008) instead of growing the server's memory.
final class Outbound: Sendable {
    let channel: any Channel
    let serializer: WAMPSerializer
    /// Bytes that may wait unsent before the session is a slow consumer.
    let limit: Int
    private let closing = Atomic<Bool>(false)
    /// How long a closed session's last words may take to leave before the connection goes anyway.
    static let closeGrace = TimeAmount.seconds(2)

    init(channel: any Channel, serializer: WAMPSerializer, limit: Int) {
        self.channel = channel
        self.serializer = serializer
        self.limit = limit
    }

    /// Whether the session is being closed (nothing more is sent).
    var isClosing: Bool { closing.load(ordering: .relaxed) }

    /// Sends one message.
    func send(_ message: WAMPMessage) {
        send(encoded: serializer.encode(message))
    }

    /// Sends one encoded message.
    func send(encoded bytes: ByteBuffer) {
        let loop = channel.eventLoop
        if loop.inEventLoop {
            write(bytes)
            channel.flush()
        } else {
            loop.execute { [self] in
                write(bytes)
                channel.flush()
            }
        }
    }

    /// Sends the same encoded message to many sessions: one hop per event loop, each connection
    /// written and then flushed once.
    static func send(encoded bytes: ByteBuffer, to outbounds: [Outbound]) {
        guard outbounds.count > 1 else {
            outbounds.first?.send(encoded: bytes)
            return
        }
        var byLoop: [ObjectIdentifier: [Outbound]] = [:]
        for outbound in outbounds { byLoop[ObjectIdentifier(outbound.channel.eventLoop), default: []].append(outbound) }
        for group in byLoop.values {
            group[0].channel.eventLoop.execute {
                for outbound in group { outbound.write(bytes) }
                for outbound in group { outbound.channel.flush() }
            }
        }
    }

    /// Ends the session: `last` (an ABORT or GOODBYE) and a close frame are sent after what is
    /// queued, and the connection goes after a short grace whether or not they left.
    func close(code: WebSocketErrorCode, reason: String, last: WAMPMessage? = nil) {
        let bytes = last.map(serializer.encode)
        channel.eventLoop.execute { [self] in closeNow(code: code, reason: reason, last: bytes) }
    }

    /// On the event loop.
    private func write(_ bytes: ByteBuffer) {
        guard !isClosing else { return }
        let queued = (try? channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
        guard queued <= limit else {
            let message = "slow consumer: more than \(limit) bytes waited to be sent to this session"
            return closeNow(
                code: .policyViolation, reason: "slow consumer",
                last: serializer.encode(.abort(details: ["message": .string(message)], reason: Self.slowConsumer)))
        }
        channel.write(WebSocketFrame(fin: true, opcode: serializer.usesBinaryFrames ? .binary : .text, data: bytes), promise: nil)
    }

    /// The ABORT reason of a session closed for reading too slowly.
    static let slowConsumer = "bugzot.error.slow_consumer"

    private func closeNow(code: WebSocketErrorCode, reason: String, last: ByteBuffer?) {
        guard !closing.exchange(true, ordering: .relaxed) else { return }
        if let last {
            channel.write(WebSocketFrame(fin: true, opcode: serializer.usesBinaryFrames ? .binary : .text, data: last), promise: nil)
        }
        var data = channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.write(webSocketErrorCode: code)
        data.writeString(reason)
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: data), promise: nil)
        let channel = self.channel
        channel.eventLoop.scheduleTask(in: Self.closeGrace) { channel.close(promise: nil) }
    }
}
