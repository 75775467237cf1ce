import BugZotWAMP
import BugZotWire
import HTTPTypes
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOCore
import Testing

/// A WAMP client over a real WebSocket to a live test site's `/ws`, for the router's specs: it
/// sends messages and reads them back one at a time, in order.
final class WAMPPeer {
    let outbound: WebSocketOutboundWriter
    let serializer: WAMPSerializer
    private var inbound: WebSocketInboundMessageStream.AsyncIterator

    private init(outbound: WebSocketOutboundWriter, inbound: WebSocketInboundStream, serializer: WAMPSerializer) {
        self.outbound = outbound
        self.serializer = serializer
        self.inbound = inbound.messages(maxSize: 16 << 20).makeAsyncIterator()
    }

    /// Connects to `site`'s `/ws` offering `subprotocol`, runs `body`, then closes; returns the
    /// close frame the server sent, if it closed.
    @discardableResult
    static func connect(
        _ site: TestSite, subprotocol: String = "wamp.2.json", cookie: String? = nil, _ body: @escaping @Sendable (WAMPPeer) async throws -> Void
    ) async throws -> WebSocketCloseFrame? {
        let port = try #require(site.client.port, "a live site")
        var headers: HTTPFields = [.secWebSocketProtocol: subprotocol]
        if let cookie { headers[.cookie] = cookie }
        let serializer = try #require(WAMPSerializer(subprotocol: subprotocol))
        return try await WebSocketClient.connect(
            url: "ws://127.0.0.1:\(port)/ws", configuration: .init(maxFrameSize: 16 << 20, additionalHeaders: headers),
            logger: Logger(label: "wamp-peer")
        ) { inbound, outbound, _ in
            try await body(WAMPPeer(outbound: outbound, inbound: inbound, serializer: serializer))
        }
    }

    /// Joins realm `bugzot` with a ticket (an API key or a login token) and returns WELCOME's session and details.
    static func joinWithTicket(_ peer: WAMPPeer, authid: String, ticket: String) async throws -> (UInt64, JSONObject) {
        try await peer.send(.hello(realm: "bugzot", details: ["roles": ["subscriber": [:], "publisher": [:], "caller": [:], "callee": [:]], "authmethods": ["ticket"], "authid": .string(authid)]))
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

    /// The next message from the router; fails when the connection ends first.
    func next() async throws -> WAMPMessage {
        guard let message = try await inbound.next() else {
            Issue.record("the router closed the connection")
            throw CancellationError()
        }
        switch message {
        case .text(let text): return try serializer.decode(ByteBuffer(string: text))
        case .binary(let bytes): return try serializer.decode(bytes)
        }
    }

    /// Whether the router ends the connection (after any messages, which are returned).
    func untilClosed() async throws -> [WAMPMessage] {
        var messages: [WAMPMessage] = []
        while let message = try await inbound.next() {
            switch message {
            case .text(let text): messages.append(try serializer.decode(ByteBuffer(string: text)))
            case .binary(let bytes): messages.append(try serializer.decode(bytes))
            }
        }
        return messages
    }
}
