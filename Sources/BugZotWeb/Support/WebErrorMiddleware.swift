import BugZotDomain
import BugZotHTTP
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Mustache
import NIOCore

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
            return errorPage(status, message, request: request)
        } catch let error as WebError {
            let (status, message) = error.statusAndMessage
            return errorPage(status, message, request: request)
        } catch is MultipartFileStream.FieldTooLarge {
            return errorPage(.contentTooLarge, "A form field is longer than \(MultipartFileStream.fieldLimit) bytes.", request: request)
        } catch let error as HTTPError where error.status == .notFound || error.status == .methodNotAllowed {
            return errorPage(.notFound, WebError.notFound.statusAndMessage.1, request: request)
        } catch {
            context.logger.error("page failed", metadata: ["error": "\(String(reflecting: error))", "path": "\(path)"])
            return errorPage(.internalServerError, "Something went wrong on our side. It has been logged.", request: request)
        }
    }

    private func errorPage(_ status: HTTPResponse.Status, _ message: String, request: Request) -> Response {
        let site = Pages.Site(
            title: "Error", user: nil, isAdmin: false, csrfToken: "", stylesheet: pages.assets.paths["bugzot.css"] ?? "",
            script: pages.assets.paths["bugzot.js"] ?? "", notice: nil, quicksearch: "")
        let html = pages.library.render(Pages.Model(site: site, page: ErrorView(status: Int(status.code), message: message)), withTemplate: "error") ?? message
        var response = Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"])
        response.headers[.contentSecurityPolicy] = Pages.contentSecurityPolicy
        response.body = .init(byteBuffer: ByteBuffer(string: html))
        return response
    }

    struct ErrorView {
        let status: Int
        let message: String
    }
}
