@testable import BugZotMail
import NIOCore
import NIOEmbedded
import Testing

@Suite("Waiting for replies on a channel")
struct SMTPReplyHandlerTests {
    private static func channel() throws -> (EmbeddedChannel, SMTPReplyHandler) {
        let channel = EmbeddedChannel()
        let handler = SMTPReplyHandler(eventLoop: channel.embeddedEventLoop)
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 25)).wait()
        return (channel, handler)
    }

    @Test("keeps a reply that arrives before anyone waits for it, such as the greeting")
    func earlyReply() throws {
        let (channel, handler) = try Self.channel()
        try channel.writeInbound(ByteBuffer(string: "220 ready\r\n"))
        let reply = try handler.nextReply(to: "the greeting", timeout: .seconds(1)).wait()
        #expect(reply == SMTPReply(code: 220, lines: ["ready"]))
        #expect(!handler.hasUnclaimedInput)
    }

    @Test("fails the wait and closes the channel when the timeout passes")
    func timeout() throws {
        let (channel, handler) = try Self.channel()
        let reply = handler.nextReply(to: "DATA", timeout: .seconds(2))
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1999))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!channel.isActive)
        #expect {
            try reply.wait()
        } throws: { error in
            guard let error = error as? SMTPError else { return false }
            return error.isTransient && error.message == "timed out after 2 s while waiting for the reply to DATA"
        }
    }

    @Test("fails the wait when the server closes the connection, but first hands out what it sent")
    func closedByServer() throws {
        let (channel, handler) = try Self.channel()
        try channel.writeInbound(ByteBuffer(string: "421 shutting down\r\n"))
        channel.pipeline.fireChannelInactive()
        #expect(try handler.nextReply(to: "MAIL FROM", timeout: .seconds(1)).wait().code == 421)
        #expect(throws: SMTPError.self) { try handler.nextReply(to: "RCPT TO", timeout: .seconds(1)).wait() }
    }

    @Test("gives up on a server that floods replies nobody asked for")
    func flood() throws {
        let (channel, handler) = try Self.channel()
        try channel.writeInbound(ByteBuffer(string: String(repeating: "250 ok\r\n", count: 20)))
        #expect(!channel.isActive)
        #expect(handler.hasUnclaimedInput)
    }

    @Test("gives up on a malformed reply")
    func malformed() throws {
        let (channel, handler) = try Self.channel()
        let reply = handler.nextReply(to: "EHLO", timeout: .seconds(1))
        try channel.writeInbound(ByteBuffer(string: "HTTP/1.1 400 Bad Request\r\n"))
        #expect(!channel.isActive)
        #expect(throws: SMTPError.self) { try reply.wait() }
    }
}
