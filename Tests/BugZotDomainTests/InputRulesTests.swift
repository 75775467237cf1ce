import BugZotDomain
import Testing

@Suite("Input rules: email addresses")
struct EmailRulesTests {
    @Test("accepts ordinary addresses", arguments: ["rita@example.com", "first.last+tag@mail.example.org", "a@b.co"])
    func valid(_ email: String) {
        #expect(InputRules.isValidEmail(email))
    }

    @Test("rejects addresses without exactly one @, a local part, or a dotted domain", arguments: [
        "", "rita", "rita.example.com", "rita@@example.com", "ri@ta@example.com", "@example.com",
        "rita@", "rita@localhost", "rita@.example.com", "rita@example.com.",
    ])
    func malformed(_ email: String) {
        #expect(!InputRules.isValidEmail(email))
    }

    @Test("rejects addresses with white space or control characters", arguments: [
        "rita @example.com", "rita@example.com ", "\trita@example.com", "rita\u{7}@example.com", "rita@exa\nmple.com",
    ])
    func whitespace(_ email: String) {
        #expect(!InputRules.isValidEmail(email))
    }

    @Test("rejects addresses with control characters beyond ASCII's first 32", arguments: ["rita\u{7F}@example.com", "rita\u{80}@example.com", "rita@exa\u{9B}mple.com"])
    func otherControlCharacters(_ email: String) {
        #expect(!InputRules.isValidEmail(email))
    }

    @Test("rejects addresses longer than 255 characters")
    func tooLong() {
        let domain = "@example.com"
        #expect(InputRules.isValidEmail(String(repeating: "a", count: 255 - domain.count) + domain))
        #expect(!InputRules.isValidEmail(String(repeating: "a", count: 256 - domain.count) + domain))
    }
}

@Suite("Input rules: aliases")
struct AliasRulesTests {
    @Test("accepts names with a letter and no commas or spaces", arguments: ["crash-on-start", "CVE-2024-1234", "a", "bug_42"])
    func valid(_ alias: String) {
        #expect(InputRules.isValidAlias(alias))
    }

    @Test("rejects numbers, which would be mistaken for bug ids", arguments: ["12345", "-7", "0"])
    func numbers(_ alias: String) {
        #expect(!InputRules.isValidAlias(alias))
    }

    @Test("rejects aliases without a letter", arguments: ["", "1-2", "---", "42.0"])
    func noLetter(_ alias: String) {
        #expect(!InputRules.isValidAlias(alias))
    }

    @Test("rejects aliases with commas or white space", arguments: ["a,b", "a b", "tab\there", "new\nline"])
    func separators(_ alias: String) {
        #expect(!InputRules.isValidAlias(alias))
    }

    @Test("accepts up to 40 characters and no more")
    func length() {
        #expect(InputRules.isValidAlias(String(repeating: "x", count: 40)))
        #expect(!InputRules.isValidAlias(String(repeating: "x", count: 41)))
    }
}

@Suite("Input rules: dates")
struct DateRulesTests {
    @Test("accepts YYYY-MM-DD with a plausible month and day", arguments: ["2024-01-01", "2024-12-31", "1999-02-28", "2024-02-29"])
    func valid(_ date: String) {
        #expect(InputRules.isValidDate(date))
    }

    @Test("rejects months outside 01-12 and days outside 01-31", arguments: ["2024-00-10", "2024-13-01", "2024-01-00", "2024-01-32"])
    func implausible(_ date: String) {
        #expect(!InputRules.isValidDate(date))
    }

    @Test("rejects other shapes", arguments: [
        "", "2024", "2024-01", "24-01-01", "2024-1-01", "2024-01-1", "2024/01/01", "01-01-2024",
        "2024-01-01-01", "2024-01-01T00:00:00", "yyyy-mm-dd", "next week",
    ])
    func otherShapes(_ date: String) {
        #expect(!InputRules.isValidDate(date))
    }

    @Test("rejects signs where digits belong", arguments: ["+024-01-01", "2024-+1-01", "2024-01-+1"])
    func signs(_ date: String) {
        #expect(!InputRules.isValidDate(date))
    }

    @Test("rejects stray hyphens", arguments: ["2024--01-01", "-2024-01-01", "2024-01-01-"])
    func strayHyphens(_ date: String) {
        #expect(!InputRules.isValidDate(date))
    }
}
