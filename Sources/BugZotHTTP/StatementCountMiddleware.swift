import BugZotStorage
import HTTPTypes
import Hummingbird

/// Counts the SQL statements each request sends (`StatementCounter`), for the request log line
/// and, when `exposesCount` (tests, benchmarks; off in production), for an
/// `X-BugZot-SQL-Statements` response header. Added before the request log, so that the log sees
/// the count.
public struct StatementCountMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The header that carries the count when it is exposed.
    public static var header: HTTPField.Name { HTTPField.Name("X-BugZot-SQL-Statements")! }

    let exposesCount: Bool

    /// - Parameter exposesCount: whether responses carry the count in `header`.
    public init(exposesCount: Bool) {
        self.exposesCount = exposesCount
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let counter = StatementCounter()
        var response = try await counter.counting { try await next(request, context) }
        if exposesCount { response.headers[Self.header] = String(counter.statements) }
        return response
    }
}
