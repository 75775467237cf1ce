import BugZotREST
import BugZotWire
import Foundation
import HTTPTypes
import Testing

/// `assigned_to`, `creator`, `qa_contact` and `cc` match part of a login or real name, ignoring
/// case, through the store's lookup of the matching users (an index of names, then the whole value).
@Suite("Role fields match users by part of a login or name")
struct UserMatchingTests {
    @Test("a whole login, part of one across its @, a real name, any case; several users; none; odd characters", arguments: TestBackend.all)
    func matching(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let mine = try await site.fileBug("Assigned to dev", as: "reporter")
            let theirs = try await site.fileBug("Assigned to admin", as: "dev", extra: ["assigned_to": "admin@example.com"])
            func ids(_ query: String) async throws -> [Int] {
                try await site.get("/rest/bug?\(query)&order=bug_id", as: "admin").expect(.ok)["bugs"].array.map { $0["id"].int }
            }
            #expect(try await ids("assigned_to=dev%40example.com") == [mine])
            #expect(try await ids("assigned_to=DEV%40Example.COM") == [mine])
            #expect(try await ids("assigned_to=ev%40exa") == [mine])
            #expect(try await ids("assigned_to=v%40example.com") == [mine])
            #expect(try await ids("assigned_to=Dev") == [mine])
            #expect(try await ids("assigned_to=example.com") == [mine, theirs])
            #expect(try await ids("assigned_to=dev&assigned_to=admin") == [mine, theirs])
            #expect(try await ids("assigned_to=nobody%40example.com") == [])
            #expect(try await ids("assigned_to=de%22v") == [])
            #expect(try await ids("creator=dev%40example.com&assigned_to=admin") == [theirs])
            #expect(try await site.get("/rest/bug?assigned_to=example.com&count_only=1", as: "admin").expect(.ok)["bug_count"].int == 2)
        }
    }
}
