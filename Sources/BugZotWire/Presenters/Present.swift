import BugZotDomain
import Foundation

/// Domain values in the JSON shapes of Bugzilla 5's REST API.
public enum Present {
    /// `{id, real_name, name, email}`; email only for signed-in viewers.
    public static func user(_ user: UserSummary, viewer: Principal) -> JSONValue {
        var object: JSONObject = ["id": .int(user.id), "real_name": .string(user.realName), "name": .string(user.login)]
        if !viewer.isAnonymous { object["email"] = .string(user.login) }
        return .object(object)
    }

    /// The REST bug object as `viewer` sees it (people's addresses only to signed-in viewers);
    /// the caller passes only a bug `viewer` may see.
    public static func bug(_ bug: Bug, workflow: Workflow, viewer: Principal) -> JSONObject {
        // In key order, as the object keeps them: each member goes in at the end.
        var object: JSONObject = [
            "alias": JSONValue(strings: bug.aliases),
            "assigned_to": .string(bug.assignedTo.login),
            "assigned_to_detail": user(bug.assignedTo, viewer: viewer),
            "blocks": JSONValue(ints: bug.blocks),
            "cc": JSONValue(strings: bug.cc.map(\.login)),
            "cc_detail": .array(bug.cc.map { user($0, viewer: viewer) }),
            "classification": .string(bug.classification),
            "component": .string(bug.component),
            "creation_time": JSONValue(date: bug.creationTime),
            "creator": .string(bug.reporter.login),
            "creator_detail": user(bug.reporter, viewer: viewer),
            "deadline": JSONValue(bug.deadline),
            "depends_on": JSONValue(ints: bug.dependsOn),
            "dupe_of": JSONValue(bug.dupeOf),
            "flags": [],
            "groups": JSONValue(strings: bug.groups),
            "id": .int(bug.id),
            "is_cc_accessible": .bool(bug.isCCAccessible),
            "is_confirmed": .bool(bug.isConfirmed),
            "is_creator_accessible": .bool(bug.isCreatorAccessible),
            "is_open": .bool(workflow.isOpen(bug.status)),
            "keywords": JSONValue(strings: bug.keywords),
            "last_change_time": JSONValue(date: bug.lastChangeTime),
            "op_sys": .string(bug.opSys),
            "platform": .string(bug.platform),
            "priority": .string(bug.priority),
            "product": .string(bug.product),
            "qa_contact": .string(bug.qaContact?.login ?? ""),
            "resolution": .string(bug.resolution),
            "see_also": JSONValue(strings: bug.seeAlso),
            "severity": .string(bug.severity),
            "status": .string(bug.status),
            "summary": .string(bug.summary),
            "target_milestone": .string(bug.targetMilestone),
            "url": .string(bug.url),
            "version": .string(bug.version),
            "whiteboard": .string(bug.whiteboard),
        ]
        if let qaContact = bug.qaContact { object["qa_contact_detail"] = user(qaContact, viewer: viewer) }
        return object
    }

    /// The REST comment object; the caller passes only comments the viewer may see (a private one
    /// only to insiders).
    public static func comment(_ comment: Comment) -> JSONValue {
        [
            "id": .int(comment.id), "bug_id": .int(comment.bugID), "attachment_id": JSONValue(comment.attachmentID),
            "count": .int(comment.count), "text": .string(comment.text), "creator": .string(comment.author.login),
            "author": .string(comment.author.login), "time": JSONValue(date: comment.creationTime),
            "creation_time": JSONValue(date: comment.creationTime), "is_private": .bool(comment.isEffectivelyPrivate), "tags": [],
        ]
    }

    /// Bugzilla's attachment object without `data` (which the caller adds when it is asked for);
    /// the three flags are 0/1 integers, as Bugzilla emits them. The caller passes only attachments
    /// the viewer may see (a private one only to those allowed).
    public static func attachment(_ attachment: Attachment) -> JSONObject {
        [
            "id": .int(attachment.id), "bug_id": .int(attachment.bugID), "file_name": .string(attachment.fileName),
            "summary": .string(attachment.summary), "description": .string(attachment.summary),
            "content_type": .string(attachment.contentType), "is_private": .int(attachment.isPrivate ? 1 : 0),
            "is_obsolete": .int(attachment.isObsolete ? 1 : 0), "is_patch": .int(attachment.isPatch ? 1 : 0),
            "creator": .string(attachment.creator.login), "attacher": .string(attachment.creator.login),
            "creation_time": JSONValue(date: attachment.creationTime), "last_change_time": JSONValue(date: attachment.lastChangeTime),
            "size": .int(attachment.size), "flags": [],
        ]
    }

    /// `{field: {added, removed}}`, the `changes` of update results.
    public static func changes(_ changes: [FieldChange]) -> JSONValue {
        var object = JSONObject()
        for change in changes { object[change.field] = ["added": .string(change.added), "removed": .string(change.removed)] }
        return .object(object)
    }

    /// One entry of `GET /bug/{id}/history`: when, who, and its changes.
    public static func history(_ entry: HistoryEntry) -> JSONValue {
        [
            "when": JSONValue(date: entry.when), "who": .string(entry.who.login),
            "changes": .array(entry.changes.map { change in
                var object: JSONObject = [
                    "field_name": .string(change.field), "removed": .string(change.removed), "added": .string(change.added),
                ]
                if let attachmentID = change.attachmentID { object["attachment_id"] = .int(attachmentID) }
                return .object(object)
            }),
        ]
    }

    /// `{id, name, description}`.
    public static func group(_ group: Group) -> JSONValue {
        ["id": .int(group.id), "name": .string(group.name), "description": .string(group.description)]
    }

    /// The REST product object, with its components, versions and milestones.
    public static func product(_ product: Product) -> JSONObject {
        func values(_ list: [ProductValue]) -> JSONValue {
            .array(list.map { ["id": .int($0.id), "name": .string($0.name), "sort_key": .int($0.sortKey), "is_active": .bool($0.isActive)] })
        }
        return [
            "id": .int(product.id), "name": .string(product.name), "description": .string(product.description),
            "is_active": .bool(product.isActive), "default_milestone": .string(product.defaultMilestone),
            "has_unconfirmed": .bool(product.allowsUnconfirmed), "classification": .string(product.classification),
            "components": .array(product.components.map { component in
                [
                    "id": .int(component.id), "name": .string(component.name), "description": .string(component.description),
                    "default_assigned_to": .string(component.defaultAssignee.login),
                    "default_qa_contact": .string(component.defaultQAContact?.login ?? ""),
                    "sort_key": .int(component.sortKey), "is_active": .bool(component.isActive),
                    "flag_types": ["bug": [], "attachment": []],
                ]
            }),
            "versions": values(product.versions),
            "milestones": values(product.milestones),
        ]
    }
}
