import BugZotDomain
import BugZotHTTP
import BugZotServices
import BugZotStorage
import BugZotWire
import Foundation
import Hummingbird
import Logging

/// Bugzilla 5's REST dialect under `/rest`, over BugZot's services.
public struct RESTAPI: Sendable {
    let services: AppServices
    /// The largest request body accepted, in bytes.
    let bodyLimit: Int
    /// The bug calls, shared with the other APIs; searches return at most `maxSearchResults` bugs
    /// (Bugzilla's `max_search_results`), more matches being an error.
    let bugs: BugOperations

    public init(services: AppServices, bodyLimit: Int, maxSearchResults: Int) {
        self.services = services
        self.bodyLimit = bodyLimit
        self.bugs = BugOperations(services: services, maxSearchResults: maxSearchResults)
    }

    typealias Handler = @Sendable (RESTCall) async throws -> Response

    /// Routes that work without credentials and ignore them unless `Bugzilla_login` is given.
    static let loginExempt: Set<String> = ["version", "timezone", "time", "parameters", "extensions", "login"]

    /// Adds every route, and the error handling that gives all of /rest Bugzilla's error shape.
    public func register(on router: Router<AppRequestContext>) {
        // On the router itself, so that it also answers for paths no route matches.
        router.add(middleware: BugzillaErrorMiddleware())
        let rest = router.group("rest")
        let routes: [(HTTPRequest.Method, String, Handler)] = [
            (.get, "version", version), (.get, "extensions", extensions), (.get, "timezone", timezone),
            (.get, "time", time), (.get, "parameters", parameters),
            (.get, "login", login), (.get, "logout", logout), (.get, "valid_login", validLogin),
            (.get, "user", getUsers), (.get, "user/{id}", getUsers), (.post, "user", createUser), (.put, "user/{id}", updateUser),
            (.get, "product_accessible", accessibleProducts), (.get, "product_selectable", accessibleProducts),
            (.get, "product_enterable", enterableProducts),
            (.get, "product", getProducts), (.get, "product/{id}", getProducts), (.post, "product", createProduct),
            (.post, "component", createComponent),
            (.get, "classification/{id}", getClassification),
            (.get, "group", getGroups), (.post, "group", createGroup),
            (.get, "bug", searchBugs), (.post, "bug", createBug),
            (.get, "bug/{id}", getBug), (.put, "bug/{id}", updateBugs),
            (.get, "bug/{id}/history", history),
            (.get, "bug/{id}/comment", bugComments), (.post, "bug/{id}/comment", addComment),
            (.get, "bug/comment/{comment_id}", commentsByID),
            (.post, "bug/{id}/attachment", addAttachment), (.get, "bug/{id}/attachment", bugAttachments),
            (.get, "bug/attachment/{attachment_id}", attachmentsByID), (.put, "bug/attachment/{attachment_id}", updateAttachments),
            (.get, "field/bug", fields), (.get, "field/bug/{field}", fields),
        ]
        for (method, routePath, handler) in routes {
            let loginExempt = Self.loginExempt.contains(routePath)
            let captures = routePath.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
            rest.on(RouterPath(routePath), method: method) { request, context in
                var path: [String: String] = [:]
                for name in captures {
                    // Bugzilla names the captured id `ids`, so that it unions with query ids (for
                    // attachment updates the attachment id is the `ids`).
                    let isIDs = name == "id" || (name == "attachment_id" && method == .put)
                    path[isIDs ? "ids" : name] = context.parameters.get(name)
                }
                let call = try await RESTCall(
                    request, context: context, path: path, bodyLimit: bodyLimit, auth: services.auth,
                    loginExempt: loginExempt)
                return try await handler(call)
            }
        }
    }
}

/// Turns every failure under /rest (and BugZot's own /api and /attachments) into Bugzilla's error
/// body, never a stack trace; every answer there, errors too, carries `SecurityHeaders.common`.
struct BugzillaErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        guard RESTAPI.isAPIPath(request.uri.path) else { return try await next(request, context) }
        var response = await bugzillaResponse(request, context: context, next: next)
        SecurityHeaders.apply(to: &response.headers)
        return response
    }

    /// The route's response, or Bugzilla's error body for its failure.
    private func bugzillaResponse(
        _ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response
    ) async -> Response {
        do {
            let response = try await next(request, context)
            if response.status == .methodNotAllowed {
                let fault = BugzillaError.resourceNotFound(request.method.rawValue, request.uri.path)
                return jsonResponse(fault.body, status: fault.status)
            }
            return response
        } catch {
            let fault: BugzillaError
            switch error {
            case let error as HTTPError where error.status == .notFound || error.status == .methodNotAllowed:
                fault = .resourceNotFound(request.method.rawValue, request.uri.path)
            case let error as HTTPError where error.status == .contentTooLarge:
                fault = BugzillaError(code: BugzillaError.badRequestCode, message: "The request is too large.")
            case is MultipartFileStream.FieldTooLarge:
                fault = BugzillaError(code: BugzillaError.badRequestCode, message: "A form field is longer than \(MultipartFileStream.fieldLimit) bytes.")
            default:
                log(error, path: request.uri.path, logger: context.logger)
                fault = WireError.fault(for: error)
            }
            var response = jsonResponse(fault.body, status: fault.status)
            if let outage = error as? StorageUnavailable { response.headers[.retryAfter] = String(outage.retryAfterSeconds) }
            return response
        }
    }

    /// Outages and calls cut off by the shutdown as notices, errors no rule expects as errors.
    private func log(_ error: any Error, path: String, logger: Logger) {
        switch error {
        case let outage as StorageUnavailable:
            logger.notice("request failed for an outage", metadata: ["error": "\(outage.detail)", "path": "\(path)"])
        case is CancellationError:
            logger.notice("request cut off by the shutdown", metadata: ["path": "\(path)"])
        case _ where WireError.isUnexpected(error):
            logger.error("request failed", metadata: ["error": "\(String(reflecting: error))", "path": "\(path)"])
        default:
            break
        }
    }
}
