import BugZotDomain
import BugZotServices
import BugZotWire
import Foundation
import Hummingbird

extension RESTAPI {
    /// `GET /bug`: search. Bugs the caller can't see are silently left out. With `count_only=1`
    /// (as bugzilla.mozilla.org has it) only `{"bug_count": N}`: the total a paged search walks.
    /// `after=ID` (BugZot's own) gives the page after that bug in the search's order: keyset paging,
    /// so a deep page costs what the first one does, unlike `offset`.
    @Sendable func searchBugs(_ call: RESTCall) async throws -> Response {
        let principal = call.principal
        let fields = call.parameters.has("quicksearch") ? try await services.catalog.fieldData() : nil
        var search = try Self.bugSearch(from: call.parameters, maxSearchResults: maxSearchResults, fields: fields)
        if try call.parameters.bool("count_only") == true {
            return jsonResponse(["bug_count": .int(try await services.bugs.count(search, by: principal))])
        }
        if let after = try call.parameters.int("after") {
            search.after = try await cursor(after: after, order: search.order, by: principal)
        }
        let bugs = try await services.bugs.search(search, by: principal)
        return try await bugList(bugs, call: call, principal: principal, faults: nil)
    }

    /// The place of bug `id` (which the principal must be able to see) in a result sorted by `order`.
    private func cursor(after id: Int, order: [BugOrder], by principal: Principal) async throws -> BugCursor {
        guard order.count <= 1 else {
            throw DomainError.invalidParameter(parameter: "after", reason: "paging after a bug takes at most one order column.")
        }
        return try await services.bugs.cursor(after: id, sortedBy: order.first?.column ?? .id, by: principal)
    }

    /// `GET /bug/{id_or_alias}` (and `?ids=`), with `permissive` turning errors into faults.
    @Sendable func getBug(_ call: RESTCall) async throws -> Response {
        let principal = call.principal
        let permissive = try call.parameters.bool("permissive") ?? false
        let (bugs, faults) = try await services.bugs.bugs(try call.parameters.strings("ids"), permissive: permissive, by: principal)
        let faultList: [JSONValue] = faults.map { identifier, error in
            [
                "id": Int(identifier).map(JSONValue.int) ?? .string(identifier), "faultString": .string(error.message),
                "faultCode": .int(BugzillaError.code(for: error)),
            ]
        }
        return try await bugList(bugs, call: call, principal: principal, faults: faultList)
    }

    private func bugList(_ bugs: [Bug], call: RESTCall, principal: Principal, faults: [JSONValue]?) async throws -> Response {
        let workflow = try await services.catalog.workflow()
        let filter = try call.fieldFilter
        var body: JSONObject = [
            "bugs": .array(bugs.map { .object(filter.apply(to: Present.bug($0, workflow: workflow, viewer: principal))) })
        ]
        if let faults { body["faults"] = .array(faults) }
        return jsonResponse(.object(body))
    }

    /// `POST /bug` → `{"id": N}` with status 200, as stock Bugzilla 5 answers.
    @Sendable func createBug(_ call: RESTCall) async throws -> Response {
        let principal = try call.user()
        let parameters = call.parameters
        let function = "Bug.create"
        var request = BugCreateRequest(
            product: try parameters.required("product", function: function),
            component: try parameters.required("component", function: function),
            version: try parameters.required("version", function: function),
            summary: try parameters.required("summary", function: function))
        request.description = try parameters.string("description") ?? parameters.string("comment") ?? ""
        request.descriptionIsPrivate = try parameters.bool("comment_is_private") ?? false
        request.severity = try parameters.string("severity")
        request.priority = try parameters.string("priority")
        request.opSys = try parameters.string("op_sys")
        request.platform = try parameters.string("platform")
        request.aliases = try parameters.strings("alias").filter { !$0.isEmpty }
        request.assignedTo = try parameters.string("assigned_to").flatMap { $0.isEmpty ? nil : $0 }
        request.qaContact = try parameters.string("qa_contact").flatMap { $0.isEmpty ? nil : $0 }
        request.cc = try parameters.strings("cc")
        request.groups = parameters.has("groups") ? try parameters.strings("groups") : nil
        request.status = try parameters.string("status").flatMap { $0.isEmpty ? nil : $0 }
        request.resolution = try parameters.string("resolution").flatMap { $0.isEmpty ? nil : $0 }
        request.targetMilestone = try parameters.string("target_milestone")
        request.keywords = try parameters.strings("keywords")
        request.blocks = try parameters.ints("blocks")
        request.dependsOn = try parameters.ints("depends_on")
        request.url = try parameters.string("url") ?? ""
        request.whiteboard = try parameters.string("whiteboard") ?? ""
        request.deadline = try parameters.string("deadline").flatMap { $0.isEmpty ? nil : $0 }
        let id = try await services.bugs.create(request, by: principal)
        return jsonResponse(["id": .int(id)])
    }

