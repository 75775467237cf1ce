import BugZotWAMP
import BugZotWire
import HTTPTypes
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOCore
import Synchronization
import Testing

/// A WAMP client over a real WebSocket to a live test site's `/ws`, for the router's specs: it
/// sends messages and reads what the router sent, in order (each within 10 seconds).
final class WAMPPeer: Sendable {
    let outbound: WebSocketOutboundWriter
    let serializer: WAMPSerializer
    /// What arrived and is not read yet, and whether the connection has ended.
    private let mailbox = Mutex<(messages: [WAMPMessage], closed: Bool)>(([], false))

    private init(outbound: WebSocketOutboundWriter, serializer: WAMPSerializer) {
        self.outbound = outbound
        self.serializer = serializer
    }

    /// Connects to `site`'s `/ws` offering `subprotocol`, runs `body`, then closes; returns the
    /// close frame the server sent, if it closed.
    @discardableResult
    static func connect(
        _ site: TestSite, subprotocol: String = "wamp.2.json", _ body: @escaping @Sendable (WAMPPeer) async throws -> Void
    ) async throws -> WebSocketCloseFrame? {
        let port = try #require(site.client.port, "a live site")
        let serializer = try #require(WAMPSerializer(subprotocol: subprotocol))
        return try await WebSocketClient.connect(
            url: "ws://127.0.0.1:\(port)/ws",
            configuration: .init(maxFrameSize: 16 << 20, additionalHeaders: [.secWebSocketProtocol: subprotocol]),
            logger: Logger(label: "wamp-peer")
        ) { inbound, outbound, _ in
            let peer = WAMPPeer(outbound: outbound, serializer: serializer)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    defer { peer.mailbox.withLock { $0.closed = true } }
                    for try await message in inbound.messages(maxSize: 16 << 20) {
                        let decoded =
                            switch message {
                            case .text(let text): try serializer.decode(ByteBuffer(string: text))
                            case .binary(let bytes): try serializer.decode(bytes)
                            }
                        peer.mailbox.withLock { $0.messages.append(decoded) }
                    }
                }
                try await body(peer)
                group.cancelAll()
            }
        }
    }

    /// Joins realm `bugzot` with a ticket (an API key or a login token) and returns WELCOME's session and details.
    static func joinWithTicket(_ peer: WAMPPeer, authid: String, ticket: String) async throws -> (UInt64, JSONObject) {
        try await peer.send(
            .hello(
                realm: "bugzot",
                details: [
                    "roles": ["subscriber": [:], "publisher": [:], "caller": [:], "callee": [:]], "authmethods": ["ticket"],
                    "authid": .string(authid),
                ]))
        #expect(try await peer.next() == .challenge(method: "ticket", extra: [:]))
        try await peer.send(.authenticate(signature: ticket, extra: [:]))
        let welcome = try await peer.next()
        guard case .welcome(let session, let details) = welcome else {
            Issue.record("expected WELCOME, got \(welcome)")
            throw CancellationError()
        }
        return (session, details)
    }

    func send(_ message: WAMPMessage) async throws {
        let bytes = serializer.encode(message)
        if serializer.usesBinaryFrames {
            try await outbound.write(.binary(bytes))
        } else {
            try await outbound.write(.text(String(buffer: bytes)))
        }
    }

    /// The next message from the router; fails when the connection ends first or none comes in 10 s.
    func next() async throws -> WAMPMessage {
        for _ in 0..<2000 {
            let (message, closed) = mailbox.withLock { box in (box.messages.isEmpty ? nil : box.messages.removeFirst(), box.closed) }
            if let message { return message }
            if closed { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("no message from the router")
        throw CancellationError()
    }

    /// The messages the router sends until it ends the connection (within 10 s).
    func untilClosed() async throws -> [WAMPMessage] {
        for _ in 0..<2000 {
            if mailbox.withLock({ $0.closed }) { return mailbox.withLock { $0.messages } }
            try await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("the router did not close the connection")
        throw CancellationError()
    }
}
