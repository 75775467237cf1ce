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
    /// Not tried, since it can't work yet (its endpoint keeps failing): back in the queue for
    /// `until`, without spending an attempt.
    case postponed(until: Date, reason: String)
}

/// Runs queued jobs: claims due ones, runs their handlers, and records the outcome — done, back in
/// the queue after an exponential, jittered delay, or dead after too many attempts. A worker that
/// dies mid-job loses nothing: its lease runs out and another worker takes the job again.
///
/// Jobs run in lanes, each with its own slots, and a lane takes a new job as soon as one of its
/// slots is free: a slow job (a webhook that never answers) holds only its own slot, never the
/// jobs of another lane or the rest of its own.
public struct JobWorker: Service {
    public typealias Handler = @Sendable (Job) async throws -> Void

    /// Some kinds of job and the slots they may use at once.
    public struct Lane: Sendable {
        public var name: String
        /// The kinds this lane runs; nil: every kind that no other lane names.
        public var kinds: [String]?
        /// Jobs of this lane run at once.
        public var concurrency: Int

        public init(name: String, kinds: [String]?, concurrency: Int) {
            self.name = name
            self.kinds = kinds
            self.concurrency = max(1, concurrency)
        }
    }

    public struct Settings: Sendable {
        /// Mail (and the fan-out that makes it) never waits behind webhooks, nor they behind it.
        public var lanes = [
            Lane(name: "mail", kinds: [Outbox.Kind.bugEvent, Outbox.Kind.mail], concurrency: 4),
            Lane(name: "webhooks", kinds: [Outbox.Kind.webhook], concurrency: 4),
            Lane(name: "other", kinds: nil, concurrency: 2),
        ]
        /// How often an idle worker looks for due jobs.
        public var pollInterval: Duration = .milliseconds(500)
        /// After a failed look (the database can't be reached), each lane waits twice as long
        /// before the next, up to this.
        public var maximumOutagePause: Duration = .seconds(5)
        /// How long a claimed job is this worker's before others may take it again.
        public var lease: TimeInterval = 300
        /// The first retry's delay; each later one doubles, up to `maximumDelay`.
        public var baseDelay: TimeInterval = 30
        public var maximumDelay: TimeInterval = 6 * 3600
        /// Attempts before a job is dead.
        public var maximumAttempts = 10
        /// Done jobs are forgotten after this long (dead ones stay until retried).
        public var keepDone: TimeInterval = 7 * 24 * 3600
        /// Events are forgotten after this long (`EventService.since` can't reach back further).
        public var keepEvents: TimeInterval = 72 * 3600

        public init() {}
    }

    let database: any Database
    let handlers: [String: Handler]
    let settings: Settings
    let logger: Logger
    private let outage: OutageWatch

    public init(database: any Database, handlers: [String: Handler], settings: Settings = Settings(), logger: Logger) {
        self.database = database
        self.handlers = handlers
        self.settings = settings
        self.logger = logger
        self.outage = OutageWatch(logger: logger)
    }

    public func run() async throws {
        logger.info(
            "job worker started", metadata: ["lanes": "\(settings.lanes.map { "\($0.name): \($0.concurrency)" }.joined(separator: ", "))"])
        await withTaskGroup(of: Void.self) { group in
            for lane in settings.lanes { group.addTask { await self.run(lane) } }
            group.addTask { await self.pruneHourly() }
        }
    }

