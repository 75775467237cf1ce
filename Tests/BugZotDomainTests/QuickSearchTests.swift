import BugZotDomain
import Testing

/// Bugzilla's quicksearch grammar, text → the advanced-search conditions it asks for (AND of ORs).
@Suite("Quicksearch")
struct QuickSearchTests {
    private static func c(_ field: String, _ op: SearchOperator, _ value: String) -> FieldCondition {
        FieldCondition(field: field, op: op, value: value)
    }

    private static let open = [c("resolution", .equals, "")]

    private static func plain(_ word: String) -> [FieldCondition] {
        [c("short_desc", .substring, word), c("product", .substring, word), c("component", .substring, word),
         c("alias", .equals, word), c("keywords", .equals, word)]
    }

    static let table: [(text: String, expected: [[FieldCondition]])] = [
        ("", []),
        ("   ", []),
        ("12", [[c("bug_id", .anyexact, "12")]]),
        ("12,15 20", [[c("bug_id", .anyexact, "12,15,20")]]),
        ("crash", [open, plain("crash")]),
        ("ALL crash", [plain("crash")]),
        ("ALL", []),
        ("OPEN", [open]),
        ("CLOSED", [[c("resolution", .notequals, "")]]),
        ("FIXED", [[c("resolution", .equals, "FIXED")]]),
        ("NEW,ASSIGNED", [[c("bug_status", .equals, "NEW"), c("bug_status", .equals, "ASSIGNED")]]),
        ("NEW,FIXED crash", [[c("bug_status", .equals, "NEW"), c("resolution", .equals, "FIXED")], plain("crash")]),
        ("API", [open, plain("API")]),
        ("NEW,API", [open, plain("NEW,API")]),
        ("+DUP", [[c("resolution", .substring, "DUP")]]),
        ("product:Widget", [open, [c("product", .substring, "Widget")]]),
        ("prod:Widget,Gadget", [open, [c("product", .substring, "Widget"), c("product", .substring, "Gadget")]]),
        ("comp:Back pri:P1 sev:major kw:crash", [
            open, [c("component", .substring, "Back")], [c("priority", .substring, "P1")],
            [c("bug_severity", .substring, "major")], [c("keywords", .substring, "crash")],
        ]),
        ("assignee:dev reporter:ann status:NEW resolution:FIXED summary:x", [
            open, [c("assigned_to", .substring, "dev")], [c("reporter", .substring, "ann")], [c("bug_status", .substring, "NEW")],
            [c("resolution", .substring, "FIXED")], [c("short_desc", .substring, "x")],
        ]),
        (":Back", [open, [c("product", .substring, "Back"), c("component", .substring, "Back")]]),
        ("@dev", [open, [c("assigned_to", .substring, "dev")]]),
        ("#save", [open, [c("short_desc", .substring, "save")]]),
        ("!regression", [open, [c("keywords", .equals, "regression")]]),
        ("-#save", [open, [c("short_desc", .notsubstring, "save")]]),
        ("-crash", [open] + plain("crash").map { [FieldCondition(field: $0.field, op: $0.op.negation!, value: $0.value)] }),
        ("\"on save\"", [open, plain("on save")]),
        ("summary:\"on save\"", [open, [c("short_desc", .substring, "on save")]]),
        ("\"OR\" ALL", [open, plain("OR"), plain("ALL")]),
        ("#crash|#slow", [open, [c("short_desc", .substring, "crash"), c("short_desc", .substring, "slow")]]),
        ("#crash OR #slow", [open, [c("short_desc", .substring, "crash"), c("short_desc", .substring, "slow")]]),
        ("OR #slow", [open, [c("short_desc", .substring, "slow")]]),
        ("ALL 7 x", [plain("7") + [c("bug_id", .equals, "7")], plain("x")]),
        ("http://example.com", [open, plain("http://example.com")]),
        ("Widget", [open, plain("Widget")]),
    ]

    private static func parse(_ text: String) throws(DomainError) -> [[FieldCondition]] {
        try QuickSearch.conditions(text, statuses: ["NEW", "ASSIGNED", "RESOLVED"], resolutions: ["FIXED", "DUPLICATE"])
    }

    @Test("each text asks for the conditions Bugzilla's help describes", arguments: table)
    func grammar(text: String, expected: [[FieldCondition]]) throws {
        #expect(try Self.parse(text) == expected)
    }

    @Test("bad text is refused naming quicksearch, never a crash", arguments: ["\"open phrase", "a\u{0}b", String(repeating: "x", count: 10_001)])
    func refused(text: String) {
        let error = #expect(throws: DomainError.self) { try Self.parse(text) }
        #expect(error?.message.contains("quicksearch") == true)
    }

    @Test("long text of many words, quotes and bars is parsed in one bounded pass")
    func longText() throws {
        let text = String(repeating: "\"a|b\" -c|d ", count: 900)
        #expect(try Self.parse(text).count > 900)
    }
}
