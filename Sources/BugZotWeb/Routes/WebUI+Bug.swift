import BugZotDomain
import BugZotHTTP
import BugZotServices
import Foundation
import Hummingbird

/// One bug's page: every field (editable as far as the rules allow), the comments, attachments
/// and history; and the forms that change it.
extension WebUI {
    /// An editable or read-only field of the bug form.
    struct FieldView {
        let name: String
        let label: String
        let value: String
        let editable: Bool
        /// For a `<select>`; empty means a text input.
        let options: [Option]
        let isSelect: Bool
        let hint: String?
    }

    struct CommentView {
        let count: Int
        let isDescription: Bool
        let author: String
        let login: String
        let time: String
        let iso: String
        let isPrivate: Bool
        let html: String
        let quote: String
        let attachmentID: Int?
    }

    struct AttachmentView {
        let id: Int
        let fileName: String
        let summary: String
        let link: String
        let size: String
        let creator: String
        let time: String
        let isPrivate: Bool
        let isObsolete: Bool
        let isPatch: Bool
    }

    struct HistoryRow {
        let when: String
        let who: String
        let field: String
        let removed: String
        let added: String
    }

    struct BugPageView {
        let id: Int
        let summary: String
        let statusLine: String
        let reporter: String
        let assignee: String
        let created: String
        let changed: String
        let lastChange: Int
        let fields: [FieldView]
        let canEdit: Bool
        let canComment: Bool
        let isInsider: Bool
        let groups: [Option]
        let hasGroupChoices: Bool
        let groupNames: String
        let isConfidential: Bool
        let cc: [String]
        let ccCount: Int
        let isCCd: Bool
        let comments: [CommentView]
        let attachments: [AttachmentView]
        let hasAttachments: Bool
        let history: [HistoryRow]
        let hasHistory: Bool
        let commentText: String
        let error: String?
        let attachmentLimit: String
    }

    func bugPage(_ web: inout WebRequest) async throws -> Response {
        let id = try number("id", in: web)
        var reply = ""
        if let count = web.query["reply"].flatMap(Int.init) {
            reply = try await services.bugs.comments(ofBugs: [String(id)], since: nil, by: web.principal).first?.comments
                .first { $0.count == count }.map(Self.quote) ?? ""
        }
        return try await renderBug(id, web: web, commentText: reply, error: nil)
    }

    /// "(In reply to … from comment #N)" and the comment's lines quoted.
    static func quote(_ comment: Comment) -> String {
        let lines = comment.text.split(separator: "\n", omittingEmptySubsequences: false).map { "> " + $0 }
        return "(In reply to \(displayName(comment.author)) from comment #\(comment.count))\n" + lines.joined(separator: "\n") + "\n\n"
    }

