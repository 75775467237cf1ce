import BugZotDomain
import BugZotStorage
import Foundation
import SQLKit
import Testing

@Suite("Storage on each database")
struct StorageTests {
    /// Runs `body` with a migrated database whose service is running.
    private func withDatabase(_ backend: TestBackend, _ body: @escaping @Sendable (any Database) async throws -> Void) async throws {
        let database = try await backend.makeDatabase()
        try await database.withRunning {
            try await Migrator.migrate(database)
            try await body(database)
        }
    }

    @Test("migrations apply once; running them again changes nothing", arguments: TestBackend.all)
    func migrationsAreIdempotent(backend: TestBackend) async throws {
        try await withDatabase(backend) { database in
            let appliedAgain = try await Migrator.migrate(database)
            #expect(appliedAgain.isEmpty)
            let groups = try await database.read { sql in try await SQLStore(sql).groups().map(\.name) }
            #expect(Set(groups) == Set(SystemGroup.allCases.map(\.rawValue)))
            let workflow = try await database.read { sql in try await SQLStore(sql).workflow() }
            #expect(workflow == Workflow.classic)
        }
    }

    @Test("a failed transaction leaves nothing behind", arguments: TestBackend.all)
    func rollback(backend: TestBackend) async throws {
        struct Refused: Error {}
        try await withDatabase(backend) { database in
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
        try await withDatabase(backend) { database in
            let author = try await database.transaction { sql in
                let store = SQLStore(sql)
                let id = try await store.insertUser(login: "a@example.com", realName: "A", passwordHash: "x", at: Date())
                return UserSummary(id: id, login: "a@example.com", realName: "A")
            }
            try await database.transaction { sql in
                let store = SQLStore(sql)
                let product = try await store.insertProduct(
                    name: "P", description: "d", classificationID: 1, isActive: true, defaultMilestone: "---", allowsUnconfirmed: false)
                _ = try await store.insertVersion(productID: product, name: "1")
                _ = try await store.insertComponent(
                    productID: product, name: "C", description: "d", assigneeID: author.id, qaContactID: nil, isActive: true, defaultCC: [])
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
