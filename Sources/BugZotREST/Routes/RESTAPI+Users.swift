import BugZotDomain
import BugZotServices
import BugZotWire
import Hummingbird

extension RESTAPI {
    /// `GET /user` by `ids`, `names` or `match`; `/user/{id_or_name}` names one.
    @Sendable func getUsers(_ call: RESTCall) async throws -> Response {
        let parameters = call.parameters
        let principal = call.principal
        var ids: [Int] = []
        var names = try parameters.strings("names")
        for identifier in try parameters.strings("ids") {
            if let id = Int(identifier) { ids.append(id) } else { names.append(identifier) }
        }
        let match = try parameters.strings("match")
        guard !ids.isEmpty || !names.isEmpty || !match.isEmpty else {
            throw DomainError.missingParameter("ids, names, or match", function: "User.get")
        }
        let users = try await services.users.users(ids: ids, names: names, match: match, limit: try parameters.int("limit"), by: principal)
        let filter = try call.parameters.fieldFilter
        return jsonResponse(["users": .array(users.map { .object(filter.apply(to: present($0, viewer: principal))) })])
    }

    private func present(_ user: User, viewer: Principal) -> JSONObject {
        var object: JSONObject = ["id": .int(user.id), "real_name": .string(user.realName), "name": .string(user.login)]
        guard let viewerUser = viewer.user else { return object }
        object["email"] = .string(user.login)
        object["can_login"] = .bool(user.isEnabled)
        object["email_enabled"] = .bool(user.isEnabled)
        if viewerUser.id == user.id || viewer.has(.editusers) {
            object["groups"] = .array(user.groups.map(Present.group))
            object["login_denied_text"] = .string(user.disabledText)
        }
        return object
    }

    /// `POST /user` (editusers): `email`, `full_name` (python-bugzilla sends `name`), `password`.
    @Sendable func createUser(_ call: RESTCall) async throws -> Response {
        let parameters = call.parameters
        let principal = try call.user()
        let email = try parameters.required("email", function: "User.create")
        let id = try await services.users.create(
            login: email, realName: try parameters.string("full_name") ?? parameters.string("name") ?? "",
            password: try parameters.string("password"), by: principal)
        return jsonResponse(["id": .int(id)], status: .created)
    }

    /// `PUT /user/{id_or_name}` → `{"users":[{id, changes}]}`.
    @Sendable func updateUser(_ call: RESTCall) async throws -> Response {
        let parameters = call.parameters
        let principal = try call.user()
        let identifiers = try parameters.strings("ids") + parameters.strings("names")
        guard !identifiers.isEmpty else { throw DomainError.missingParameter("ids or names", function: "User.update") }
        var changes = UserService.Changes()
        changes.realName = try parameters.string("full_name") ?? parameters.string("real_name")
        changes.login = try parameters.string("email")
        changes.password = try parameters.string("password")
        changes.disabledText = try parameters.string("login_denied_text")
        changes.groups = try parameters.listEdit("groups")
        let results = try await services.users.update(users: identifiers, changes: changes, by: principal)
        return jsonResponse(["users": .array(results.map { ["id": .int($0.id), "changes": Present.changes($0.changes)] })])
    }
}