    func renderBug(_ id: Int, web: WebRequest, commentText: String, error: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let principal = web.principal
        guard let bug = try await services.bugs.bugs([String(id)], permissive: false, by: principal).bugs.first else {
            throw DomainError.bugNotFound(String(id))
        }
        async let commentsFetch = services.bugs.comments(ofBugs: [String(id)], since: nil, by: principal)
        async let historyFetch = services.bugs.history([String(id)], since: nil, by: principal)
        async let attachmentsFetch = services.attachments.attachments(ofBugs: [String(id)], by: principal)
        let fieldData = try await services.catalog.fieldData()
        let markdown = CommentMarkdown(bugURL: { "/bug/\($0)" })
        let comments = try await commentsFetch.first?.comments ?? []
        let attachments = try await attachmentsFetch.first?.attachments ?? []
        let history = try await historyFetch.first?.history ?? []
        let bugGroups = try await services.catalog.bugGroups(for: principal)

        let fields = editableFields(of: bug, data: fieldData, principal: principal)
        let canEdit = fields.contains(where: \.editable)
        let groupChoices = Set(bugGroups).union(bug.groups).sorted()
        let view = BugPageView(
            id: bug.id, summary: bug.summary,
            statusLine: bug.resolution.isEmpty ? bug.status : "\(bug.status) \(bug.resolution)"
                + (bug.dupeOf.map { " of bug \($0)" } ?? ""),
            reporter: displayName(bug.reporter), assignee: displayName(bug.assignedTo),
            created: DateText.minute(bug.creationTime), changed: DateText.minute(bug.lastChangeTime),
            lastChange: Int(bug.lastChangeTime.timeIntervalSince1970), fields: fields, canEdit: canEdit,
            canComment: !principal.isAnonymous, isInsider: services.policy.isInsider(principal),
            groups: groupChoices.map { Option(value: $0, label: $0, selected: bug.groups.contains($0)) },
            hasGroupChoices: canEdit && !groupChoices.isEmpty, groupNames: bug.groups.joined(separator: ", "),
            isConfidential: !bug.groups.isEmpty, cc: bug.cc.map(\.login), ccCount: bug.cc.count,
            isCCd: bug.cc.contains { $0.id == principal.user?.id },
            comments: comments.map { comment in
                CommentView(
                    count: comment.count, isDescription: comment.count == 0, author: displayName(comment.author), login: comment.author.login,
                    time: DateText.minute(comment.creationTime), iso: DateText.iso(comment.creationTime), isPrivate: comment.isEffectivelyPrivate,
                    html: markdown.html(comment.text), quote: Self.quote(comment), attachmentID: comment.attachmentID)
            },
            attachments: attachments.map { attachment in
                AttachmentView(
                    id: attachment.id, fileName: attachment.fileName, summary: attachment.summary,
                    link: "/attachments/\(attachment.id)/" + (attachment.fileName.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(.init(charactersIn: "/?#"))) ?? "file"),
                    size: sizeText(attachment.size), creator: displayName(attachment.creator), time: DateText.minute(attachment.creationTime),
                    isPrivate: attachment.isPrivate, isObsolete: attachment.isObsolete, isPatch: attachment.isPatch)
            },
            hasAttachments: !attachments.isEmpty,
            history: history.flatMap { entry in
                entry.changes.map {
                    HistoryRow(when: DateText.minute(entry.when), who: displayName(entry.who), field: $0.field, removed: $0.removed, added: $0.added)
                }
            },
            hasHistory: !history.isEmpty, commentText: commentText, error: error, attachmentLimit: sizeText(services.attachments.limit))
        return pages.render("bug", title: "Bug \(bug.id) – \(bug.summary)", page: view, for: web, status: status)
    }

    /// The bug's fields, each editable when the rules let this person change it.
    private func editableFields(of bug: Bug, data: CatalogService.FieldData, principal: Principal) -> [FieldView] {
        let workflow = data.workflow
        let policy = services.policy
        func may(_ field: String, _ old: String) -> Bool {
            // A value no real one equals: whether any change of the field is allowed.
            FieldPermissions.canChange(field, of: bug, from: old, to: "\u{1}", by: principal, workflow: workflow, policy: policy)
        }
        func text(_ name: String, _ label: String, _ value: String, hint: String? = nil) -> FieldView {
            FieldView(name: name, label: label, value: value, editable: may(name, value), options: [], isSelect: false, hint: hint)
        }
        func select(_ name: String, _ label: String, _ value: String, _ values: [String]) -> FieldView {
            let values = values.contains(value) ? values : [value] + values
            return FieldView(name: name, label: label, value: value, editable: may(name, value), options: Option.list(values, selected: value), isSelect: true, hint: nil)
        }
        let product = data.products.first { $0.name == bug.product }
        let statuses = [bug.status] + workflow.targets(from: bug.status).map(\.to).filter { to in
            to != bug.status
                && FieldPermissions.canChange("status", of: bug, from: bug.status, to: to, by: principal, workflow: workflow, policy: policy)
        }
        var status = select("status", "Status", bug.status, statuses)
        status = FieldView(
            name: status.name, label: status.label, value: status.value, editable: statuses.count > 1, options: status.options,
            isSelect: true, hint: nil)
        return [
            text("summary", "Summary", bug.summary),
            select("product", "Product", bug.product, data.products.filter(\.isActive).map(\.name)),
            select("component", "Component", bug.component, product?.components.filter(\.isActive).map(\.name) ?? []),
            select("version", "Version", bug.version, product?.versions.filter(\.isActive).map(\.name) ?? []),
            select("target_milestone", "Target milestone", bug.targetMilestone, product?.milestones.filter(\.isActive).map(\.name) ?? []),
            status,
            select("resolution", "Resolution", bug.resolution, [""] + workflow.resolutions),
            text("dupe_of", "Duplicate of", bug.dupeOf.map(String.init) ?? "", hint: "A bug number, with the resolution DUPLICATE."),
            select("severity", "Severity", bug.severity, data.catalog.severities),
            select("priority", "Priority", bug.priority, data.catalog.priorities),
            select("op_sys", "OS", bug.opSys, data.catalog.opSystems),
            select("platform", "Hardware", bug.platform, data.catalog.platforms),
            text("assigned_to", "Assignee", bug.assignedTo.login, hint: "An email address."),
            text("qa_contact", "QA contact", bug.qaContact?.login ?? "", hint: "An email address; empty for none."),
            text("keywords", "Keywords", bug.keywords.joined(separator: ", "), hint: "Separated by commas."),
            text("blocks", "Blocks", bug.blocks.map(String.init).joined(separator: ", "), hint: "Bug numbers, separated by commas."),
            text("depends_on", "Depends on", bug.dependsOn.map(String.init).joined(separator: ", "), hint: "Bug numbers, separated by commas."),
            text("url", "URL", bug.url),
            text("whiteboard", "Whiteboard", bug.whiteboard),
            text("deadline", "Deadline", bug.deadline ?? "", hint: "YYYY-MM-DD."),
        ]
    }

    /// `POST /bug/{id}`: the changed fields and a comment, in one change.
    func updateBug(_ web: inout WebRequest) async throws -> Response {
        let id = try number("id", in: web)
        _ = try web.requireUser()
        let form = try await web.form()
        let comment = form["comment"] ?? ""
        do {
            guard let bug = try await services.bugs.bugs([String(id)], permissive: false, by: web.principal).bugs.first else {
                throw DomainError.bugNotFound(String(id))
            }
            if let seen = form["last_change"].flatMap(Int.init), Int(bug.lastChangeTime.timeIntervalSince1970) > seen {
                throw WebError.badRequest(
                    "Someone changed this bug after you opened it. Their changes are shown below; your comment is kept. Make your changes again.")
            }
            let request = try Self.updateRequest(
                from: form, for: bug, workflow: try await services.catalog.workflow(), groupChoices: try await services.catalog.bugGroups(for: web.principal))
            _ = try await services.bugs.update([String(id)], with: request, by: web.principal)
        } catch let error as DomainError where error != .loginRequired {
            return try await renderBug(id, web: web, commentText: comment, error: error.message, status: .unprocessableContent)
        } catch let error as WebError {
            return try await renderBug(id, web: web, commentText: comment, error: error.statusAndMessage.1, status: .unprocessableContent)
        }
        return pages.redirect(to: "/bug/\(id)?done=saved", for: web)
    }

    /// Only what differs from the bug as it is becomes part of the request, so that fields someone
    /// may not change don't stop them changing the others.
    static func updateRequest(from form: Form, for bug: Bug, workflow: Workflow, groupChoices: [String]) throws -> BugUpdateRequest {
        var request = BugUpdateRequest()
        func changed(_ name: String, _ current: String) -> String? {
            guard let value = form[name]?.trimmingCharacters(in: .whitespacesAndNewlines), value != current else { return nil }
            return value
        }
        func numbers(_ text: String) throws -> [Int] {
            try text.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map { item in
                guard let number = Int(item) else { throw DomainError.invalidBugID(String(item)) }
                return number
            }
        }
        func words(_ text: String) -> [String] {
            text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        request.summary = changed("summary", bug.summary)
        request.product = changed("product", bug.product)
        request.component = changed("component", bug.component)
        request.version = changed("version", bug.version)
        request.targetMilestone = changed("target_milestone", bug.targetMilestone)
        request.severity = changed("severity", bug.severity)
        request.priority = changed("priority", bug.priority)
        request.opSys = changed("op_sys", bug.opSys)
        request.platform = changed("platform", bug.platform)
        request.url = changed("url", bug.url)
        request.whiteboard = changed("whiteboard", bug.whiteboard)
        request.assignedTo = changed("assigned_to", bug.assignedTo.login)
        request.qaContact = changed("qa_contact", bug.qaContact?.login ?? "")
        if let deadline = changed("deadline", bug.deadline ?? "") { request.deadline = .some(deadline.isEmpty ? nil : deadline) }
        if let dupe = changed("dupe_of", bug.dupeOf.map(String.init) ?? ""), !dupe.isEmpty {
            guard let number = Int(dupe) else { throw DomainError.invalidBugID(dupe) }
            request.dupeOf = number
        } else {
            let resolution = form["resolution"] ?? ""
            if let status = changed("status", bug.status) {
                request.status = status
                // Closing takes the chosen resolution; reopening clears it by itself.
                if !workflow.isOpen(status), !resolution.isEmpty { request.resolution = resolution }
            } else if !resolution.isEmpty, resolution != bug.resolution {
                request.resolution = resolution
            }
        }
        if let keywords = changed("keywords", bug.keywords.joined(separator: ", ")) {
            let wanted = words(keywords)
            if Set(wanted) != Set(bug.keywords) { request.keywords.set = wanted }
        }
        if let blocks = changed("blocks", bug.blocks.map(String.init).joined(separator: ", ")) {
            let wanted = try numbers(blocks)
            if Set(wanted) != Set(bug.blocks) { request.blocks.set = wanted }
        }
        if let dependsOn = changed("depends_on", bug.dependsOn.map(String.init).joined(separator: ", ")) {
            let wanted = try numbers(dependsOn)
            if Set(wanted) != Set(bug.dependsOn) { request.dependsOn.set = wanted }
        }
        request.cc.add = words(form["cc_add"] ?? "")
        request.cc.remove = form.all("cc_remove")
        if form["groups_shown"] != nil {
            let ticked = Set(form.all("groups"))
            let offered = Set(groupChoices).union(bug.groups)
            request.groups.add = offered.filter { ticked.contains($0) && !bug.groups.contains($0) }.sorted()
            request.groups.remove = offered.filter { !ticked.contains($0) && bug.groups.contains($0) }.sorted()
        }
        let text = form["comment"] ?? ""
        if !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            request.comment = NewComment(text: text, isPrivate: form.isChecked("comment_private"))
        }
        return request
    }

    /// `POST /bug/{id}/cc`: adds or removes the signed-in user.
    func toggleCC(_ web: inout WebRequest) async throws -> Response {
        let id = try number("id", in: web)
        let user = try web.requireUser()
        let form = try await web.form()
        var request = BugUpdateRequest()
        if form["action"] == "remove" { request.cc.remove = [user.login] } else { request.cc.add = [user.login] }
        _ = try await services.bugs.update([String(id)], with: request, by: web.principal)
        return pages.redirect(to: "/bug/\(id)?done=saved", for: web)
    }

    /// `POST /bug/{id}/attachments`: a multipart form (the token first, then the file), streamed
    /// to the blob store. The page's script sends the same form with a progress bar.
    func attach(_ web: inout WebRequest) async throws -> Response {
        let id = try number("id", in: web)
        _ = try web.requireUser()
        guard let boundary = MultipartFileStream.boundary(in: web.request.headers[.contentType] ?? "") else {
            throw WebError.badRequest("Choose a file to attach.")
        }
        let stream = MultipartFileStream(body: web.request.body, boundary: boundary)
        let form = stream.form
        let check = web
        _ = try await services.attachments.create(on: String(id), streaming: stream, by: web.principal) {
            try check.checkCSRF(form.fields[WebRequest.csrfField])
            return (Self.attachmentDetails(form), form.fields["comment"])
        }
        if web.request.headers[.accept]?.contains("application/json") == true {
            return Response(status: .created, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: "{\"bug\":\(id)}")))
        }
        return pages.redirect(to: "/bug/\(id)?done=attached#attachments", for: web)
    }

    /// What an upload form says about its file.
    static func attachmentDetails(_ form: MultipartFileStream.Form) -> AttachmentRules.Details {
        let fileName = form.fileName ?? ""
        let summary = form.fields["attachment_summary"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return AttachmentRules.Details(
            fileName: fileName, summary: summary.isEmpty ? fileName : summary, contentType: form.fileContentType,
            isPatch: form.fields["is_patch"] != nil, isPrivate: form.fields["attachment_private"] != nil)
    }
}
