import BugZotDomain
import BugZotHTTP
import BugZotServices
import BugZotStorage
import Foundation
import Hummingbird

/// The home page, the bug list with its filters and pages, and saved searches.
extension WebUI {
    static let pageSize = 50

    struct HomeView {
        struct Section {
            let title: String
            let id: String
            let rows: [BugRow]
            let hasRows: Bool
            let link: String
        }
        let signedIn: Bool
        let sections: [Section]
        let searches: [SavedSearchView]
        let hasSearches: Bool
    }

    struct SavedSearchView {
        let id: Int
        let name: String
        let link: String
    }

    /// Signed in: open bugs assigned to, reported by, and CC'd to the user; else a welcome.
    func home(_ web: inout WebRequest) async throws -> Response {
        guard let user = web.principal.user else {
            return pages.render("home", title: "BugZot", page: HomeView(signedIn: false, sections: [], searches: [], hasSearches: false), for: web)
        }
        var sections: [HomeView.Section] = []
        for (title, id, field) in [("Assigned to me", "assigned", "assigned_to"), ("Reported by me", "reported", "reporter"), ("I am CC'd on", "cc", "cc")] {
            var search = BugSearch()
            search.conditions = [[FieldCondition(field: field, op: .equals, value: user.login)]]
            search.statuses = try await services.catalog.workflow().statuses.filter(\.isOpen).map(\.name)
            search.order = [BugOrder(column: .lastChangeTime, descending: true)]
            search.limit = Self.pageSize
            let rows = try await services.bugs.search(search, by: web.principal).map { BugRow($0, names: PersonNames(for: web.principal)) }
            let listField = field == "reporter" ? "reporter" : field == "cc" ? "cc" : "assignee"
            let link = "/bugs?" + FormEncoding.encode([(listField, user.login), ("sort", "lastChangeTime"), ("desc", "1")])
            sections.append(.init(title: title, id: id, rows: rows, hasRows: !rows.isEmpty, link: link))
        }
        let searches = try await savedSearchViews(web)
        return pages.render(
            "home", title: "My bugs", page: HomeView(signedIn: true, sections: sections, searches: searches, hasSearches: !searches.isEmpty),
            for: web)
    }

    private func savedSearchViews(_ web: WebRequest) async throws -> [SavedSearchView] {
        try await services.accounts.savedSearches(by: web.principal).map {
            SavedSearchView(id: $0.id, name: $0.name, link: "/bugs?" + $0.query)
        }
    }

    /// The filters of the bug list, as its bookmarkable address carries them.
    struct ListQuery {
        static let sortable: [(BugOrder.Column, String)] = [
            (.id, "ID"), (.summary, "Summary"), (.status, "Status"), (.product, "Product"), (.component, "Component"),
            (.assignee, "Assignee"), (.severity, "Severity"), (.priority, "Priority"), (.lastChangeTime, "Changed"),
        ]
        /// Filters people type, kept as they were typed.
        static let filterNames = [
            "product", "component", "version", "target_milestone", "status", "priority", "severity", "assignee", "reporter", "cc", "q",
            "quicksearch",
        ]
        /// Parameters the list reads besides its filters.
        static let otherNames = ["sort", "desc", "after", "after_value", "name", "done"]

        var filters: [String: String] = [:]
        var sort = BugOrder.Column.id
        var descending = false
        var after: BugCursor?
        /// Parameters of the address the list does not know, which it does not apply.
        var unknownNames: [String] = []

        init(_ query: Form) throws {
            for name in Self.filterNames { filters[name] = query.text(name) }
            unknownNames = query.pairs.map(\.0).filter { !Self.filterNames.contains($0) && !Self.otherNames.contains($0) }
            if let sort = query["sort"] {
                guard let column = BugOrder.Column(rawValue: sort), Self.sortable.contains(where: { $0.0 == column }) else {
                    throw WebError.badRequest("The list can't be sorted by '\(sort)'.")
                }
                self.sort = column
            }
            descending = query["desc"] == "1"
            if let rawID = query["after"] {
                guard let id = Int(rawID) else { throw WebError.badRequest("The page position '\(rawID)' is not valid.") }
                let raw = query["after_value"] ?? ""
                guard let value = sort.isNumeric ? Int(raw).map(BugOrder.Value.number) : .text(raw) else {
                    throw WebError.badRequest("The page position '\(raw)' is not valid.")
                }
                after = BugCursor(value: value, id: id)
            }
        }

