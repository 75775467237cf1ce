import BugZotStorage
import Foundation
import Logging
import ServiceLifecycle

/// How a job handler says a job failed: try again later, or never.
public enum JobFailure: Error, Sendable {
    /// Worth another attempt (a mail server saying 4xx, a network failure).
    case retryLater(String)
    /// Will never work (a mail server saying 5xx): the job is dead at once.
    case permanent(String)
}

/// Runs queued jobs: claims due ones, runs their handlers, and records the outcome — done, back in
/// the queue after an exponential, jittered delay, or dead after too many attempts. A worker that
/// dies mid-job loses nothing: its lease runs out and another worker takes the job again.
public struct JobWorker: Service {
    public typealias Handler = @Sendable (Job) async throws -> Void

    public struct Settings: Sendable {
        /// Jobs run at once by this worker.
        public var concurrency = 4
        /// How often an idle worker looks for due jobs.
        public var pollInterval: Duration = .milliseconds(500)
        /// How long a claimed job is this worker's before others may take it again.
        public var lease: TimeInterval = 300
        /// The first retry's delay; each later one doubles, up to `maximumDelay`.
        public var baseDelay: TimeInterval = 30
        public var maximumDelay: TimeInterval = 6 * 3600
        /// Attempts before a job is dead.
        public var maximumAttempts = 10
        /// Done jobs are forgotten after this long (dead ones stay until retried).
        public var keepDone: TimeInterval = 7 * 24 * 3600

        public init() {}
    }

    let database: any Database
    let handlers: [String: Handler]
    let settings: Settings
    let logger: Logger

    public init(database: any Database, handlers: [String: Handler], settings: Settings = Settings(), logger: Logger) {
        self.database = database
        self.handlers = handlers
        self.settings = settings
        self.logger = logger
    }

    public func run() async throws {
        logger.info("job worker started", metadata: ["concurrency": "\(settings.concurrency)"])
        var lastPruned = Date.distantPast
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                if try await runDueJobs() > 0 { continue }
                if Date().timeIntervalSince(lastPruned) > 3600 {
                    try await pruneDoneJobs()
                    lastPruned = Date()
                }
            } catch {
                // The database may be restarting (or not migrated yet): try again shortly.
                logger.warning("could not claim jobs", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: settings.pollInterval)
        }
    }

    /// Claims and runs one batch of due jobs; returns how many ran.
    @discardableResult
    public func runDueJobs(now: Date = Date()) async throws -> Int {
        let lease = settings.lease
        let limit = settings.concurrency
        let jobs = try await database.transaction { sql in
            try await SQLStore(sql).claimJobs(limit: limit, now: now, leaseUntil: now.addingTimeInterval(lease))
        }
        await withTaskGroup(of: Void.self) { group in
            for job in jobs { group.addTask { await self.run(job) } }
        }
        return jobs.count
    }

    /// Forgets done jobs older than `keepDone`, so the queue's table doesn't grow for ever.
    public func pruneDoneJobs(now: Date = Date()) async throws {
        let before = now.addingTimeInterval(-settings.keepDone)
        try await database.transaction { sql in try await SQLStore(sql).deleteFinishedJobs(before: before) }
    }

    private func run(_ job: Job) async {
        let metadata: Logger.Metadata = ["job": "\(job.id)", "kind": "\(job.kind)", "attempt": "\(job.attempts)"]
        let outcome: (failure: String, permanent: Bool)?
        if let handler = handlers[job.kind] {
            do {
                try await handler(job)
                outcome = nil
            } catch JobFailure.permanent(let reason) {
                outcome = (reason, true)
            } catch JobFailure.retryLater(let reason) {
                outcome = (reason, false)
            } catch {
                outcome = (String(describing: error), false)
            }
        } else {
            outcome = ("no handler for jobs of kind '\(job.kind)'", true)
        }
        let now = Date()
        do {
            try await database.transaction { sql in
                let store = SQLStore(sql)
                guard let (failure, permanent) = outcome else { return try await store.completeJob(id: job.id, at: now) }
                if permanent || job.attempts >= settings.maximumAttempts {
                    try await store.buryJob(id: job.id, at: now, error: failure)
                    logger.error("job failed for good", metadata: metadata.merging(["error": "\(failure)"]) { $1 })
                } else {
                    let runAt = now.addingTimeInterval(delay(afterAttempt: job.attempts))
                    try await store.retryJob(id: job.id, at: runAt, error: failure)
                    logger.warning("job failed, will retry", metadata: metadata.merging(["error": "\(failure)", "retry_at": "\(runAt)"]) { $1 })
                }
            }
        } catch {
            // The lease runs out and the job runs again: at least once, never lost.
            logger.error("could not record a job's outcome", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
    }

    /// Exponential backoff with jitter: spread retries so that failed jobs don't return together.
    func delay(afterAttempt attempt: Int) -> TimeInterval {
        let exponential = min(settings.maximumDelay, settings.baseDelay * pow(2, Double(max(0, attempt - 1))))
        return exponential * Double.random(in: 0.5...1.0)
    }
}
