import BugZotDomain
import BugZotHTTP
import BugZotServices
import BugZotStorage
import Foundation
import Hummingbird

/// Administration: users and their groups, groups, products with their components, versions and
/// milestones, and the workflow. The services check every permission; the pages only hide what
/// someone can't use.
extension WebUI {
    struct AdminIndexView {
        let users: Bool
        let groups: Bool
        let products: Bool
        let workflow: Bool
    }

    func adminIndex(_ web: inout WebRequest) async throws -> Response {
        _ = try web.requireUser()
        let principal = web.principal
        let view = AdminIndexView(
            users: principal.has(.editusers), groups: principal.has(.creategroups) || principal.has(.editusers),
            products: principal.has(.editcomponents), workflow: principal.isAdmin)
        guard view.users || view.groups || view.products || view.workflow else {
            throw DomainError.notInGroup(group: SystemGroup.admin.rawValue, action: "administer BugZot")
        }
        return pages.render("admin_index", title: "Administration", page: view, for: web)
    }

    // MARK: Users

    struct UserRow {
        let id: Int
        let login: String
        let name: String
        let isEnabled: Bool
        let groups: String
    }

    struct AdminUsersView {
        let match: String
        let users: [UserRow]
        let groups: [Option]
        let error: String?
        let note: String?
        let login: String
        let name: String
    }

    /// The list of users found (`?match=`) and the form that creates one, as a refused or unsaved
    /// draft left it.
    func adminUsers(_ web: inout WebRequest) async throws -> Response {
        let draft = try await draft(of: web)
        let form = draft?.form ?? Form([])
        _ = try web.requireUser()
        try web.principal.require(.editusers, action: "edit users")
        let match = web.query["match"] ?? ""
        let users = try await services.users.users(ids: [], names: [], match: [match], limit: 200, by: web.principal)
        let groups = try await services.catalog.groups(ids: [], names: [], withMembers: false, by: web.principal).map(\.0.name)
        let view = AdminUsersView(
            match: match,
            users: users.map {
                UserRow(id: $0.id, login: $0.login, name: $0.realName, isEnabled: $0.isEnabled, groups: $0.groups.map(\.name).joined(separator: ", "))
            },
            groups: groups.map { Option(value: $0, label: $0, selected: form.all("groups").contains($0)) }, error: draft?.error,
            note: draft?.note, login: form["login"] ?? "", name: form["name"] ?? "")
        return pages.render("admin_users", title: "Users", page: view, for: web)
    }

    /// `POST /admin/users/find`, the Find button of the users' form: the list of the users found,
    /// with a new user's details being typed kept.
    func adminFindUsers(_ web: inout WebRequest) async throws -> Response {
        _ = try web.requireUser()
        let form = try await web.form()
        let list = "/admin/users?" + FormEncoding.encode([("match", form["match"] ?? "")])
        return try await saved(form, keeping: ["login", "name", "groups"], returningTo: list, for: web)
    }

    func adminCreateUser(_ web: inout WebRequest) async throws -> Response {
        _ = try web.requireUser()
        let form = try await web.form()
        do {
            let id = try await services.users.create(
                login: form.text("login") ?? "", realName: form.text("name") ?? "", password: form["password"] ?? "",
                groups: form.all("groups"), by: web.principal)
            return pages.redirect(to: "/admin/users/\(id)?done=created", for: web)
        } catch let error as DomainError where error.isInputError {
            return try await refused(form, error.message, returningTo: "/admin/users", for: web)
        }
    }

    struct AdminUserView {
        let id: Int
        let login: String
        let name: String
        let disabledText: String
        let groups: [Option]
        let error: String?
    }

    func adminUser(_ web: inout WebRequest) async throws -> Response {
        let draft = try await draft(of: web)
        return try await renderAdminUser(web, entered: draft?.form, error: draft?.error)
    }

