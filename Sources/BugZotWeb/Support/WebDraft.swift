import BugZotDomain
import BugZotServices
import Foundation
import Hummingbird

/// A form as it was sent and what to say about it, kept (through `DraftService`) for the page the
/// browser is sent to next: every POST answers with a redirect, so reloading a page never sends
/// a form again, and nothing the person entered is lost.
struct WebDraft: Codable {
    /// The form's fields as sent, in order, the CSRF token left out.
    var fields: [[String]] = []
    /// Why it was not saved.
    var error: String?
    /// What was done with it, when that was no failure ("your comment is not saved yet").
    var note: String?
    /// The bug's change time the person had loaded, when someone else changed the bug since.
    var seen: Int?
    /// The status of an error page.
    var status: Int?

    init(form: Form? = nil, error: String? = nil, note: String? = nil, seen: Int? = nil, status: Int? = nil) {
        self.fields = (form?.pairs ?? []).filter { $0.0 != WebRequest.csrfField }.map { [$0.0, $0.1] }
        self.error = error
        self.note = note
        self.seen = seen
        self.status = status
    }

    var form: Form { Form(fields.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }) }

    /// Each field's first value, for templates (`{{entered.name}}`).
    var entered: [String: String] {
        var values: [String: String] = [:]
        for pair in fields where pair.count == 2 && values[pair[0]] == nil { values[pair[0]] = pair[1] }
        return values
    }

    /// The query field that names a draft.
    static let queryField = "draft"
}

extension WebUI {
    /// Keeps `draft` for this browser; returns `path` with the draft named in its query.
    /// A signed-out browser's draft too large to keep (its forms are small: only something sent
    /// to fill storage is) keeps what to say, without the fields.
    func keep(_ draft: WebDraft, returningTo path: String, fragment: String = "", for web: WebRequest) async throws -> String {
        let userID = web.principal.user?.id
        var payload = String(decoding: try JSONEncoder().encode(draft), as: UTF8.self)
        if payload.utf8.count > DraftService.limit(signedIn: userID != nil) {
            var bare = draft
            bare.fields = []
            payload = String(decoding: try JSONEncoder().encode(bare), as: UTF8.self)
        }
        let token = try await services.drafts.keep(payload, owner: web.csrfToken, userID: userID)
        return path + (path.contains("?") ? "&" : "?") + WebDraft.queryField + "=" + token + fragment
    }

    /// A refused form: the browser goes back to the page at `path` (a GET), which shows `message`
    /// and what was entered. Passwords and secrets are never kept.
    func refused(_ form: Form, _ message: String, returningTo path: String, for web: WebRequest) async throws -> Response {
        let kept = Form(form.pairs.filter { !$0.0.contains("password") && $0.0 != "secret" })
        return pages.redirect(to: try await keep(WebDraft(form: kept, error: message), returningTo: path, for: web), for: web)
    }

    /// A form that did its part of a page whose other parts it also carries: back to `path`,
    /// keeping what was typed in those parts (the fields named `others`), if anything.
    func saved(_ form: Form, keeping others: Set<String>, returningTo path: String, for web: WebRequest) async throws -> Response {
        let rest = Form(form.pairs.filter { others.contains($0.0) && !$0.1.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty })
        guard !rest.pairs.isEmpty else { return pages.redirect(to: path, for: web) }
        let draft = WebDraft(form: rest, note: "What you typed in the other parts of the page is not saved yet: it is still in the form.")
        return pages.redirect(to: try await keep(draft, returningTo: path, for: web), for: web)
    }

    /// The draft the address names, if this browser kept it (and it has not expired).
    func draft(of web: WebRequest) async throws -> WebDraft? {
        guard let token = web.query[WebDraft.queryField], !token.isEmpty,
            let payload = try await services.drafts.draft(token: token, owner: web.csrfToken)
        else { return nil }
        return try? JSONDecoder().decode(WebDraft.self, from: Data(payload.utf8))
    }
}
