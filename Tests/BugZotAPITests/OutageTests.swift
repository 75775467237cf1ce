import BugZotApp
import BugZotREST
import BugZotServices
@testable import BugZotStorage
import BugZotWire
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SQLKit
import ServiceLifecycle
import Synchronization
import Testing

/// A real database that can be put into an outage: while it is "down", every call fails as the
/// storage layer reports one (the real outages — PostgreSQL stopping or restarting, a full disk —
/// are in tests/e2e/test_faults.py).
private final class SwitchableDatabase: Database {
    let inner: any Database
    private let outage = Mutex<StorageUnavailable?>(nil)
    private let refusals = Mutex(0)

    /// The calls refused for an outage so far.
    var refused: Int { refusals.withLock { $0 } }

    init(_ inner: any Database) {
        self.inner = inner
    }

    var kind: DatabaseKind { inner.kind }
    var changes: ChangeFeed { inner.changes }

    func fail(with cause: StorageUnavailable.Cause?) {
        outage.withLock { $0 = cause.map { StorageUnavailable($0, detail: "test outage") } }
    }

    private func check() throws {
        if let outage = outage.withLock({ $0 }) {
            refusals.withLock { $0 += 1 }
            throw outage
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try check()
        return try await inner.read(body)
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try check()
        return try await inner.transaction(body)
    }

    func run() async throws { try await inner.run() }
}

@Suite("An outage of the database or the disk is a clear, temporary answer at every edge")
struct OutageTests {
    /// A site over a switchable database, with one user and their API key.
    private func withSite(
        _ backend: TestBackend, _ body: @Sendable (any TestClientProtocol, SwitchableDatabase, String) async throws -> Void
    ) async throws {
        let database = SwitchableDatabase(try await backend.makeDatabase())
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bugzot-outage-\(UUID().uuidString)").path
        let configuration = AppConfiguration(dataDirectory: folder, bcryptCost: 4, runsWorker: false)
        let app = try await buildApplication(configuration, database: database, logger: TestBackend.logger)
        try await app.test(.router) { client in
            let services = makeServices(configuration, database: database)
            let id = try await services.users.createAccount(
                login: "admin@example.com", realName: "Admin", password: "correct horse battery", groups: ["admin"])
            let key = try await services.auth.createAPIKey(userID: id, description: "tests")
            try await body(client, database, key)
        }
    }

    @Test("/rest answers 503 with a Bugzilla error that says it is temporary, and Retry-After", arguments: TestBackend.all)
    func restOutage(backend: TestBackend) async throws {
        try await withSite(backend) { client, database, key in
            database.fail(with: .databaseUnreachable)
            let response = try await client.execute(uri: "/rest/product?names=Widget&Bugzilla_api_key=\(key)", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "5")
            let body = try JSONDecoder().decode(JSONValue.self, from: Data(String(buffer: response.body).utf8))
            #expect(body["error"] == .bool(true) && body["code"] == .int(-32001))
            #expect(body["message"].string.contains("not reachable") && body["message"].string.contains("temporary"))

            database.fail(with: nil)  // back: no restart needed
            let again = try await client.execute(uri: "/rest/product?names=Widget&Bugzilla_api_key=\(key)", method: .get)
            #expect(again.status == .ok)
        }
    }

    @Test("A full disk says so, and asks to wait longer", arguments: TestBackend.all)
    func diskFull(backend: TestBackend) async throws {
        try await withSite(backend) { client, database, key in
            database.fail(with: .diskFull)
            let response = try await client.execute(
                uri: "/rest/product?Bugzilla_api_key=\(key)", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"name":"Widget","description":"Widgets","version":"1.0"}"#))
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "60")
            #expect(String(buffer: response.body).contains("no disk space left"))
        }
    }

    @Test("Web pages answer a 503 page with Retry-After", arguments: TestBackend.all)
    func webOutage(backend: TestBackend) async throws {
        try await withSite(backend) { client, database, _ in
            database.fail(with: .databaseTimedOut)
            let response = try await client.execute(uri: "/bugs", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "5")
            #expect(String(buffer: response.body).contains("did not answer in time"))
        }
    }