    /// The user's page; `entered` is a refused form, shown as it was sent.
    private func renderAdminUser(_ web: WebRequest, entered: Form?, error: String?) async throws -> Response {
        _ = try web.requireUser()
        let id = try number("id", in: web)
        guard let user = try await services.users.users(ids: [id], names: [], match: [], limit: nil, by: web.principal).first else {
            throw WebError.notFound
        }
        try web.principal.require(.editusers, action: "edit users")
        let groups = try await services.catalog.groups(ids: [], names: [], withMembers: false, by: web.principal).map(\.0.name)
        let ticked = entered.map { Set($0.all("groups")) } ?? Set(user.groups.map(\.name))
        let view = AdminUserView(
            id: user.id, login: entered?["login"] ?? user.login, name: entered?["name"] ?? user.realName,
            disabledText: entered?["disabled_text"] ?? user.disabledText,
            groups: groups.map { name in Option(value: name, label: name, selected: ticked.contains(name)) }, error: error)
        return pages.render("admin_user", title: "User \(user.login)", page: view, for: web)
    }

    func adminUpdateUser(_ web: inout WebRequest) async throws -> Response {
        _ = try web.requireUser()
        let id = try number("id", in: web)
        let form = try await web.form()
        var changes = UserService.Changes()
        changes.realName = form["name"]?.trimmingCharacters(in: .whitespaces)
        changes.login = form.text("login")
        changes.disabledText = form["disabled_text"]?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let password = form["password"], !password.isEmpty { changes.password = password }
        changes.groups.set = form.all("groups")
        do {
            let current = try await services.users.users(ids: [id], names: [], match: [], limit: nil, by: web.principal)
            if changes.login == current.first?.login { changes.login = nil }
            _ = try await services.users.update(users: [String(id)], changes: changes, by: web.principal)
        } catch let error as DomainError where error.isInputError {
            return try await refused(form, error.message, returningTo: "/admin/users/\(id)", for: web)
        }
        return pages.redirect(to: "/admin/users/\(id)?done=saved", for: web)
    }

    // MARK: Groups

    struct GroupRow {
        let name: String
        let description: String
        let isActive: Bool
        let members: Int
    }

    struct AdminGroupsView {
        let groups: [GroupRow]
        let error: String?
        let canCreate: Bool
        /// A refused new group's fields, as sent.
        let entered: [String: String]
    }

    func adminGroups(_ web: inout WebRequest) async throws -> Response {
        let draft = try await draft(of: web)
        _ = try web.requireUser()
        let groups = try await services.catalog.groups(ids: [], names: [], withMembers: true, by: web.principal).map {
            GroupRow(name: $0.0.name, description: $0.0.description, isActive: $0.0.isActive, members: $0.1?.count ?? 0)
        }
        let view = AdminGroupsView(groups: groups, error: draft?.error, canCreate: web.principal.has(.creategroups), entered: draft?.entered ?? [:])
        return pages.render("admin_groups", title: "Groups", page: view, for: web)
    }

    func adminCreateGroup(_ web: inout WebRequest) async throws -> Response {
        _ = try web.requireUser()
        let form = try await web.form()
        do {
            _ = try await services.catalog.createGroup(
                name: form.text("name") ?? "", description: form.text("description") ?? "", isActive: true, by: web.principal)
        } catch let error as DomainError where error.isInputError {
            return try await refused(form, error.message, returningTo: "/admin/groups", for: web)
        }
        return pages.redirect(to: "/admin/groups?done=created", for: web)
    }

    // MARK: Products

    struct ProductRow {
        let name: String
        let description: String
        let link: String
        let components: Int
        let isActive: Bool
    }

    struct AdminProductsView {
        let products: [ProductRow]
        let error: String?
        /// A refused new product's fields, as sent.
        let entered: [String: String]
    }

    func adminProducts(_ web: inout WebRequest) async throws -> Response {
        let draft = try await draft(of: web)
        _ = try web.requireUser()
        try web.principal.require(.editcomponents, action: "edit products")
        let products = try await services.catalog.fieldData().products.map {
            ProductRow(
                name: $0.name, description: $0.description, link: "/admin/products/" + Self.pathEscaped($0.name),
                components: $0.components.count, isActive: $0.isActive)
        }
        let view = AdminProductsView(products: products, error: draft?.error, entered: draft?.entered ?? ["version": "unspecified"])
        return pages.render("admin_products", title: "Products", page: view, for: web)
    }

