import BugZotREST
import BugZotWire
import HTTPTypes
import Testing

@Suite("Field descriptions")
struct FieldAPITests {
    @Test("bug_status lists the workflow, starting with the statuses a new bug may take", arguments: TestBackend.all)
    func statusField(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let field = try await site.get("/rest/field/bug/bug_status").expect(.ok)["fields"][0]
            #expect(field["name"] == "bug_status")
            let values = field["values"].array
            #expect(values.map { $0["name"].string } == ["", "UNCONFIRMED", "NEW", "ASSIGNED", "REOPENED", "RESOLVED", "VERIFIED", "CLOSED"])
            #expect(values[0]["can_change_to"].array.map { $0["name"].string } == ["UNCONFIRMED", "NEW", "ASSIGNED"])
            #expect(values[7]["can_change_to"].array.map { $0["name"].string } == ["REOPENED"])
            #expect(values[7]["is_open"] == false)
        }
    }

    @Test("/field/bug/status is not a field; internal names are", arguments: TestBackend.all)
    func internalNames(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            try await site.get("/rest/field/bug/status").expectError(51, .notFound)
            let severities = try await site.get("/rest/field/bug/bug_severity").expect(.ok)["fields"][0]["values"].array.map { $0["name"].string }
            #expect(severities.first == "blocker")
            let components = try await site.get("/rest/field/bug/component").expect(.ok)["fields"][0]["values"][0]
            #expect(components["visibility_values"] == ["Widget"])
        }
    }
}