    @Test(
        "The job worker logs an outage once when it starts and once when it ends, looks less often meanwhile, and then runs jobs again",
        arguments: TestBackend.all)
    func workerOutage(backend: TestBackend) async throws {
        let database = SwitchableDatabase(try await backend.makeDatabase())
        try await database.withRunning {
            try await Migrator.migrate(database)
            let ran = Mutex<[Int]>([])
            var settings = JobWorker.Settings()
            settings.pollInterval = .milliseconds(20)
            settings.maximumOutagePause = .milliseconds(200)
            let log = LogRecorder()
            let worker = JobWorker(
                database: database, handlers: ["test": { job in ran.withLock { $0.append(job.id) } }], settings: settings, logger: log.logger())
            let running = Task { try await worker.run() }

            database.fail(with: .databaseUnreachable)
            try await Task.sleep(for: .seconds(1.5))
            // Three lanes looking every 20 ms would have been refused about 225 times.
            #expect(database.refused < 60)
            #expect(log.messages(.warning, containing: "database is unavailable").count == 1)
            #expect(log.messages(.warning, containing: "could not claim").isEmpty)

            database.fail(with: nil)
            try await database.transaction { sql in try await SQLStore(sql).enqueueJob(kind: "test", payload: "{}", runAt: Date()) }
            let deadline = ContinuousClock.now + .seconds(10)
            while ran.withLock({ $0.isEmpty }) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(ran.withLock { $0.count } == 1)  // back by itself, with no restart
            #expect(log.messages(.info, containing: "database is available again").count == 1)
            #expect(log.messages(.warning, containing: "database is unavailable").count == 1)
            running.cancel()
            try await running.value
        }
    }

    @Test("While the database is down one call probes and the others fail at once; an old failure does not close the gate again")
    func failFast() throws {
        let gate = OutageGate()
        let outage = StorageUnavailable(.databaseUnreachable, detail: "test")
        let early = try gate.admit()
        let first = try gate.admit()
        #expect(!first.isProbe)
        #expect(gate.failed(outage, first))  // the gate closes

        let probe = try gate.admit()
        #expect(probe.isProbe)
        #expect(throws: StorageUnavailable.self) { try gate.admit() }  // answered at once meanwhile
        #expect(gate.reached(probe))  // back

        #expect(!gate.failed(outage, early))  // started before the recovery: old news
        #expect(try !gate.admit().isProbe)
    }

    @Test("On SQLite a transaction waits for the single writer at most its deadline, then is an outage", .timeLimit(.minutes(1)))
    func sqliteWriterWait() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bugzot-writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let database = try await SQLiteDatabase.open(
            path: folder.appendingPathComponent("test.sqlite").path, writerWait: .milliseconds(200), logger: TestBackend.logger)
        try await database.withRunning {
            // The slow one holds the writer until the waiting one has given up: had the wait no
            // deadline, it would never end.
            let (released, release) = AsyncStream.makeStream(of: Void.self)
            let (held, holding) = AsyncStream.makeStream(of: Void.self)
            let slow = Task {
                try await database.transaction { _ in
                    holding.yield()
                    for await _ in released { break }
                }
            }
            for await _ in held { break }
            await #expect {
                try await database.transaction { sql in try await sql.raw("SELECT 1 AS one").run() }
            } throws: { ($0 as? StorageUnavailable)?.cause == .databaseTimedOut }
            release.yield()
            try await slow.value
            try await database.transaction { sql in try await sql.raw("SELECT 1 AS one").run() }  // free again
        }
    }

    @Test("Storage errors that mean a full disk are recognised; refusals and bugs are not outages")
    func classification() {
        #expect(StorageUnavailable(classifying: CocoaError(.fileWriteOutOfSpace))?.cause == .diskFull)
        #expect(StorageUnavailable(classifying: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC)))?.cause == .diskFull)
        #expect(StorageUnavailable(classifying: NSError(domain: NSPOSIXErrorDomain, code: Int(EACCES))) == nil)
        #expect(StorageUnavailable(classifying: CancellationError()) == nil)
    }
}
