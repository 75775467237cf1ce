import BugZotDomain
import Foundation
import Testing

/// The regular expressions of `regexp`/`notregexp`: a subset PostgreSQL reads alike, matched in
/// linear time, with a clear refusal for anything else.
@Suite("Search patterns")
struct SearchPatternTests {
    @Test("patterns match anywhere in the text, as PostgreSQL's ~ does", arguments: [
        ("crash", "Crash on save; crash on load", true), ("^Crash", "Crash on save", true), ("^crash", "Crash on save", false),
        ("save$", "Crash on save", true), ("on (save|load)$", "Crash on load", true), ("c.a", "cra", true),
        ("[0-9]+\\.[0-9]+", "version 1.25 fails", true), ("[^a-z ]", "only lower case", false), ("\\d{4}-\\d{2}", "due 2024-05", true),
        ("colou?r", "color", true), ("(?:ab){2,3}c", "xxababc", true), ("(?:ab){2,3}c", "xxabc", false), ("a{0}b", "b", true),
        ("\\w+@\\w+", "mail me@host", true), ("\\s", "nospace", false), ("\\S\\.\\S", "a.b", true), ("", "anything", true),
        ("[]a]", "]", true), ("[a-]", "-", true), ("x*?y", "xxy", true), ("é+", "caféé", true), ("a.b", "a\nb", true),
    ])
    func matches(pattern: String, text: String, expected: Bool) throws {
        #expect(try SearchPattern(pattern).matches(text) == expected)
    }

    @Test("anything outside the subset, or malformed, is refused with what is wrong", arguments: [
        ("(unclosed", "never closed"), ("closed)", "closes no group"), ("[abc", "never closed"), ("*x", "nothing before it"),
        ("a**", "repeats a repetition"), ("a{2", "repetition count"), ("a{300}", "repetition count"), ("a{3,2}", "repetition count"),
        ("(a)\\1", "\\1"), ("\\bword", "\\b"), ("(?=x)", "(?"), ("[z-a]", "backwards"), ("x\\", "lone backslash"),
        ("[[:alpha:]]", "inside a bracket"), ("^*", "repeats '^'"), ("a]", "closes nothing"),
    ])
    func refused(pattern: String, fragment: String) {
        #expect {
            _ = try SearchPattern(pattern)
        } throws: { error in
            guard case DomainError.invalidParameter(_, let reason) = error else { return false }
            return reason.contains(fragment)
        }
    }

    @Test("a pattern is bounded in length and in what its repetitions count out to")
    func bounded() {
        #expect(throws: DomainError.self) { try SearchPattern(String(repeating: "a", count: SearchPattern.maximumLength + 1)) }
        #expect(throws: DomainError.self) { try SearchPattern("((a{200}){200}){200}") }
        #expect(throws: Never.self) { try SearchPattern(String(repeating: "a", count: SearchPattern.maximumLength)) }
    }

    @Test("a pattern that backtracking engines take exponential time on is matched in one pass")
    func linear() throws {
        let text = String(repeating: "a", count: 20_000) + "!"
        let start = ContinuousClock.now
        #expect(try SearchPattern("(a|a)*(a*)*b").matches(text) == false)
        #expect(try SearchPattern("^(\\w+\\s?)*$").matches(text) == false)
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    @Test("a chart's regexp value is checked before the search runs, naming its parameter")
    func checkedInCharts() {
        #expect {
            _ = try BooleanChart.parse([.init(index: 1, field: "short_desc", op: "regexp", value: "(")], top: nil)
        } throws: { error in
            guard case DomainError.invalidParameter(let parameter, _) = error else { return false }
            return parameter == "v1"
        }
    }
}
