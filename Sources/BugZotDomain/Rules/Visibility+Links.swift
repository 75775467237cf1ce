import Foundation

/// Links to bugs a viewer may not see are left out of what they are shown: of a bug's links, and
/// of the link fields of its history.
extension Visibility {
    /// The fields whose values are bug numbers.
    public static let linkFields: Set<String> = ["blocks", "depends_on", "dupe_of"]

    /// The bugs a bug links to (blocks, depends on, is a duplicate of).
    public static func linkedBugIDs(of bug: Bug) -> Set<Int> {
        Set(bug.blocks + bug.dependsOn + (bug.dupeOf.map { [$0] } ?? []))
    }

    /// The bugs the link fields of `changes` name.
    public static func linkedBugIDs(in changes: [FieldChange]) -> Set<Int> {
        Set(changes.filter { linkFields.contains($0.field) }.flatMap { numbers($0.removed) + numbers($0.added) })
    }

    /// `bug` with its links to bugs that are not `visible` left out.
    public static func withoutHiddenLinks(_ bug: Bug, visible: (Int) -> Bool) -> Bug {
        var bug = bug
        bug.blocks = bug.blocks.filter(visible)
        bug.dependsOn = bug.dependsOn.filter(visible)
        if let dupeOf = bug.dupeOf, !visible(dupeOf) { bug.dupeOf = nil }
        return bug
    }

    /// `changes` with the numbers of bugs that are not `visible` left out of link fields; a link
    /// change left naming no bug goes.
    public static func withoutHiddenLinks(_ changes: [FieldChange], visible: (Int) -> Bool) -> [FieldChange] {
        changes.compactMap { change in
            guard linkFields.contains(change.field) else { return change }
            let removed = numbers(change.removed).filter(visible).map(String.init).joined(separator: ", ")
            let added = numbers(change.added).filter(visible).map(String.init).joined(separator: ", ")
            return removed.isEmpty && added.isEmpty ? nil : FieldChange(field: change.field, removed: removed, added: added)
        }
    }

    private static func numbers(_ text: String) -> [Int] {
        text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }
}
