import Hummingbird
import Logging

/// One structured log line per request: method, path (never the query, which may carry API keys
/// or passwords), status and duration.
public struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var status = "error"
        defer {
            let elapsed = ContinuousClock.now - started
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            context.logger.info(
                "request",
                metadata: [
                    "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "status": "\(status)",
                    "duration_ms": "\((milliseconds * 1000).rounded() / 1000)",
                ])
        }
        let response = try await next(request, context)
        status = String(response.status.code)
        return response
    }
}
