import BugZotDomain
import BugZotREST
import BugZotServices
import Foundation
import HTTPTypes
import Testing

@Suite("Web UI: administration")
struct WebAdminTests {
    @Test("administration is for administrators: others get a refusal page", arguments: TestBackend.all)
    func refused(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var outsider = try await Browser.signedIn(site, as: "outsider")
            for path in ["/admin", "/admin/users", "/admin/products", "/admin/workflow", "/admin/groups"] {
                #expect(try await outsider.get(path).status == .forbidden, "\(path)")
            }
            try await outsider.get("/")
            let sneaky = try await outsider.post("/admin/products", ["name": "Sneaky", "description": "x", "version": "1"])
            try await outsider.following(sneaky).expect(.forbidden)
            #expect(try await site.services.catalog.product(named: "Sneaky") == nil)
        }
    }

    @Test("users: created, disabled and given groups from the pages", arguments: TestBackend.all)
    func users(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var admin = try await Browser.signedIn(site, as: "admin")
            try await admin.get("/admin/users")
            let created = try await admin.post(
                "/admin/users", ["login": "qa@example.com", "name": "Quinn", "password": "sturdy lamp 9", "groups": "editbugs"])
            let path = created.expect(.seeOther).location.components(separatedBy: "?")[0]
            let page = try await admin.get(path).expect(.ok)
            #expect(page.contains("value=\"qa@example.com\"") && page.contains("value=\"editbugs\" checked"))
            try await admin.post(path, ["login": "qa@example.com", "name": "Quinn", "disabled_text": "Left the company", "groups": "canconfirm"])
                .expect(.seeOther)
            let user = try #require(try await site.services.users.users(ids: [], names: ["qa@example.com"], match: [], limit: nil, by: .anonymous).first)
            #expect(!user.isEnabled && user.groups.map(\.name) == ["canconfirm"])
            let weak = try await admin.post("/admin/users", ["login": "weak@example.com", "name": "W", "password": "short"])
            let weakPage = try await admin.following(weak).expect(.ok)
            #expect(weakPage.contains("at least 8 characters") && weakPage.contains("value=\"weak@example.com\""))
        }
    }

    @Test("products, components, versions and milestones are added from the pages", arguments: TestBackend.all)
    func products(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var admin = try await Browser.signedIn(site, as: "admin")
            try await admin.get("/admin/products")
            try await admin.post("/admin/products", ["name": "Gadget Pro", "description": "Gadgets", "version": "2.0"]).expect(.seeOther)
            try await admin.post("/admin/products/Gadget%20Pro/components", ["component": "UI", "description": "Screens", "assignee": "dev@example.com"])
                .expect(.seeOther)
            try await admin.post("/admin/products/Gadget%20Pro/values", ["kind": "version", "version": "2.1"]).expect(.seeOther)
            // One form for the page: a milestone typed while adding a version is kept, not lost.
            let added = try await admin.post("/admin/products/Gadget%20Pro/values", ["kind": "milestone", "milestone": "M1", "version": "2.2"])
            let addedPage = try await admin.following(added).expect(.ok)
            #expect(addedPage.contains("not saved yet") && addedPage.contains("id=\"version-name\" name=\"version\" value=\"2.2\""))
            let again = try await admin.post("/admin/products/Gadget%20Pro/values", ["kind": "version", "version": "2.1"])
            let againPage = try await admin.following(again).expect(.ok)
            #expect(againPage.contains("already has a version named &#39;2.1&#39;") && againPage.contains("id=\"version-name\" name=\"version\" value=\"2.1\""))
            let product = try #require(try await site.services.catalog.product(named: "Gadget Pro"))
            #expect(product.components.map(\.name) == ["UI"])
            #expect(Set(product.versions.map(\.name)) == ["2.0", "2.1"] && product.milestones.map(\.name).contains("M1"))
        }
    }

    @Test("groups are created from the page", arguments: TestBackend.all)
    func groups(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var admin = try await Browser.signedIn(site, as: "admin")
            try await admin.get("/admin/groups")
            try await admin.post("/admin/groups", ["name": "legal", "description": "Legal team"]).expect(.seeOther)
            #expect(try await admin.get("/admin/groups").contains("Legal team"))
        }
    }

    @Test("the workflow table: moves are saved from the checkboxes, and a shipped workflow can be restored", arguments: TestBackend.all)
    func workflow(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            var admin = try await Browser.signedIn(site, as: "admin")
            let page = try await admin.get("/admin/workflow").expect(.ok)
            #expect(page.contains("name=\"t:NEW:ASSIGNED\" value=\"1\" checked"))
            let ticked = page.html.components(separatedBy: "name=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
                .filter { $0.hasPrefix("t:") && page.contains("name=\"\($0)\" value=\"1\" checked") && $0 != "t:NEW:ASSIGNED" }
            var form = ticked.map { ($0, "1") }
            form.append(("csrf_token", admin.csrfToken))
            try await admin.postPairs("/admin/workflow", form).expect(.seeOther)
            #expect(try await admin.get("/admin/workflow").contains("name=\"t:NEW:ASSIGNED\" value=\"1\" aria-label"))
            try await admin.get("/admin/workflow")
            try await admin.post("/admin/workflow", ["shipped": "classic"]).expect(.seeOther)
            #expect(try await admin.get("/admin/workflow").contains("name=\"t:NEW:ASSIGNED\" value=\"1\" checked"))
        }
    }
}
