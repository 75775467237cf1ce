import BugZotREST
import BugZotWire
import Foundation
import HTTPTypes
import Testing

@Suite("Search limits: every match or a clear refusal, never a silent cut; ids filter")
struct SearchLimitAPITests {
    /// Ids of `GET path` as `user`.
    private func ids(_ site: TestSite, _ path: String, as user: String = "admin") async throws -> [Int] {
        let separator = path.contains("?") ? "&" : "?"
        return try await site.get("\(path)\(separator)include_fields=id", as: user).expect(.ok)["bugs"].array.map { $0["id"].int }
    }

    @Test("limit=0, no limit, or a limit above the maximum return every match when no more than the maximum match", arguments: TestBackend.all)
    func allUnderTheMaximum(backend: TestBackend) async throws {
        try await TestSite.with(backend, maxSearchResults: 3) { site in
            var filed: [Int] = []
            for summary in ["One", "Two", "Three"] { filed.append(try await site.fileBug(summary)) }
            #expect(try await ids(site, "/rest/bug?product=Widget&limit=0") == filed)
            #expect(try await ids(site, "/rest/bug?product=Widget") == filed)
            #expect(try await ids(site, "/rest/bug?product=Widget&limit=20000") == filed)
            #expect(try await ids(site, "/rest/bug?product=Widget&limit=0&offset=1") == Array(filed.dropFirst()))
        }
    }

    @Test("more matches than the maximum are refused with an error naming it and saying how to page", arguments: TestBackend.all)
    func overTheMaximum(backend: TestBackend) async throws {
        try await TestSite.with(backend, maxSearchResults: 3) { site in
            var filed: [Int] = []
            for summary in ["One", "Two", "Three", "Four"] { filed.append(try await site.fileBug(summary)) }
            for query in ["limit=0", "", "limit=20000", "limit=4", "limit=0&offset=0"] {
                let response = try await site.get("/rest/bug?product=Widget&\(query)", as: "admin")
                response.expectError(53, .badRequest)
                #expect(response.errorMessage.contains("more than 3 bugs match"), "\(query): \(response.errorMessage)")
                #expect(response.errorMessage.contains("limit") && response.errorMessage.contains("offset"))
            }
            // Paging within the maximum still works, as does a narrower search.
            #expect(try await ids(site, "/rest/bug?product=Widget&limit=3") == Array(filed.prefix(3)))
            #expect(try await ids(site, "/rest/bug?product=Widget&limit=3&offset=3") == [filed[3]])
            #expect(try await ids(site, "/rest/bug?product=Widget&limit=0&offset=1") == Array(filed.dropFirst()))
            #expect(try await ids(site, "/rest/bug?summary=o&limit=0") == [filed[0], filed[1], filed[3]])
        }
    }

    @Test("count_only=1 gives the total a paged search walks, whatever the page, without hidden bugs and past the maximum", arguments: TestBackend.all)
    func totalCount(backend: TestBackend) async throws {
        try await TestSite.with(backend, maxSearchResults: 3) { site in
            for summary in ["One", "Two", "Three", "Four"] { _ = try await site.fileBug(summary) }
            _ = try await site.fileSecretBug("Secret one")
            func count(_ query: String, as user: String) async throws -> JSONValue {
                try await site.get("/rest/bug?\(query)&count_only=1", as: user).expect(.ok)
            }
            #expect(try await count("product=Widget", as: "outsider") == ["bug_count": 4])
            #expect(try await count("product=Widget", as: "insider") == ["bug_count": 5])
            #expect(try await count("product=Widget&limit=2&offset=1", as: "outsider") == ["bug_count": 4])
            #expect(try await count("summary=one", as: "outsider") == ["bug_count": 1])
            #expect(try await count("summary=one", as: "insider") == ["bug_count": 2])
            #expect(try await ids(site, "/rest/bug?product=Widget&limit=2&count_only=0", as: "outsider").count == 2)
        }
    }

    @Test("after=ID pages by position in the search's order, within the maximum, never after a hidden bug", arguments: TestBackend.all)
    func keysetPages(backend: TestBackend) async throws {
        try await TestSite.with(backend, maxSearchResults: 3) { site in
            var filed: [Int] = []
            for summary in ["Echo", "Alpha", "Delta", "Bravo", "Charlie"] { filed.append(try await site.fileBug(summary)) }
            let secret = try await site.fileSecretBug("Secret")
            #expect(try await ids(site, "/rest/bug?product=Widget&limit=2&after=\(filed[1])") == [filed[2], filed[3]])
            #expect(try await ids(site, "/rest/bug?product=Widget&after=\(filed[1])", as: "outsider") == Array(filed.suffix(3)))
            #expect(try await ids(site, "/rest/bug?order=bug_id%20DESC&limit=2&after=\(filed[3])") == [filed[2], filed[1]])
            // By summary: Alpha, Bravo, Charlie, Delta, Echo.
            #expect(try await ids(site, "/rest/bug?order=short_desc&limit=2&after=\(filed[3])", as: "outsider") == [filed[4], filed[2]])
            #expect(try await ids(site, "/rest/bug?order=short_desc%20DESC&limit=2&after=\(filed[2])", as: "outsider") == [filed[4], filed[3]])
            try await site.get("/rest/bug?product=Widget&after=\(filed[0])", as: "admin").expectError(53, .badRequest)
            try await site.get("/rest/bug?limit=2&after=\(secret)", as: "outsider").expectError(101, .notFound)
            try await site.get("/rest/bug?order=priority,bug_id&limit=2&after=\(filed[0])", as: "admin").expectError(53, .badRequest)
        }
    }

    @Test("ids and id filter a search, as a list or comma-separated, and hidden bugs stay hidden", arguments: TestBackend.all)
    func idsFilter(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let first = try await site.fileBug("First")
            let second = try await site.fileBug("Second")
            let third = try await site.fileBug("Third")
            let secret = try await site.fileSecretBug("Secret")
            #expect(try await ids(site, "/rest/bug/?ids=\(second)") == [second])
            #expect(try await ids(site, "/rest/bug?ids=\(second)") == [second])
            #expect(try await ids(site, "/rest/bug?id=\(second)") == [second])
            #expect(try await ids(site, "/rest/bug?ids=\(first)&ids=\(third)") == [first, third])
            #expect(try await ids(site, "/rest/bug?ids=\(first),\(third)") == [first, third])
            #expect(try await ids(site, "/rest/bug?id=\(first),\(second)&bug_id=\(third)") == [first, second, third])
            #expect(try await ids(site, "/rest/bug?ids=\(first),\(secret)", as: "outsider") == [first])
            #expect(try await ids(site, "/rest/bug/?ids=\(secret)", as: "outsider") == [])
            #expect(try await ids(site, "/rest/bug?ids=\(secret)", as: "insider") == [secret])
            try await site.get("/rest/bug?ids=nine", as: "admin").expectError(52, .badRequest)
        }
    }
}
