import BugZotDomain
import BugZotServices
import BugZotWire
import Hummingbird

extension RESTAPI {
    @Sendable func accessibleProducts(_ call: RESTCall) async throws -> Response {
        jsonResponse(["ids": JSONValue(ints: try await services.catalog.productIDs(enterableOnly: false))])
    }

    @Sendable func enterableProducts(_ call: RESTCall) async throws -> Response {
        jsonResponse(["ids": JSONValue(ints: try await services.catalog.productIDs(enterableOnly: true))])
    }

    /// `GET /product` by `ids`, `names` or `type`; `/product/{id_or_name}` (even the literal
    /// `/product/get` python-bugzilla uses) adds one. Unknown products are silently left out.
    @Sendable func getProducts(_ call: RESTCall) async throws -> Response {
        let parameters = call.parameters
        var ids: [Int] = []
        var names = try parameters.strings("names")
        for identifier in try parameters.strings("ids") {
            if let id = Int(identifier) { ids.append(id) } else { names.append(identifier) }
        }
        let types = try parameters.strings("type")
        if !types.isEmpty {
            ids += try await services.catalog.productIDs(enterableOnly: types.allSatisfy { $0 == "enterable" })
        }
        guard !ids.isEmpty || !names.isEmpty || !types.isEmpty else {
            throw DomainError.missingParameter("ids, names, or type", function: "Product.get")
        }
        let products = try await services.catalog.products(ids: ids, names: names)
        let filter = try call.parameters.fieldFilter
        return jsonResponse(["products": .array(products.map { .object(filter.apply(to: Present.product($0))) })])
    }

    @Sendable func createProduct(_ call: RESTCall) async throws -> Response {
        let parameters = call.parameters
        let principal = try call.user()
        let product = CatalogService.NewProduct(
            name: try parameters.string("name") ?? "", description: try parameters.string("description") ?? "",
            version: try parameters.string("version") ?? "", classification: try parameters.string("classification"),
            defaultMilestone: try parameters.string("default_milestone"), isActive: try parameters.bool("is_open") ?? true,
            allowsUnconfirmed: try parameters.bool("has_unconfirmed") ?? true)
        let id = try await services.catalog.createProduct(product, by: principal)
        return jsonResponse(["id": .int(id)], status: .created)
    }

    /// `POST /component`; python-bugzilla sends `component` and `is_active` for `name` and `is_open`.
    @Sendable func createComponent(_ call: RESTCall) async throws -> Response {
        let parameters = call.parameters
        let principal = try call.user()
        let component = CatalogService.NewComponent(
            product: try parameters.required("product", function: "Component.create"),
            name: try parameters.string("name") ?? parameters.string("component") ?? "",
            description: try parameters.string("description") ?? "",
            defaultAssignee: try parameters.string("default_assignee") ?? "",
            defaultQAContact: try parameters.string("default_qa_contact").flatMap { $0.isEmpty ? nil : $0 },
            defaultCC: try parameters.strings("default_cc"),
            isActive: try parameters.bool("is_open") ?? parameters.bool("is_active") ?? true)
        let id = try await services.catalog.createComponent(component, by: principal)
        return jsonResponse(["id": .int(id)], status: .created)
    }

    @Sendable func getClassification(_ call: RESTCall) async throws -> Response {
        var classifications: [JSONValue] = []
        for identifier in try call.parameters.strings("ids") + call.parameters.strings("names") {
            guard let (classification, products) = try await services.catalog.classification(idOrName: identifier) else {
                throw DomainError.objectNotFound(kind: "classification", name: identifier)
            }
            classifications.append([
                "id": .int(classification.id), "name": .string(classification.name), "description": .string(classification.description),
                "sort_key": .int(classification.sortKey),
                "products": .array(products.map { ["id": .int($0.id), "name": .string($0.name), "description": .string($0.description)] }),
            ])
        }
        return jsonResponse(["classifications": .array(classifications)])
    }

    /// `GET /group` (editusers or creategroups): `ids`, `names`, `membership`.
    @Sendable func getGroups(_ call: RESTCall) async throws -> Response {
        let parameters = call.parameters
        let principal = try call.user()
        let groups = try await services.catalog.groups(
            ids: try parameters.ints("ids"), names: try parameters.strings("names"), withMembers: try parameters.bool("membership") ?? false,
            by: principal)
        return jsonResponse([
            "groups": .array(groups.map { group, members in
                var object: JSONObject = [
                    "id": .int(group.id), "name": .string(group.name), "description": .string(group.description),
                    "is_active": .bool(group.isActive), "is_bug_group": .bool(group.isBugGroup), "user_regexp": "",
                ]
                if let members {
                    object["membership"] = .array(members.map { ["id": .int($0.id), "real_name": .string($0.realName), "name": .string($0.login), "email": .string($0.login)] })
                }
                return .object(object)
            })
        ])
    }

    @Sendable func createGroup(_ call: RESTCall) async throws -> Response {
        let parameters = call.parameters
        let principal = try call.user()
        let id = try await services.catalog.createGroup(
            name: try parameters.string("name") ?? "", description: try parameters.string("description") ?? "",
            isActive: try parameters.bool("is_active") ?? true, by: principal)
        return jsonResponse(["id": .int(id)], status: .created)
    }

    @Sendable func fields(_ call: RESTCall) async throws -> Response {
        let wanted = Set(try call.parameters.strings("field") + call.parameters.strings("names") + call.parameters.strings("ids"))
        var fields = FieldPresenter.fields(try await services.catalog.fieldData())
        if !wanted.isEmpty {
            fields = fields.filter { field in
                guard case .object(let object) = field else { return false }
                return [object["name"]?.text, object["id"]?.text].contains { $0.map(wanted.contains) ?? false }
            }
            if fields.isEmpty, let name = wanted.first { throw DomainError.objectNotFound(kind: "field", name: name) }
        }
        return jsonResponse(["fields": .array(fields)])
    }
}