    func adminCreateProduct(_ web: inout WebRequest) async throws -> Response {
        _ = try web.requireUser()
        let form = try await web.form()
        let name = form.text("name") ?? ""
        do {
            _ = try await services.catalog.createProduct(
                .init(name: name, description: form.text("description") ?? "", version: form.text("version") ?? ""), by: web.principal)
        } catch let error as DomainError where error.isInputError {
            return try await refused(form, error.message, returningTo: "/admin/products", for: web)
        }
        return pages.redirect(to: "/admin/products/" + Self.pathEscaped(name) + "?done=created", for: web)
    }

    struct AdminProductView {
        struct ComponentRow {
            let name: String
            let description: String
            let assignee: String
        }
        let name: String
        let description: String
        let action: String
        let components: [ComponentRow]
        let versions: [String]
        let milestones: [String]
        let error: String?
        /// A refused or unsaved form's fields, as sent: a new component's, version's or milestone's.
        let entered: [String: String]
        let note: String?
    }

    /// The fields of the product page's parts: each button saves its own and keeps the others.
    static let componentFields: Set<String> = ["component", "description", "assignee"]
    static let valueFields: Set<String> = ["version", "milestone"]

    func adminProduct(_ web: inout WebRequest) async throws -> Response {
        let draft = try await draft(of: web)
        _ = try web.requireUser()
        try web.principal.require(.editcomponents, action: "edit products")
        let name = web.context.parameters.get("name")?.removingPercentEncoding ?? ""
        guard let product = try await services.catalog.product(named: name) else { throw WebError.notFound }
        let view = AdminProductView(
            name: product.name, description: product.description, action: "/admin/products/" + Self.pathEscaped(product.name),
            components: product.components.map { .init(name: $0.name, description: $0.description, assignee: $0.defaultAssignee.login) },
            versions: product.versions.map(\.name), milestones: product.milestones.map(\.name), error: draft?.error,
            entered: draft?.entered ?? [:], note: draft?.note)
        return pages.render("admin_product", title: "Product \(product.name)", page: view, for: web)
    }

    func adminCreateComponent(_ web: inout WebRequest) async throws -> Response {
        _ = try web.requireUser()
        let name = web.context.parameters.get("name")?.removingPercentEncoding ?? ""
        let form = try await web.form()
        do {
            _ = try await services.catalog.createComponent(
                .init(
                    product: name, name: form.text("component") ?? "", description: form.text("description") ?? "",
                    defaultAssignee: form.text("assignee") ?? ""),
                by: web.principal)
        } catch let error as DomainError where error.isInputError {
            return try await refused(form, error.message, returningTo: "/admin/products/" + Self.pathEscaped(name), for: web)
        }
        return try await saved(form, keeping: Self.valueFields, returningTo: "/admin/products/" + Self.pathEscaped(name) + "?done=created", for: web)
    }

    /// `POST …/values`, the Add version and Add milestone buttons of the product page's form.
    func adminAddValue(_ web: inout WebRequest) async throws -> Response {
        _ = try web.requireUser()
        let name = web.context.parameters.get("name")?.removingPercentEncoding ?? ""
        let form = try await web.form()
        guard let kind = form["kind"].flatMap(CatalogService.ProductValueKind.init) else { throw WebError.badRequest("Choose version or milestone.") }
        do {
            _ = try await services.catalog.addValue(kind, named: form[kind.rawValue] ?? "", to: name, by: web.principal)
        } catch let error as DomainError where error.isInputError {
            return try await refused(form, error.message, returningTo: "/admin/products/" + Self.pathEscaped(name), for: web)
        }
        let others = Self.componentFields.union(Self.valueFields.subtracting([kind.rawValue]))
        return try await saved(form, keeping: others, returningTo: "/admin/products/" + Self.pathEscaped(name) + "?done=created", for: web)
    }

