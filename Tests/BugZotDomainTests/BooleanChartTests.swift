import BugZotDomain
import Testing

/// Bugzilla's custom search rows (`fN/oN/vN`, `nN`, `jN`, `OP`/`CP`, `j_top`) read into a tree,
/// without any I/O.
@Suite("Boolean charts")
struct BooleanChartTests {
    typealias Row = BooleanChart.Row

    static func c(_ field: String, _ op: SearchOperator, _ value: String) -> SearchTerm {
        .condition(FieldCondition(field: field, op: op, value: value))
    }

    @Test("rows join by AND, or by j_top=OR, in the order of their numbers (f10 after f2)")
    func topLevel() throws {
        let rows = [Row(index: 10, field: "product", op: "equals", value: "B"), Row(index: 2, field: "product", op: "equals", value: "A")]
        #expect(try BooleanChart.parse(rows, top: nil) == .all([Self.c("product", .equals, "A"), Self.c("product", .equals, "B")]))
        #expect(try BooleanChart.parse(rows, top: "OR") == .any([Self.c("product", .equals, "A"), Self.c("product", .equals, "B")]))
        #expect(try BooleanChart.parse(rows, top: "and") == .all([Self.c("product", .equals, "A"), Self.c("product", .equals, "B")]))
    }

    @Test("OP opens a group joined by its jN and negated by its nN; CP closes it; groups nest")
    func groups() throws {
        // product = W AND NOT (status = NEW OR (severity = major AND priority = P1))
        let rows = [
            Row(index: 1, field: "product", op: "equals", value: "W"),
            Row(index: 2, field: "OP", negated: true, join: "OR"),
            Row(index: 3, field: "bug_status", op: "equals", value: "NEW"),
            Row(index: 4, field: "OP"),
            Row(index: 5, field: "bug_severity", op: "equals", value: "major"),
            Row(index: 6, field: "priority", op: "equals", value: "P1"),
            Row(index: 7, field: "CP"),
            Row(index: 8, field: "CP"),
        ]
        #expect(try BooleanChart.parse(rows, top: nil) == .all([
            Self.c("product", .equals, "W"),
            .not(.any([Self.c("bug_status", .equals, "NEW"), .all([Self.c("bug_severity", .equals, "major"), Self.c("priority", .equals, "P1")])])),
        ]))
    }

    @Test("nN negates a condition: through the operator's own negation where it has one")
    func negatedConditions() throws {
        #expect(try BooleanChart.parse([Row(index: 1, field: "short_desc", op: "substring", value: "x", negated: true)], top: nil)
            == .all([Self.c("short_desc", .notsubstring, "x")]))
        #expect(try BooleanChart.parse([Row(index: 1, field: "short_desc", op: "casesubstring", value: "x", negated: true)], top: nil)
            == .all([.not(Self.c("short_desc", .casesubstring, "x"))]))
        #expect(try BooleanChart.parse([Row(index: 1, field: "short_desc", op: "regexp", value: "x", negated: true)], top: nil)
            == .all([Self.c("short_desc", .notregexp, "x")]))
    }

    @Test("no operator is substring; noop rows and empty charts ask for nothing; an empty group matches all")
    func defaults() throws {
        #expect(try BooleanChart.parse([Row(index: 1, field: "short_desc", value: "x")], top: nil) == .all([Self.c("short_desc", .substring, "x")]))
        #expect(try BooleanChart.parse([Row(index: 1, field: "noop")], top: nil) == nil)
        #expect(try BooleanChart.parse([], top: "OR") == nil)
        #expect(try BooleanChart.parse([Row(index: 1, field: "OP"), Row(index: 2, field: "CP")], top: nil) == .all([.all([])]))
    }

    @Test("unbalanced groups, unknown joins and operators are refused, naming the parameter", arguments: [
        ([Row(index: 1, field: "OP"), Row(index: 2, field: "short_desc", value: "x")], nil, "f1"),
        ([Row(index: 1, field: "short_desc", value: "x"), Row(index: 2, field: "CP")], nil, "f2"),
        ([Row(index: 1, field: "OP", join: "XOR"), Row(index: 2, field: "CP")], nil, "j1"),
        ([Row(index: 1, field: "OP", join: "AND_G"), Row(index: 2, field: "CP")], nil, "j1"),
        ([Row(index: 1, field: "short_desc", value: "x")], "NAND", "j_top"),
        ([Row(index: 4, field: "short_desc", op: "resembles", value: "x")], nil, "o4"),
        ([Row(index: 3, field: "creation_ts", op: "greaterthan", value: "-7x")], nil, "v3"),
    ] as [([Row], String?, String)])
    func refused(rows: [Row], top: String?, parameter: String) {
        #expect {
            _ = try BooleanChart.parse(rows, top: top)
        } throws: { error in
            guard case DomainError.invalidParameter(let named, _) = error else { return false }
            return named == parameter
        }
    }
}
