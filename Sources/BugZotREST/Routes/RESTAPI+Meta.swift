import BugZotDomain
import BugZotServices
import BugZotWire
import Foundation
import Hummingbird

extension RESTAPI {
    /// The Bugzilla version BugZot speaks; python-bugzilla reads `X.Y` from it.
    static let bugzillaVersion = "5.0.4"

    @Sendable func version(_ call: RESTCall) async throws -> Response {
        jsonResponse(["version": .string(Self.bugzillaVersion)])
    }

    @Sendable func extensions(_ call: RESTCall) async throws -> Response {
        jsonResponse(["extensions": [:]])
    }

    @Sendable func timezone(_ call: RESTCall) async throws -> Response {
        jsonResponse(["timezone": "+0000"])
    }

    @Sendable func time(_ call: RESTCall) async throws -> Response {
        let now = JSONValue(date: Date())
        return jsonResponse([
            "db_time": now, "web_time": now, "web_time_utc": now, "tz_name": "UTC", "tz_short_name": "UTC", "tz_offset": "+0000",
        ])
    }

    @Sendable func parameters(_ call: RESTCall) async throws -> Response {
        jsonResponse(["parameters": ["maintainer": "", "requirelogin": "0", "maxattachmentsize": .int(bodyLimit / 1024)]])
    }

    /// `GET /login?login=&password=` → `{id, token}`; already signed in → `{id}`.
    @Sendable func login(_ call: RESTCall) async throws -> Response {
        let parameters = call.parameters
        // Already signed in: just say who. A stale token here is ignored, as python-bugzilla sends one.
        let existing: Credentials? =
            try parameters.string("Bugzilla_api_key").map(Credentials.apiKey) ?? parameters.string("Bugzilla_token").map(Credentials.token)
        if let existing, let user = try? await services.auth.principal(for: existing, clientAddress: call.clientAddress).user {
            return jsonResponse(["id": .int(user.id)])
        }
        let login = try parameters.required("login", function: "User.login")
        let password = try parameters.required("password", function: "User.login")
        let (userID, token) = try await services.auth.login(login: login, password: password, clientAddress: call.clientAddress)
        return jsonResponse(["id": .int(userID), "token": .string(token)])
    }

    @Sendable func logout(_ call: RESTCall) async throws -> Response {
        if let token = try call.parameters.string("Bugzilla_token") ?? call.parameters.string("token") {
            try await services.auth.logout(token: token)
        }
        return jsonResponse(["result": .null])
    }

    /// Whether the given token or API key belongs to `login`.
    @Sendable func validLogin(_ call: RESTCall) async throws -> Response {
        let login = try call.parameters.required("login", function: "User.valid_login")
        let user = call.principal.user
        return jsonResponse(["result": .bool(user?.login == login.lowercased())])
    }
}
