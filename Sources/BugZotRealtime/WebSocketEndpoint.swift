import BugZotHTTP
import BugZotServices
import BugZotWAMP
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket

/// `/ws`: the WebSocket upgrade and the connection's WAMP messages. The subprotocol must be
/// `wamp.2.json` or `wamp.2.msgpack` (none or only unknown ones: HTTP 400, as Crossbar.io
/// answers); text frames only on JSON and binary only on MessagePack (else close 1003); text that
/// is not UTF-8 closes with 1007 and a message over the limit with 1009.
public struct WebSocketEndpoint: Sendable {
    /// The path WAMP clients connect to.
    public static let path = "/ws"
    let router: WAMPRouter

    public init(router: WAMPRouter) {
        self.router = router
    }

    /// The WebSocket settings: the message limit as the frame limit, UTF-8 checked, a ping every `pingInterval`.
    public var configuration: WebSocketServerConfiguration {
        WebSocketServerConfiguration(
            maxFrameSize: router.settings.maxMessageBytes, autoPing: .enabled(timePeriod: router.settings.pingInterval), validateUTF8: true)
    }

    /// Whether a request that asks for a WebSocket gets one: on `/ws` with a WAMP subprotocol.
    /// Runs on the connection's event loop (it takes the HTTP guards off the connection).
    public func shouldUpgrade(
        _ request: HTTPRequest, channel: any Channel, logger: Logger
    ) -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        guard let path = request.path, path.prefix(while: { $0 != "?" }) == Self.path else { return .dontUpgrade }
        let offered = request.headerFields[values: .secWebSocketProtocol].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard let serializer = WAMPSerializer.negotiate(offered) else { return .dontUpgrade }
        let transport = TransportDetails(
            clientAddress: channel.remoteAddress?.ipAddress ?? "unknown",
            sessionCookie: Self.mayUseSessionCookie(request) ? Cookies(from: request.headerFields[values: .cookie])[SessionService.cookieName]?.value : nil)
        GuardedHTTP1Channel.releaseGuards(of: channel)
        let router = self.router
        return .upgrade([.secWebSocketProtocol: serializer.subprotocol]) { inbound, writer, _ in
            let outbound = Outbound(channel: channel, serializer: serializer, limit: router.settings.maxQueuedBytes)
            try await RouterSession(router: router, outbound: outbound, writer: writer, transport: transport)
                .run(inbound.messages(maxSize: router.settings.maxMessageBytes))
        }
    }
}

extension WebSocketEndpoint {
    /// Whether the upgrade may sign in with the browser's session cookie: a browser names the
    /// page that opened the socket in `Origin`, and only this site's own pages may act with their
    /// visitor's session (else any site could, by opening a socket here: cross-site WebSocket
    /// hijacking). A program that sends no `Origin` holds the cookie itself.
    static func mayUseSessionCookie(_ request: HTTPRequest) -> Bool {
        guard let origin = request.headerFields[.origin] else { return true }
        guard let host = request.authority, let scheme = origin.range(of: "://") else { return false }
        return origin[scheme.upperBound...].lowercased() == host.lowercased()
    }
}

/// What the upgrade request told about the client.
struct TransportDetails: Sendable {
    let clientAddress: String
    /// The browser session's token from the `bugzot_session` cookie, for cookie authentication.
    let sessionCookie: String?
}
