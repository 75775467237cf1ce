import BugZotDomain
import Foundation
import Testing

@Suite("The table of text limits")
struct TextFieldTests {
    private static let singleLine = TextField.allCases.filter { $0.lines == .single }
    private static let multiLine = TextField.allCases.filter { $0.lines == .multiple }
    private static let names = TextField.allCases.filter { !$0.allowsBidiControls }

    @Test("every field takes text up to its limit and refuses one character more", arguments: TextField.allCases)
    func limit(_ field: TextField) {
        let limit = field.maximumLength
        #expect(throws: Never.self) { try InputRules.check(String(repeating: "a", count: limit), as: field) }
        #expect(throws: Never.self) { try InputRules.check(String(repeating: "ü", count: limit), as: field) }
        let refusal: DomainError =
            field == .comment ? .commentTooLong(limit: limit) : .invalidParameter(parameter: field.parameter, reason: "longer than \(limit) characters.")
        #expect(throws: refusal) { try InputRules.check(String(repeating: "a", count: limit + 1), as: field) }
        #expect(throws: refusal) { try InputRules.check(String(repeating: "🐛", count: limit + 1), as: field) }
    }

    @Test("every field refuses NUL", arguments: TextField.allCases)
    func nul(_ field: TextField) {
        #expect(throws: DomainError.invalidParameter(parameter: field.parameter, reason: "must not contain NUL characters.")) {
            try InputRules.check("a\u{0}b", as: field)
        }
    }

    @Test("one-line fields refuse line breaks, tabs and every other control character", arguments: singleLine)
    func singleLineControls(_ field: TextField) {
        for text in ["a\nb", "a\r\nb", "a\rb", "a\tb", "a\u{1B}[31mb", "a\u{7F}b", "a\u{85}b", "a\u{9B}b"] {
            #expect(throws: DomainError.invalidParameter(parameter: field.parameter, reason: "must be one line, without control characters.")) {
                try InputRules.check(text, as: field)
            }
        }
    }

    @Test("multi-line fields keep tabs and line breaks but refuse other control characters", arguments: multiLine)
    func multiLineControls(_ field: TextField) {
        #expect(throws: Never.self) { try InputRules.check("line one\r\n\tline two\nthree", as: field) }
        for text in ["bell\u{7}", "escape\u{1B}[2J", "delete\u{7F}", "c1\u{9B}"] {
            #expect(throws: DomainError.self) { try InputRules.check(text, as: field) }
        }
    }

    @Test("names and addresses refuse bidirectional-text controls; free text keeps them", arguments: TextField.allCases)
    func bidi(_ field: TextField) {
        for scalar in ["\u{202E}", "\u{202A}", "\u{2066}", "\u{2069}", "\u{200E}", "\u{200F}", "\u{61C}"] {
            let text = "report\(scalar)txt"
            if field.allowsBidiControls {
                #expect(throws: Never.self) { try InputRules.check(text, as: field) }
            } else {
                #expect(throws: DomainError.invalidParameter(parameter: field.parameter, reason: "must not contain bidirectional-text control characters.")) {
                    try InputRules.check(text, as: field)
                }
            }
        }
    }

    @Test("people's names, logins and file names are among the fields that refuse bidirectional-text controls")
    func bidiFields() {
        for field in [TextField.login, .realName, .fileName, .product, .component, .group, .alias, .url] {
            #expect(Self.names.contains(field))
        }
    }

    @Test("an installation's own limit wins over the table's, and errors can name the parameter as sent")
    func overrides() {
        #expect(throws: DomainError.invalidParameter(parameter: "name", reason: "longer than 3 characters.")) {
            try InputRules.check("abcd", as: .product, limit: 3, parameter: "name")
        }
    }

    @Test("checking a huge text costs next to nothing: the length is bounded before any other work")
    func hugeTextIsCheap() {
        let huge = String(repeating: "x", count: 20_000_000)
        let nearlyHuge = String(repeating: "x", count: 4 * 65_535)  // too long by scalars, not by bytes
        let start = Date()
        for field in TextField.allCases {
            #expect(throws: DomainError.self) { try InputRules.check(huge, as: field) }
            #expect(throws: DomainError.self) { try InputRules.check(nearlyHuge, as: field) }
        }
        #expect(Date().timeIntervalSince(start) < 10)
    }
}

