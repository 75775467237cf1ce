import HTTPTypes

/// Why a connection is answered by the connection guard instead of the router: the request never
/// became one the router could see.
public enum ConnectionRefusal: Sendable, Equatable {
    /// More connections are open than the server takes.
    case tooManyConnections
    /// The address (URL) or the headers are longer than the limit.
    case headersTooLarge(limit: Int)
    /// The bytes are not an HTTP/1 request.
    case malformed
    /// The request's headers did not arrive in time.
    case headerTimeout

    /// The sentence clients see.
    public var message: String {
        switch self {
        case .tooManyConnections:
            "The server has too many open connections at the moment. This is temporary: please try again in a few seconds."
        case .headersTooLarge(let limit):
            "The request's address (URL) or headers are too long: each may be at most \(limit / 1024) KB, and all headers together as much."
        case .malformed: "The request is not a valid HTTP request."
        case .headerTimeout: "The request's headers did not arrive in time."
        }
    }

    /// The HTTP status, for clients that read no body.
    public var status: HTTPResponse.Status {
        switch self {
        case .tooManyConnections: .serviceUnavailable
        case .headersTooLarge: .init(code: 431, reasonPhrase: "Request Header Fields Too Large")
        case .malformed: .badRequest
        case .headerTimeout: .requestTimeout
        }
    }

    /// Seconds to wait before trying again, for the refusals that pass.
    public var retryAfterSeconds: Int? {
        self == .tooManyConnections ? 5 : nil
    }
}

/// The answer to a refused connection: the API's error body or a plain page.
public struct RefusalResponse: Sendable {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// The body's media type.
    public var contentType: String
    /// The body.
    public var body: [UInt8]

    /// A refusal answered with `body`.
    public init(status: HTTPResponse.Status, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// The refusal's sentence as plain text, for pages.
    public static func plain(_ refusal: ConnectionRefusal) -> RefusalResponse {
        RefusalResponse(status: refusal.status, contentType: "text/plain; charset=utf-8", body: Array((refusal.message + "\n").utf8))
    }
}

/// Answers a refusal for the path of the request it refuses (nil when not even that arrived).
public typealias RefusalRenderer = @Sendable (ConnectionRefusal, _ path: String?) -> RefusalResponse
