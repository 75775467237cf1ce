import Foundation

/// Bugzilla's quicksearch text as advanced-search conditions (an AND of ORs, as `BugSearch.conditions`).
///
/// - Ids alone (`12`, `12,15 20`) find those bugs, whatever their status.
/// - The first word may choose statuses: `ALL`, `OPEN`, `CLOSED`, a list of the workflow's statuses
///   or resolutions (`NEW,ASSIGNED`, `FIXED`), or `+DUP` (resolutions containing DUP). Without one,
///   open bugs only; a first word that names none of them is an ordinary word.
/// - Then every word must match: `field:value` (Bugzilla's field names and aliases, `a,b` for either),
///   `:name` (product or component), `@user` (assignee), `#word` (summary), `!keyword`, or a plain word
///   (summary, product, component, alias, keyword, or the id). `-` negates a word; `"…"` quotes a
///   phrase; `a|b` and `a OR b` are alternatives.
public enum QuickSearch {
    /// The conditions `text` asks for, with the workflow's `statuses` and `resolutions` as status
    /// words; an empty text asks for none.
    public static func conditions(_ text: String, statuses: Set<String>, resolutions: Set<String>) throws(DomainError) -> [[FieldCondition]] {
        try InputRules.check(text, as: .searchValue, parameter: "quicksearch")
        let tokens = try tokenize(text)
        guard !tokens.isEmpty else { return [] }
        if tokens.allSatisfy({ !$0.quoted && isIDList($0.text) }) {
            let ids = tokens.flatMap { $0.text.split(separator: ",") }.joined(separator: ",")
            return [[FieldCondition(field: "bug_id", op: .anyexact, value: ids)]]
        }
        var groups: [[FieldCondition]] = []
        var words = tokens[...]
        if let first = words.first, !first.quoted, first.text != "OR", let status = statusGroup(first.text, statuses: statuses, resolutions: resolutions) {
            words = words.dropFirst()
            if !status.isEmpty { groups.append(status) }
        } else {
            groups.append([FieldCondition(field: "resolution", op: .equals, value: "")])
        }
        // `a OR b`: the group of the last positive word, which the next word joins.
        var lastWord: Int?
        var joinNext = false
        for token in words {
            if !token.quoted && token.text == "OR" {
                joinNext = lastWord != nil
                continue
            }
            let negated = !token.quoted && token.text.count > 1 && token.text.hasPrefix("-")
            let text = negated ? String(token.text.dropFirst()) : token.text
            let alternatives = token.quoted ? [text] : text.split(separator: "|").map(String.init).filter { !$0.isEmpty }
            let positive = alternatives.flatMap { conditions(word: $0, quoted: token.quoted) }
            guard !positive.isEmpty else { continue }
            if negated {
                // -(a|b) is neither a nor b: every negated condition on its own.
                for condition in positive {
                    guard let op = condition.op.negation else { continue }
                    groups.append([FieldCondition(field: condition.field, op: op, value: condition.value)])
                }
                lastWord = nil
            } else if joinNext, let lastWord {
                groups[lastWord] += positive
            } else {
                groups.append(positive)
                lastWord = groups.count - 1
            }
            joinNext = false
        }
        return groups
    }

    /// Bugzilla's quicksearch field names and aliases, by the field `FieldCondition` names.
    static let fields: [String: String] = [
        "product": "product", "prod": "product", "pr": "product",
        "component": "component", "comp": "component", "co": "component",
        "assignee": "assigned_to", "assigned_to": "assigned_to", "assignedto": "assigned_to", "owner": "assigned_to", "as": "assigned_to",
        "reporter": "reporter", "rep": "reporter", "re": "reporter", "creator": "reporter",
        "qa": "qa_contact", "qa_contact": "qa_contact", "qacontact": "qa_contact",
        "summary": "short_desc", "short_desc": "short_desc", "summ": "short_desc",
        "status": "bug_status", "bug_status": "bug_status", "st": "bug_status",
        "resolution": "resolution", "res": "resolution",
        "priority": "priority", "pri": "priority",
        "severity": "bug_severity", "bug_severity": "bug_severity", "sev": "bug_severity",
        "keywords": "keywords", "keyword": "keywords", "kw": "keywords",
        "version": "version", "ver": "version",
        "milestone": "target_milestone", "target_milestone": "target_milestone", "ms": "target_milestone",
        "os": "op_sys", "op_sys": "op_sys", "platform": "rep_platform", "rep_platform": "rep_platform", "plat": "rep_platform",
        "whiteboard": "status_whiteboard", "status_whiteboard": "status_whiteboard", "sw": "status_whiteboard",
        "url": "bug_file_loc", "bug_file_loc": "bug_file_loc", "alias": "alias", "cc": "cc",
        "comment": "longdesc", "longdesc": "longdesc", "desc": "longdesc", "description": "longdesc",
        "blocks": "blocked", "blocked": "blocked", "dependson": "dependson", "depends_on": "dependson",
        "id": "bug_id", "bug_id": "bug_id",
    ]

