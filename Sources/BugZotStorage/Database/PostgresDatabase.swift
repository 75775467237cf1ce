import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresKit
import PostgresNIO
import SQLKit
import ServiceLifecycle
import Synchronization

/// PostgreSQL through a pooled `PostgresClient`; many BugZot instances may share one server.
/// Every call has a deadline, and an outage fails fast with `StorageUnavailable`.
public final class PostgresDatabase: Database {
    /// How long a call may take.
    public struct Deadlines: Sendable {
        /// The longest wait for a connection (opening one included).
        public var connectionWait: Duration
        /// The longest a whole call (a read or a transaction, the wait included) may take.
        public var call: Duration

        /// Deadlines of `call` per call, of which at most `connectionWait` waiting for a connection.
        public init(connectionWait: Duration = .seconds(5), call: Duration = .seconds(30)) {
            self.connectionWait = min(connectionWait, call)
            self.call = call
        }
    }

    public let kind = DatabaseKind.postgres
    /// Live while the notification connection listens; changes come from every instance.
    public let changes = ChangeFeed(isLive: false)
    private let client: PostgresClient
    private let logger: Logger
    private let deadlines: Deadlines
    private let gate = OutageGate()
    /// Opened when the pool runs: no call leases a connection before (commands start the
    /// database's service alongside their work, so a first query may come before it).
    private let running = StartSignal()
    /// Opened once the change listener has tried once (or a connection's wait has passed): calls
    /// wait for it, so that a first request finds the caches on.
    private let ready = StartSignal()
    private let drain = CallDrain()
    /// The names of the statements prepared on this database's connections.
    private let names = StatementNames()
    /// The `NOTIFY` channel of this database (and schema): instances that share one hear each other.
    let channel: String
    /// Names this instance in its notifications, so that it ignores its own (heard at once, locally).
    private let instance = UUID().uuidString

