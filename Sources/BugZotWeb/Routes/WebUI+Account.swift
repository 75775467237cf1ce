import BugZotDomain
import BugZotHTTP
import BugZotServices
import BugZotStorage
import Foundation
import Hummingbird

/// Signing up, in and out; the account page with password and API keys.
extension WebUI {
    struct LoginView {
        let login: String
        let returnTo: String
        let error: String?
    }

    /// The login form; after a refused login, with the login name and why.
    func loginPage(_ web: inout WebRequest) async throws -> Response {
        let draft = try await draft(of: web)
        let returnTo = ReturnPath.validated(draft?.form["return_to"] ?? web.query["return_to"])
        let view = LoginView(login: draft?.form["login"] ?? "", returnTo: returnTo, error: draft?.error)
        return pages.render("login", title: "Log in", page: view, for: web)
    }

    func login(_ web: inout WebRequest) async throws -> Response {
        let form = try await web.form()
        let login = form.text("login") ?? ""
        let returnTo = ReturnPath.validated(form["return_to"])
        let userID: Int
        do {
            userID = try await services.auth.authenticate(
                login: login, password: form["password"] ?? "", clientAddress: web.context.clientAddress)
        } catch let error as DomainError {
            return try await refused(form, error.message, returningTo: "/login", for: web)
        }
        if let old = web.sessionToken { try await services.sessions.end(token: old) }
        let token = try await services.sessions.start(userID: userID)
        web.setCookie(web.cookie(WebRequest.sessionCookie, token, maxAge: 14 * 24 * 3600))
        return pages.redirect(to: returnTo, for: web)
    }

    func logout(_ web: inout WebRequest) async throws -> Response {
        _ = try await web.form()
        if let token = web.sessionToken { try await services.sessions.end(token: token) }
        web.setCookie(web.cookie(WebRequest.sessionCookie, "", maxAge: 0))
        return pages.redirect(to: "/?done=logged_out", for: web)
    }

    struct SignupView {
        let login: String
        let name: String
        let minimumLength: Int
        let error: String?
        /// Set once the account is made: the page then says to look for the link.
        let sentTo: String?
    }

    /// The sign-up form; after a refusal, with what was entered and why; once sent, what to do next.
    func signupPage(_ web: inout WebRequest) async throws -> Response {
        let draft = try await draft(of: web)
        let sentTo = draft?.note == Self.sentNote ? draft?.form["login"] : nil
        let view = SignupView(
            login: draft?.form["login"] ?? "", name: draft?.form["name"] ?? "", minimumLength: services.policy.minimumPasswordLength,
            error: draft?.error, sentTo: sentTo)
        return pages.render("signup", title: sentTo == nil ? "Sign up" : "Check your email", page: view, for: web)
    }

    /// A draft's note for a form that was sent: its page says to look for the mail.
    static let sentNote = "sent"

    /// Creates a pending account; the activation link is mailed through the job queue. Every
    /// accepted sign-up gets the same answer, whether or not the address already has an account.
    func signup(_ web: inout WebRequest) async throws -> Response {
        let form = try await web.form()
        let login = form.text("login") ?? ""
        do {
            guard form["password"] == form["password_confirm"] else {
                throw WebError.badRequest("The two passwords you entered do not match.")
            }
            try await services.accounts.signUp(
                login: login, realName: form.text("name") ?? "", password: form["password"] ?? "", clientAddress: web.context.clientAddress)
            let sent = WebDraft(form: Form([("login", login.lowercased())]), note: Self.sentNote)
            return pages.redirect(to: try await keep(sent, returningTo: "/signup", for: web), for: web)
        } catch let error as DomainError {
            return try await refused(form, error.message, returningTo: "/signup", for: web)
        } catch let error as WebError {
            return try await refused(form, error.statusAndMessage.1, returningTo: "/signup", for: web)
        }
    }

    /// Activates the account and signs its owner in.
    func activate(_ web: inout WebRequest) async throws -> Response {
        let userID = try await services.accounts.activate(token: web.query["token"] ?? "")
        let token = try await services.sessions.start(userID: userID)
        web.setCookie(web.cookie(WebRequest.sessionCookie, token, maxAge: 14 * 24 * 3600))
        return pages.redirect(to: "/?done=activated", for: web)
    }

    struct ForgotView {
        let login: String
        let sent: Bool
        let error: String?
    }

    func forgotPage(_ web: inout WebRequest) async throws -> Response {
        let draft = try await draft(of: web)
        let sent = draft?.note == Self.sentNote
        let view = ForgotView(login: draft?.form["login"] ?? "", sent: sent, error: draft?.error)
        return pages.render("forgot", title: sent ? "Check your email" : "Forgot your password?", page: view, for: web)
    }

    /// Mails a reset link if there is such an account; the answer is the same either way (a
    /// refusal, such as too many requests from this address, says nothing about accounts).
    func forgot(_ web: inout WebRequest) async throws -> Response {
        let form = try await web.form()
        let login = form.text("login") ?? ""
        do {
            try await services.accounts.requestPasswordReset(login: login, clientAddress: web.context.clientAddress)
        } catch let error as DomainError {
            return try await refused(form, error.message, returningTo: "/forgot", for: web)
        }
        let sent = WebDraft(form: Form([("login", login)]), note: Self.sentNote)
        return pages.redirect(to: try await keep(sent, returningTo: "/forgot", for: web), for: web)
    }

