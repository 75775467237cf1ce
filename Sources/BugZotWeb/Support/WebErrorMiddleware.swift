import BugZotDomain
import BugZotHTTP
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Turns every failure of a page into a page: a redirect, or an error page with the right status
/// and a sentence for people, never a stack trace. The API's paths keep their own error shape.
struct WebErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let pages: Pages
    static let apiPrefixes = ["/rest", "/api", "/attachments"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard !Self.apiPrefixes.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) else {
            return try await next(request, context)
        }
        do {
            return try await next(request, context)
        } catch let redirect as WebRedirect {
            return Response(status: .seeOther, headers: [.location: redirect.location, .cacheControl: "no-store"])
        } catch DomainError.loginRequired {
            let redirect = WebRedirect.login(returnTo: request.method == .get ? request.uri.description : "/")
            return Response(status: .seeOther, headers: [.location: redirect.location, .cacheControl: "no-store"])
        } catch let error as DomainError {
            let (status, message) = WebError.statusAndMessage(for: error)
            return pages.errorPage(status, message)
        } catch let error as WebError {
            let (status, message) = error.statusAndMessage
            return pages.errorPage(status, message)
        } catch is MultipartFileStream.FieldTooLarge {
            return pages.errorPage(.contentTooLarge, "A form field is longer than \(MultipartFileStream.fieldLimit) bytes.")
        } catch let error as HTTPError where error.status == .notFound || error.status == .methodNotAllowed {
            return pages.errorPage(.notFound, WebError.notFound.statusAndMessage.1)
        } catch {
            context.logger.error("page failed", metadata: ["error": "\(String(reflecting: error))", "path": "\(path)"])
            return pages.errorPage(.internalServerError, "Something went wrong on our side. It has been logged.")
        }
    }

}
