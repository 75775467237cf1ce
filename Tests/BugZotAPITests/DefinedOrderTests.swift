import BugZotDomain
import BugZotREST
import BugZotServices
import BugZotWire
import Foundation
import HTTPTypes
import Testing

/// Severity, priority, status and resolution sort in the order the installation defines (the
/// field catalog's values, the workflow's statuses and resolutions), not alphabetically — in
/// `order=` on /rest and in the web list's columns, page after page.
@Suite("Sorting by a field's defined order")
struct DefinedOrderTests {
    /// Files one bug per value of `values` (in reverse, so id order is not the answer) and returns
    /// the ids with their values.
    private func fileBugs(_ site: TestSite, _ values: [String], set: (inout BugCreateRequest, String) -> Void) async throws -> [(id: Int, value: String)] {
        let admin = try await site.services.auth.principal(userID: 1)
        var filed: [(id: Int, value: String)] = []
        for value in values.reversed() {
            var request = BugCreateRequest(product: "Widget", component: "Backend", version: "1.0", summary: "Bug \(value)")
            request.description = "x"
            set(&request, value)
            filed.append((try await site.services.bugs.create(request, by: admin), value))
        }
        return filed
    }

    private func ids(_ site: TestSite, _ query: String) async throws -> [Int] {
        try await site.get("/rest/bug?\(query)&include_fields=id", as: "admin").expect(.ok)["bugs"].array.map { $0["id"].int }
    }

    /// `filed` sorted by the position of each value in `order`, ties by id.
    private func expected(_ filed: [(id: Int, value: String)], in order: [String], descending: Bool = false) -> [Int] {
        filed.sorted { a, b in
            let (x, y) = (order.firstIndex(of: a.value)!, order.firstIndex(of: b.value)!)
            return x != y ? (descending ? x > y : x < y) : a.id < b.id
        }.map(\.id)
    }

    @Test("order=bug_severity and order=priority, ascending and descending, follow the catalog", arguments: TestBackend.all)
    func severityAndPriority(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let severities = FieldCatalog.standard.severities
            let bySeverity = try await fileBugs(site, severities) { $0.severity = $1 }
            #expect(try await ids(site, "order=bug_severity") == expected(bySeverity, in: severities))
            #expect(try await ids(site, "order=severity%20DESC") == expected(bySeverity, in: severities, descending: true))

            let priorities = FieldCatalog.standard.priorities
            // The bugs filed above have the default priority.
            let byPriority = try await fileBugs(site, priorities) { $0.priority = $1 } + bySeverity.map { ($0.id, SelectField.priority.fallback) }
            #expect(try await ids(site, "order=priority,bug_id") == expected(byPriority, in: priorities))
            #expect(try await ids(site, "order=priority%20DESC") == expected(byPriority, in: priorities, descending: true))
        }
    }

    @Test("order=bug_status follows the workflow, order=resolution its resolutions (open bugs first)", arguments: TestBackend.all)
    func statusAndResolution(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var filed = try await fileBugs(site, ["UNCONFIRMED", "NEW", "ASSIGNED", "NEW", "NEW"]) { $0.status = $1 }
            let (fixed, duplicate) = (filed[0].id, filed[1].id)
            try await site.put("/rest/bug/\(fixed)", ["status": "RESOLVED", "resolution": "FIXED"], as: "admin").expect(.ok)
            try await site.put("/rest/bug/\(duplicate)", ["dupe_of": .int(filed[2].id)], as: "admin").expect(.ok)
            try await site.put("/rest/bug/\(duplicate)", ["status": "CLOSED"], as: "admin").expect(.ok)
            filed[0].value = "RESOLVED"
            filed[1].value = "CLOSED"
            let statuses = Workflow.classic.statuses.map(\.name)
            #expect(try await ids(site, "order=bug_status") == expected(filed, in: statuses))
            #expect(try await ids(site, "order=bug_status%20DESC") == expected(filed, in: statuses, descending: true))
            let open = filed.dropFirst(2).map(\.id)
            #expect(try await ids(site, "order=resolution") == open + [fixed, duplicate])
            #expect(try await ids(site, "order=resolution%20DESC") == [duplicate, fixed] + open)
        }
    }

    @Test("paging by limit and offset across the boundaries of the defined order returns each bug once", arguments: TestBackend.all)
    func restPaging(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let severities = FieldCatalog.standard.severities
            let filed = try await fileBugs(site, severities + severities + severities) { $0.severity = $1 }
            var seen: [Int] = []
            for offset in stride(from: 0, to: filed.count, by: 4) {
                seen += try await ids(site, "order=bug_severity%20DESC&limit=4&offset=\(offset)")
            }
            #expect(seen == expected(filed, in: severities, descending: true))
        }
    }

    @Test("the web list sorted by severity pages by position in the catalog's order", arguments: TestBackend.all)
    func webListBySeverity(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let severities = FieldCatalog.standard.severities
            let filed = try await fileBugs(site, (0..<60).map { severities[$0 % severities.count] }) { $0.severity = $1 }
            var browser = try await Browser.signedIn(site, as: "admin")
            for descending in [false, true] {
                var path: String? = "/bugs?sort=severity" + (descending ? "&desc=1" : "")
                var seen: [Int] = []
                var pages = 0
                while let next = path {
                    let page = try await browser.get(next.replacingOccurrences(of: "&amp;", with: "&")).expect(.ok)
                    seen += page.listedBugIDs
                    pages += 1
                    path = page.html.range(of: "<a href=\"/bugs?[^\"]*\" rel=\"next\"", options: .regularExpression)
                        .map { String(page.html[$0].dropFirst("<a href=\"".count).prefix { $0 != "\"" }) }
                }
                #expect(pages == 2)
                #expect(seen == expected(filed, in: severities, descending: descending))
            }
        }
    }
}