    /// Keeps up to the lane's concurrency of its jobs running, claiming more whenever one ends,
    /// and otherwise looking for due jobs every poll interval — less and less often while the
    /// database is unavailable, and at the usual pace again once it is back.
    private func run(_ lane: Lane) async {
        enum Event { case finished, tick }
        let kinds = claimed(by: lane)
        await withTaskGroup(of: Event.self) { group in
            var running = 0
            var ticking = false
            var pause = settings.pollInterval
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                if running < lane.concurrency {
                    let begun = ContinuousClock.now
                    do {
                        let jobs = try await claim(limit: lane.concurrency - running, kinds: kinds, now: Date())
                        outage.reached(begun: begun)
                        pause = settings.pollInterval
                        for job in jobs {
                            group.addTask {
                                await self.run(job)
                                return .finished
                            }
                        }
                        running += jobs.count
                    } catch {
                        // An outage is logged once, by the watch; anything else is a bug, logged each time.
                        if outage.failed(error, begun: begun) == nil {
                            logger.warning("could not claim jobs", metadata: ["lane": "\(lane.name)", "error": "\(error)"])
                        }
                        pause = min(pause * 2, max(settings.pollInterval, settings.maximumOutagePause))
                    }
                }
                if !ticking {
                    ticking = true
                    group.addTask { [pause] in
                        // A shutdown ends the wait: an idle lane stops at once, even while backed off.
                        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
                        return .tick
                    }
                }
                switch await group.next() {
                case .finished: running -= 1
                case .tick: ticking = false
                case nil: break
                }
            }
            // Running jobs finish before the worker stops (the group waits for them), unless the
            // shutdown period ends first and cancels them.
        }
    }

    private func pruneHourly() async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let begun = ContinuousClock.now
            do {
                try await pruneDoneJobs()
                try await pruneEvents()
            } catch {
                // An outage is logged once, by the watch (the next hour's pruning does this one's work too).
                if outage.failed(error, begun: begun) == nil {
                    logger.warning("could not forget done jobs and old events", metadata: ["error": "\(error)"])
                }
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) }
        }
    }

    /// Claims and runs, in every lane, as many due jobs as it has slots, and waits for them; returns
    /// how many ran.
    @discardableResult
    public func runDueJobs(now: Date = Date()) async throws -> Int {
        var jobs: [Job] = []
        for lane in settings.lanes {
            jobs += try await claim(limit: lane.concurrency, kinds: claimed(by: lane), now: now)
        }
        await withTaskGroup(of: Void.self) { group in
            for job in jobs { group.addTask { await self.run(job) } }
        }
        return jobs.count
    }

    /// The kinds of job `lane` claims.
    private func claimed(by lane: Lane) -> JobKinds {
        if let kinds = lane.kinds { return .only(kinds) }
        return .except(settings.lanes.compactMap(\.kinds).flatMap { $0 })
    }

    private func claim(limit: Int, kinds: JobKinds, now: Date) async throws -> [Job] {
        let leaseUntil = now.addingTimeInterval(settings.lease)
        return try await database.transaction { sql in
            try await SQLStore(sql).claimJobs(limit: limit, kinds: kinds, now: now, leaseUntil: leaseUntil)
        }
    }

    /// Forgets done jobs older than `keepDone`, so the queue's table doesn't grow for ever.
    public func pruneDoneJobs(now: Date = Date()) async throws {
        let before = now.addingTimeInterval(-settings.keepDone)
        try await database.transaction { sql in try await SQLStore(sql).deleteFinishedJobs(before: before) }
    }

    /// Forgets events older than `keepEvents`, so the events table doesn't grow for ever.
    public func pruneEvents(now: Date = Date()) async throws {
        let before = now.addingTimeInterval(-settings.keepEvents)
        try await database.transaction { sql in try await SQLStore(sql).pruneEvents(before: before) }
    }

    private func run(_ job: Job) async {
        let metadata: Logger.Metadata = ["job": "\(job.id)", "kind": "\(job.kind)", "attempt": "\(job.attempts)"]
        let outcome: JobFailure?
        if let handler = handlers[job.kind] {
            do {
                try await handler(job)
                outcome = nil
            } catch let failure as JobFailure {
                outcome = failure
            } catch {
                outcome = .retryLater(String(describing: error))
            }
        } else {
            outcome = .permanent("no handler for jobs of kind '\(job.kind)'")
        }
        if outcome != nil && Task.isCancelled {
            // Cut off by the end of a shutdown period: not an attempt. It stays this worker's until
            // its lease runs out, and then runs again.
            logger.notice("job cut off by the shutdown: it runs again when its lease ends", metadata: metadata)
            return
        }
        let now = Date()
        do {
            // In a task of its own, so that a job that has run records its outcome even when the
            // shutdown period ends at that moment (the database lets the call finish: `CallDrain`).
            try await Task { [self] in
                try await database.transaction { sql in
                    let store = SQLStore(sql)
                    switch outcome {
                    case nil:
                        try await store.completeJob(id: job.id, at: now)
                    case .postponed(let until, let reason):
                        try await store.postponeJob(id: job.id, until: until, reason: reason)
                        logger.debug("job postponed", metadata: metadata.merging(["reason": "\(reason)", "run_at": "\(until)"]) { $1 })
                    case .permanent(let failure):
                        try await bury(job, at: now, failure: failure, store: store, metadata: metadata)
                    case .retryLater(let failure) where job.attempts >= settings.maximumAttempts:
                        try await bury(job, at: now, failure: failure, store: store, metadata: metadata)
                    case .retryLater(let failure):
                        let runAt = now.addingTimeInterval(delay(afterAttempt: job.attempts))
                        try await store.retryJob(id: job.id, at: runAt, error: failure)
                        logger.warning("job failed, will retry", metadata: metadata.merging(["error": "\(failure)", "retry_at": "\(runAt)"]) { $1 })
                    }
                }
            }.value
        } catch {
            // The lease runs out and the job runs again: at least once, never lost.
            logger.error("could not record a job's outcome", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
    }

    private func bury(_ job: Job, at now: Date, failure: String, store: SQLStore, metadata: Logger.Metadata) async throws {
        try await store.buryJob(id: job.id, at: now, error: failure)
        logger.error("job failed for good", metadata: metadata.merging(["error": "\(failure)"]) { $1 })
    }

    /// Exponential backoff with jitter: spread retries so that failed jobs don't return together.
    func delay(afterAttempt attempt: Int) -> TimeInterval {
        let exponential = min(settings.maximumDelay, settings.baseDelay * pow(2, Double(max(0, attempt - 1))))
        return exponential * Double.random(in: 0.5...1.0)
    }
}
