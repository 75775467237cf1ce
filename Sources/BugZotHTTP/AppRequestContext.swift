import Hummingbird
import NIOCore

/// The request context of BugZot's HTTP routes: Hummingbird's core plus the client's address
/// (for login throttling).
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address, for login throttling and logs.
    public var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
