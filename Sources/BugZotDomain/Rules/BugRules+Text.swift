import Foundation

/// The text table applied to what a bug's filing or change names, before any other rule.
extension BugRules {
    /// Every text a draft carries, within its field's limit and characters.
    func checkText(of draft: BugDraft) throws(DomainError) {
        try InputRules.check(draft.description, as: .comment, limit: policy.maximumCommentLength)
        let values: [(String?, TextField)] = [
            (draft.component, .component), (draft.version, .version), (draft.targetMilestone, .targetMilestone),
            (draft.status, .status), (draft.resolution, .resolution), (draft.severity, .severity),
            (draft.priority, .priority), (draft.opSys, .opSys), (draft.platform, .platform), (draft.url, .url),
            (draft.whiteboard, .whiteboard), (draft.deadline, .deadline),
        ]
        for case (let value?, let field) in values { try InputRules.check(value, as: field) }
        try InputRules.check(draft.aliases, as: .alias)
        try InputRules.check(draft.keywords, as: .keyword)
        try InputRules.check(draft.groups ?? [], as: .group)
    }

    /// Every text an update carries, within its field's limit and characters.
    func checkText(of update: BugUpdate) throws(DomainError) {
        if let comment = update.comment { try InputRules.check(comment.text, as: .comment, limit: policy.maximumCommentLength) }
        let values: [(String?, TextField)] = [
            (update.component, .component), (update.version, .version), (update.targetMilestone, .targetMilestone),
            (update.status, .status), (update.resolution, .resolution), (update.severity, .severity),
            (update.priority, .priority), (update.opSys, .opSys), (update.platform, .platform), (update.url, .url),
            (update.whiteboard, .whiteboard), (update.deadline ?? nil, .deadline),
        ]
        for case (let value?, let field) in values { try InputRules.check(value, as: field) }
        for (edit, field) in [(update.aliases, TextField.alias), (update.keywords, .keyword), (update.groups, .group), (update.seeAlso, .seeAlso)] {
            try InputRules.check(edit.add + edit.remove + (edit.set ?? []), as: field)
        }
    }

    /// A summary bounded, trimmed, required, then checked.
    func checkedSummary(_ summary: String) throws(DomainError) -> String {
        try InputRules.checkLength(summary, as: .summary, limit: policy.maximumSummaryLength)
        let trimmed = summary.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .summaryRequired }
        try InputRules.check(trimmed, as: .summary, limit: policy.maximumSummaryLength)
        return trimmed
    }
}
