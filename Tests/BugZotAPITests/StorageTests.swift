import BugZotDomain
import BugZotStorage
import Foundation
import NIOCore
import SQLKit
import Testing

@Suite("Storage on each database")
struct StorageTests {
    @Test("migrations apply once; running them again changes nothing", arguments: TestBackend.all)
    func migrationsAreIdempotent(backend: TestBackend) async throws {
        try await backend.withMigratedDatabase { database in
            let appliedAgain = try await Migrator.migrate(database)
            #expect(appliedAgain.isEmpty)
            let groups = try await database.read { sql in try await SQLStore(sql).groups().map(\.name) }
            #expect(Set(groups) == Set(SystemGroup.allCases.map(\.rawValue)))
            let workflow = try await database.read { sql in try await SQLStore(sql).workflow() }
            #expect(workflow == Workflow.classic)
        }
    }

    @Test(
        "instances migrating schemas of one new PostgreSQL database at once all succeed (extensions are the database's)",
        .enabled(if: TestBackend.postgresURL != nil))
    func concurrentMigrationsOfOneDatabase() async throws {
        let url = try #require(TestBackend.postgresURL)
        let name = "migrations_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let admin = try PostgresDatabase(url: url, logger: TestBackend.logger)
        let fresh = try url[..<#require(url.lastIndex(of: "/"))] + "/" + name
        try await admin.withRunning {
            try await admin.read { sql in try await sql.raw("CREATE DATABASE \(ident: name)").run() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for instance in 0..<12 {
                    group.addTask {
                        let owner = try PostgresDatabase(url: fresh, logger: TestBackend.logger)
                        try await owner.withRunning {
                            try await owner.transaction { sql in try await sql.raw("CREATE SCHEMA \(ident: "s\(instance)")").run() }
                        }
                        let database = try PostgresDatabase(url: fresh, searchPath: "s\(instance)", logger: TestBackend.logger)
                        try await database.withRunning { _ = try await Migrator.migrate(database) }
                    }
                }
                try await group.waitForAll()
            }
            try await admin.read { sql in try await sql.raw("DROP DATABASE \(ident: name) WITH (FORCE)").run() }
        }
    }

    @Test("a failed transaction leaves nothing behind", arguments: TestBackend.all)
    func rollback(backend: TestBackend) async throws {
        struct Refused: Error {}
        try await backend.withMigratedDatabase { database in
            await #expect(throws: Refused.self) {
                try await database.transaction { sql in
                    _ = try await SQLStore(sql).insertUser(login: "ghost@example.com", realName: "", passwordHash: "x", at: Date())
                    throw Refused()
                }
            }
            let users = try await database.read { sql in try await SQLStore(sql).countUsers() }
            #expect(users == 0)
        }
    }

    @Test("concurrent transactions each see the others' commits: comment numbers never collide", arguments: TestBackend.all)
    func concurrentWriters(backend: TestBackend) async throws {
        try await backend.withMigratedDatabase { database in
            let author = try await database.transaction { sql in
                let store = SQLStore(sql)
                let id = try await store.insertUser(login: "a@example.com", realName: "A", passwordHash: "x", at: Date())
                return UserSummary(id: id, login: "a@example.com", realName: "A")
            }
            try await database.transaction { sql in
                let store = SQLStore(sql)
                try await store.insertMinimalProduct(assignee: author)
            }
            let now = Date()
            let bug = Bug(
                id: 0, product: "P", component: "C", version: "1", summary: "S", status: "NEW", severity: "normal",
                priority: "---", opSys: "All", platform: "All", reporter: author, assignedTo: author, creationTime: now, lastChangeTime: now)
            let bugID = try await database.transaction { sql in try await SQLStore(sql).insertBug(bug) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        try await database.transaction { sql in
                            _ = try await SQLStore(sql).insertComment(bugID: bugID, author: author, text: "c\(index)", isPrivate: false, at: now)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let comments = try await database.read { sql in try await SQLStore(sql).comments(bugIDs: [bugID]) }
            #expect(comments.map(\.count).sorted() == Array(0..<20))
        }
    }
}

@Suite("Attachment bytes in the database")
struct DatabaseBlobStoreTests {
    /// 600 KiB in uneven pieces, so stored chunks and arriving pieces never line up.
    private static let bytes: [UInt8] = (0..<600 * 1024).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }

    private struct Pieces: AsyncSequence, Sendable {
        let bytes: [UInt8]
        struct AsyncIterator: AsyncIteratorProtocol {
            var rest: ArraySlice<UInt8>
            mutating func next() async -> ByteBuffer? {
                guard !rest.isEmpty else { return nil }
                let piece = rest.prefix(70_001)
                rest = rest.dropFirst(piece.count)
                return ByteBuffer(bytes: piece)
            }
        }
        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(rest: bytes[...]) }
    }

    @Test("streams in, reads back whole and by range, stores identical bytes once", arguments: TestBackend.all)
    func roundTrip(backend: TestBackend) async throws {
        try await backend.withMigratedDatabase { database in
            let store = DatabaseBlobStore(database: database)
            let (key, size) = try await store.put(streaming: Pieces(bytes: Self.bytes), limit: .max)
            #expect(size == Self.bytes.count)
            #expect(Data(try await store.get(key)) == Data(Self.bytes))
            var slice: [UInt8] = []
            try await store.read(key, range: 262_000..<300_000) { slice += $0.readableBytesView }
            #expect(Data(slice) == Data(Self.bytes[262_000..<300_000]))
            #expect(try await store.put(streaming: Pieces(bytes: Self.bytes), limit: .max).key == key)
            let chunks = try await database.read { sql in try await sql.raw("SELECT COUNT(*) AS n FROM blob_chunks").first()?.decode(column: "n", as: Int.self) }
            #expect(chunks == 3)
        }
    }

    @Test("an upload past the limit keeps nothing", arguments: TestBackend.all)
    func tooLarge(backend: TestBackend) async throws {
        try await backend.withMigratedDatabase { database in
            let store = DatabaseBlobStore(database: database)
            await #expect(throws: BlobTooLarge.self) { try await store.put(streaming: Pieces(bytes: Self.bytes), limit: 500_000) }
            let chunks = try await database.read { sql in try await sql.raw("SELECT COUNT(*) AS n FROM blob_chunks").first()?.decode(column: "n", as: Int.self) }
            #expect(chunks == 0)
        }
    }
}
