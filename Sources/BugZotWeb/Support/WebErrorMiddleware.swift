import BugZotDomain
import BugZotHTTP
import BugZotStorage
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Turns every failure of a page into a page: a redirect, or an error page with the right status
/// and a sentence for people, never a stack trace. The API's paths keep their own error shape.
///
/// Error pages know who is signed in (the header is the usual one). A failure at a POST address
/// is not answered there, where reloading would send the form again: the browser is redirected
/// to `/error`, which shows the page (the message kept as a draft of this browser's).
struct WebErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let web: WebUI
    var pages: Pages { web.pages }
    static let apiPrefixes = ["/rest", "/api", "/attachments"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard !Self.apiPrefixes.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) else {
            return try await next(request, context)
        }
        var response = await pageResponse(request, context: context, next: next)
        SecurityHeaders.apply(to: &response.headers)
        return response
    }

    private func pageResponse(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async -> Response {
        let path = request.uri.path
        do {
            return try await next(request, context)
        } catch let redirect as WebRedirect {
            return Response(status: .seeOther, headers: [.location: redirect.location, .cacheControl: "no-store"])
        } catch DomainError.loginRequired {
            let redirect = WebRedirect.login(returnTo: request.method == .get ? request.uri.description : "/")
            return Response(status: .seeOther, headers: [.location: redirect.location, .cacheControl: "no-store"])
        } catch let error as DomainError {
            let (status, message) = WebError.statusAndMessage(for: error)
            return await errorPage(status, message, mayBeHidden: WebError.mayBeHidden(error), request: request, context: context)
        } catch let error as WebError {
            let (status, message) = error.statusAndMessage
            return await errorPage(status, message, request: request, context: context)
        } catch let outage as StorageUnavailable {
            context.logger.notice("page failed for an outage", metadata: ["error": "\(outage.detail)", "path": "\(path)"])
            var response = pages.errorPage(.serviceUnavailable, outage.message)
            response.headers[.retryAfter] = String(outage.retryAfterSeconds)
            return response
        } catch is MultipartFileStream.FieldTooLarge {
            return await errorPage(
                .contentTooLarge, "A form field is longer than \(MultipartFileStream.fieldLimit) bytes.", request: request, context: context)
        } catch let error as HTTPError where error.status == .notFound || error.status == .methodNotAllowed {
            return await errorPage(.notFound, WebError.notFound.statusAndMessage.1, request: request, context: context)
        } catch {
            context.logger.error("page failed", metadata: ["error": "\(String(reflecting: error))", "path": "\(path)"])
            return await errorPage(.internalServerError, "Something went wrong on our side. It has been logged.", request: request, context: context)
        }
    }

    /// The error page for whoever is signed in; after a POST, a redirect to it. A visitor who
    /// meets something that may only be hidden from them is offered to log in and come back.
    private func errorPage(
        _ status: HTTPResponse.Status, _ message: String, mayBeHidden: Bool = false, request: Request, context: Context
    ) async -> Response {
        guard let visitor = try? await WebRequest(request, context: context, services: web.services, secureCookies: web.secureCookies) else {
            return pages.errorPage(status, message)  // the session can't be read (the database is away)
        }
        if request.method == .post {
            let draft = WebDraft(error: message, status: Int(status.code))
            if let location = try? await web.keep(draft, returningTo: "/error", for: visitor) {
                return pages.redirect(to: location, for: visitor)
            }
        }
        let loginLink = mayBeHidden && visitor.principal.isAnonymous && request.method == .get
            ? WebRedirect.login(returnTo: request.uri.description).location : nil
        return pages.render(
            "error", title: "Error", page: ErrorView(status: Int(status.code), message: message, loginLink: loginLink), for: visitor,
            status: status, notice: nil)
    }

}
