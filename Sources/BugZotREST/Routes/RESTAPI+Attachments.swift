import BugZotDomain
import BugZotServices
import BugZotWire
import Foundation
import Hummingbird

extension RESTAPI {
    /// `POST /bug/{id}/attachment` with base64 `data` → 201 `{"ids": [...]}`; body `ids` attaches
    /// one copy to each listed bug.
    @Sendable func addAttachment(_ call: RESTCall) async throws -> Response {
        let principal = try call.user()
        let parameters = call.parameters
        let function = "Bug.add_attachment"
        guard let encoded = try parameters.string("data") else { throw DomainError.missingParameter("data", function: function) }
        guard let data = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else { throw DomainError.invalidAttachmentData }
        let isPatch = try parameters.bool("is_patch") ?? false
        let details = AttachmentRules.Details(
            fileName: try parameters.required("file_name", function: function),
            summary: try parameters.required("summary", function: function),
            contentType: try parameters.string("content_type").flatMap { $0.isEmpty ? nil : $0 }, isPatch: isPatch,
            isPrivate: try parameters.bool("is_private") ?? false)
        let ids = try await services.attachments.create(
            on: try parameters.strings("ids"), data: [UInt8](data), details: details, comment: try parameters.string("comment"), by: principal)
        return jsonResponse(["ids": JSONValue(ints: ids)], status: .created)
    }

    /// `GET /bug/attachment/{attachment_id}` → `{"bugs": {}, "attachments": {"N": A}}`.
    @Sendable func attachmentsByID(_ call: RESTCall) async throws -> Response {
        let ids = try call.parameters.ints("attachment_id") + call.parameters.ints("attachment_ids")
        let attachments = try await services.attachments.attachments(ids: ids, by: call.principal)
        var map: JSONObject = [:]
        for attachment in attachments { map[String(attachment.id)] = try await present(attachment, call: call) }
        return jsonResponse(["bugs": [:], "attachments": .object(map)])
    }

    /// `GET /bug/{id}/attachment` → `{"bugs": {"N": [A]}, "attachments": {}}`.
    @Sendable func bugAttachments(_ call: RESTCall) async throws -> Response {
        let results = try await services.attachments.attachments(ofBugs: try call.parameters.strings("ids"), by: call.principal)
        var bugs: JSONObject = [:]
        for (bugID, attachments) in results {
            var list: [JSONValue] = []
            for attachment in attachments { list.append(try await present(attachment, call: call)) }
            bugs[String(bugID)] = .array(list)
        }
        return jsonResponse(["bugs": .object(bugs), "attachments": [:]])
    }

    /// `PUT /bug/attachment/{attachment_id}` → `{"attachments": [{id, last_change_time, changes}]}`.
    @Sendable func updateAttachments(_ call: RESTCall) async throws -> Response {
        let principal = try call.user()
        let parameters = call.parameters
        let ids = try parameters.ints("ids")
        guard !ids.isEmpty else { throw DomainError.missingParameter("ids", function: "Bug.update_attachment") }
        var changes = AttachmentService.Changes()
        changes.fileName = try parameters.string("file_name")
        changes.summary = try parameters.string("summary")
        changes.contentType = try parameters.string("content_type")
        changes.isPatch = try parameters.bool("is_patch")
        changes.isObsolete = try parameters.bool("is_obsolete")
        changes.isPrivate = try parameters.bool("is_private")
        changes.comment = try parameters.string("comment")
        let results = try await services.attachments.update(ids: ids, changes: changes, by: principal)
        return jsonResponse([
            "attachments": .array(results.map { attachment, changes in
                [
                    "id": .int(attachment.id), "last_change_time": JSONValue(date: attachment.lastChangeTime),
                    "changes": Present.changes(changes.map { FieldChange(field: Self.apiName(of: $0.field), removed: $0.removed, added: $0.added) }),
                ]
            })
        ])
    }

    /// Bugzilla's attachment shape; `data` is read only when the field filter keeps it.
    private func present(_ attachment: Attachment, call: RESTCall) async throws -> JSONValue {
        var object = Present.attachment(attachment)
        object["data"] = ""
        object = try call.parameters.fieldFilter.apply(to: object)
        if object["data"] != nil {
            object["data"] = .string(Data(try await services.attachments.data(of: attachment)).base64EncodedString())
        }
        return .object(object)
    }

    /// History names attachment fields `attachments.x`; update answers use the API's names.
    private static func apiName(of historyField: String) -> String {
        switch historyField {
        case "attachments.description": "summary"
        case "attachments.filename": "file_name"
        case "attachments.mimetype": "content_type"
        case "attachments.ispatch": "is_patch"
        case "attachments.isobsolete": "is_obsolete"
        case "attachments.isprivate": "is_private"
        default: historyField
        }
    }
}