        /// The filters and sort as query pairs, without the page position.
        var pairs: [(String, String)] {
            var pairs = Self.filterNames.compactMap { name in filters[name].map { (name, $0) } }
            if sort != .id { pairs.append(("sort", sort.rawValue)) }
            if descending { pairs.append(("desc", "1")) }
            return pairs
        }

        /// Spells each choice filter as the installation does (case-insensitively, within the chosen
        /// product), and says which values name nothing: those stay as typed and match no bug.
        mutating func resolveChoices(_ fields: CatalogService.FieldData) -> [String] {
            let products = chosenProducts(fields)
            var notices: [String] = []
            if let status = filters["status"], !["open", "closed", "all"].contains(status),
                !fields.workflow.statuses.contains(where: { $0.name == status }) {
                notices.append("There is no status '\(status)': no bug matches it.")
            }
            if let product = filters["product"], products.isEmpty { notices.append("There is no product '\(product)'.") }
            let inProduct = filters["product"].map { " in \($0)" } ?? ""
            let choices: [(name: String, label: String, values: [String])] = [
                ("component", "component", products.flatMap { $0.components.map(\.name) }),
                ("version", "version", products.flatMap { $0.versions.map(\.name) }),
                ("target_milestone", "target milestone", products.flatMap { $0.milestones.map(\.name) }),
                ("priority", "priority", fields.catalog.priorities),
                ("severity", "severity", fields.catalog.severities),
            ]
            for (name, label, values) in choices {
                guard let typed = filters[name] else { continue }
                if let value = values.first(where: { $0.caseInsensitiveCompare(typed) == .orderedSame }) {
                    filters[name] = value
                } else {
                    let scope = name == "priority" || name == "severity" ? "" : inProduct
                    notices.append("There is no \(label) '\(typed)'\(scope): no bug matches it.")
                }
            }
            return notices
        }

        /// The product the list filters by, or every product when it filters by none.
        func chosenProducts(_ fields: CatalogService.FieldData) -> [Product] {
            fields.products.filter { product in filters["product"].map { $0 == product.name } ?? true }
        }

        /// The status filter: as chosen, else open bugs — or, for a quicksearch, whatever its status words say.
        var status: String { filters["status"] ?? (filters["quicksearch"] == nil ? "open" : "all") }

        /// A bug number typed alone in the search box (`12`, `#12` or `bug 12` are not: they are searches).
        var quicksearchBugNumber: Int? {
            guard let text = filters["quicksearch"]?.trimmingCharacters(in: .whitespaces), text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                return nil
            }
            return Int(text)
        }

