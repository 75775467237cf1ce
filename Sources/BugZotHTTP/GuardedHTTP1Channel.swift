import HTTPTypes
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Limits that keep idle, slow or too many clients from taking the server's descriptors.
public struct ConnectionLimits: Sendable {
    /// A connection with no request under way is closed after this long.
    public var idleTimeout: Duration
    /// A request's headers must arrive within this long of its first byte.
    public var headerTimeout: Duration
    /// Connections past this many are answered 503 and closed.
    public var maxConnections: Int
    /// The longest URL or header, and all headers together (the HTTP decoder's limits).
    public var maxHeaderBytes: Int

    /// The defaults: a minute idle, 20 seconds for headers, 1,000 connections, 80 KB of headers.
    public init(idleTimeout: Duration = .seconds(60), headerTimeout: Duration = .seconds(20), maxConnections: Int = 1000, maxHeaderBytes: Int = 80 * 1024) {
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
        self.maxConnections = maxConnections
        self.maxHeaderBytes = maxHeaderBytes
    }
}

/// HTTP/1 with guards in front of Hummingbird's own channel: a cap on open connections (the ones
/// past it get a clear 503 and are closed), a deadline for each request's headers, an idle
/// timeout, and a real answer — the API's error body or a plain page — when the address or the
/// headers are too long or the bytes are not HTTP, instead of an empty 400.
///
/// A request may upgrade the connection to a WebSocket (`shouldUpgrade` decides); the upgraded
/// connection still counts towards the cap, and `releaseGuards(of:)` takes the HTTP guards
/// away as it upgrades (the WebSocket keeps itself alive with pings instead).
public struct GuardedHTTP1Channel: ServerChildChannel {
    /// The connection as Hummingbird's HTTP/1 channel with WebSocket upgrade hands it on.
    public typealias Value = HTTP1WebSocketUpgradeChannel.Value
    /// Decides whether a request that asks for a WebSocket gets one, and with which handler.
    public typealias UpgradeDecision =
        @Sendable (HTTPRequest, any Channel, Logger) throws -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>>

    let http: HTTP1WebSocketUpgradeChannel
    let limits: ConnectionLimits
    let render: RefusalRenderer
    let connections = ConnectionCount()

    /// The server builder for `Application(server:)`; without `shouldUpgrade`, no request upgrades.
    public static func builder(
        limits: ConnectionLimits, webSocket: WebSocketServerConfiguration = .init(), render: @escaping RefusalRenderer,
        shouldUpgrade: @escaping UpgradeDecision = { _, _, _ in .dontUpgrade }
    ) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            var configuration = HTTP1Channel.Configuration(idleTimeout: TimeAmount(limits.idleTimeout))
            configuration.httpDecoder = .init(maxHeaderFieldSize: limits.maxHeaderBytes, maxHeaderListSize: limits.maxHeaderBytes)
            let http = HTTP1WebSocketUpgradeChannel(
                responder: responder, configuration: .init(http1: configuration, ws: webSocket), shouldUpgrade: shouldUpgrade)
            return GuardedHTTP1Channel(http: http, limits: limits, render: render)
        }
    }

    /// Takes the HTTP guards (header deadline, idle timer, refusals) off a connection that is
    /// upgrading to a WebSocket; call it on the channel's event loop, from `shouldUpgrade`.
    public static func releaseGuards(of channel: any Channel) {
        let pipeline = channel.pipeline.syncOperations
        if let start = try? pipeline.handler(type: RequestStartHandler.self) {
            start.shared.release()
            _ = pipeline.removeHandler(start)
        }
        if let guardHandler = try? pipeline.handler(type: RequestGuardHandler.self) { _ = pipeline.removeHandler(guardHandler) }
    }

    /// Counts the connection, then puts the guards around Hummingbird's HTTP/1 pipeline.
    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let open = connections.opened()
        channel.closeFuture.whenComplete { [connections] _ in connections.closed() }
        let refusing = open > limits.maxConnections
        if refusing, connections.refused() % 100 == 1 {
            logger.warning("refusing connections: too many open", metadata: ["open": "\(open)", "limit": "\(limits.maxConnections)"])
        }
        let shared = GuardState(headerTimeout: TimeAmount(limits.headerTimeout))
        // Until the first request arrives, nothing else times an idle connection out.
        shared.firstBytesTimer = channel.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(limits.idleTimeout)) {
            channel.close(promise: nil)
        }
        do {
            // First in the pipeline: it sees the raw bytes, before the HTTP decoder.
            try channel.pipeline.syncOperations.addHandler(RequestStartHandler(shared: shared))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        let refusal = RequestGuardHandler(
            shared: shared, render: render, maxHeaderBytes: limits.maxHeaderBytes, refusing: refusing ? .tooManyConnections : nil)
        return http.setup(channel: channel, logger: logger).assumeIsolated().flatMapThrowing { value in
            let decoder = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try channel.pipeline.syncOperations.addHandler(refusal, position: .after(decoder))
            return value
        }.nonisolated()
    }

    /// Serves the connection's requests, as Hummingbird's HTTP/1 channel does.
    public func handle(value: Value, logger: Logger) async {
        await http.handle(value: value, logger: logger)
    }
}

/// How many connections are open, shared by all of a server's connections.
final class ConnectionCount: Sendable {
    private let open = Atomic<Int>(0)
    private let refusals = Atomic<Int>(0)

