import BugZotDomain
import BugZotHTTP
import BugZotServices
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The web interface: server-rendered pages over the same services as the API. Every page works
/// without JavaScript; the small script only adds conveniences.
public struct WebUI: Sendable {
    let services: AppServices
    let pages: Pages
    /// Whether cookies carry Secure whatever the request says (the site is reached over https).
    let secureCookies: Bool

    /// Loads the templates and assets shipped in the module's bundle.
    public static func load(services: AppServices, publicURL: String?) async throws -> WebUI {
        guard let resources = Bundle.module.resourcePath else { throw WebError.notFound }
        let assets = try Assets(directory: resources + "/Static")
        let pages = try await Pages.load(from: resources + "/Templates", assets: assets)
        return WebUI(services: services, pages: pages, secureCookies: publicURL?.hasPrefix("https://") ?? false)
    }

    typealias Handler = @Sendable (inout WebRequest) async throws -> Response

    public func register(on router: Router<AppRequestContext>) {
        router.add(middleware: WebErrorMiddleware(web: self))
        router.get("/static/{name}") { request, context in try serveAsset(request, context: context) }
        let routes: [(HTTPRequest.Method, String, Handler)] = [
            (.get, "/", home), (.get, "/error", errorPage),
            (.get, "/login", loginPage), (.post, "/login", login), (.post, "/logout", logout),
            (.get, "/signup", signupPage), (.post, "/signup", signup), (.get, "/activate", activate),
            (.get, "/forgot", forgotPage), (.post, "/forgot", forgot), (.get, "/reset", resetPage), (.post, "/reset", reset),
            (.get, "/account", accountPage), (.post, "/account/password", changePassword), (.post, "/account/mail", saveMailPreferences),
            (.post, "/account/apikeys", createAPIKey), (.post, "/account/apikeys/{id}/revoke", revokeAPIKey),
            (.get, "/bugs", bugList), (.get, "/searches/new", saveSearchPage), (.post, "/searches", saveSearch), (.post, "/searches/{id}/delete", deleteSearch),
            (.get, "/bug/new", newBugPage), (.post, "/bug/new", fileBug),
            (.get, "/bug/{id}", bugPage), (.post, "/bug/{id}", updateBug), (.post, "/bug/{id}/cc", toggleCC),
            (.post, "/bug/{id}/attachments", attach),
            (.get, "/admin", adminIndex),
            (.get, "/admin/users", adminUsers), (.post, "/admin/users", adminCreateUser), (.post, "/admin/users/find", adminFindUsers),
            (.get, "/admin/users/{id}", adminUser), (.post, "/admin/users/{id}", adminUpdateUser),
            (.get, "/admin/groups", adminGroups), (.post, "/admin/groups", adminCreateGroup),
            (.get, "/admin/products", adminProducts), (.post, "/admin/products", adminCreateProduct),
            (.get, "/admin/products/{name}", adminProduct), (.post, "/admin/products/{name}/components", adminCreateComponent),
            (.post, "/admin/products/{name}/values", adminAddValue),
            (.get, "/admin/workflow", adminWorkflow), (.post, "/admin/workflow", adminSaveWorkflow),
            (.get, "/admin/jobs", adminJobs), (.post, "/admin/jobs/{id}/retry", adminRetryJob),
            (.get, "/admin/webhooks", adminWebhooks), (.post, "/admin/webhooks", adminCreateWebhook),
            (.get, "/admin/webhooks/{id}", adminWebhookDeliveries), (.post, "/admin/webhooks/{id}/deactivate", adminDeactivateWebhook),
        ]
        for (method, path, handler) in routes {
            router.on(RouterPath(path), method: method) { request, context in
                var web = try await WebRequest(request, context: context, services: services, secureCookies: secureCookies)
                return try await handler(&web)
            }
        }
    }

    /// `/static/{name}.{hash}.{ext}`: cached for a year, never revalidated.
    private func serveAsset(_ request: Request, context: AppRequestContext) throws -> Response {
        guard let name = context.parameters.get("name"), let file = pages.assets.files[name] else { throw WebError.notFound }
        var headers: HTTPFields = [
            .contentType: file.contentType, .cacheControl: "public, max-age=31536000, immutable", .vary: "Accept-Encoding",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        ]
        var body = file.bytes
        if Compression.acceptsGzip(request.headers[.acceptEncoding]) {
            body = file.gzipped
            headers[.contentEncoding] = "gzip"
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }

    /// `/error`: the error page of a form that failed, which was redirected here so that reloading
    /// it sends nothing again.
    func errorPage(_ web: inout WebRequest) async throws -> Response {
        guard let draft = try await draft(of: web), let message = draft.error else { throw WebError.notFound }
        let status = HTTPResponse.Status(code: draft.status ?? 400)
        return pages.render("error", title: "Error", page: ErrorView(status: status.code, message: message, loginLink: nil), for: web, status: status)
    }

    /// A path capture that must be a number.
    func number(_ name: String, in web: WebRequest) throws -> Int {
        guard let value = web.context.parameters.get(name, as: Int.self) else { throw WebError.notFound }
        return value
    }
}
