import BugZotStorage
import Hummingbird
import Logging

/// One structured log line per request: method, path (never the query, which may carry API keys
/// or passwords), status, duration and, inside `StatementCountMiddleware`, the SQL statements sent.
public struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var status = "error"
        defer {
            let elapsed = ContinuousClock.now - started
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            var metadata: Logger.Metadata = [
                "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "status": "\(status)",
                "duration_ms": "\((milliseconds * 1000).rounded() / 1000)",
            ]
            if let counter = StatementCounter.current { metadata["sql_statements"] = "\(counter.statements)" }
            context.logger.info("request", metadata: metadata)
        }
        let response = try await next(request, context)
        status = String(response.status.code)
        return response
    }
}
