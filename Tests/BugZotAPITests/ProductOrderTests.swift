import BugZotDomain
import BugZotREST
import BugZotServices
import BugZotStorage
import BugZotWire
import Foundation
import HTTPTypes
import SQLKit
import Testing

/// Versions and milestones sort by the sort keys their product gives them (then by name), not
/// alphabetically — in `order=` on /rest, and page after page with `after=`.
@Suite("Sorting versions and milestones by their product's order")
struct ProductOrderTests {
    private func ids(_ site: TestSite, _ query: String) async throws -> [Int] {
        try await site.get("/rest/bug?\(query)&include_fields=id", as: "admin").expect(.ok)["bugs"].array.map { $0["id"].int }
    }

    @Test("order=version and order=target_milestone follow the product's sort keys; after= pages in that order", arguments: TestBackend.all)
    func versionsAndMilestones(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let admin = try await site.services.auth.principal(userID: 1)
            // Alphabetically 1.0 < 10.0 < 2.0 < 9.0; the product says 1.0, 2.0, 9.0, 10.0.
            let versions = ["1.0", "2.0", "9.0", "10.0"]
            let milestones = ["M1", "M2", "M10"]
            for version in versions.dropFirst() { _ = try await site.services.catalog.addValue(.version, named: version, to: "Widget", by: admin) }
            for milestone in milestones { _ = try await site.services.catalog.addValue(.milestone, named: milestone, to: "Widget", by: admin) }
            try await site.services.database.transaction { sql in
                for (key, version) in versions.enumerated() {
                    try await sql.raw("UPDATE versions SET sort_key = \(bind: key + 1) WHERE name = \(bind: version)").run()
                }
                for (key, milestone) in milestones.enumerated() {
                    try await sql.raw("UPDATE milestones SET sort_key = \(bind: key + 1) WHERE name = \(bind: milestone)").run()
                }
            }
            var filed: [(id: Int, version: String, milestone: String)] = []
            for (index, version) in (versions + versions).reversed().enumerated() {
                let milestone = milestones[index % milestones.count]
                let id = try await site.fileBug("Bug \(index)", as: "dev", extra: ["version": .string(version), "target_milestone": .string(milestone)])
                filed.append((id, version, milestone))
            }
            let byVersion = filed.sorted { a, b in
                let (x, y) = (versions.firstIndex(of: a.version)!, versions.firstIndex(of: b.version)!)
                return x != y ? x < y : a.id < b.id
            }.map(\.id)
            #expect(try await ids(site, "order=version") == byVersion)
            let byMilestoneDescending = filed.sorted { a, b in
                let (x, y) = (milestones.firstIndex(of: a.milestone)!, milestones.firstIndex(of: b.milestone)!)
                return x != y ? x > y : a.id < b.id
            }.map(\.id)
            #expect(try await ids(site, "order=target_milestone%20DESC") == byMilestoneDescending)

            // Keyset pages of three, each after the last bug of the one before.
            for (order, expected) in [("version", byVersion), ("target_milestone%20DESC", byMilestoneDescending)] {
                var seen: [Int] = []
                var page = try await ids(site, "order=\(order)&limit=3")
                while !page.isEmpty {
                    seen += page
                    page = try await ids(site, "order=\(order)&limit=3&after=\(page.last!)")
                }
                #expect(seen == expected)
            }
        }
    }
}
