import BugZotREST
import BugZotWire
import Foundation
import HTTPTypes
import Testing

@Suite("Web UI: the bug list's filters")
struct WebBugListFilterTests {
    /// Widget gains a component "API", version "2.0" and milestone "M1"; three bugs differ in them.
    private static func fileVaried(_ site: TestSite) async throws -> (api: Int, backend: Int, plain: Int) {
        var admin = try await Browser.signedIn(site, as: "admin")
        try await admin.get("/admin/products")
        try await admin.post("/admin/products/Widget/components", ["component": "API", "description": "Public API", "assignee": "dev@example.com"])
            .expect(.seeOther)
        try await admin.post("/admin/products/Widget/values", ["kind": "version", "version": "2.0"]).expect(.seeOther)
        try await admin.post("/admin/products/Widget/values", ["kind": "milestone", "milestone": "M1"]).expect(.seeOther)
        let api = try await site.fileBug(
            "Token expiry", extra: ["component": "API", "version": "2.0", "priority": "High", "severity": "critical"])
        let backend = try await site.fileBug("Slow save", extra: ["priority": "Low", "severity": "minor"])
        try await site.put("/rest/bug/\(backend)", ["target_milestone": "M1"], as: "admin").expect(.ok)
        let plain = try await site.fileBug("Typo in footer", as: "dev")
        return (api, backend, plain)
    }

    private static func listed(_ page: WebPage, _ ids: [Int]) -> [Bool] {
        ids.map { page.contains("href=\"/bug/\($0)\"") }
    }

    @Test("component, version and milestone are choices of the product, and a typed value matches whatever its case", arguments: TestBackend.all)
    func productChoices(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let bugs = try await Self.fileVaried(site)
            var browser = try await Browser.signedIn(site, as: "reporter")
            let page = try await browser.get("/bugs?product=Widget&component=api&status=all").expect(.ok)
            #expect(Self.listed(page, [bugs.api, bugs.backend, bugs.plain]) == [true, false, false])
            #expect(page.contains("<option value=\"API\" selected>") && page.contains("<option value=\"Backend\">"))
            #expect(page.contains("<option value=\"2.0\">") && page.contains("<option value=\"M1\">"))
            let version = try await browser.get("/bugs?product=Widget&version=2.0&status=all")
            #expect(Self.listed(version, [bugs.api, bugs.backend, bugs.plain]) == [true, false, false])
            let milestone = try await browser.get("/bugs?product=Widget&target_milestone=m1&status=all")
            #expect(Self.listed(milestone, [bugs.api, bugs.backend, bugs.plain]) == [false, true, false])
            #expect(milestone.contains("<option value=\"M1\" selected>"))
        }
    }

    @Test("priority and severity are choices from the field catalog, and filter the list", arguments: TestBackend.all)
    func catalogChoices(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let bugs = try await Self.fileVaried(site)
            var browser = try await Browser.signedIn(site, as: "reporter")
            let high = try await browser.get("/bugs?priority=high&status=all").expect(.ok)
            #expect(Self.listed(high, [bugs.api, bugs.backend, bugs.plain]) == [true, false, false])
            #expect(high.contains("<option value=\"High\" selected>") && high.contains("<option value=\"Lowest\">"))
            let minor = try await browser.get("/bugs?severity=minor&status=all")
            #expect(Self.listed(minor, [bugs.api, bugs.backend, bugs.plain]) == [false, true, false])
            #expect(minor.contains("<option value=\"minor\" selected>") && minor.contains("<option value=\"blocker\">"))
        }
    }

    @Test("assignee and reporter match a real name or a login, as REST's assigned_to and creator do", arguments: TestBackend.all)
    func people(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            try await site.put("/rest/user/dev@example.com", ["real_name": "Grace Hopper"], as: "admin").expect(.ok)
            try await site.put("/rest/user/reporter@example.com", ["real_name": "Ada Lovelace"], as: "admin").expect(.ok)
            let bugs = try await Self.fileVaried(site)
            var browser = try await Browser.signedIn(site, as: "outsider")
            let byName = try await browser.get("/bugs?reporter=lovelace&status=all").expect(.ok)
            #expect(Self.listed(byName, [bugs.api, bugs.backend, bugs.plain]) == [true, true, false])
            let byLogin = try await browser.get("/bugs?reporter=dev%40example&status=all")
            #expect(Self.listed(byLogin, [bugs.api, bugs.backend, bugs.plain]) == [false, false, true])
            let assignee = try await browser.get("/bugs?assignee=Grace%20Hopper&status=all")
            #expect(Self.listed(assignee, [bugs.api, bugs.backend, bugs.plain]) == [true, true, true])
            let rest = try await site.get("/rest/bug?creator=lovelace", as: "outsider").expect(.ok)
            #expect(rest["bugs"].array.count == 2)
        }
    }

    @Test("an unknown parameter or value is named on the page, never silently ignored", arguments: TestBackend.all)
    func refusals(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let bugs = try await Self.fileVaried(site)
            var browser = try await Browser.signedIn(site, as: "reporter")
            let unknown = try await browser.get("/bugs?keywords=crash&status=all").expect(.ok)
            #expect(unknown.contains("The list has no filter &#39;keywords&#39;: it was not applied."))
            let value = try await browser.get("/bugs?priority=urgent&product=Widget&component=Frontend&status=all").expect(.ok)
            #expect(value.contains("There is no priority &#39;urgent&#39;: no bug matches it."))
            #expect(value.contains("There is no component &#39;Frontend&#39; in Widget: no bug matches it."))
            #expect(Self.listed(value, [bugs.api, bugs.backend, bugs.plain]) == [false, false, false])
            #expect(try await browser.get("/bugs?status=FROZEN").contains("There is no status &#39;FROZEN&#39;: no bug matches it."))
            try await browser.get("/bugs?after=soon").expect(.badRequest)
            let product = try await browser.get("/bugs?product=Gizmo")
            #expect(product.contains("There is no product &#39;Gizmo&#39;."))
            let plain = try await browser.get("/bugs?product=Widget&status=all")
            #expect(!plain.contains("class=\"notice\" role=\"alert\""))
        }
    }

    @Test("the list shows how many bugs match on all its pages together", arguments: TestBackend.all)
    func count(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            _ = try await Self.fileVaried(site)
            for index in 0..<listPageSize { _ = try await site.fileBug("Bulk \(index)") }
            var browser = try await Browser.signedIn(site, as: "reporter")
            let all = try await browser.get("/bugs?status=all").expect(.ok)
            #expect(all.contains("Matching bugs: \(listPageSize + 3)"))
            let next = try #require(all.html.range(of: "<a href=\"/bugs?[^\"]*\" rel=\"next\"", options: .regularExpression)
                .map { String(all.html[$0].dropFirst("<a href=\"".count).prefix { $0 != "\"" }) })
            let second = try await browser.get(next.replacingOccurrences(of: "&amp;", with: "&")).expect(.ok)
            #expect(second.contains("Matching bugs: \(listPageSize + 3)"))
            #expect(try await browser.get("/bugs?component=API&status=all").contains("Matching bugs: 1"))
        }
    }
}

/// The web list's page size (50): a count above it spans pages.
private let listPageSize = 50
