import BugZotDomain
import Testing

@Suite("Full-text queries: what a search value looks for")
struct TextQueryTests {
    private func terms(_ value: String, _ op: SearchOperator) -> [TextQuery.Term]? {
        TextQuery.of(value, op: op)?.query.terms
    }

    private func word(_ word: String, prefix: Bool = false) -> TextQuery.Term {
        TextQuery.Term(words: [word], isPrefix: prefix)
    }

    @Test("matches reads words, \"quoted phrases\" and word* prefixes; every term must be found")
    func matches() {
        #expect(terms("crash save", .matches) == [word("crash"), word("save")])
        #expect(terms("\"crash on save\" editor", .matches) == [TextQuery.Term(words: ["crash", "on", "save"], isPrefix: false), word("editor")])
        #expect(terms("crash*", .matches) == [word("crash", prefix: true)])
        #expect(terms("\"crash on\"*", .matches) == [TextQuery.Term(words: ["crash", "on"], isPrefix: true)])
        #expect(TextQuery.of("a b", op: .matches)?.query.combination == .all)
        #expect(TextQuery.of("a b", op: .anywords)?.query.combination == .any)
    }

    @Test("punctuation and search-engine syntax only separate words: nothing is a syntax error")
    func syntaxIsWords() {
        #expect(terms("NEAR(a b)", .matches) == [TextQuery.Term(words: ["NEAR", "a"], isPrefix: false), word("b")])
        #expect(terms("foo.bar()", .matches) == [TextQuery.Term(words: ["foo", "bar"], isPrefix: false)])
        #expect(terms("\"unclosed phrase", .matches) == [TextQuery.Term(words: ["unclosed", "phrase"], isPrefix: false)])
        #expect(terms("-crash ^ : ( ) *", .matches) == [word("crash")])
        #expect(terms("*** \"\" !!!", .matches) == [])
    }

    @Test("substring operators look for the beginnings of words; a value's words in a row for substring")
    func substrings() {
        #expect(terms("crash on sa", .substring) == [TextQuery.Term(words: ["crash", "on", "sa"], isPrefix: true)])
        #expect(terms("crash sa", .allwordssubstr) == [word("crash", prefix: true), word("sa", prefix: true)])
        #expect(TextQuery.of("crash sa", op: .anywordssubstr)?.query.combination == .any)
    }

    @Test("negated operators are the same query, negated; operators that are not word searches have none")
    func negation() {
        #expect(TextQuery.of("crash", op: .notmatches)?.negated == true)
        #expect(TextQuery.of("crash", op: .nowords)?.negated == true)
        #expect(TextQuery.of("crash", op: .matches)?.negated == false)
        for op in [SearchOperator.equals, .casesubstring, .regexp, .isempty, .greaterthan] {
            #expect(TextQuery.of("crash", op: op) == nil, "\(op)")
        }
    }

    @Test("a content condition is made only of a text with words")
    func contentCondition() {
        #expect(FieldCondition.content("crash") == FieldCondition(field: "content", op: .matches, value: "crash"))
        #expect(FieldCondition.content("\"on save\"", op: .substring) == FieldCondition(field: "content", op: .substring, value: "\"on save\""))
        #expect(FieldCondition.content("!!!") == nil)
        #expect(FieldCondition.content("crash", op: .equals) == nil)
    }

    @Test("phrases of a typed text: space-separated parts, a quoted phrase one part")
    func phrases() {
        #expect(TextQuery.phrases(of: "printer \"paper jam\" 42") == ["printer", "paper jam", "42"])
        #expect(TextQuery.phrases(of: "\"open ended") == ["open ended"])
        #expect(TextQuery.words(of: "heap-dump.hprof") == ["heap", "dump", "hprof"])
        #expect(TextQuery.words(of: "Café über") == ["Café", "über"])
    }
}
