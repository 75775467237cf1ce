import BugZotDomain
import BugZotHTTP
import BugZotServices
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// One browser request: who is signed in, the CSRF token their forms carry, and the cookies the
/// response must set.
struct WebRequest: Sendable {
    static let sessionCookie = SessionService.cookieName
    /// For visitors without a session: the secret their anonymous forms' tokens derive from.
    static let csrfCookie = "bugzot_csrf"
    static let csrfField = "csrf_token"
    /// The largest URL-encoded form accepted (a comment is at most 64 KiB of text, escaped ×3).
    static let formLimit = 512 * 1024

    let request: Request
    let context: AppRequestContext
    let principal: Principal
    /// The signed-in session's token, nil for visitors.
    let sessionToken: String?
    /// What every form must send back in `csrf_token`.
    let csrfToken: String
    /// Whether cookies must carry Secure (the site is reached over https).
    let isSecure: Bool
    /// Cookies to set on whatever response this request gets.
    private(set) var cookies: [Cookie] = []

    init(_ request: Request, context: AppRequestContext, services: AppServices, secureCookies: Bool) async throws {
        self.request = request
        self.context = context
        self.isSecure = secureCookies || request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https"
        let cookies = request.cookies
        if let token = cookies[Self.sessionCookie]?.value, !token.isEmpty,
            let principal = try await services.sessions.principal(forToken: token)
        {
            self.principal = principal
            self.sessionToken = token
            self.csrfToken = Self.csrfToken(from: token)
        } else {
            self.principal = .anonymous
            self.sessionToken = nil
            if let secret = cookies[Self.csrfCookie]?.value, secret.count == 40 {
                self.csrfToken = Self.csrfToken(from: secret)
            } else {
                let secret = Secrets.random()
                self.csrfToken = Self.csrfToken(from: secret)
                self.cookies.append(cookie(Self.csrfCookie, secret, maxAge: nil))
            }
        }
    }

    /// Derived, not stored: a token is worthless without the HttpOnly cookie behind it.
    private static func csrfToken(from secret: String) -> String {
        Secrets.digest("csrf:" + secret)
    }

    /// The signed-in user, or a redirect to the login page that comes back here.
    func requireUser() throws -> UserSummary {
        guard let user = principal.user else { throw WebRedirect.login(returnTo: request.uri.description) }
        return user
    }

    /// Reads a URL-encoded form and checks its CSRF token.
    func form() async throws -> Form {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: Self.formLimit)
        } catch {
            throw DomainError.requestTooLarge(limit: Self.formLimit)
        }
        let form = Form(encoded: String(buffer: buffer))
        try checkCSRF(form[Self.csrfField])
        return form
    }

    /// Refuses a form whose token is not this visitor's.
    func checkCSRF(_ token: String?) throws {
        guard let token, Secrets.constantTimeEquals(token, csrfToken) else { throw WebError.csrf }
    }

    /// A cookie as BugZot sets them: HttpOnly, SameSite=Lax, Secure over https.
    func cookie(_ name: String, _ value: String, maxAge: Int?) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: isSecure, httpOnly: true, sameSite: .lax)
    }

    mutating func setCookie(_ cookie: Cookie) {
        cookies.append(cookie)
    }

    /// The query string's fields.
    var query: Form { Form(encoded: request.uri.query ?? "") }
}