@Suite("Attachment file names")
struct FileNameTests {
    @Test("keep only the last path component, without control or bidirectional-text controls", arguments: [
        ("report\u{202E}txt.exe", "reporttxt.exe"), ("C:\\Users\\rita\\a\u{2066}b\u{2069}.png", "ab.png"),
        ("../../etc/passwd", "passwd"), ("na\u{0}me\u{7}.txt", "name.txt"), ("\u{200F}x.pdf\u{200E}", "x.pdf"), ("..", ""),
    ])
    func cleaned(_ raw: String, _ expected: String) {
        #expect(AttachmentRules.sanitizedFileName(raw) == expected)
    }

    @Test("a long name is cut to 255 bytes of UTF-8 from the front, so the extension stays")
    func long() {
        let name = AttachmentRules.sanitizedFileName(String(repeating: "ü", count: 300) + ".tar.gz")
        #expect(name.utf8.count <= 255)
        #expect(name.hasSuffix("ü.tar.gz"))
        #expect(name.utf8.count >= 254)
    }

    @Test("cleaning is linear: a 2 MB name takes well under a second, not minutes")
    func linear() {
        let start = Date()
        let name = AttachmentRules.sanitizedFileName(String(repeating: "a", count: 2_000_000) + ".txt")
        #expect(name.utf8.count == 255)
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test("an attachment's description, type and over-long name are refused before any cleaning")
    func refusedDetails() {
        func details(fileName: String = "a.txt", summary: String = "A file", contentType: String = "text/plain") -> AttachmentRules.Details {
            .init(fileName: fileName, summary: summary, contentType: contentType, isPatch: false, isPrivate: false)
        }
        let principal = Principal(user: UserSummary(id: 1, login: "rita@example.com", realName: "Rita"), groups: [])
        for bad in [
            details(summary: String(repeating: "d", count: 256)), details(summary: "two\nlines"), details(summary: "nul\u{0}"),
            details(fileName: String(repeating: "f", count: 1_025)), details(contentType: "text/plain\u{0}"),
        ] {
            #expect(throws: DomainError.self) { try AttachmentRules.validated(bad, by: principal, policy: Policy()) }
        }
    }

    @Test("the comment given with an attachment must fit the comment limit together with the line naming it")
    func commentFits() {
        let details = AttachmentRules.Details(fileName: "a", summary: "short", contentType: nil, isPatch: true, isPrivate: false)
        let policy = Policy(maximumCommentLength: 100)
        #expect(throws: Never.self) { try AttachmentRules.checkComment(String(repeating: "c", count: 40), details: details, policy: policy) }
        #expect(throws: DomainError.self) { try AttachmentRules.checkComment(String(repeating: "c", count: 90), details: details, policy: policy) }
    }
}

@Suite("Search terms")
struct SearchTextTests {
    @Test("a search refuses NUL, control characters and over-long terms in any criterion")
    func refused() {
        var nul = BugSearch()
        nul.products = ["Wid\u{0}get"]
        var condition = BugSearch()
        condition.conditions = [[FieldCondition(field: "longdesc", op: .substring, value: "a\u{0}")]]
        var long = BugSearch()
        long.charts = [.condition(FieldCondition(field: "short_desc", op: .substring, value: String(repeating: "q", count: TextField.searchValue.maximumLength + 1)))]
        var cursor = BugSearch()
        cursor.after = BugCursor(value: .text("x\u{0}"), id: 1)
        for search in [nul, condition, long, cursor] {
            #expect(throws: DomainError.self) { try search.checkText() }
        }
        var fine = BugSearch()
        fine.summaries = ["crash on save", "עברית"]
        #expect(throws: Never.self) { try fine.checkText() }
    }
}