    static func pathEscaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~"))) ?? ""
    }

    // MARK: Workflow

    struct WorkflowView {
        struct Cell {
            let name: String
            let label: String
            let allowed: Bool
        }
        struct Row {
            let from: String
            let cells: [Cell]
        }
        let name: String
        let statuses: [String]
        let openStatuses: String
        let rows: [Row]
        let shipped: [Option]
        let error: String?
    }

    /// The table of moves; after a refused save, with the boxes as they were sent.
    func adminWorkflow(_ web: inout WebRequest) async throws -> Response {
        let draft = try await draft(of: web)
        let entered = draft?.form
        let error = draft?.error
        _ = try web.requireUser()
        try web.principal.require(.admin, action: "change the workflow")
        let workflow = try await services.catalog.workflow()
        let names = workflow.statuses.map(\.name)
        let rows = ([nil] + names.map(Optional.some)).map { from in
            WorkflowView.Row(
                from: from ?? "(new bug)",
                cells: names.filter { $0 != from }.map { to in
                    WorkflowView.Cell(
                        name: "t:\(from ?? ""):\(to)", label: "\(from ?? "new bug") to \(to)",
                        allowed: entered.map { $0["t:\(from ?? ""):\(to)"] != nil } ?? workflow.allows(from: from, to: to))
                })
        }
        let view = WorkflowView(
            name: workflow.name, statuses: names, openStatuses: workflow.statuses.filter(\.isOpen).map(\.name).joined(separator: ", "),
            rows: rows, shipped: Option.list(Workflow.shipped.keys.sorted(), selected: workflow.name), error: error)
        return pages.render("admin_workflow", title: "Workflow", page: view, for: web)
    }

    /// Either switches to a shipped workflow or saves the table of allowed moves.
    func adminSaveWorkflow(_ web: inout WebRequest) async throws -> Response {
        _ = try web.requireUser()
        let form = try await web.form()
        do {
            if let name = form["shipped"] {
                guard let workflow = Workflow.shipped[name] else { throw WebError.badRequest("There is no shipped workflow named '\(name)'.") }
                try await services.catalog.useWorkflow(workflow, by: web.principal)
            } else {
                var workflow = try await services.catalog.workflow()
                let kept = Dictionary(workflow.transitions.map { ("\($0.from ?? ""):\($0.to)", $0.commentRequired) }, uniquingKeysWith: { a, _ in a })
                workflow.transitions = form.pairs.compactMap { name, _ in
                    guard name.hasPrefix("t:") else { return nil }
                    let parts = name.dropFirst(2).split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                    guard parts.count == 2, workflow.status(named: parts[1]) != nil, parts[0].isEmpty || workflow.status(named: parts[0]) != nil else {
                        return nil
                    }
                    return Workflow.Transition(
                        from: parts[0].isEmpty ? nil : parts[0], to: parts[1], commentRequired: kept["\(parts[0]):\(parts[1])"] ?? false)
                }
                guard workflow.transitions.contains(where: { $0.from == nil }) else {
                    throw WebError.badRequest("New bugs need at least one status to start in.")
                }
                try await services.catalog.useWorkflow(workflow, by: web.principal)
            }
        } catch let error as DomainError where error.isInputError {
            return try await refused(form, error.message, returningTo: "/admin/workflow", for: web)
        } catch let error as WebError {
            return try await refused(form, error.statusAndMessage.1, returningTo: "/admin/workflow", for: web)
        }
        return pages.redirect(to: "/admin/workflow?done=saved", for: web)
    }
}

extension DomainError {
    /// Refusals of what was typed, shown beside the form; permission and login failures are
    /// pages of their own.
    var isInputError: Bool {
        switch self {
        case .loginRequired, .notInGroup, .groupAccessDenied, .accountDisabled: false
        default: true
        }
    }
}

/// The job queue for administrators: how many jobs wait, and the dead ones with a retry button.
extension WebUI {
    struct JobsView {
        struct Row {
            let id: Int
            let kind: String
            let attempts: Int
            let created: String
            let error: String
        }
        let counts: [Option]
        let dead: [Row]
        let hasDead: Bool
    }

