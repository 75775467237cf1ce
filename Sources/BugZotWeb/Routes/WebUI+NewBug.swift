import BugZotDomain
import BugZotHTTP
import BugZotServices
import Foundation
import Hummingbird

/// Filing a bug: choose a product, then fill in the form (with an optional attachment).
extension WebUI {
    struct NewBugView {
        struct ProductChoice {
            let name: String
            let description: String
            let link: String
        }
        /// Set until a product is chosen.
        let productChoices: [ProductChoice]
        let choosing: Bool
        let product: String
        let components: [Option]
        let versions: [Option]
        let severities: [Option]
        let priorities: [Option]
        let opSystems: [Option]
        let platforms: [Option]
        let milestones: [Option]
        /// The fields the rules let this person choose when filing (`FieldPermissions.canSetWhenFiling`).
        let choosePriority: Bool
        let chooseMilestone: Bool
        let chooseAssignee: Bool
        let chooseQAContact: Bool
        let assignee: String
        let qaContact: String
        let summary: String
        let description: String
        let groups: [Option]
        let hasGroups: Bool
        let isInsider: Bool
        let error: String?
        let attachmentLimit: String
    }

    /// The form; after a refusal, with everything entered and why.
    func newBugPage(_ web: inout WebRequest) async throws -> Response {
        _ = try web.requireUser()
        let draft = try await draft(of: web)
        return try await renderNewBug(web, values: draft?.form ?? web.query, error: draft?.error)
    }

    private func renderNewBug(_ web: WebRequest, values: Form, error: String?) async throws -> Response {
        let data = try await services.catalog.fieldData()
        let enterable = data.products.filter { $0.isActive && $0.components.contains(where: \.isActive) }
        guard let name = values["product"], let product = enterable.first(where: { $0.name == name }) else {
            let choices = enterable.map {
                NewBugView.ProductChoice(name: $0.name, description: $0.description, link: "/bug/new?" + FormEncoding.encode([("product", $0.name)]))
            }
            let view = NewBugView(
                productChoices: choices, choosing: true, product: "", components: [], versions: [], severities: [], priorities: [],
                opSystems: [], platforms: [], milestones: [], choosePriority: false, chooseMilestone: false, chooseAssignee: false,
                chooseQAContact: false, assignee: "", qaContact: "", summary: "", description: "", groups: [], hasGroups: false,
                isInsider: false, error: error, attachmentLimit: "")
            return pages.render("bug_new", title: "File a bug", page: view, for: web)
        }
        let groups = try await services.catalog.bugGroups(for: web.principal)
        let chosenGroups = Set(values.all("groups"))
        let catalog = data.catalog
        let components = product.components.filter(\.isActive)
        /// Offered when the rules allow it whichever component is chosen.
        func offered(_ field: String) -> Bool {
            components.allSatisfy {
                FieldPermissions.canSetWhenFiling(field, in: $0, of: product, by: web.principal, workflow: data.workflow, policy: services.policy)
            }
        }
        let view = NewBugView(
            productChoices: [], choosing: false, product: product.name,
            components: Option.list(product.components.filter(\.isActive).map(\.name), selected: values["component"]),
            versions: Option.list(product.versions.filter(\.isActive).map(\.name).reversed(), selected: values["version"]),
            severities: Option.list(catalog.severities, selected: values["severity"] ?? SelectField.severity.fallback),
            priorities: Option.list(catalog.priorities, selected: values["priority"] ?? SelectField.priority.fallback),
            opSystems: Option.list(catalog.opSystems, selected: values["op_sys"] ?? SelectField.opSys.fallback),
            platforms: Option.list(catalog.platforms, selected: values["platform"] ?? SelectField.platform.fallback),
            milestones: Option.list(
                [product.defaultMilestone] + product.milestones.filter { $0.isActive && $0.name != product.defaultMilestone }.map(\.name),
                selected: values["target_milestone"] ?? product.defaultMilestone),
            choosePriority: offered("priority"), chooseMilestone: offered("target_milestone"), chooseAssignee: offered("assigned_to"),
            chooseQAContact: services.policy.useQAContact && offered("qa_contact"),
            assignee: values["assigned_to"] ?? "", qaContact: values["qa_contact"] ?? "",
            summary: values["summary"] ?? "", description: values["description"] ?? "",
            groups: groups.map { Option(value: $0, label: $0, selected: chosenGroups.contains($0)) }, hasGroups: !groups.isEmpty,
            isInsider: services.policy.isInsider(web.principal), error: error, attachmentLimit: sizeText(services.attachments.limit))
        return pages.render("bug_new", title: "File a bug in \(product.name)", page: view, for: web)
    }

    /// `POST /bug/new`: a multipart form whose file comes last; once the CSRF token (which comes
    /// first) is checked, the file is stored while it arrives, then the bug is filed and the file
    /// attached to it.
    func fileBug(_ web: inout WebRequest) async throws -> Response {
        _ = try web.requireUser()
        guard let boundary = MultipartFileStream.boundary(in: web.request.headers[.contentType] ?? "") else {
            throw WebError.badRequest("The form must be sent as multipart/form-data.")
        }
        // The token comes before the file: a forged form stores nothing.
        let check = web
        let stream = MultipartFileStream(body: web.request.body, boundary: boundary) { fields in
            try check.checkCSRF(fields.fields[WebRequest.csrfField])
        }
        let upload = try await services.attachments.store(streaming: stream, by: web.principal)
        let values = Form(stream.form.pairs)
        let hasFile = !(stream.form.fileName ?? "").isEmpty && upload.size > 0
        if !hasFile { try? await services.attachments.discard(upload) }
        let id: Int
        do {
            var request = BugCreateRequest(
                product: values["product"] ?? "", component: values["component"] ?? "", version: values["version"] ?? "",
                summary: values["summary"] ?? "")
            request.description = values["description"] ?? ""
            request.descriptionIsPrivate = values.isChecked("description_private")
            request.severity = values.text("severity")
            request.priority = values.text("priority")
            request.opSys = values.text("op_sys")
            request.platform = values.text("platform")
            request.targetMilestone = values.text("target_milestone")
            request.assignedTo = values.text("assigned_to")
            request.qaContact = values.text("qa_contact")
            let groups = values.all("groups")
            request.groups = groups.isEmpty ? nil : groups
            id = try await services.bugs.create(request, by: web.principal)
        } catch let error as DomainError where error != .loginRequired {
            if hasFile { try? await services.attachments.discard(upload) }
            let message = hasFile ? error.message + " The file was not kept: choose it again." : error.message
            return try await refused(values, message, returningTo: "/bug/new?" + FormEncoding.encode([("product", values["product"] ?? "")]), for: web)
        }
        if hasFile {
            _ = try await services.attachments.attach(
                upload, on: String(id), details: Self.attachmentDetails(stream.form), comment: nil, by: web.principal)
        }
        return pages.redirect(to: "/bug/\(id)?done=filed", for: web)
    }
}