    /// `PUT /bug/{id}`; a body `ids` list replaces the path id.
    @Sendable func updateBugs(_ call: RESTCall) async throws -> Response {
        let principal = try call.user()
        let parameters = call.parameters
        var request = BugUpdateRequest()
        request.summary = try parameters.string("summary")
        request.product = try parameters.string("product")
        request.component = try parameters.string("component")
        request.version = try parameters.string("version")
        request.targetMilestone = try parameters.string("target_milestone")
        request.status = try parameters.string("status")
        request.resolution = try parameters.string("resolution")
        request.severity = try parameters.string("severity")
        request.priority = try parameters.string("priority")
        request.opSys = try parameters.string("op_sys")
        request.platform = try parameters.string("platform")
        request.url = try parameters.string("url")
        request.whiteboard = try parameters.string("whiteboard")
        request.assignedTo = try parameters.string("assigned_to")
        request.resetAssignedTo = try parameters.bool("reset_assigned_to") ?? false
        request.qaContact = try parameters.string("qa_contact")
        request.resetQAContact = try parameters.bool("reset_qa_contact") ?? false
        if parameters.keys.contains("deadline") {
            request.deadline = .some(try parameters.string("deadline").flatMap { $0.isEmpty ? nil : $0 })
        }
        request.dupeOf = try parameters.int("dupe_of")
        request.isCreatorAccessible = try parameters.bool("is_creator_accessible")
        request.isCCAccessible = try parameters.bool("is_cc_accessible")
        request.aliases = try parameters.listEdit("alias")
        request.keywords = try parameters.listEdit("keywords")
        request.blocks = try parameters.intListEdit("blocks")
        request.dependsOn = try parameters.intListEdit("depends_on")
        request.cc = try parameters.listEdit("cc")
        request.groups = try parameters.listEdit("groups")
        request.seeAlso = try parameters.listEdit("see_also")
        request.comment = try Self.comment(from: parameters)
        for (key, value) in try parameters.object("comment_is_private") ?? [:] {
            guard let id = Int(key) else { throw DomainError.notNumeric(parameter: "comment_is_private", value: key) }
            request.commentPrivacy[id] = try RESTParameters.flag(value, parameter: "comment_is_private")
        }
        let identifiers = try parameters.strings("ids")
        guard !identifiers.isEmpty else { throw DomainError.missingParameter("ids", function: "Bug.update") }
        let results = try await services.bugs.update(identifiers, with: request, by: principal)
        return jsonResponse([
            "bugs": .array(results.map { result in
                [
                    "id": .int(result.id), "alias": JSONValue(strings: result.aliases),
                    "last_change_time": JSONValue(date: result.lastChangeTime), "changes": Present.changes(result.changes),
                ]
            })
        ])
    }

    /// `comment: {body | comment, is_private}` or a bare string.
    private static func comment(from parameters: RESTParameters) throws -> NewComment? {
        guard case .object(let object)? = parameters.values["comment"] else {
            return try parameters.string("comment").map { NewComment(text: $0, isPrivate: false) }
        }
        let fields = RESTParameters(body: object)
        if let unknown = object.keys.sorted().first(where: { !["body", "comment", "is_private"].contains($0) }) {
            throw DomainError.invalidParameter(parameter: "comment", reason: "'\(unknown)' is not one of body, comment or is_private.")
        }
        guard let text = try fields.string("body") ?? fields.string("comment") else { return nil }
        return NewComment(text: text, isPrivate: try fields.bool("is_private") ?? false)
    }

    @Sendable func history(_ call: RESTCall) async throws -> Response {
        let principal = call.principal
        let results = try await services.bugs.history(try call.parameters.strings("ids"), since: try call.parameters.date("new_since"), by: principal)
        return jsonResponse([
            "bugs": .array(results.map { bug, history in
                ["id": .int(bug.id), "alias": JSONValue(strings: bug.aliases), "history": .array(history.map(Present.history))]
            })
        ])
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
        let principal = try call.user()
        let parameters = call.parameters
        guard let text = try parameters.string("comment") ?? parameters.string("text"),
            !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        else { throw DomainError.missingParameter("comment", function: "Bug.add_comment") }
        guard let identifier = try parameters.strings("ids").first else { throw DomainError.missingParameter("id", function: "Bug.add_comment") }
        let comment = try await services.bugs.addComment(
            to: identifier, NewComment(text: text, isPrivate: try parameters.bool("is_private") ?? false), by: principal)
        return jsonResponse(["id": .int(comment.id)], status: .created)
    }
}