    func adminJobs(_ web: inout WebRequest) async throws -> Response {
        _ = try web.requireUser()
        let counts = try await services.jobs.counts(by: web.principal)
        let dead = try await services.jobs.jobs(state: .dead, by: web.principal).map {
            JobsView.Row(id: $0.id, kind: $0.kind, attempts: $0.attempts, created: DateText.minute($0.createdAt), error: $0.lastError)
        }
        let view = JobsView(
            counts: Job.State.allCases.map { Option(value: String(counts[$0] ?? 0), label: $0.rawValue, selected: false) }, dead: dead,
            hasDead: !dead.isEmpty)
        return pages.render("admin_jobs", title: "Job queue", page: view, for: web)
    }

    func adminRetryJob(_ web: inout WebRequest) async throws -> Response {
        _ = try web.requireUser()
        _ = try await web.form()
        try await services.jobs.retry(id: try number("id", in: web), by: web.principal)
        return pages.redirect(to: "/admin/jobs?done=retried", for: web)
    }
}

/// Webhooks for administrators: register, deactivate, and read each one's delivery log.
extension WebUI {
    struct WebhooksView {
        struct Row {
            let id: Int
            let url: String
            let product: String
            let events: String
            let isActive: Bool
        }
        let hooks: [Row]
        let products: [Option]
        let events: [Option]
        let error: String?
        let note: String?
        let url: String
    }

    func adminWebhooks(_ web: inout WebRequest) async throws -> Response {
        let draft = try await draft(of: web)
        let form = draft?.form ?? Form([])
        let error = draft?.error
        _ = try web.requireUser()
        let hooks = try await services.webhooks.webhooks(by: web.principal).map {
            WebhooksView.Row(id: $0.id, url: $0.url, product: $0.product ?? "any", events: $0.events.sorted().joined(separator: ", "), isActive: $0.isActive)
        }
        let products = try await services.catalog.fieldData().products.map(\.name)
        let chosen = Set(form.all("events"))
        let view = WebhooksView(
            hooks: hooks, products: [Option(value: "", label: "Any product", selected: true)] + Option.list(products, selected: form["product"]),
            events: WebhookPayload.events.map { Option(value: $0, label: $0, selected: chosen.isEmpty || chosen.contains($0)) }, error: error,
            note: draft?.note, url: form["url"] ?? "")
        return pages.render("admin_webhooks", title: "Webhooks", page: view, for: web)
    }

    func adminCreateWebhook(_ web: inout WebRequest) async throws -> Response {
        _ = try web.requireUser()
        let form = try await web.form()
        do {
            _ = try await services.webhooks.create(
                url: form["url"] ?? "", secret: form["secret"] ?? "", product: form.text("product"), events: Set(form.all("events")),
                by: web.principal)
        } catch let error as DomainError where error.isInputError {
            return try await refused(form, error.message, returningTo: "/admin/webhooks", for: web)
        }
        return pages.redirect(to: "/admin/webhooks?done=created", for: web)
    }

    /// A deactivate button of the webhooks' form: a new webhook's address being typed is kept.
    func adminDeactivateWebhook(_ web: inout WebRequest) async throws -> Response {
        _ = try web.requireUser()
        let form = try await web.form()
        try await services.webhooks.deactivate(id: try number("id", in: web), by: web.principal)
        return try await saved(form, keeping: ["url"], returningTo: "/admin/webhooks?done=saved", for: web)
    }

    struct DeliveriesView {
        struct Row {
            let when: String
            let event: String
            let job: Int
            let status: String
            let outcome: String
            let duration: Int
        }
        let id: Int
        let url: String
        let rows: [Row]
        let hasRows: Bool
    }

    func adminWebhookDeliveries(_ web: inout WebRequest) async throws -> Response {
        _ = try web.requireUser()
        let (hook, deliveries) = try await services.webhooks.deliveries(of: try number("id", in: web), by: web.principal)
        let rows = deliveries.map {
            DeliveriesView.Row(
                when: DateText.minute($0.attemptedAt), event: $0.event, job: $0.jobID, status: $0.statusCode.map(String.init) ?? "–",
                outcome: $0.outcome, duration: $0.durationMilliseconds)
        }
        return pages.render(
            "admin_deliveries", title: "Deliveries to \(hook.url)", page: DeliveriesView(id: hook.id, url: hook.url, rows: rows, hasRows: !rows.isEmpty),
            for: web)
    }
}