    /// Counts a new connection; returns how many are open with it.
    func opened() -> Int { open.wrappingAdd(1, ordering: .relaxed).newValue }
    func closed() { open.wrappingSubtract(1, ordering: .relaxed) }
    /// Counts a refusal; returns how many there were.
    func refused() -> Int { refusals.wrappingAdd(1, ordering: .relaxed).newValue }
}

/// What a connection's two guard handlers share; both run on its event loop.
final class GuardState {
    let headerTimeout: TimeAmount
    /// True between requests: the next bytes begin a request head.
    var awaitingHead = true
    /// The first bytes of the request being read, to find its path when its head never completes.
    var requestStart: [UInt8] = []
    /// The path of the last complete head, the best guess when the start was not seen.
    var lastPath: String?
    var headerTimer: Scheduled<Void>?
    /// Closes a connection on which no byte arrives (HTTP's idle timer starts with the first request).
    var firstBytesTimer: Scheduled<Void>?
    /// Answers with a refusal and closes; set by the handler that writes responses.
    var refuse: ((ConnectionRefusal) -> Void)?

    init(headerTimeout: TimeAmount) {
        self.headerTimeout = headerTimeout
    }

    /// The connection is no longer HTTP: no timer may fire on it.
    func release() {
        headerTimer?.cancel()
        headerTimer = nil
        firstBytesTimer?.cancel()
        firstBytesTimer = nil
        awaitingHead = false
        refuse = nil
    }

    /// The path of the request being read, if known.
    var path: String? {
        // "METHOD /path?query HTTP/1.1": the second word, up to the query.
        let words = requestStart.split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: false)
        if words.count >= 2, words[1].first == UInt8(ascii: "/") {
            return String(decoding: words[1].prefix { $0 != UInt8(ascii: "?") }, as: UTF8.self)
        }
        return lastPath
    }

    func headArrived(uri: String) {
        headerTimer?.cancel()
        headerTimer = nil
        awaitingHead = false
        requestStart = []
        lastPath = String(uri.prefix { $0 != "?" })
    }
}

/// Before the decoder: notes where each request begins and starts its header deadline.
final class RequestStartHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    /// Enough of the request line for the path's first segments.
    static let remembered = 64

    let shared: GuardState

    init(shared: GuardState) {
        self.shared = shared
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        shared.firstBytesTimer?.cancel()
        shared.firstBytesTimer = nil
        if shared.awaitingHead {
            let bytes = unwrapInboundIn(data).readableBytesView
            shared.requestStart += bytes.prefix(max(0, Self.remembered - shared.requestStart.count))
            if shared.headerTimer == nil, !bytes.isEmpty {
                let shared = self.shared
                shared.headerTimer = context.eventLoop.assumeIsolated().scheduleTask(in: shared.headerTimeout) {
                    shared.refuse?(.headerTimeout)
                }
            }
        }
        context.fireChannelRead(data)
    }
}

/// After the decoder: answers a request the decoder refused (too long, not HTTP), a request past
/// its header deadline, and every request on a connection over the cap, then closes.
final class RequestGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart
    /// How long a refused connection waits for its request before it is answered anyway.
    static let refusalWait = TimeAmount.seconds(1)

    let shared: GuardState
    let render: RefusalRenderer
    let maxHeaderBytes: Int
    let refusing: ConnectionRefusal?
    /// A response is being written: nothing can be added to it cleanly.
    private var responding = false
    private var refused = false

    init(shared: GuardState, render: @escaping RefusalRenderer, maxHeaderBytes: Int, refusing: ConnectionRefusal?) {
        self.shared = shared
        self.render = render
        self.maxHeaderBytes = maxHeaderBytes
        self.refusing = refusing
    }

    func handlerAdded(context: ChannelHandlerContext) {
        shared.refuse = { [unowned self] refusal in self.refuse(context: context, refusal) }
        if let refusing {
            context.eventLoop.assumeIsolated().scheduleTask(in: Self.refusalWait) { [weak self] in
                self?.refuse(context: context, refusing)
            }
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        refused = true  // nothing more may be written through a removed handler
        shared.headerTimer?.cancel()
        shared.refuse = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        shared.release()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            shared.headArrived(uri: head.uri)
            if let refusing {
                refuse(context: context, refusing)
                return
            }
        case .end:
            shared.awaitingHead = true
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head: responding = true
        case .end: responding = false
        case .body: break
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let error = error as? HTTPParserError else { return context.fireErrorCaught(error) }
        refuse(context: context, error == .headerOverflow ? .headersTooLarge(limit: maxHeaderBytes) : .malformed)
    }

    private func refuse(context: ChannelHandlerContext, _ refusal: ConnectionRefusal) {
        guard !refused else { return }
        refused = true
        shared.headerTimer?.cancel()
        shared.headerTimer = nil
        guard !responding else {
            context.close(promise: nil)
            return
        }
        let answer = render(refusal, shared.path)
        var headers = HTTPHeaders([
            ("Content-Type", answer.contentType), ("Content-Length", String(answer.body.count)), ("Connection", "close"),
            ("X-Content-Type-Options", "nosniff"), ("Server", "BugZot"),
        ])
        if let seconds = refusal.retryAfterSeconds { headers.add(name: "Retry-After", value: String(seconds)) }
        let status = HTTPResponseStatus(statusCode: Int(answer.status.code), reasonPhrase: answer.status.reasonPhrase)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: answer.body)))), promise: nil)
        // Half-close first, so that a client still sending reads the answer instead of a reset;
        // the connection goes entirely a moment later.
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(mode: .output, promise: nil)
            context.eventLoop.assumeIsolated().scheduleTask(in: Self.refusalWait) { context.channel.close(promise: nil) }
        }
    }
}
