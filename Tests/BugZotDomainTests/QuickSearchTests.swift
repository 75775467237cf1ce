import BugZotDomain
import Testing

/// Bugzilla's quicksearch grammar, text → the advanced-search conditions it asks for (AND of ORs).
@Suite("Quicksearch")
struct QuickSearchTests {
    private static func c(_ field: String, _ op: SearchOperator, _ value: String) -> FieldCondition {
        FieldCondition(field: field, op: op, value: value)
    }

    private static let open = [c("resolution", .equals, "")]

    private static func plain(_ word: String, id: Bool = false) -> [FieldCondition] {
        [c("short_desc", .substring, word), c("status_whiteboard", .substring, word), c("product", .substring, word),
         c("component", .substring, word), c("alias", .equals, word), c("keywords", .equals, word)]
            + (id ? [c("bug_id", .equals, word)] : []) + [c("content", .substring, word)]
    }

    /// `#word`: the summary or the full text.
    private static func hash(_ word: String) -> [FieldCondition] {
        [c("short_desc", .substring, word), c("content", .substring, word)]
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
        ("#save", [open, hash("save")]),
        ("!regression", [open, [c("keywords", .equals, "regression")]]),
        ("-#save", [open, [c("short_desc", .notsubstring, "save")], [c("content", .notsubstring, "save")]]),
        ("-crash", [open] + plain("crash").map { [FieldCondition(field: $0.field, op: $0.op.negation!, value: $0.value)] }),
        ("\"on save\"", [open, plain("on save")]),
        ("summary:\"on save\"", [open, [c("short_desc", .substring, "on save")]]),
        ("\"OR\" ALL", [open, plain("OR"), plain("ALL")]),
        ("#crash|#slow", [open, hash("crash") + hash("slow")]),
        ("#crash OR #slow", [open, hash("crash") + hash("slow")]),
        ("OR #slow", [open, hash("slow")]),
        ("ALL 7 x", [plain("7", id: true), plain("x")]),
        // Status words may be the beginnings of names, with Bugzilla's trailing '+'.
        ("FIX", [[c("resolution", .equals, "FIXED")]]),
        ("RES,DUP+ crash", [[c("bug_status", .equals, "RESOLVED"), c("resolution", .equals, "DUPLICATE")], plain("crash")]),
        ("NEW+", [[c("bug_status", .equals, "NEW")]]),
        // Comparison operators, field names by a beginning that names one field, relative dates.
        ("summary=Crash", [open, [c("short_desc", .equals, "Crash")]]),
        ("status!=NEW,ASSIGNED", [open, [c("bug_status", .notequals, "NEW")], [c("bug_status", .notequals, "ASSIGNED")]]),
        ("-status!=NEW", [open, [c("bug_status", .equals, "NEW")]]),
        ("creation_ts>-2w changed<=-1d created>=2024-01-01 deadline<Now", [
            open, [c("creation_ts", .greaterthan, "-2w")], [c("delta_ts", .lessthaneq, "-1d")],
            [c("creation_ts", .greaterthaneq, "2024-01-01")], [c("deadline", .lessthan, "Now")],
        ]),
        ("stat:VERIFIED summa:x", [open, [c("bug_status", .substring, "VERIFIED")], [c("short_desc", .substring, "x")]]),
        ("ver:1.0 q:x", [open, [c("version", .substring, "1.0")], [c("qa_contact", .substring, "x")]]),
        ("http://example.com/a", [open, plain("http://example.com/a")]),  // begins no field name: a plain word
        // NOT and AND as words; P1 and P1-3 by the catalog's priorities.
        ("NOT #save AND @dev", [open, [c("short_desc", .notsubstring, "save")], [c("content", .notsubstring, "save")], [c("assigned_to", .substring, "dev")]]),
        ("P1 p2-3", [open, [c("priority", .equals, "Highest")], [c("priority", .equals, "High"), c("priority", .equals, "Normal")]]),
        ("P9", [open, plain("P9")]),
        ("[triage", [open, [c("short_desc", .substring, "triage"), c("status_whiteboard", .substring, "triage")]]),
        // Comment (full-text) searching on by default; --comments turns it off, ++comments on again.
        ("--comments crash #x", [open, Array(plain("crash").dropLast()), [c("short_desc", .substring, "x")]]),
        ("--comments ++comments crash", [open, plain("crash")]),
        ("http://example.com", [open, plain("http://example.com")]),
        ("Widget", [open, plain("Widget")]),
    ]

    private static func parse(_ text: String) throws(DomainError) -> [[FieldCondition]] {
        try QuickSearch.conditions(
            text, statuses: ["NEW", "ASSIGNED", "RESOLVED"], resolutions: ["FIXED", "DUPLICATE"], priorities: FieldCatalog.standard.priorities)
    }

    @Test("each text asks for the conditions Bugzilla's help describes", arguments: table)
    func grammar(text: String, expected: [[FieldCondition]]) throws {
        #expect(try Self.parse(text) == expected)
    }

    @Test("bad text is refused naming quicksearch, never a crash", arguments: ["\"open phrase", "a\u{0}b", String(repeating: "x", count: 10_001), "creation_ts>-7x", "changed<soon"])
    func refused(text: String) {
        let error = #expect(throws: DomainError.self) { try Self.parse(text) }
        #expect(error?.message.contains("quicksearch") == true)
    }

    @Test("with the products' names known, product:value names each product it is part of (ignoring case), and one it is part of none of stays a match that finds nothing")
    func productsByName() throws {
        func parse(_ text: String) throws -> [[FieldCondition]] {
            try QuickSearch.conditions(text, statuses: ["NEW"], resolutions: ["FIXED"], products: ["Widget", "Gadget", "Widget Pro"])
        }
        #expect(try parse("product:widget") == [Self.open, [Self.c("product", .equals, "Widget"), Self.c("product", .equals, "Widget Pro")]])
        #expect(try parse("prod:Gadget,nothing") == [Self.open, [Self.c("product", .equals, "Gadget"), Self.c("product", .substring, "nothing")]])
        #expect(try parse("-product:gadget") == [Self.open, [Self.c("product", .notequals, "Gadget")]])
        #expect(try parse("product=Gadget") == [Self.open, [Self.c("product", .equals, "Gadget")]])
    }

    @Test("long text of many words, quotes and bars is parsed in one bounded pass")
    func longText() throws {
        let text = String(repeating: "\"a|b\" -c|d ", count: 900)
        #expect(try Self.parse(text).count > 900)
    }
}
