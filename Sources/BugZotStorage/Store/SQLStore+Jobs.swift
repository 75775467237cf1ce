import Foundation
import SQLKit

/// A unit of slow work in the queue.
public struct Job: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable {
        case queued, running, done, dead
    }

    public let id: Int
    public let kind: String
    public let payload: String
    public let state: State
    /// Attempts started so far, this one included once claimed.
    public let attempts: Int
    public let runAt: Date
    public let lastError: String
    public let createdAt: Date
}

/// Which kinds of job a claim takes.
public enum JobKinds: Sendable, Equatable {
    /// Only these kinds.
    case only([String])
    /// Every kind but these.
    case except([String])

    /// Every kind.
    public static let all = JobKinds.except([])
}

extension SQLStore {
    private static let jobColumns: SQLQueryString = "id, kind, payload, state, attempts, run_at, last_error, created_at"

    private func job(from row: any SQLRow) throws -> Job {
        Job(
            id: try row.int("id"), kind: try row.string("kind"), payload: try row.string("payload"),
            state: Job.State(rawValue: try row.string("state")) ?? .dead, attempts: try row.int("attempts"),
            runAt: try row.date("run_at"), lastError: try row.string("last_error"), createdAt: try row.date("created_at"))
    }

    /// Adds a job, in the caller's transaction (so it exists exactly when the change that caused it
    /// does). A job whose idempotency key is already queued or done is not added again.
    public func enqueueJob(kind: String, payload: String, idempotencyKey: String? = nil, runAt: Date) async throws {
        try await run(
            """
            INSERT INTO jobs (kind, payload, idempotency_key, state, attempts, run_at, created_at)
            VALUES (\(bind: kind), \(bind: payload), \(bind: idempotencyKey), 'queued', 0, \(bind: runAt.unixSeconds), \(bind: runAt.unixSeconds))
            ON CONFLICT (idempotency_key) DO NOTHING
            """)
    }

    /// Takes up to `limit` jobs of `kinds` that are due, or whose last worker's lease ran out (it
    /// crashed), and leases them until `leaseUntil`. PostgreSQL skips rows other workers hold;
    /// SQLite's single writer makes the claim exclusive by itself.
    public func claimJobs(limit: Int, kinds: JobKinds = .all, now: Date, leaseUntil: Date) async throws -> [Job] {
        let skipLocked: SQLQueryString = sql.dialect.name == "postgresql" ? " FOR UPDATE SKIP LOCKED" : ""
        let kindCondition: SQLQueryString =
            switch kinds {
            case .only(let names): " AND kind IN \(inList(names))"
            case .except(let names) where !names.isEmpty: " AND kind NOT IN \(inList(names))"
            case .except: ""
            }
        let due = try await all(
            """
            SELECT id FROM jobs
            WHERE ((state = 'queued' AND run_at <= \(bind: now.unixSeconds)) OR (state = 'running' AND lease_until < \(bind: now.unixSeconds)))
            """ + kindCondition + " ORDER BY run_at, id LIMIT \(bind: limit)" + skipLocked
        ).map { try $0.int("id") }
        guard !due.isEmpty else { return [] }
        return try await all(
            """
            UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = \(bind: leaseUntil.unixSeconds)
            WHERE id IN \(inList(due)) RETURNING
            """ + " " + Self.jobColumns
        ).map(job(from:)).sorted { $0.id < $1.id }
    }

    public func completeJob(id: Int, at now: Date) async throws {
        try await run("UPDATE jobs SET state = 'done', lease_until = NULL, finished_at = \(bind: now.unixSeconds) WHERE id = \(bind: id)")
    }

    /// Puts a failed job back in the queue for `runAt`.
    public func retryJob(id: Int, at runAt: Date, error: String) async throws {
        try await run(
            "UPDATE jobs SET state = 'queued', lease_until = NULL, run_at = \(bind: runAt.unixSeconds), last_error = \(bind: error) WHERE id = \(bind: id)")
    }

    /// Puts a claimed job back in the queue for `runAt` without counting its claim as an attempt
    /// (it was never tried: its endpoint is known to be failing).
    public func postponeJob(id: Int, until runAt: Date, reason: String) async throws {
        try await run(
            """
            UPDATE jobs SET state = 'queued', lease_until = NULL, attempts = attempts - 1, run_at = \(bind: runAt.unixSeconds),
            last_error = \(bind: reason) WHERE id = \(bind: id)
            """)
    }

    /// Gives up on a job: it stays, dead, for an administrator to see and retry.
    public func buryJob(id: Int, at now: Date, error: String) async throws {
        try await run(
            "UPDATE jobs SET state = 'dead', lease_until = NULL, finished_at = \(bind: now.unixSeconds), last_error = \(bind: error) WHERE id = \(bind: id)")
    }

    /// Sends a dead job round again, with its attempts reset.
    public func resurrectJob(id: Int, at now: Date) async throws -> Bool {
        try await first(
            "UPDATE jobs SET state = 'queued', attempts = 0, run_at = \(bind: now.unixSeconds), finished_at = NULL WHERE id = \(bind: id) AND state = 'dead' RETURNING id"
        ) != nil
    }

    /// The newest jobs in a state, newest first.
    public func jobs(state: Job.State, limit: Int) async throws -> [Job] {
        try await all("SELECT " + Self.jobColumns + " FROM jobs WHERE state = \(bind: state.rawValue) ORDER BY id DESC LIMIT \(bind: limit)")
            .map(job(from:))
    }

    /// How many jobs are in each state.
    public func jobCounts() async throws -> [Job.State: Int] {
        var counts: [Job.State: Int] = [:]
        for row in try await all("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state") {
            if let state = Job.State(rawValue: try row.string("state")) { counts[state] = try row.int("n") }
        }
        return counts
    }

    /// Forgets done jobs finished before `before`, keeping dead ones.
    public func deleteFinishedJobs(before: Date) async throws {
        try await run("DELETE FROM jobs WHERE state = 'done' AND finished_at < \(bind: before.unixSeconds)")
    }
}