    private struct Token {
        var text: String
        /// Whether the token opened with a double quote.
        var quoted: Bool
    }

    /// Words split at white space outside double quotes, which are removed: one pass over the text.
    private static func tokenize(_ text: String) throws(DomainError) -> [Token] {
        var tokens: [Token] = []
        var current = ""
        var quoted = false
        var inQuotes = false
        for character in text {
            if character == "\"" {
                // A token that opens with a quote is a phrase: no operators, no field name.
                if current.isEmpty && !inQuotes { quoted = true }
                inQuotes.toggle()
            } else if character.isWhitespace && !inQuotes {
                if !current.isEmpty || quoted { tokens.append(Token(text: current, quoted: quoted)) }
                current = ""
                quoted = false
            } else {
                current.append(character)
            }
        }
        guard !inQuotes else {
            throw .invalidParameter(parameter: "quicksearch", reason: "a double quote opens a phrase that is never closed.")
        }
        if !current.isEmpty || quoted { tokens.append(Token(text: current, quoted: quoted)) }
        return tokens.filter { !$0.text.isEmpty }
    }

    private static func isIDList(_ text: String) -> Bool {
        let parts = text.split(separator: ",")
        return !parts.isEmpty && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }

    /// The status condition a first word names (empty for `ALL`), or nil when it names none.
    private static func statusGroup(_ word: String, statuses: Set<String>, resolutions: Set<String>) -> [FieldCondition]? {
        func isStatusName(_ part: Substring) -> Bool {
            !part.isEmpty && part.allSatisfy { $0.isASCII && ($0.isUppercase || $0 == "_" || $0.isNumber) } && part.first?.isLetter == true
        }
        switch word {
        case "ALL": return []
        case "OPEN": return [FieldCondition(field: "resolution", op: .equals, value: "")]
        case "CLOSED": return [FieldCondition(field: "resolution", op: .notequals, value: "")]
        default: break
        }
        if word.hasPrefix("+") {
            let parts = word.dropFirst().split(separator: ",", omittingEmptySubsequences: false)
            guard parts.allSatisfy(isStatusName) else { return nil }
            return parts.map { FieldCondition(field: "resolution", op: .substring, value: String($0)) }
        }
        let parts = word.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard parts.allSatisfy({ statuses.contains($0) || resolutions.contains($0) }) else { return nil }
        return parts.map {
            statuses.contains($0) ? FieldCondition(field: "bug_status", op: .equals, value: $0) : FieldCondition(field: "resolution", op: .equals, value: $0)
        }
    }

    /// The alternatives one word (without `-` and `|`) matches.
    private static func conditions(word: String, quoted: Bool) -> [FieldCondition] {
        if !quoted, let colon = word.firstIndex(of: ":") {
            let name = word[..<colon].lowercased()
            let value = String(word[word.index(after: colon)...])
            if name.isEmpty {
                return value.isEmpty ? [] : [
                    FieldCondition(field: "product", op: .substring, value: value), FieldCondition(field: "component", op: .substring, value: value),
                ]
            }
            if let field = fields[name] {
                return value.split(separator: ",").map { FieldCondition(field: field, op: .substring, value: String($0)) }
            }
        }
        if !quoted, word.count > 1, let first = word.first {
            let rest = String(word.dropFirst())
            switch first {
            case "@": return [FieldCondition(field: "assigned_to", op: .substring, value: rest)]
            case "#": return [FieldCondition(field: "short_desc", op: .substring, value: rest)]
            case "!": return [FieldCondition(field: "keywords", op: .equals, value: rest)]
            default: break
            }
        }
        var plain = [
            FieldCondition(field: "short_desc", op: .substring, value: word),
            FieldCondition(field: "product", op: .substring, value: word),
            FieldCondition(field: "component", op: .substring, value: word),
            FieldCondition(field: "alias", op: .equals, value: word),
            FieldCondition(field: "keywords", op: .equals, value: word),
        ]
        if isIDList(word), !word.contains(",") { plain.append(FieldCondition(field: "bug_id", op: .equals, value: word)) }
        return plain
    }
}
