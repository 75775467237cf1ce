import Foundation

/// Bugzilla's quicksearch text as advanced-search conditions (an AND of ORs, as `BugSearch.conditions`),
/// the grammar of Bugzilla's QuickSearch help page.
///
/// - Ids alone (`12`, `12,15 20`) find those bugs, whatever their status.
/// - The first word may choose statuses: `ALL`, `OPEN`, `CLOSED`, a list of the workflow's statuses
///   or resolutions or beginnings of them (`NEW,ASSIGNED`, `FIX` for FIXED, a trailing `+` allowed),
///   or `+DUP` (resolutions containing DUP). Without one, open bugs only; a first word that names
///   none of them is an ordinary word.
/// - Then every word must match: `field:value` (Bugzilla's field names, their aliases, or a
///   beginning of one that names one field; `a,b` for either), `field=value`, `field!=value`,
///   `field>value`, `>=`, `<`, `<=` (`creation_ts>-2w`), `:name` (product or component), `@user`
///   (assignee), `#word` (summary or comments), `[word` (summary or whiteboard), `!keyword`,
///   `P1` or `P1-3` (the highest priorities of the catalog), or a plain word (summary, whiteboard,
///   product, component, alias, keyword, the id, and the full text of comments and attachments —
///   `--comments` leaves those out, `++comments` puts them back). `-` or `NOT` negates a word;
///   `"…"` quotes a phrase; `a|b` and `a OR b` are alternatives; `AND` may join words.
public enum QuickSearch {
    /// The conditions `text` asks for, with the workflow's `statuses` and `resolutions` as status
    /// words and the catalog's `priorities` (highest first) for `P1`; an empty text asks for none.
    /// `products`, the names of every product, turn `product:value` into the products whose
    /// names contain the value (ignoring case), named exactly, so that a search of one product
    /// walks that product's bugs in an index; without them it stays a match of names.
    public static func conditions(
        _ text: String, statuses: Set<String>, resolutions: Set<String>, priorities: [String] = [], products: [String] = []
    ) throws(DomainError) -> [[FieldCondition]] {
        try InputRules.check(text, as: .searchValue, parameter: "quicksearch")
        var tokens = try tokenize(text)
        var searchesComments = true
        tokens.removeAll { token in
            guard !token.quoted, token.text == "--comments" || token.text == "++comments" else { return false }
            searchesComments = token.text == "++comments"
            return true
        }
        guard !tokens.isEmpty else { return [] }
        if tokens.allSatisfy({ !$0.quoted && isIDList($0.text) }) {
            let ids = tokens.flatMap { $0.text.split(separator: ",") }.joined(separator: ",")
            return [[FieldCondition(field: "bug_id", op: .anyexact, value: ids)]]
        }
        let vocabulary = Vocabulary(priorities: priorities, products: products, searchesComments: searchesComments)
        var groups: [[FieldCondition]] = []
        var words = tokens[...]
        if let first = words.first, !first.quoted, !["OR", "AND", "NOT"].contains(first.text),
            let status = statusGroup(first.text, statuses: statuses, resolutions: resolutions) {
            words = words.dropFirst()
            if !status.isEmpty { groups.append(status) }
        } else {
            groups.append([FieldCondition(field: "resolution", op: .equals, value: "")])
        }
        // `a OR b`: the group of the last positive word, which the next word joins.
        var lastWord: Int?
        var joinNext = false
        var negateNext = false
        for token in words {
            if !token.quoted {
                switch token.text {
                case "OR":
                    joinNext = lastWord != nil
                    continue
                case "AND":
                    joinNext = false
                    continue
                case "NOT":
                    negateNext.toggle()
                    continue
                default: break
                }
            }
            var negated = negateNext
            negateNext = false
            var text = token.text
            if !token.quoted && text.count > 1 && text.hasPrefix("-") {
                negated.toggle()
                text.removeFirst()
            }
            let alternatives = token.quoted ? [text] : text.split(separator: "|").map(String.init).filter { !$0.isEmpty }
            var positive: [FieldCondition] = []
            for alternative in alternatives {
                let (found, isNegation) = conditions(word: alternative, quoted: token.quoted, vocabulary: vocabulary)
                if isNegation && alternatives.count == 1 {
                    // `field!=v` alone is `-field=v`: neither of its values.
                    negated.toggle()
                    positive += found
                } else {
                    positive += isNegation ? found.compactMap { $0.negated } : found
                }
            }
            guard !positive.isEmpty else { continue }
            if negated {
                // -(a|b) is neither a nor b: every negated condition on its own.
                for condition in positive {
                    if let negation = condition.negated { groups.append([negation]) }
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
        // A value its field can't take (`creation_ts>-7x`) is refused here, naming quicksearch.
        for condition in groups.joined() { try condition.check(parameter: "quicksearch") }
        return groups
    }

    /// What the installation and the text itself bring to the reading of words.
    private struct Vocabulary {
        var priorities: [String]
        /// Every product's name; empty when not known.
        var products: [String]
        /// Whether plain words and `#` also search the full text of comments and attachments.
        var searchesComments: Bool
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
        "creation_ts": "creation_ts", "created": "creation_ts", "opendate": "creation_ts", "creation_time": "creation_ts",
        "delta_ts": "delta_ts", "changed": "delta_ts", "changeddate": "delta_ts", "last_change_time": "delta_ts",
        "deadline": "deadline", "classification": "classification", "dup_id": "dup_id", "dupe_of": "dup_id",
        "see_also": "see_also", "commenter": "commenter", "group": "bug_group", "bug_group": "bug_group",
        "everconfirmed": "everconfirmed", "content": "content",
        "attachment": "attachments.description", "attachmentdesc": "attachments.description",
        "attachmentname": "attachments.filename", "attachmentmimetype": "attachments.mimetype",
    ]

    /// The field a name in `name:value` means: a name or alias, or the beginning of some (`summa`
    /// for summary) — of several fields' names, the field of the shortest (`stat` is status, not
    /// status_whiteboard); nil when it begins none or two of the same length, leaving the word plain.
    static func field(named name: String) -> String? {
        if let field = fields[name] { return field }
        let candidates = fields.filter { $0.key.hasPrefix(name) }
        guard let shortest = candidates.map(\.key.count).min() else { return nil }
        let fields = Set(candidates.filter { $0.key.count == shortest }.map(\.value))
        return fields.count == 1 ? fields.first : nil
    }

    /// The comparison operators of `field<op>value`, longest first.
    private static let comparisons: [(String, SearchOperator)] = [
        ("!=", .equals), (">=", .greaterthaneq), ("<=", .lessthaneq), (":", .substring), ("=", .equals), (">", .greaterthan), ("<", .lessthan),
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

    /// The status condition a first word names (empty for `ALL`), or nil when it names none. Each
    /// part of `A,B` names the statuses and resolutions it is the beginning of; a trailing `+`
    /// (Bugzilla's "no result limit") changes nothing here.
    private static func statusGroup(_ word: String, statuses: Set<String>, resolutions: Set<String>) -> [FieldCondition]? {
        func isStatusName(_ part: Substring) -> Bool {
            !part.isEmpty && part.allSatisfy { $0.isASCII && ($0.isUppercase || $0 == "_" || $0.isNumber) } && part.first?.isLetter == true
        }
        let word = word.count > 1 && word.hasSuffix("+") && !word.hasPrefix("+") ? String(word.dropLast()) : word
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
        var group: [FieldCondition] = []
        for part in word.split(separator: ",", omittingEmptySubsequences: false) {
            guard isStatusName(part) else { return nil }
            let named = statuses.filter { $0.hasPrefix(part) }.sorted().map { FieldCondition(field: "bug_status", op: .equals, value: $0) }
                + resolutions.filter { $0.hasPrefix(part) }.sorted().map { FieldCondition(field: "resolution", op: .equals, value: $0) }
            guard !named.isEmpty else { return nil }
            group += named.filter { !group.contains($0) }
        }
        return group
    }

    /// `product:value` as the products whose names contain one of `values`, ignoring case as the
    /// substring match of names does, each named exactly; a value no name contains stays a
    /// substring match, which finds nothing.
    private static func productsNamed(containing values: [String], in names: [String]) -> [FieldCondition] {
        values.flatMap { value -> [FieldCondition] in
            let needle = value.lowercased()
            let named = names.filter { needle.isEmpty || $0.lowercased().contains(needle) }
            return named.isEmpty
                ? [FieldCondition(field: "product", op: .substring, value: value)]
                : named.map { FieldCondition(field: "product", op: .equals, value: $0) }
        }
    }

    /// `P1` or `P2-4`: the catalog's priorities by rank (1 the highest), or nil when the word is
    /// not one or names none.
    private static func priorityRange(_ word: String, priorities: [String]) -> [FieldCondition]? {
        guard word.count >= 2, word.first == "P" || word.first == "p" else { return nil }
        let bounds = word.dropFirst().split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(bounds.count), bounds.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let low = Int(bounds[0]), let high = Int(bounds.last!), low >= 1, low <= high, high <= priorities.count
        else { return nil }
        return priorities[(low - 1)..<high].map { FieldCondition(field: "priority", op: .equals, value: $0) }
    }

    /// The alternatives one word (without `-` and `|`) matches, and whether the word spelt its own
    /// negation (`field!=value`, whose conditions are then the values it excludes).
    private static func conditions(word: String, quoted: Bool, vocabulary: Vocabulary) -> (conditions: [FieldCondition], isNegation: Bool) {
        if !quoted, let split = word.firstIndex(where: { ":=!<>".contains($0) }) {
            let name = word[..<split].lowercased()
            let rest = word[split...]
            if let (symbol, op) = comparisons.first(where: { rest.hasPrefix($0.0) }) {
                let value = String(rest.dropFirst(symbol.count))
                if name.isEmpty && symbol == ":" {
                    return (value.isEmpty ? [] : [
                        FieldCondition(field: "product", op: .substring, value: value), FieldCondition(field: "component", op: .substring, value: value),
                    ], false)
                }
                if !name.isEmpty, let field = field(named: name) {
                    let values = value.split(separator: ",").map(String.init)
                    if field == "product", op == .substring, !vocabulary.products.isEmpty {
                        return (productsNamed(containing: values.isEmpty ? [""] : values, in: vocabulary.products), false)
                    }
                    return ((values.isEmpty ? [""] : values).map { FieldCondition(field: field, op: op, value: $0) }, symbol == "!=")
                }
            }
        }
        if !quoted, word.count > 1, let first = word.first {
            let rest = String(word.dropFirst())
            switch first {
            case "@": return ([FieldCondition(field: "assigned_to", op: .substring, value: rest)], false)
            case "#":
                var found = [FieldCondition(field: "short_desc", op: .substring, value: rest)]
                if vocabulary.searchesComments, let content = FieldCondition.content(rest, op: .substring) { found.append(content) }
                return (found, false)
            case "[":
                return ([FieldCondition(field: "short_desc", op: .substring, value: rest), FieldCondition(field: "status_whiteboard", op: .substring, value: rest)], false)
            case "!": return ([FieldCondition(field: "keywords", op: .equals, value: rest)], false)
            default: break
            }
        }
        if !quoted, let priorities = priorityRange(word, priorities: vocabulary.priorities) { return (priorities, false) }
        var plain = [
            FieldCondition(field: "short_desc", op: .substring, value: word),
            FieldCondition(field: "status_whiteboard", op: .substring, value: word),
            FieldCondition(field: "product", op: .substring, value: word),
            FieldCondition(field: "component", op: .substring, value: word),
            FieldCondition(field: "alias", op: .equals, value: word),
            FieldCondition(field: "keywords", op: .equals, value: word),
        ]
        if isIDList(word), !word.contains(",") { plain.append(FieldCondition(field: "bug_id", op: .equals, value: word)) }
        // The full text finds whole words (and their beginnings): a word of letters or digits.
        if vocabulary.searchesComments, let content = FieldCondition.content(word, op: .substring) { plain.append(content) }
        return (plain, false)
    }
}

extension FieldCondition {
    /// The condition matching what this one does not, where its operator has a negation.
    var negated: FieldCondition? {
        op.negation.map { FieldCondition(field: field, op: $0, value: value) }
    }
}