    /// - Parameter searchPath: a schema to work in instead of `public` (tests use one each).
    public init(url: String, searchPath: String? = nil, deadlines: Deadlines = Deadlines(), logger: Logger) throws {
        var configuration = try Self.configuration(from: url)
        // No JIT compilation: BugZot's queries are short, but the planner costs each visibility
        // probe as if it ran for every row, and the JIT it then starts (~150 ms) cost a count of
        // 27,000 bugs ten times the query itself.
        configuration.options.additionalStartupParameters = [("jit", "off")]
        if let searchPath {
            configuration.options.additionalStartupParameters.append(("search_path", searchPath))
        }
        configuration.options.connectTimeout = deadlines.connectionWait
        // Idle connections are checked often, so that one broken by a restart is replaced before it is leased.
        configuration.options.keepAliveBehavior = .init(frequency: .seconds(10))
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
        self.deadlines = deadlines
        self.channel = "bugzot_changes" + (searchPath.map { "_" + $0.lowercased() } ?? "")
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await ConnectionScope.hold {
            try await ready.wait()
            return try await drain.call {
                try await withDeadline { [names] connection in
                    try await body(Self.sql(on: connection, names: names, inTransaction: false).countingStatements())
                }
            }
        }
    }

    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await ConnectionScope.hold {
            try await ready.wait()
            return try await ChangeCollector.collecting { collector in
                do {
                    let result = try await drain.call {
                        try await withDeadline { [logger, channel, instance, names] connection in
                            // PostgresNIO sends BEGIN and COMMIT (or ROLLBACK) itself: counted here, as on SQLite.
                            let counter = StatementCounter.current
                            counter?.record()
                            defer { counter?.record() }
                            return try await connection.withTransaction(logger: logger) { connection in
                                let sql = Self.sql(on: connection, names: names, inTransaction: true).countingStatements()
                                let result = try await body(sql)
                                let changed = collector.collected
                                let events = collector.raised
                                // Delivered to the other instances when (and only if) the transaction commits.
                                let payload = ChangePayload.encode(changed, from: instance)
                                if !events.isEmpty {
                                    // One statement numbers the events in commit order and sends the notification.
                                    let sequences = try await SQLStore(sql).insertEventsInTurn(events, channel: channel, payload: payload)
                                    if let sequences { collector.add(.events(sequences)) }
                                } else if !changed.isEmpty {
                                    try await sql.raw("SELECT pg_notify(\(bind: channel), \(bind: payload))").run()
                                }
                                return result
                            }
                        }
                    }
                    changes.publish(.changed(collector.collected))
                    return result
                } catch let error as PostgresTransactionError {
                    // Whether a COMMIT that failed went through is unknown: what it would change is forgotten (harmless if it didn't).
                    changes.publish(.changed(collector.collected))
                    // A refusal from the body (rolled back cleanly) reaches callers as itself.
                    if let closureError = error.closureError, error.rollbackError == nil { throw closureError }
                    throw error
                } catch {
                    changes.publish(.changed(collector.collected))
                    throw error
                }
            }
        }
    }

    /// SQL on a connection, run as named prepared statements (`PreparingSQLDatabase`).
    private static func sql(on connection: PostgresConnection, names: StatementNames, inTransaction: Bool) -> any SQLDatabase {
        PreparingSQLDatabase(connection: connection, base: connection.sql(queryLogLevel: nil), inTransaction: inTransaction, names: names)
    }

    /// Runs `body` on a leased connection within the deadlines; an outage (the database down,
    /// restarting or silent) comes out as `StorageUnavailable`, at once while another call probes.
    private func withDeadline<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let admission = try gate.admit()
        do {
            let value = try await leased(body)
            if gate.reached(admission) { logger.notice("database reachable again") }
            return value
        } catch {
            if Task.isCancelled {
                gate.abandoned(admission)
                throw error
            }
            if let outage = StorageUnavailable(classifying: error) {
                if gate.failed(outage, admission) {
                    logger.warning("database unavailable: calls fail fast until it answers again", metadata: ["error": "\(outage.detail)"])
                }
                throw outage
            }
            _ = gate.reached(admission)  // the database answered: a refusal, not an outage
            throw error
        }
    }

    /// The body runs in a task of its own, which the call stops waiting for at the deadline: a
    /// query sent on a connection the server has just closed is never answered by PostgresNIO, and
    /// closing the connection does not end it either. The deadline is a timer on an event loop
    /// (one task per call, not one more per deadline).
    private func leased<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let lease = LeaseWatch()
        let first = FirstOutcome<T>()
        let timer = CallTimer(on: PostgresClient.defaultEventLoopGroup.any())
        let (client, deadlines) = (self.client, self.deadlines)
        let work = Task {
            do {
                let value = try await client.withConnection { connection in
                    try lease.began(connection)
                    return try await body(connection)
                }
                timer.stop()
                first.settle(.success(value))
            } catch {
                timer.stop()
                first.settle(.failure(error))
            }
        }
        timer.start(in: deadlines.connectionWait) {
            guard lease.hasBegun else { return .expired(.init(cause: .databaseUnreachable, waited: deadlines.connectionWait)) }
            return .later(deadlines.call - deadlines.connectionWait, .init(cause: .databaseTimedOut, waited: deadlines.call))
        } expired: { expiry in
            first.settle(.failure(StorageUnavailable(expiry.cause, detail: "no answer within \(expiry.waited)")))
            lease.abandon()  // closes the connection, so that the server's side ends too
            work.cancel()
        }
        return try await withTaskCancellationHandler {
            try await first.value()
        } onCancel: {
            work.cancel()
        }
    }

    /// Runs the connection pool until shutdown; cut off, it first lets the clean-ups of the work
    /// cut off with it finish (see `CallDrain`).
    public func run() async throws {
        // Detached, so that only this stops the pool: not this service's cancellation, nor (the client
        // being a service too) the graceful shutdown ServiceLifecycle still signals it once cancelled.
        let pool = Task.detached { [client, running] in
            // `client.run()` marks the pool running before it first suspends, ahead of any waiter.
            running.open()
            await client.run()
        }
        let listener = Task.detached { [self] in await listenForChanges() }
        // Calls wait for the listener's first try, but never longer than for a connection.
        let opener = Task.detached { [ready, wait = deadlines.connectionWait] in
            try? await Task.sleep(for: wait)
            ready.open()
        }
        try? await gracefulShutdown()
        await drain.finish(cutOff: Task.isCancelled)
        opener.cancel()
        listener.cancel()
        await listener.value
        pool.cancel()
        await pool.value
    }

    /// Hears the other instances' changes on one pooled connection, for as long as the database
    /// runs. While it listens the feed is live; when the connection drops (or stops answering the
    /// heartbeat) the feed goes dead, which empties every cache and keeps them off, until the
    /// connection is back (retried with backoff), which empties them again: whatever changed
    /// meanwhile was never heard.
    private func listenForChanges() async {
        try? await running.wait()
        var delay = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: channel) { notifications in
                        changes.setLive(true)
                        ready.open()
                        delay = .milliseconds(100)
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask { [changes, instance] in
                                for try await notification in notifications {
                                    guard let (sender, notice) = ChangePayload.decode(notification.payload), sender != instance else { continue }
                                    changes.publish(notice)
                                }
                            }
                            group.addTask { [logger] in try await Self.heartbeat(connection, logger: logger) }
                            _ = try await group.next()
                            group.cancelAll()
                        }
                    }
                }
            } catch {
                if !Task.isCancelled { logger.debug("change notifications interrupted", metadata: ["error": "\(error)"]) }
            }
            if changes.isLive {
                changes.setLive(false)
                if !Task.isCancelled { logger.warning("change notifications lost: caches are off until they are back") }
            }
            ready.open()
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }

    /// Returns (throwing) when the listening connection fails to answer a query within a few
    /// seconds: a dead connection may otherwise look like a quiet one.
    private static func heartbeat(_ connection: PostgresConnection, logger: Logger) async throws {
        while true {
            try await Task.sleep(for: .seconds(10))
            let outcome = FirstOutcome<Void>()
            let probe = Task {
                do {
                    _ = try await connection.query("SELECT 1", logger: logger)
                    outcome.settle(.success(()))
                } catch {
                    outcome.settle(.failure(error))
                }
            }
            let timer = Task {
                try await Task.sleep(for: .seconds(5))
                outcome.settle(.failure(StorageUnavailable(.databaseTimedOut, detail: "the notification connection stopped answering")))
            }
            defer { timer.cancel() }
            do {
                try await withTaskCancellationHandler {
                    try await outcome.value()
                } onCancel: {
                    outcome.settle(.failure(CancellationError()))
                    probe.cancel()
                }
            } catch {
                let _: EventLoopFuture<Void> = connection.close()
                throw error
            }
        }
    }

    /// Reads `postgres://user:password@host:port/database?sslmode=…`.
    static func configuration(from url: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url),
            ["postgres", "postgresql"].contains(components.scheme ?? ""),
            let host = components.host, !host.isEmpty
        else { throw DatabaseURLError(url: url) }
        let database = String(components.path.drop(while: { $0 == "/" }))
        let sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw DatabaseURLError(url: url)
        }
        return PostgresClient.Configuration(
            host: host, port: components.port ?? 5432,
            username: components.user.map { $0.removingPercentEncoding ?? $0 } ?? "postgres",
            password: components.password.map { $0.removingPercentEncoding ?? $0 },
            database: database.isEmpty ? nil : database, tls: tls
        )
    }
}

