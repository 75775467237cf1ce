import BugZotREST
import BugZotServices
import BugZotStorage
import BugZotWire
import Foundation
import HTTPTypes
import SQLKit
import Testing

/// Each write of a comment adds a part to SQLite's full-text index, and a lookup seeks in every
/// part; the running database merges them as writes arrive (`TextSearch.upkeepStatements`, every
/// `textUpkeep`), without the job worker.
@Suite("SQLite's full-text index is kept merged as comments arrive")
struct TextIndexUpkeepTests {
    /// The parts of the comments' index: each has its own segment id in the index's page index.
    private static func parts(_ site: TestSite) async throws -> Int {
        try await site.services.database.read { sql in
            try await sql.raw("SELECT count(DISTINCT segid) AS parts FROM comment_fts_idx").first()?.decode(column: "parts", as: Int.self) ?? 0
        }
    }

    /// Files a bug and comments on it `count` times, one request (one transaction) each.
    private static func comment(_ count: Int, on site: TestSite) async throws {
        let bug = try await site.fileBug("Crash on save", as: "dev")
        for number in 1...count {
            try await site.post("/rest/bug/\(bug)/comment", ["comment": .string("Seen again, time \(number)")], as: "dev").expect(.created)
        }
    }

    @Test("single-row writes leave the index in several parts until a merge pass runs")
    func writesAddParts() async throws {
        try await TestSite.with(.sqlite, textUpkeep: .seconds(3600)) { site in
            try await Self.comment(40, on: site)
            #expect(try await Self.parts(site) > 1)
        }
    }

    @Test("a pass after the writes merges the index into one part", .timeLimit(.minutes(3)))
    func passMerges() async throws {
        try await TestSite.with(.sqlite, textUpkeep: .milliseconds(100)) { site in
            try await Self.comment(40, on: site)
            var parts = try await Self.parts(site)
            let deadline = ContinuousClock.now + .seconds(20)
            while parts > 1, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                parts = try await Self.parts(site)
            }
            #expect(parts == 1)
        }
    }
}
