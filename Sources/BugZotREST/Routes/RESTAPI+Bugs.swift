import BugZotDomain
import BugZotServices
import BugZotWire
import Foundation
import Hummingbird

extension RESTAPI {
    /// `GET /bug`: search (`BugOperations.search`).
    @Sendable func searchBugs(_ call: RESTCall) async throws -> Response {
        jsonResponse(try await bugs.search(call.parameters, by: call.principal))
    }

    /// `GET /bug/{id_or_alias}` (and `?ids=`), with `permissive` turning errors into faults.
    @Sendable func getBug(_ call: RESTCall) async throws -> Response {
        jsonResponse(try await bugs.get(call.parameters, by: call.principal))
    }

    /// `POST /bug` → `{"id": N}` with status 200, as stock Bugzilla 5 answers.
    @Sendable func createBug(_ call: RESTCall) async throws -> Response {
        jsonResponse(try await bugs.create(call.parameters, by: call.principal))
    }

    /// `PUT /bug/{id}`; a body `ids` list replaces the path id.
    @Sendable func updateBugs(_ call: RESTCall) async throws -> Response {
        jsonResponse(try await bugs.update(call.parameters, by: call.principal))
    }

    /// `GET /bug/{id}/history`.
    @Sendable func history(_ call: RESTCall) async throws -> Response {
        jsonResponse(try await bugs.history(call.parameters, by: call.principal))
    }

    @Sendable func bugComments(_ call: RESTCall) async throws -> Response {
        let principal = call.principal
        let results = try await services.bugs.comments(ofBugs: try call.parameters.strings("ids"), since: try call.parameters.date("new_since"), by: principal)
        var bugs: JSONObject = [:]
        for (bugID, comments) in results { bugs[String(bugID)] = ["comments": .array(comments.map(Present.comment))] }
        var commentMap: JSONObject = [:]
        let commentIDs = try call.parameters.ints("comment_ids")
        if !commentIDs.isEmpty {
            for comment in try await services.bugs.comments(ids: commentIDs, by: principal) { commentMap[String(comment.id)] = Present.comment(comment) }
        }
        return jsonResponse(["bugs": .object(bugs), "comments": .object(commentMap)])
    }

    @Sendable func commentsByID(_ call: RESTCall) async throws -> Response {
        let principal = call.principal
        let ids = try call.parameters.ints("comment_id") + call.parameters.ints("comment_ids")
        var commentMap: JSONObject = [:]
        for comment in try await services.bugs.comments(ids: ids, by: principal) { commentMap[String(comment.id)] = Present.comment(comment) }
        return jsonResponse(["bugs": [:], "comments": .object(commentMap)])
    }

    /// `POST /bug/{id}/comment` → 201 `{"id": <comment id>}`.
    @Sendable func addComment(_ call: RESTCall) async throws -> Response {
        jsonResponse(try await bugs.comment(call.parameters, by: call.principal), status: .created)
    }
}
