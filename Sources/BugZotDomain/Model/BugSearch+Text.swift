/// The text table applied to a search: every term is a `searchValue`.
extension BugSearch {
    /// Refuses a term too long or holding NUL or control characters, before the search runs
    /// (some databases fail on NUL rather than match nothing), and a condition's value its field
    /// can't take (`FieldCondition.check`).
    public func checkText() throws(DomainError) {
        let lists: [[String]] = [
            aliases, products, components, versions, targetMilestones, statuses, resolutions, severities, priorities,
            opSystems, platforms, summaries, whiteboards, urls, reporters, assignees, qaContacts, cc, keywords,
        ]
        for list in lists { try InputRules.check(list, as: .searchValue) }
        for condition in allConditions {
            try InputRules.check(condition.field, as: .searchValue)
            try InputRules.check(condition.value, as: .searchValue)
            try condition.check(parameter: condition.field)
        }
        if case .text(let value)? = after?.value { try InputRules.check(value, as: .searchValue) }
    }
}
