/// What a full-text search looks for: words and phrases, matched as whole words (or the
/// beginnings of words), case-insensitively, in the text the full-text index holds — summaries,
/// comments, attachment descriptions and file names.
///
/// A word is a run of letters, digits and combining marks; everything else (punctuation, `NEAR`'s
/// parentheses, operators of any search engine) only separates words, so no value is a syntax error.
/// `foo.bar()` is the phrase "foo bar".
public struct TextQuery: Sendable, Equatable {
    /// One word, or several in a row (a phrase).
    public struct Term: Sendable, Equatable {
        public var words: [String]
        /// Whether the last word may be the beginning of a longer one (`crash` finds `crashes`).
        public var isPrefix: Bool

        public init(words: [String], isPrefix: Bool) {
            self.words = words
            self.isPrefix = isPrefix
        }
    }

    /// Whether every term must be found (each may be in a different comment), or any one.
    public enum Combination: Sendable, Equatable {
        case all, any
    }

    public var terms: [Term]
    public var combination: Combination

    /// The most words and phrases one full-text value may hold (each is a lookup in the index).
    public static let maximumTerms = 100

    /// Refuses a query of more than `maximumTerms` terms.
    public func checkSize() throws(DomainError) {
        guard terms.count <= Self.maximumTerms else {
            throw .invalidParameter(parameter: "value", reason: "a full-text search takes at most \(Self.maximumTerms) words and phrases.")
        }
    }

    public init(terms: [Term], combination: Combination) {
        self.terms = terms
        self.combination = combination
    }

    /// The query an operator makes of a value, and whether the operator is the negation of it; nil
    /// when the operator is not a word search (equality, comparisons, emptiness, case-sensitive
    /// substrings), which full-text search does not answer.
    ///
    /// - `matches`, `allwords`, `anywords`: words, `"quoted phrases"` and `word*` prefixes, every
    ///   one (or, for `anywords`, any one) to be found; an unclosed quote runs to the end.
    /// - `substring`: the value's words as one phrase whose last word may be a prefix.
    /// - `allwordssubstr`, `anywordssubstr`: each space-separated part such a phrase.
    public static func of(_ value: String, op: SearchOperator) -> (query: TextQuery, negated: Bool)? {
        let (positive, negated) = op.positive
        let query: TextQuery
        switch positive {
        case .matches, .allwords: query = TextQuery(terms: terms(ofSyntax: value), combination: .all)
        case .anywords: query = TextQuery(terms: terms(ofSyntax: value), combination: .any)
        case .substring: query = TextQuery(terms: prefixPhrases([Substring(value)]), combination: .all)
        case .allwordssubstr: query = TextQuery(terms: prefixPhrases(value.split(whereSeparator: \.isWhitespace)), combination: .all)
        case .anywordssubstr: query = TextQuery(terms: prefixPhrases(value.split(whereSeparator: \.isWhitespace)), combination: .any)
        default: return nil
        }
        return (query, negated)
    }

    /// Words, phrases and prefixes as `matches` reads them.
    private static func terms(ofSyntax value: String) -> [Term] {
        phrases(of: value).compactMap { term(Substring($0)) }
    }

    /// The space-separated parts of `text`, a `"quoted phrase"` being one part (without its quotes,
    /// with a `*` that follows it); an unclosed quote runs to the end.
    public static func phrases(of text: String) -> [String] {
        var phrases: [String] = []
        var rest = Substring(text)
        while let quote = rest.firstIndex(of: "\"") {
            phrases += rest[..<quote].split(whereSeparator: \.isWhitespace).map(String.init)
            let phrase = rest[rest.index(after: quote)...]
            let end = phrase.firstIndex(of: "\"") ?? phrase.endIndex
            var part = String(phrase[..<end])
            rest = end == phrase.endIndex ? "" : phrase[phrase.index(after: end)...]
            if rest.first == "*" {
                part += "*"
                rest = rest.dropFirst()
            }
            if !part.isEmpty { phrases.append(part) }
        }
        return phrases + rest.split(whereSeparator: \.isWhitespace).map(String.init)
    }

    /// The words of `text` as one term, a prefix when it ends in `*`; nil when it has no words.
    private static func term(_ text: Substring) -> Term? {
        let words = words(of: text)
        guard !words.isEmpty else { return nil }
        return Term(words: words, isPrefix: text.last == "*")
    }

    private static func prefixPhrases(_ parts: [Substring]) -> [Term] {
        parts.map { words(of: $0) }.filter { !$0.isEmpty }.map { Term(words: $0, isPrefix: true) }
    }

    /// The words of `text`, as the index splits text.
    public static func words<S: StringProtocol>(of text: S) -> [String] {
        var words: [String] = []
        var word = ""
        for character in text {
            if character.isLetter || character.isNumber {
                word.append(character)
            } else if !word.isEmpty {
                words.append(word)
                word = ""
            }
        }
        if !word.isEmpty { words.append(word) }
        return words
    }
}

extension FieldCondition {
    /// A full-text condition on `content` (the summary, comments and attachments the viewer may
    /// see): `matches` finds whole words, `"quoted phrases"` and `word*` prefixes; `substring` the
    /// beginnings of words (the text's words in a row). Nil when `text` holds no word to look for
    /// (`content` refuses such a value).
    public static func content(_ text: String, op: SearchOperator = .matches) -> FieldCondition? {
        guard TextQuery.of(text, op: op).map({ !$0.query.terms.isEmpty }) == true else { return nil }
        return FieldCondition(field: "content", op: op, value: text)
    }
}