    struct ResetView {
        let token: String
        let minimumLength: Int
        let error: String?
    }

    func resetPage(_ web: inout WebRequest) async throws -> Response {
        let token = web.query["token"] ?? ""
        guard try await services.accounts.isValidPasswordReset(token: token) else { throw DomainError.resetInvalid }
        let view = ResetView(token: token, minimumLength: services.policy.minimumPasswordLength, error: try await draft(of: web)?.error)
        return pages.render("reset", title: "Choose a new password", page: view, for: web)
    }

    func reset(_ web: inout WebRequest) async throws -> Response {
        let form = try await web.form()
        let token = form["token"] ?? ""
        do {
            guard form["password"] == form["password_confirm"] else { throw WebError.badRequest("The two passwords you entered do not match.") }
            try await services.accounts.resetPassword(token: token, new: form["password"] ?? "")
        } catch let error as DomainError where error != .resetInvalid {
            return try await refused(form, error.message, returningTo: "/reset?" + FormEncoding.encode([("token", token)]), for: web)
        } catch let error as WebError {
            return try await refused(form, error.statusAndMessage.1, returningTo: "/reset?" + FormEncoding.encode([("token", token)]), for: web)
        }
        return pages.redirect(to: "/login?done=reset", for: web)
    }

    struct AccountView {
        struct Key {
            let id: Int
            let prefix: String
            let description: String
            let created: String
            let isRevoked: Bool
        }
        let user: UserSummary
        let keys: [Key]
        let hasKeys: Bool
        /// A key just created, shown this once.
        let newKey: String?
        let minimumLength: Int
        let error: String?
        let changeKinds: [Option]
        let components: [Option]
        let note: String?
        /// A new key's name, as typed (after a refusal, or a Revoke).
        let keyDescription: String
    }

    func accountPage(_ web: inout WebRequest) async throws -> Response {
        let draft = try await draft(of: web)
        return try await renderAccount(
            web, newKey: nil, error: draft?.error, note: draft?.note, keyDescription: draft?.form["description"] ?? "")
    }

    /// The account page; a new key is shown this once (it is never kept, not even as a draft).
    private func renderAccount(
        _ web: WebRequest, newKey: String?, error: String?, note: String? = nil, keyDescription: String = ""
    ) async throws -> Response {
        let user = try web.requireUser()
        let keys = try await services.accounts.apiKeys(by: web.principal).map {
            AccountView.Key(id: $0.id, prefix: $0.prefix, description: $0.description, created: DateText.day($0.createdAt), isRevoked: $0.isRevoked)
        }
        let (optedOut, watched) = try await services.accounts.mailPreferences(by: web.principal)
        let components = try await services.catalog.fieldData().products.flatMap { product in
            product.components.map { Option(value: String($0.id), label: "\(product.name) / \($0.name)", selected: watched.contains($0.id)) }
        }
        let view = AccountView(
            user: user, keys: keys, hasKeys: !keys.isEmpty, newKey: newKey, minimumLength: services.policy.minimumPasswordLength, error: error,
            changeKinds: ChangeKind.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: !optedOut.contains($0)) },
            components: components, note: note, keyDescription: keyDescription)
        return pages.render("account", title: "Your account", page: view, for: web)
    }

    func changePassword(_ web: inout WebRequest) async throws -> Response {
        _ = try web.requireUser()
        let form = try await web.form()
        do {
            guard form["new_password"] == form["new_password_confirm"] else {
                throw WebError.badRequest("The two new passwords you entered do not match.")
            }
            try await services.accounts.changePassword(
                current: form["current_password"] ?? "", new: form["new_password"] ?? "", keepingSession: web.sessionToken, by: web.principal)
        } catch let error as DomainError {
            let message = error == .invalidLogin ? "Your current password is not correct." : error.message
            return try await refused(form, message, returningTo: "/account", for: web)
        } catch let error as WebError {
            return try await refused(form, error.statusAndMessage.1, returningTo: "/account", for: web)
        }
        return pages.redirect(to: "/account?done=password", for: web)
    }

    /// Which changes the user hears about, and which components they watch.
    func saveMailPreferences(_ web: inout WebRequest) async throws -> Response {
        _ = try web.requireUser()
        let form = try await web.form()
        let wanted = Set(form.all("mail").compactMap(ChangeKind.init(rawValue:)))
        let watched = Set(form.all("watch").compactMap(Int.init))
        try await services.accounts.setMailPreferences(optedOut: Set(ChangeKind.allCases).subtracting(wanted), watched: watched, by: web.principal)
        return pages.redirect(to: "/account?done=saved", for: web)
    }

    func createAPIKey(_ web: inout WebRequest) async throws -> Response {
        _ = try web.requireUser()
        let form = try await web.form()
        do {
            let key = try await services.accounts.createAPIKey(description: form["description"] ?? "", by: web.principal, auth: services.auth)
            return try await renderAccount(web, newKey: key, error: nil)
        } catch let error as DomainError {
            return try await refused(form, error.message, returningTo: "/account", for: web)
        }
    }

    /// A Revoke button of the keys' form: a new key's name being typed is kept.
    func revokeAPIKey(_ web: inout WebRequest) async throws -> Response {
        _ = try web.requireUser()
        let form = try await web.form()
        try await services.accounts.revokeAPIKey(id: try number("id", in: web), by: web.principal)
        return try await saved(form, keeping: ["description"], returningTo: "/account?done=revoked", for: web)
    }
}
