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
        /// On the status field: the closed statuses, space-separated, for the script that shows
        /// the resolution only when one is chosen.
        var closedStatuses: String? = nil
        /// On the resolution field: the resolution that asks for "Duplicate of".
        var duplicateResolution: String? = nil
    }

    struct CommentView {
        let count: Int
        let isDescription: Bool
        let author: String
        /// The author's address, for signed-in readers only.
        let login: String?
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
        /// In a mid-air collision: the person changed this field too (their value is in the form).
        var isAlsoYours = false
    }

    /// Someone on the CC list: how the reader sees them, and (for those who may edit) the address.
    struct CCView {
        let name: String
        let login: String
        let isRemoving: Bool
    }

    /// What changed since the person loaded the page, on the page their refused form comes back to.
    struct MeanwhileView {
        struct NewComment {
            let count: Int
            let author: String
        }
        let changes: [HistoryRow]
        let hasChanges: Bool
        let comments: [NewComment]
        let hasComments: Bool
    }

    struct BugPageView {
        let id: Int
        let summary: String
        let status: String
        /// Nil while the bug is open.
        let resolution: String?
        /// "of bug N", linked, for a duplicate.
        let dupeOf: Int?
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
        let cc: [CCView]
        let ccCount: Int
        let ccAdd: String
        let isCCd: Bool
        let comments: [CommentView]
        let attachments: [AttachmentView]
        let hasAttachments: Bool
        let history: [HistoryRow]
        let hasHistory: Bool
        let commentText: String
        let commentPrivate: Bool
        let attachmentSummary: String
        let attachmentPrivate: Bool
        let isPatch: Bool
        let error: String?
        let note: String?
        let meanwhile: MeanwhileView?
        let attachmentLimit: String
    }

    func bugPage(_ web: inout WebRequest) async throws -> Response {
        let id = try number("id", in: web)
        var reply: Comment?
        if let count = web.query["reply"].flatMap(Int.init) {
            reply = try await services.bugs.comments(ofBugs: [String(id)], since: nil, by: web.principal).first?.comments
                .first { $0.count == count }
        }
        return try await renderBug(id, web: web, draft: try await draft(of: web), reply: reply)
    }

    /// "(In reply to … from comment #N)" and the comment's lines quoted.
    static func quote(_ comment: Comment) -> String {
        let lines = comment.text.split(separator: "\n", omittingEmptySubsequences: false).map { "> " + $0 }
        return "(In reply to \(displayName(comment.author)) from comment #\(comment.count))\n" + lines.joined(separator: "\n") + "\n\n"
    }

    /// The bug's page; with a draft, its form shows what the person entered, why it was not saved,
    /// and what others changed since they loaded the page. With `reply`, the comment box quotes
    /// that comment, and a reply to a private comment is private until the person says otherwise.
    func renderBug(_ id: Int, web: WebRequest, draft: WebDraft?, reply: Comment? = nil) async throws -> Response {
        let principal = web.principal
        let record = try await services.bugs.record(of: String(id), by: principal)
        let (bug, comments, history, attachments) = (record.bug, record.comments, record.history, record.attachments)
        let fieldData = try await services.catalog.fieldData()
        let bugGroups = try await services.catalog.bugGroups(for: principal)
        let links = Dictionary(attachments.map { ($0.id, Self.attachmentLink($0)) }, uniquingKeysWith: { first, _ in first })
        let markdown = CommentMarkdown(bugURL: { "/bug/\($0)" }, attachmentURL: { links[$0] })
        var names = PersonNames(for: principal)
        names.learn([bug.reporter, bug.assignedTo] + (bug.qaContact.map { [$0] } ?? []) + bug.cc + comments.map(\.author) + history.map(\.who))

        let entered = draft?.form ?? Form([])
        let fields = editableFields(of: bug, data: fieldData, principal: principal, names: names, entered: entered)
        let canEdit = fields.contains(where: \.editable)
        let groupChoices = Set(bugGroups).union(bug.groups).sorted()
        let tickedGroups = entered["groups_shown"] != nil ? Set(entered.all("groups")) : Set(bug.groups)
        let removing = Set(entered.all("cc_remove"))
        func row(_ entry: HistoryEntry, _ change: FieldChange) -> HistoryRow {
            let isPeople = ["assigned_to", "qa_contact", "cc"].contains(change.field)
            return HistoryRow(
                when: DateText.minute(entry.when), who: names.name(entry.who), field: change.field,
                removed: isPeople ? names.names(inList: change.removed) : change.removed,
                added: isPeople ? names.names(inList: change.added) : change.added)
        }
        var meanwhile: MeanwhileView?
        if let seen = draft?.seen {
            let since = Date(timeIntervalSince1970: TimeInterval(seen))
            let yours = BugEdits.edited(in: entered, loaded: BugEdits.shown(bug))
            let changes = history.filter { $0.when > since }.flatMap { entry in
                entry.changes.map { change in
                    var line = row(entry, change)
                    line.isAlsoYours = yours.contains(change.field)
                    return line
                }
            }
            let added = comments.filter { $0.creationTime > since }.map { MeanwhileView.NewComment(count: $0.count, author: names.name($0.author)) }
            meanwhile = MeanwhileView(changes: changes, hasChanges: !changes.isEmpty, comments: added, hasComments: !added.isEmpty)
        }
        let view = BugPageView(
            id: bug.id, summary: bug.summary, status: bug.status, resolution: bug.resolution.isEmpty ? nil : bug.resolution, dupeOf: bug.dupeOf,
            reporter: names.name(bug.reporter), assignee: names.name(bug.assignedTo),
            created: DateText.minute(bug.creationTime), changed: DateText.minute(bug.lastChangeTime),
            lastChange: Int(bug.lastChangeTime.timeIntervalSince1970), fields: fields, canEdit: canEdit,
            canComment: !principal.isAnonymous, isInsider: services.policy.isInsider(principal),
            groups: groupChoices.map { Option(value: $0, label: $0, selected: tickedGroups.contains($0)) },
            hasGroupChoices: canEdit && !groupChoices.isEmpty, groupNames: bug.groups.joined(separator: ", "),
            isConfidential: !bug.groups.isEmpty,
            cc: bug.cc.map { CCView(name: names.showsAddresses ? $0.login : names.name($0), login: $0.login, isRemoving: removing.contains($0.login)) },
            ccCount: bug.cc.count, ccAdd: entered["cc_add"] ?? "", isCCd: bug.cc.contains { $0.id == principal.user?.id },
            comments: comments.map { comment in
                CommentView(
                    count: comment.count, isDescription: comment.count == 0, author: names.name(comment.author),
                    login: names.showsAddresses ? comment.author.login : nil,
                    time: DateText.minute(comment.creationTime), iso: DateText.iso(comment.creationTime), isPrivate: comment.isEffectivelyPrivate,
                    html: markdown.html(comment.text), quote: Self.quote(comment), attachmentID: comment.attachmentID)
            },
            attachments: attachments.map { attachment in
                AttachmentView(
                    id: attachment.id, fileName: attachment.fileName, summary: attachment.summary, link: Self.attachmentLink(attachment),
                    size: sizeText(attachment.size), creator: names.name(attachment.creator), time: DateText.minute(attachment.creationTime),
                    isPrivate: attachment.isPrivate, isObsolete: attachment.isObsolete, isPatch: attachment.isPatch)
            },
            hasAttachments: !attachments.isEmpty,
            history: history.flatMap { entry in entry.changes.map { row(entry, $0) } },
            hasHistory: !history.isEmpty, commentText: entered["comment"] ?? reply.map(Self.quote) ?? "",
            commentPrivate: entered["comment"] == nil ? reply?.isEffectivelyPrivate == true : entered.isChecked("comment_private"),
            attachmentSummary: entered["attachment_summary"] ?? "", attachmentPrivate: entered.isChecked("attachment_private"),
            isPatch: entered.isChecked("is_patch"), error: draft?.error, note: draft?.note, meanwhile: meanwhile,
            attachmentLimit: sizeText(services.attachments.limit))
        return pages.render("bug", title: "Bug \(bug.id) – \(bug.summary)", page: view, for: web)
    }

    /// The bug as `principal` may see it; one they may not see does not exist.
    private func visibleBug(_ id: Int, by principal: Principal) async throws -> Bug {
        guard let bug = try await services.bugs.bugs([String(id)], permissive: false, by: principal).bugs.first else {
            throw DomainError.bugNotFound(String(id))
        }
        return bug
    }

    /// Where an attachment downloads, its file name in the path.
    static func attachmentLink(_ attachment: Attachment) -> String {
        "/attachments/\(attachment.id)/"
            + (attachment.fileName.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(.init(charactersIn: "/?#"))) ?? "file")
    }

    /// The bug's fields, each editable when the rules let this person change it, showing what the
    /// person entered where a draft has it.
    private func editableFields(
        of bug: Bug, data: CatalogService.FieldData, principal: Principal, names: PersonNames, entered: Form
    ) -> [FieldView] {
        let workflow = data.workflow
        let policy = services.policy
        func may(_ field: String, _ old: String) -> Bool {
            // A value no real one equals: whether any change of the field is allowed.
            FieldPermissions.canChange(field, of: bug, from: old, to: "\u{1}", by: principal, workflow: workflow, policy: policy)
        }
        func text(_ name: String, _ label: String, _ value: String, hint: String? = nil) -> FieldView {
            FieldView(name: name, label: label, value: entered[name] ?? value, editable: may(name, value), options: [], isSelect: false, hint: hint)
        }
        func select(_ name: String, _ label: String, _ current: String, _ values: [String]) -> FieldView {
            let value = entered[name] ?? current
            let values = values.contains(value) ? values : [value] + values
            return FieldView(
                name: name, label: label, value: value, editable: may(name, current), options: Option.list(values, selected: value), isSelect: true,
                hint: nil)
        }
        /// A person's field: their address to edit, their name to read.
        func person(_ name: String, _ label: String, _ user: UserSummary?, hint: String) -> FieldView {
            let field = text(name, label, user?.login ?? "", hint: hint)
            guard !field.editable else { return field }
            return FieldView(name: name, label: label, value: user.map(names.name) ?? "", editable: false, options: [], isSelect: false, hint: nil)
        }
        let product = data.products.first { $0.name == bug.product }
        let statuses = [bug.status] + workflow.targets(from: bug.status).map(\.to).filter { to in
            to != bug.status
                && FieldPermissions.canChange("status", of: bug, from: bug.status, to: to, by: principal, workflow: workflow, policy: policy)
        }
        var status = select("status", "Status", bug.status, statuses)
        status = FieldView(
            name: status.name, label: status.label, value: status.value, editable: statuses.count > 1, options: status.options,
            isSelect: true, hint: nil, closedStatuses: workflow.statuses.filter { !$0.isOpen }.map(\.name).joined(separator: " "))
        var resolution = select("resolution", "Resolution", bug.resolution, [""] + workflow.resolutions)
        resolution.duplicateResolution = workflow.duplicateResolution
        let dupeOf = text("dupe_of", "Duplicate of", bug.dupeOf.map(String.init) ?? "", hint: "A bug number, with the resolution DUPLICATE.")
        // An open bug has neither: shown only to those who may close it (and the script hides
        // them until a closed status is chosen).
        let closing = workflow.isOpen(bug.status) ? [resolution, dupeOf].filter(\.editable) : [resolution, dupeOf]
        return [
            text("summary", "Summary", bug.summary),
            select("product", "Product", bug.product, data.products.filter(\.isActive).map(\.name)),
            select("component", "Component", bug.component, product?.components.filter(\.isActive).map(\.name) ?? []),
            select("version", "Version", bug.version, product?.versions.filter(\.isActive).map(\.name) ?? []),
            select("target_milestone", "Target milestone", bug.targetMilestone, product?.milestones.filter(\.isActive).map(\.name) ?? []),
            status,
        ] + closing + [
            select("severity", "Severity", bug.severity, data.catalog.severities),
            select("priority", "Priority", bug.priority, data.catalog.priorities),
            select("op_sys", "OS", bug.opSys, data.catalog.opSystems),
            select("platform", "Hardware", bug.platform, data.catalog.platforms),
            person("assigned_to", "Assignee", bug.assignedTo, hint: "An email address."),
            person("qa_contact", "QA contact", bug.qaContact, hint: "An email address; empty for none."),
            text("keywords", "Keywords", bug.keywords.joined(separator: ", "), hint: "Separated by commas."),
            text("blocks", "Blocks", bug.blocks.map(String.init).joined(separator: ", "), hint: "Bug numbers, separated by commas."),
            text("depends_on", "Depends on", bug.dependsOn.map(String.init).joined(separator: ", "), hint: "Bug numbers, separated by commas."),
            text("url", "URL", bug.url),
            text("whiteboard", "Whiteboard", bug.whiteboard),
            text("deadline", "Deadline", bug.deadline ?? "", hint: "YYYY-MM-DD."),
        ]
    }

    /// `POST /bug/{id}`: the changed fields and a comment, in one change. A refused change, or one
    /// made after someone else's, goes back to the page with everything entered kept.
    func updateBug(_ web: inout WebRequest) async throws -> Response {
        let id = try number("id", in: web)
        _ = try web.requireUser()
        let form = try await web.form()
        let bug = try await visibleBug(id, by: web.principal)
        let seen = form["last_change"].flatMap(Int.init)
        if let seen, Int(bug.lastChangeTime.timeIntervalSince1970) > seen {
            let loaded = try await loadedValues(of: bug, seen: seen, by: web.principal)
            let draft = WebDraft(
                form: BugEdits.keepingEdits(form, loaded: loaded),
                error: "Someone changed this bug after you opened it: their changes are listed below. Nothing of yours was saved; "
                    + "everything you entered is still in the form. Check it, then save again.",
                seen: seen)
            return pages.redirect(to: try await keep(draft, returningTo: "/bug/\(id)", for: web), for: web)
        }
        var duplicateOf: Int?
        do {
            if form.text("file") != nil {
                throw WebError.badRequest("You chose a file: press Attach file to attach it (your comment goes with it). Nothing was saved yet.")
            }
            let request = try Self.updateRequest(
                from: form, for: bug, workflow: try await services.catalog.workflow(), groupChoices: try await services.catalog.bugGroups(for: web.principal))
            duplicateOf = request.dupeOf
            _ = try await services.bugs.update([String(id)], with: request, by: web.principal)
        } catch let error as DomainError where error != .loginRequired {
            let message = Self.explained(error, marking: bug, as: duplicateOf)
            let draft = WebDraft(form: BugEdits.keepingEdits(form, loaded: BugEdits.shown(bug)), error: message)
            return pages.redirect(to: try await keep(draft, returningTo: "/bug/\(id)", for: web), for: web)
        } catch let error as WebError {
            let draft = WebDraft(form: BugEdits.keepingEdits(form, loaded: BugEdits.shown(bug)), error: error.statusAndMessage.1)
            return pages.redirect(to: try await keep(draft, returningTo: "/bug/\(id)", for: web), for: web)
        }
        return pages.redirect(to: "/bug/\(id)?done=saved", for: web)
    }

    /// The bug's form values as the person loaded them at `seen`: later changes undone.
    private func loadedValues(of bug: Bug, seen: Int, by principal: Principal) async throws -> [String: String] {
        let since = Date(timeIntervalSince1970: TimeInterval(seen))
        let history = try await services.bugs.history([String(bug.id)], since: since, by: principal).first?.history ?? []
        return BugEdits.loaded(bug, undoing: history.filter { $0.when > since }.flatMap(\.changes))
    }

    /// A refusal as the bug page says it: one met while marking a duplicate says so.
    static func explained(_ error: DomainError, marking bug: Bug, as duplicateOf: Int?) -> String {
        guard let duplicateOf else { return error.message }
        switch error {
        case .illegalStatusTransition, .resolutionNotAllowed, .resolutionRequired, .invalidFieldValue, .illegalChange, .commentRequired:
            return "Bug \(bug.id) can't be marked as a duplicate of bug \(duplicateOf): \(error.message)"
        default:
            return error.message
        }
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

    /// `POST /bug/{id}/cc`, the Follow button of the bug's form: adds or removes the signed-in
    /// user. Whatever else the form carries (a comment being typed, field edits) is not saved but
    /// kept: the page comes back with it.
    func toggleCC(_ web: inout WebRequest) async throws -> Response {
        let id = try number("id", in: web)
        let user = try web.requireUser()
        let form = try await web.form()
        let bug = try await visibleBug(id, by: web.principal)
        let seen = form["last_change"].flatMap(Int.init)
        let isLater = seen.map { Int(bug.lastChangeTime.timeIntervalSince1970) > $0 } ?? false
        let loaded = isLater ? try await loadedValues(of: bug, seen: seen!, by: web.principal) : BugEdits.shown(bug)
        var request = BugUpdateRequest()
        let following = form["follow"] != "remove"
        if following { request.cc.add = [user.login] } else { request.cc.remove = [user.login] }
        _ = try await services.bugs.update([String(id)], with: request, by: web.principal)
        let done = "/bug/\(id)?done=" + (following ? "followed" : "unfollowed")
        guard BugEdits.hasUnsaved(form, loaded: loaded) else { return pages.redirect(to: done, for: web) }
        let draft = WebDraft(
            form: BugEdits.keepingEdits(form, loaded: loaded),
            note: "What you entered is not saved yet: it is still in the form. Press Save changes to save it.",
            seen: isLater ? seen : nil)
        return pages.redirect(to: try await keep(draft, returningTo: done, fragment: "#comment", for: web), for: web)
    }

    /// `POST /bug/{id}/attachments`, the Attach button of the bug's form (sent as multipart): the
    /// file is streamed to the blob store once the CSRF token, which comes first, has been checked;
    /// the comment being typed goes with it. Other edits on the form are kept for the page it
    /// goes back to, and so is everything on a refusal. The page's script sends the same form with
    /// a progress bar.
    func attach(_ web: inout WebRequest) async throws -> Response {
        let id = try number("id", in: web)
        _ = try web.requireUser()
        guard let boundary = MultipartFileStream.boundary(in: web.request.headers[.contentType] ?? "") else {
            throw WebError.badRequest("Choose a file to attach.")
        }
        let check = web
        let stream = MultipartFileStream(body: web.request.body, boundary: boundary) { fields in
            try check.checkCSRF(fields.fields[WebRequest.csrfField])
        }
        let form = stream.form
        do {
            _ = try await services.attachments.create(on: String(id), streaming: stream, by: web.principal) {
                (Self.attachmentDetails(form), form.fields["comment"])
            }
        } catch let error as DomainError where error != .loginRequired && error != .bugNotFound(String(id)) {
            let draft = WebDraft(form: Form(form.pairs), error: error.message)
            return pages.redirect(to: try await keep(draft, returningTo: "/bug/\(id)", fragment: "#attachments", for: web), for: web)
        }
        let done = "/bug/\(id)?done=attached"
        let rest = Form(form.pairs.filter { !["comment", "attachment_summary", "is_patch", "attachment_private", "comment_private"].contains($0.0) })
        guard let seen = rest["last_change"].flatMap(Int.init) else { return pages.redirect(to: done + "#attachments", for: web) }
        let bug = try await visibleBug(id, by: web.principal)
        // The attachment itself changed the bug: only changes before it can be someone else's.
        let loaded = try await loadedValues(of: bug, seen: seen, by: web.principal)
        guard BugEdits.hasUnsaved(rest, loaded: loaded) else { return pages.redirect(to: done + "#attachments", for: web) }
        let draft = WebDraft(
            form: BugEdits.keepingEdits(rest, loaded: loaded),
            note: "The file was attached with your comment. Your other changes are not saved yet: they are still in the form.")
        return pages.redirect(to: try await keep(draft, returningTo: done, fragment: "#attachments", for: web), for: web)
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