/// The connection a call holds, so that a call past its deadline can be cut off.
private final class LeaseWatch: Sendable {
    private struct State {
        var connection: PostgresConnection?
        var begun = false
        var abandoned = false
    }

    private let state = Mutex(State())

    var hasBegun: Bool { state.withLock { $0.begun } }

    /// The call got its connection; it is closed at once when the call was already given up.
    func began(_ connection: PostgresConnection) throws {
        let abandoned = state.withLock { state in
            state.begun = true
            state.connection = connection
            return state.abandoned
        }
        if abandoned {
            let _: EventLoopFuture<Void> = connection.close()
            throw CancellationError()
        }
    }

    /// Gives the call up: its connection (if any) is closed, which ends its queries.
    func abandon() {
        let connection = state.withLock { state in
            state.abandoned = true
            return state.connection
        }
        if let connection {
            let _: EventLoopFuture<Void> = connection.close()
        }
    }
}

/// A call's deadline as a timer on an event loop, in one or two stages: when the first ends, the
/// call has either expired (it never got a connection) or gets a second stage (to run).
private final class CallTimer: Sendable {
    /// Why, and after how long, a call expired.
    struct Expiry {
        let cause: StorageUnavailable.Cause
        let waited: Duration
    }

    /// What the end of the first stage decides.
    enum Stage {
        case expired(Expiry)
        case later(Duration, Expiry)
    }

