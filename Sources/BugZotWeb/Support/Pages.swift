import BugZotDomain
import BugZotHTTP
import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// Renders pages from the Mustache templates inside the common layout, with the headers every
/// page carries.
struct Pages: Sendable {
    let library: MustacheLibrary
    let assets: Assets

    /// No inline script or style anywhere; forms post only here; no framing.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    /// What every page response carries, error pages included.
    static let pageHeaders: HTTPFields = {
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8",
            .contentSecurityPolicy: contentSecurityPolicy,
            HTTPField.Name("Referrer-Policy")!: "same-origin",
            .cacheControl: "no-store",
            .vary: "Accept-Encoding, Cookie",
        ]
        SecurityHeaders.apply(to: &headers)
        return headers
    }()

    /// What the layout shows around every page.
    struct Site {
        let title: String
        let user: UserSummary?
        let isAdmin: Bool
        let csrfToken: String
        let stylesheet: String
        let script: String
        /// A one-line confirmation of what the last form did.
        let notice: String?
        /// The quick search box's text.
        let quicksearch: String
    }

    /// The object a template renders: the layout's `site` and the page's own `page`.
    struct Model {
        let site: Site
        let page: Any
    }

    static func load(from directory: String, assets: Assets) async throws -> Pages {
        Pages(library: try await MustacheLibrary(directory: directory), assets: assets)
    }

    /// A full page: `template` rendering `page`, inside the layout.
    func render(
        _ template: String, title: String, page: Any, for web: WebRequest, status: HTTPResponse.Status = .ok, notice: String? = nil
    ) -> Response {
        let site = self.site(
            title: title, principal: web.principal, csrfToken: web.csrfToken, notice: notice ?? Notices.text(for: web.query["done"]),
            quicksearch: web.query["quicksearch"] ?? "")
        guard let html = library.render(Model(site: site, page: page), withTemplate: template) else {
            preconditionFailure("template \(template) is missing")  // templates ship inside the binary's bundle
        }
        return htmlResponse(html, status: status, for: web)
    }

    /// The layout's part of a page.
    func site(title: String, principal: Principal, csrfToken: String, notice: String?, quicksearch: String) -> Site {
        Site(
            title: title, user: principal.user, isAdmin: principal.isAdmin, csrfToken: csrfToken,
            stylesheet: assets.paths["bugzot.css"] ?? "", script: assets.paths["bugzot.js"] ?? "", notice: notice, quicksearch: quicksearch)
    }

    /// An error page, for a request that may not have got as far as a `WebRequest`: no user, no forms.
    func errorPage(_ status: HTTPResponse.Status, _ message: String) -> Response {
        let site = self.site(title: "Error", principal: .anonymous, csrfToken: "", notice: nil, quicksearch: "")
        let html = library.render(Model(site: site, page: ErrorView(status: Int(status.code), message: message, loginLink: nil)), withTemplate: "error") ?? message
        return Response(status: status, headers: Self.pageHeaders, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// HTML with the security headers, gzip-compressed when the browser takes it.
    func htmlResponse(_ html: String, status: HTTPResponse.Status, for web: WebRequest) -> Response {
        var headers = Self.pageHeaders
        var body = ByteBuffer(string: html)
        if body.readableBytes >= Compression.threshold, Compression.acceptsGzip(web.request.headers[.acceptEncoding]),
            let gzipped = try? Compression.gzip(body)
        {
            body = gzipped
            headers[.contentEncoding] = "gzip"
        }
        var response = Response(status: status, headers: headers, body: .init(byteBuffer: body))
        for cookie in web.cookies { response.setCookie(cookie) }
        return response
    }

    /// 303 See Other, with the request's cookies.
    func redirect(to location: String, for web: WebRequest) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
        for cookie in web.cookies { response.setCookie(cookie) }
        return response
    }
}

/// What an error page says.
struct ErrorView {
    let status: Int
    let message: String
    /// For a visitor who met something that may exist but be hidden from them: log in, then back.
    let loginLink: String?
}

/// Confirmations after a form, chosen by a fixed key in the redirect (`?done=saved`), so that no
/// text from the address is ever shown.
enum Notices {
    static func text(for key: String?) -> String? {
        switch key {
        case "saved": "Your changes were saved."
        case "filed": "The bug was filed."
        case "commented": "Your comment was added."
        case "attached": "The file was attached."
        case "followed": "You follow this bug now: you are on its CC list."
        case "unfollowed": "You no longer follow this bug."
        case "password": "Your password was changed. Your other sessions were ended."
        case "revoked": "The API key was revoked."
        case "search_saved": "The search was saved."
        case "search_deleted": "The saved search was deleted."
        case "created": "Created."
        case "activated": "Your account is active. Welcome to BugZot!"
        case "logged_out": "You are logged out."
        case "reset": "Your password was changed. Log in with the new one."
        case "retried": "The job is queued again."
        default: nil
        }
    }
}
