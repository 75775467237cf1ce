import BugZotStorage
import Foundation
import NIOCore
import SQLKit
import ServiceLifecycle
import Testing

@Suite("Storage hygiene: one connection per unit of work, and no leftovers from crashed uploads")
struct StorageHygieneTests {
    @Test("a read or transaction started inside another is refused at once, instead of waiting on itself", arguments: TestBackend.all)
    func nestedConnections(backend: TestBackend) async throws {
        try await backend.withMigratedDatabase { database in
            let one = { @Sendable (sql: any SQLDatabase) in try await sql.raw("SELECT 1 AS one").first() != nil }
            await #expect(throws: NestedConnectionRequest.self) { try await database.read { _ in try await database.read(one) } }
            await #expect(throws: NestedConnectionRequest.self) { try await database.transaction { _ in try await database.transaction(one) } }
            await #expect(throws: NestedConnectionRequest.self) { try await database.transaction { _ in try await database.read(one) } }
            // One after the other is fine, and so are calls from tasks of their own.
            let read = try await database.read(one)
            let written = try await database.transaction(one)
            #expect(read && written)
            let parallel = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 { group.addTask { try await database.read(one) } }
                return try await group.reduce(true) { $0 && $1 }
            }
            #expect(parallel)
        }
    }

    @Test("at start, a crashed upload's temporary file goes; a running upload's stays and completes")
    func fileStoreLeftovers() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bugzot-blobs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let temporary = root.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        let crashed = temporary.appendingPathComponent("crashed-upload")
        try Data("half a file".utf8).write(to: crashed)
        let store = FileBlobStore(root: root.path)

        let (chunks, feed) = AsyncStream.makeStream(of: ByteBuffer.self)
        let upload = Task { try await store.put(streaming: chunks, limit: 1024) }
        feed.yield(ByteBuffer(string: "first half, "))
        var running: [String] = []
        for _ in 0..<200 where running.isEmpty {
            try await Task.sleep(for: .milliseconds(10))
            running = try FileManager.default.contentsOfDirectory(atPath: temporary.path).filter { $0 != "crashed-upload" }
        }
        try #require(running.count == 1)
        // Both look old: only the lock tells them apart.
        let longAgo = Date().addingTimeInterval(-3600)
        for name in ["crashed-upload", running[0]] {
            try FileManager.default.setAttributes([.modificationDate: longAgo], ofItemAtPath: temporary.appendingPathComponent(name).path)
        }

        #expect(try await store.removeAbandonedUploads() == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path) == running)

        feed.yield(ByteBuffer(string: "second half"))
        feed.finish()
        let stored = try await upload.value
        #expect(try await store.get(stored.key) == Array("first half, second half".utf8))
        #expect(try await store.removeAbandonedUploads() == 0)
    }

    @Test("at start, the chunks of uploads abandoned hours ago go; a recent upload's stay", arguments: TestBackend.all)
    func databaseStoreLeftovers(backend: TestBackend) async throws {
        try await backend.withMigratedDatabase { database in
            let store = DatabaseBlobStore(database: database)
            let kept = try await store.put(Array("kept bytes".utf8))
            let now = Int(Date().timeIntervalSince1970)
            let abandoned = "upload-\(now - 7 * 3600)-dead", recent = "upload-\(now - 60)-alive"
            try await database.transaction { sql in
                for key in [abandoned, abandoned, recent] {
                    let number = try await sql.raw("SELECT COUNT(*) AS n FROM blob_chunks WHERE blob_key = \(bind: key)").first()!
                        .decode(column: "n", as: Int.self)
                    try await sql.raw(
                        "INSERT INTO blob_chunks (blob_key, seq, data) VALUES (\(bind: key), \(bind: number), \(bind: Data("partial".utf8)))"
                    ).run()
                }
            }

            #expect(try await store.removeAbandonedUploads() == 1)
            let left = try await database.read { sql in
                try await sql.raw("SELECT blob_key FROM blob_chunks ORDER BY blob_key").all().map { try $0.decode(column: "blob_key", as: String.self) }
            }
            #expect(Set(left) == [kept, recent])
            #expect(try await store.get(kept) == Array("kept bytes".utf8))
        }
    }

    @Test(
        "cut off at the end of a shutdown, the database stops last: a call under way, and a clean-up begun just after, still finish",
        arguments: TestBackend.all)
    func cutOffDatabaseStopsLast(backend: TestBackend) async throws {
        let database = try await backend.makeDatabase()
        let service = Task { try await database.run() }
        let one = { @Sendable (sql: any SQLDatabase) in try await sql.raw("SELECT 1 AS one").first() != nil }
        let (begun, began) = AsyncStream.makeStream(of: Void.self)
        let underWay = Task {
            try await database.transaction { sql in
                began.yield()
                try await Task.sleep(for: .milliseconds(200))
                return try await one(sql)
            }
        }
        for await _ in begun { break }
        // Cut off, as ServiceLifecycle does with every service at once; the work cut off with it
        // then cleans up in a task of its own.
        service.cancel()
        let cleanUp = Task { try await database.transaction(one) }
        #expect(try await underWay.value)
        #expect(try await cleanUp.value)
        try await service.value
    }
}
