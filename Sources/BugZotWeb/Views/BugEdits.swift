import BugZotDomain
import Foundation

/// What a person changed on a bug's form: each field whose value differs from the one they had
/// loaded. When someone else changed the bug meanwhile, the loaded values are the bug's current
/// ones with those later changes undone, so that a value the person never touched is not taken
/// for theirs (and can't undo the other change when the form is sent again).
enum BugEdits {
    /// The form fields that show one of the bug's own fields, by the name history uses too.
    static let fieldNames = [
        "summary", "product", "component", "version", "target_milestone", "status", "resolution", "dupe_of", "severity", "priority",
        "op_sys", "platform", "assigned_to", "qa_contact", "keywords", "blocks", "depends_on", "url", "whiteboard", "deadline",
    ]
    /// Fields that hold a comma-separated list, whose order means nothing.
    static let listFields: Set<String> = ["keywords", "blocks", "depends_on"]

    /// The value each field shows on the form for `bug`.
    static func shown(_ bug: Bug) -> [String: String] {
        [
            "summary": bug.summary, "product": bug.product, "component": bug.component, "version": bug.version,
            "target_milestone": bug.targetMilestone, "status": bug.status, "resolution": bug.resolution,
            "dupe_of": bug.dupeOf.map(String.init) ?? "", "severity": bug.severity, "priority": bug.priority, "op_sys": bug.opSys,
            "platform": bug.platform, "assigned_to": bug.assignedTo.login, "qa_contact": bug.qaContact?.login ?? "",
            "keywords": bug.keywords.joined(separator: ", "), "blocks": bug.blocks.map(String.init).joined(separator: ", "),
            "depends_on": bug.dependsOn.map(String.init).joined(separator: ", "), "url": bug.url, "whiteboard": bug.whiteboard,
            "deadline": bug.deadline ?? "",
        ]
    }

    /// The values the person had loaded: `bug` as it is, with `later` (the changes made since,
    /// oldest first) undone.
    static func loaded(_ bug: Bug, undoing later: [FieldChange]) -> [String: String] {
        var values = shown(bug)
        for change in later.reversed() where values[change.field] != nil {
            if listFields.contains(change.field) {
                let removed = items(change.removed)
                let added = Set(items(change.added))
                let kept = items(values[change.field] ?? "").filter { !added.contains($0) }
                values[change.field] = (kept + removed.filter { !kept.contains($0) }).joined(separator: ", ")
            } else {
                values[change.field] = change.removed
            }
        }
        return values
    }

    /// The names of the bug fields the form changes from `loaded`.
    static func edited(in form: Form, loaded: [String: String]) -> Set<String> {
        Set(fieldNames.filter { name in
            guard let value = form[name]?.trimmingCharacters(in: .whitespacesAndNewlines), let before = loaded[name] else { return false }
            return listFields.contains(name) ? Set(items(value)) != Set(items(before)) : value != before
        })
    }

    /// The form with only the edited bug fields kept; everything else (the comment, CC, groups)
    /// as sent.
    static func keepingEdits(_ form: Form, loaded: [String: String]) -> Form {
        let edited = edited(in: form, loaded: loaded)
        let bugFields = Set(fieldNames)
        return Form(form.pairs.filter { !bugFields.contains($0.0) || edited.contains($0.0) })
    }

    /// Whether the form holds something not yet saved: a field edit, a comment, people to add to
    /// or remove from CC. (Group boxes and attachment details alone are choices, not typing.)
    static func hasUnsaved(_ form: Form, loaded: [String: String]) -> Bool {
        !edited(in: form, loaded: loaded).isEmpty || form.text("comment") != nil || form.text("cc_add") != nil
            || !form.all("cc_remove").isEmpty
    }

    private static func items(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
    }
}
