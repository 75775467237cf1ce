import BugZotDomain
import BugZotREST
import BugZotServices
import BugZotWire
import Foundation
import HTTPTypes
import Testing

/// Filing a bug obeys the same field rules as changing one, on every path: what a customer may
/// not change on their own bug they may not choose when filing it either.
@Suite("Filing a bug obeys the field permissions, through the REST API and the web form")
struct FilingPermissionAPITests {
    /// A value of each field that only someone allowed may choose.
    static let restricted: JSONObject = [
        "assigned_to": "insider@example.com", "qa_contact": "insider@example.com", "target_milestone": "M1",
    ]

    static func prepare(_ site: TestSite) async throws {
        let admin = try await site.services.auth.principal(userID: 1)
        _ = try await site.services.catalog.addValue(.milestone, named: "M1", to: "Widget", by: admin)
        try await site.post(
            "/rest/product", ["name": "Gizmo", "description": "No unconfirmed state", "version": "1.0", "has_unconfirmed": false], as: "admin"
        ).expect(.created)
        try await site.post(
            "/rest/component", ["product": "Gizmo", "name": "Core", "description": "All of it", "default_assignee": "dev@example.com"],
            as: "admin"
        ).expect(.created)
    }

    static func bugCount(_ site: TestSite) async throws -> Int {
        try await site.get("/rest/bug?include_fields=id", as: "admin").expect(.ok)["bugs"].array.count
    }

    @Test("a customer choosing a restricted field gets error 115 naming it, and nothing is filed", arguments: TestBackend.all)
    func refusedOverREST(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            try await Self.prepare(site)
            for (field, value) in Self.restricted {
                let response = try await site.post(
                    "/rest/bug",
                    ["product": "Widget", "component": "Backend", "version": "1.0", "summary": "Mine", field: value],
                    as: "reporter")
                response.expectError(115, .unauthorized)
                #expect(response.errorMessage.contains(field))
            }
            // Moving between two open statuses is not the reporter's to choose either.
            try await site.post(
                "/rest/bug", ["product": "Gizmo", "component": "Core", "version": "1.0", "summary": "Mine", "status": "ASSIGNED"], as: "reporter"
            ).expectError(115, .unauthorized)
            // Nor a group they are not in.
            try await site.post(
                "/rest/bug", ["product": "Widget", "component": "Backend", "version": "1.0", "summary": "Mine", "groups": ["secret"]],
                as: "reporter"
            ).expectError(120, .unauthorized)
            #expect(try await Self.bugCount(site) == 0)
            // As Bugzilla does, asking for a confirmed status without canconfirm just starts unconfirmed.
            let id = try await site.fileBug(as: "reporter", extra: ["status": "NEW"])
            #expect(try await site.bug(id)["status"].string == "UNCONFIRMED")
            // So the reporter never becomes the assignee, and can't make themselves one afterwards.
            try await site.put("/rest/bug/\(id)", ["assigned_to": "reporter@example.com"], as: "reporter").expectError(115, .unauthorized)
        }
    }

    @Test("editbugs chooses every field, and the reporter everything a reporter may change", arguments: TestBackend.all)
    func allowedOverREST(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            try await Self.prepare(site)
            let chosen = try await site.fileBug(as: "dev", extra: Self.restricted.merging(["status": "ASSIGNED"]) { $1 })
            let bug = try await site.bug(chosen)
            #expect(bug["assigned_to"].string == "insider@example.com" && bug["qa_contact"].string == "insider@example.com")
            #expect(bug["target_milestone"].string == "M1" && bug["status"].string == "ASSIGNED")
            let own = try await site.fileBug(
                as: "reporter",
                extra: [
                    "severity": "critical", "priority": "High", "op_sys": "Linux", "url": "https://example.com/steps", "whiteboard": "triage",
                    "cc": ["outsider@example.com"], "target_milestone": "---", "assigned_to": "dev@example.com",
                ])
            let mine = try await site.bug(own)
            #expect(mine["severity"].string == "critical" && mine["priority"].string == "High" && mine["assigned_to"].string == "dev@example.com")
        }
    }

    @Test("the web form offers the restricted fields only to those allowed, and a forged one is refused", arguments: TestBackend.all)
    func webForm(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            try await Self.prepare(site)
            var reporter = try await Browser.signedIn(site, as: "reporter")
            let form = try await reporter.get("/bug/new?product=Widget").expect(.ok)
            for field in Self.restricted.keys { #expect(!form.contains("name=\"\(field)\""), "offered \(field)") }
            #expect(form.contains("name=\"priority\"") && form.contains("name=\"severity\""))
            let fields: KeyValuePairs<String, String> = [
                "product": "Widget", "component": "Backend", "version": "1.0", "summary": "Forged", "assigned_to": "reporter@example.com",
            ]
            let refused = try await reporter.postMultipart("/bug/new", fields, file: nil)
            #expect(try await reporter.following(refused).expect(.ok).contains("proper permissions"))
            #expect(try await Self.bugCount(site) == 0)

            var dev = try await Browser.signedIn(site, as: "dev")
            let devForm = try await dev.get("/bug/new?product=Widget").expect(.ok)
            for field in Self.restricted.keys { #expect(devForm.contains("name=\"\(field)\""), "not offered \(field)") }
            let filed = try await dev.postMultipart(
                "/bug/new",
                [
                    "product": "Widget", "component": "Backend", "version": "1.0", "summary": "Chosen", "assigned_to": "insider@example.com",
                    "qa_contact": "insider@example.com", "target_milestone": "M1",
                ],
                file: nil)
            let id = try #require(Int(filed.expect(.seeOther).location.dropFirst("/bug/".count).prefix { $0.isNumber }))
            let bug = try await site.bug(id)
            #expect(bug["assigned_to"].string == "insider@example.com" && bug["target_milestone"].string == "M1")
        }
    }
}
