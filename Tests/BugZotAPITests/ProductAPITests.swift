import BugZotREST
import BugZotWire
import HTTPTypes
import Testing

@Suite("Products, components, classifications and groups")
struct ProductAPITests {
    @Test("python-bugzilla's literal /product/get with subfield include_fields", arguments: TestBackend.all)
    func productGet(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let ids = try await site.get("/rest/product_accessible").expect(.ok)["ids"].ints
            #expect(ids.count == 1)
            let products = try await site.get("/rest/product/get?ids=\(ids[0])&include_fields=name&include_fields=id&include_fields=components.name")
                .expect(.ok)["products"]
            #expect(products == [["name": "Widget", "id": .int(ids[0]), "components": [["name": "Backend"]]]])
        }
    }

    @Test("products by name, unknown names silently dropped", arguments: TestBackend.all)
    func productByName(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let products = try await site.get("/rest/product?names=Widget&names=Nope").expect(.ok)["products"]
            #expect(products.array.count == 1)
            let widget = products[0]
            #expect(widget["versions"][0]["name"] == "1.0")
            #expect(widget["components"][0]["default_assigned_to"] == "dev@example.com")
            #expect(widget["classification"] == "Unclassified")
        }
    }

    @Test("creating products and components needs editcomponents and valid input", arguments: TestBackend.all)
    func createProductRules(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            try await site.post("/rest/product", ["name": "Gadget", "description": "d", "version": "1"], as: "dev").expectError(304, .unauthorized)
            try await site.post("/rest/product", ["name": "Widget", "description": "d", "version": "1"], as: "admin").expectError(702, .badRequest)
            try await site.post("/rest/product", ["name": "Gadget", "description": "", "version": "1"], as: "admin").expectError(703, .badRequest)
            try await site.post("/rest/product", ["name": "Gadget", "description": "d"], as: "admin").expectError(704, .badRequest)
            try await site.post(
                "/rest/component", ["product": "Widget", "name": "Backend", "description": "d", "default_assignee": "dev@example.com"], as: "admin"
            ).expectError(1200, .badRequest)
            try await site.post(
                "/rest/component", ["product": "Widget", "name": "UI", "description": "d", "default_assignee": "ghost@example.com"], as: "admin"
            ).expectError(51, .notFound)
            // python-bugzilla's addcomponent sends `component` and `is_active`.
            try await site.post(
                "/rest/component", ["product": "Widget", "component": "UI", "description": "d", "default_assignee": "dev@example.com", "is_active": true],
                as: "admin"
            ).expect(.created)
        }
    }

    @Test("classifications list their products", arguments: TestBackend.all)
    func classification(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let classification = try await site.get("/rest/classification/Unclassified").expect(.ok)["classifications"][0]
            #expect(classification["products"][0]["name"] == "Widget")
            try await site.get("/rest/classification/Nope").expectError(51, .notFound)
        }
    }

    @Test("groups are listed for editusers, with members on request; others get 805", arguments: TestBackend.all)
    func groups(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let groups = try await site.get("/rest/group?names=secret&membership=1", as: "admin").expect(.ok)["groups"]
            #expect(groups[0]["is_bug_group"] == true)
            #expect(groups[0]["membership"].array.map { $0["name"].string } == ["insider@example.com"])
            try await site.get("/rest/group", as: "dev").expectError(805, .badRequest)
            try await site.post("/rest/group", ["name": "secret", "description": "again"], as: "admin").expectError(801, .badRequest)
        }
    }
}