    private enum State {
        case idle
        case armed(Scheduled<Void>)
        case stopped
    }

    private let eventLoop: any EventLoop
    private let state = Mutex(State.idle)

    init(on eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Arms the first stage: `decide` runs at its end, and `expired` when the call has expired,
    /// unless the call stopped the timer first.
    func start(in delay: Duration, decide: @escaping @Sendable () -> Stage, expired: @escaping @Sendable (Expiry) -> Void) {
        arm(in: delay) { [self] in
            switch decide() {
            case .expired(let expiry): expired(expiry)
            case .later(let delay, let expiry): arm(in: delay) { expired(expiry) }
            }
        }
    }

    /// The call has ended: no stage fires any more.
    func stop() {
        let armed = state.withLock { state -> Scheduled<Void>? in
            defer { state = .stopped }
            if case .armed(let scheduled) = state { return scheduled }
            return nil
        }
        armed?.cancel()
    }

    private var isStopped: Bool {
        state.withLock { state in
            if case .stopped = state { return true }
            return false
        }
    }

    private func arm(in delay: Duration, _ fire: @escaping @Sendable () -> Void) {
        state.withLock { state in
            if case .stopped = state { return }
            state = .armed(eventLoop.scheduleTask(in: TimeAmount(delay)) { [self] in if !isStopped { fire() } })
        }
    }
}

/// The first of a call's outcomes (its result, or its deadline), handed to the one waiting for it.
private final class FirstOutcome<T: Sendable>: Sendable {
    private enum State {
        case pending
        case waiting(CheckedContinuation<T, any Error>)
        case settled(Result<T, any Error>)
        case delivered
    }

    private let state = Mutex(State.pending)

    /// Records an outcome; only the first counts.
    func settle(_ result: Result<T, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<T, any Error>? in
            switch state {
            case .pending:
                state = .settled(result)
                return nil
            case .waiting(let continuation):
                state = .delivered
                return continuation
            case .settled, .delivered:
                return nil
            }
        }
        waiter?.resume(with: result)
    }

    /// Waits for the first outcome.
    func value() async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let settled = state.withLock { state -> Result<T, any Error>? in
                if case .settled(let result) = state {
                    state = .delivered
                    return result
                }
                state = .waiting(continuation)
                return nil
            }
            if let settled { continuation.resume(with: settled) }
        }
    }
}

/// A database URL BugZot cannot use.
public struct DatabaseURLError: Error, CustomStringConvertible {
    public let url: String
    public var description: String {
        "Unsupported database URL. Expected postgres://user:password@host:port/database[?sslmode=disable|require]."
    }
}
