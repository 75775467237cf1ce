import BugZotDomain
import BugZotServices
import Foundation

extension BugOperations {
    /// `POST /bug` → `{"id": N}`: files a bug (signed in only).
    public func create(_ parameters: WireParameters, by principal: Principal) async throws -> JSONValue {
        _ = try principal.requireUser()
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
        return ["id": .int(id)]
    }

    /// `PUT /bug/{id}` (`ids`: the bugs, by id or alias) → `{"bugs": [{id, alias,
    /// last_change_time, changes}]}`: changes each bug (signed in only).
    public func update(_ parameters: WireParameters, by principal: Principal) async throws -> JSONValue {
        _ = try principal.requireUser()
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
            request.commentPrivacy[id] = try WireParameters.flag(value, parameter: "comment_is_private")
        }
        let identifiers = try parameters.strings("ids")
        guard !identifiers.isEmpty else { throw DomainError.missingParameter("ids", function: "Bug.update") }
        let results = try await services.bugs.update(identifiers, with: request, by: principal)
        return [
            "bugs": .array(results.map { result in
                [
                    "id": .int(result.id), "alias": JSONValue(strings: result.aliases),
                    "last_change_time": JSONValue(date: result.lastChangeTime), "changes": Present.changes(result.changes),
                ]
            })
        ]
    }

    /// `comment: {body | comment, is_private}` or a bare string.
    private static func comment(from parameters: WireParameters) throws -> NewComment? {
        guard case .object(let object)? = parameters.values["comment"] else {
            return try parameters.string("comment").map { NewComment(text: $0, isPrivate: false) }
        }
        let fields = WireParameters(body: object)
        if let unknown = object.keys.sorted().first(where: { !["body", "comment", "is_private"].contains($0) }) {
            throw DomainError.invalidParameter(parameter: "comment", reason: "'\(unknown)' is not one of body, comment or is_private.")
        }
        guard let text = try fields.string("body") ?? fields.string("comment") else { return nil }
        return NewComment(text: text, isPrivate: try fields.bool("is_private") ?? false)
    }

    /// `POST /bug/{id}/comment` (`ids`: the bug; `comment` or `text`; `is_private`) →
    /// `{"id": <comment id>}` (signed in only).
    public func comment(_ parameters: WireParameters, by principal: Principal) async throws -> JSONValue {
        _ = try principal.requireUser()
        guard let text = try parameters.string("comment") ?? parameters.string("text"),
            !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        else { throw DomainError.missingParameter("comment", function: "Bug.add_comment") }
        guard let identifier = try parameters.strings("ids").first else { throw DomainError.missingParameter("id", function: "Bug.add_comment") }
        let comment = try await services.bugs.addComment(
            to: identifier, NewComment(text: text, isPrivate: try parameters.bool("is_private") ?? false), by: principal)
        return ["id": .int(comment.id)]
    }
}
