import BugZotDomain
import BugZotStorage
import Foundation

/// What administrators see of the job queue: counts, dead jobs, and a second chance for them.
public struct JobQueue: Sendable {
    let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    public func counts(by principal: Principal) async throws -> [Job.State: Int] {
        try principal.require(.admin, action: "see the job queue")
        return try await database.read { sql in try await SQLStore(sql).jobCounts() }
    }

    /// The newest jobs in a state (dead ones, usually).
    public func jobs(state: Job.State, limit: Int = 100, by principal: Principal) async throws -> [Job] {
        try principal.require(.admin, action: "see the job queue")
        return try await database.read { sql in try await SQLStore(sql).jobs(state: state, limit: min(limit, 1000)) }
    }

    /// Queues a dead job again, from its first attempt.
    public func retry(id: Int, by principal: Principal) async throws {
        try principal.require(.admin, action: "retry jobs")
        let now = Date()
        let found = try await database.transaction { sql in try await SQLStore(sql).resurrectJob(id: id, at: now) }
        guard found else { throw DomainError.objectNotFound(kind: "dead job", name: String(id)) }
    }
}