        /// The search the filters ask for; a quicksearch's `P1` means the catalog's first of
        /// `priorities`, and its `product:` the names of `products` (every product's) it fits.
        func search(workflow: Workflow, priorities: [String], products: [String]) throws(DomainError) -> BugSearch {
            var search = BugSearch()
            if let product = filters["product"] { search.products = [product] }
            if let component = filters["component"] { search.components = [component] }
            if let version = filters["version"] { search.versions = [version] }
            if let milestone = filters["target_milestone"] { search.targetMilestones = [milestone] }
            if let priority = filters["priority"] { search.priorities = [priority] }
            if let severity = filters["severity"] { search.severities = [severity] }
            switch status {
            case "open": search.statuses = workflow.statuses.filter(\.isOpen).map(\.name)
            case "closed": search.statuses = workflow.statuses.filter { !$0.isOpen }.map(\.name)
            case "all": break
            case let status: search.statuses = [status]
            }
            if let assignee = filters["assignee"] { search.assignees = [assignee] }
            if let reporter = filters["reporter"] { search.reporters = [reporter] }
            if let cc = filters["cc"] { search.cc = [cc] }
            if let text = filters["q"] {
                // Each word or "quoted phrase": part of the summary, the alias or id, or (by the
                // beginnings of words) in the comments and attachments the viewer may see.
                for part in TextQuery.phrases(of: text).prefix(10) {
                    var alternatives = [FieldCondition(field: "short_desc", op: .substring, value: part), FieldCondition(field: "alias", op: .equals, value: part)]
                    if Int(part) != nil { alternatives.append(FieldCondition(field: "bug_id", op: .equals, value: part)) }
                    if let content = FieldCondition.content(part, op: .substring) { alternatives.append(content) }
                    search.conditions.append(alternatives)
                }
            }
            if let text = filters["quicksearch"] {
                // Bugzilla's quicksearch, as REST reads it.
                search.conditions += try QuickSearch.conditions(
                    text, statuses: Set(workflow.statuses.map(\.name)), resolutions: Set(workflow.resolutions), priorities: priorities,
                    products: products)
            }
            search.order = [BugOrder(column: sort, descending: descending)]
            search.after = after
            search.limit = WebUI.pageSize + 1
            return search
        }
    }

    struct BugListView {
        struct Column {
            let label: String
            let link: String
            /// `aria-sort` for the column the list is sorted by.
            let ariaSort: String?
            let arrow: String
        }
        let products: [Option]
        let components: [Option]
        let versions: [Option]
        let milestones: [Option]
        let priorities: [Option]
        let severities: [Option]
        let statuses: [Option]
        /// What the list could not apply as asked: unknown parameters and values.
        let notices: [String]
        /// How many bugs match, on every page together.
        let count: Int
        let assignee: String
        let reporter: String
        let cc: String
        let text: String
        /// Bugzilla's quicksearch text, as the search box sent it.
        let quicksearch: String
        let columns: [Column]
        let rows: [BugRow]
        let hasRows: Bool
        let nextPage: String?
        let firstPage: String?
        let query: String
        /// A name typed for saving the search, kept when the filters are applied.
        let searchName: String
        let signedIn: Bool
        let searches: [SavedSearchView]
        let hasSearches: Bool
    }

    /// `/bugs`: filters, sortable columns, the number of matches, and pages by position.
    func bugList(_ web: inout WebRequest) async throws -> Response {
        var list = try ListQuery(web.query)
        let workflow = try await services.catalog.workflow()
        let fields = try await services.catalog.fieldData()
        let notices = list.unknownNames.map { "The list has no filter '\($0)': it was not applied." } + list.resolveChoices(fields)
        if let response = try await openTypedBug(list, web: web) { return response }
        let search = try list.search(workflow: workflow, priorities: fields.catalog.priorities, products: fields.products.map(\.name))
        var bugs = try await services.bugs.search(search, by: web.principal)
        let hasMore = bugs.count > Self.pageSize
        // A first page that holds every match is its own count.
        let count = list.after == nil && !hasMore ? bugs.count : try await services.bugs.count(search, by: web.principal)
        bugs = Array(bugs.prefix(Self.pageSize))
        let base = list.pairs
        var nextPage: String?
        if hasMore, let last = bugs.last {
            let cursor = BugCursor(after: last, sortedBy: list.sort)
            let value: String = switch cursor.value {
            case .number(let number): String(number)
            case .text(let text): text
            }
            nextPage = "/bugs?" + FormEncoding.encode(base + [("after", String(cursor.id)), ("after_value", value)])
        }
        let columns = ListQuery.sortable.map { column, label in
            let isSorted = column == list.sort
            var pairs = base.filter { $0.0 != "sort" && $0.0 != "desc" }
            if column != .id { pairs.append(("sort", column.rawValue)) }
            if isSorted, !list.descending { pairs.append(("desc", "1")) }
            return BugListView.Column(
                label: label, link: "/bugs?" + FormEncoding.encode(pairs),
                ariaSort: isSorted ? (list.descending ? "descending" : "ascending") : nil,
                arrow: isSorted ? (list.descending ? "▼" : "▲") : "")
        }
        let productNames = fields.products.map(\.name).sorted()
        let status = list.status
        let statusOptions = [Option(value: "open", label: "Open", selected: status == "open"),
                             Option(value: "closed", label: "Closed", selected: status == "closed"),
                             Option(value: "all", label: "Any status", selected: status == "all")]
            + Option.list(workflow.statuses.map(\.name), selected: status)
        let searches = try await savedSearchViews(web)
        let chosen = list.chosenProducts(fields)
        func choices(_ name: String, _ any: String, _ values: [String]) -> [Option] {
            var values = values.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            if let typed = list.filters[name], !values.contains(typed) { values.append(typed) }
            return [Option(value: "", label: any, selected: list.filters[name] == nil)] + Option.list(values, selected: list.filters[name])
        }
        let view = BugListView(
            products: [Option(value: "", label: "Any product", selected: list.filters["product"] == nil)]
                + Option.list(productNames, selected: list.filters["product"]),
            components: choices("component", "Any component", chosen.flatMap { $0.components.map(\.name) }.sorted()),
            versions: choices("version", "Any version", chosen.flatMap { $0.versions.map(\.name) }),
            milestones: choices("target_milestone", "Any milestone", chosen.flatMap { $0.milestones.map(\.name) }),
            priorities: choices("priority", "Any priority", fields.catalog.priorities),
            severities: choices("severity", "Any severity", fields.catalog.severities),
            statuses: statusOptions, notices: notices, count: count, assignee: list.filters["assignee"] ?? "",
            reporter: list.filters["reporter"] ?? "", cc: list.filters["cc"] ?? "", text: list.filters["q"] ?? "",
            quicksearch: list.filters["quicksearch"] ?? "",
            columns: columns, rows: bugs.map { BugRow($0, names: PersonNames(for: web.principal)) }, hasRows: !bugs.isEmpty, nextPage: nextPage,
            firstPage: list.after == nil ? nil : "/bugs?" + FormEncoding.encode(base),
            query: FormEncoding.encode(base), searchName: web.query["name"] ?? "", signedIn: !web.principal.isAnonymous, searches: searches, hasSearches: !searches.isEmpty)
        return pages.render("bug_list", title: "Bugs", page: view, for: web)
    }

    /// A bug number or alias typed alone in the search box opens that bug. A number always goes to
    /// its page, which says the same of a missing bug as of a hidden one; an alias only when the
    /// viewer may see its bug (else it is searched for, finding nothing, as a missing one would).
    private func openTypedBug(_ list: ListQuery, web: WebRequest) async throws -> Response? {
        if let id = list.quicksearchBugNumber { return pages.redirect(to: "/bug/\(id)", for: web) }
        guard let text = list.filters["quicksearch"]?.trimmingCharacters(in: .whitespaces), InputRules.isValidAlias(text), Int(text) == nil else {
            return nil
        }
        let found = try await services.bugs.bugs([text], permissive: true, by: web.principal).bugs
        return found.first.map { pages.redirect(to: "/bug/\($0.id)", for: web) }
    }

    struct SaveSearchView {
        let name: String
        let query: String
        let description: String
        let listLink: String
    }

    /// `GET /searches/new`: the filter form's Save button, with the filters as typed (applied or
    /// not) and the name: a page that saves them, so that nothing typed on the list is lost.
    func saveSearchPage(_ web: inout WebRequest) async throws -> Response {
        _ = try web.requireUser()
        let pairs = try ListQuery(web.query).pairs
        let query = FormEncoding.encode(pairs)
        let description = pairs.isEmpty ? "no filters (open bugs)" : pairs.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        let view = SaveSearchView(
            name: web.query["name"] ?? "", query: query, description: description,
            listLink: "/bugs?" + FormEncoding.encode(pairs + [("name", web.query["name"] ?? "")]))
        return pages.render("search_save", title: "Save a search", page: view, for: web)
    }

    func saveSearch(_ web: inout WebRequest) async throws -> Response {
        _ = try web.requireUser()
        let form = try await web.form()
        // Only what the list understands is kept, in its own spelling, from the first page.
        let filters = FormEncoding.decode(form["query"] ?? "").filter { $0.0 != "after" && $0.0 != "after_value" }
        let query = FormEncoding.encode(try ListQuery(Form(filters)).pairs)
        try await services.accounts.saveSearch(name: form["name"] ?? "", query: query, by: web.principal)
        return pages.redirect(to: "/bugs?" + query + (query.isEmpty ? "" : "&") + "done=search_saved", for: web)
    }

    func deleteSearch(_ web: inout WebRequest) async throws -> Response {
        _ = try web.requireUser()
        _ = try await web.form()
        try await services.accounts.deleteSavedSearch(id: try number("id", in: web), by: web.principal)
        return pages.redirect(to: "/?done=search_deleted", for: web)
    }
}
