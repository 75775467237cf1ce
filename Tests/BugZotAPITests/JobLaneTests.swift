import BugZotDomain
import BugZotServices
import BugZotStorage
import Foundation
import NIOCore
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A TCP port on 127.0.0.1 that accepts connections (the kernel completes them) and never
/// answers: a webhook receiver that hangs.
final class SilentPort: Sendable {
    let port: Int
    private let descriptor: Int32

    init() throws {
        #if canImport(Glibc)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard descriptor >= 0, bound, listen(descriptor, 64) == 0 else { throw POSIXError(.EADDRNOTAVAIL) }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }
}

@Suite("Job lanes: slow jobs never hold up unrelated ones, and failing endpoints back off")
struct JobLaneTests {
    static func hook(_ site: TestSite, port: Int) async throws {
        let admin = try await site.services.auth.principal(userID: 1)
        _ = try await site.services.webhooks.create(
            url: "http://127.0.0.1:\(port)/hook", secret: "0123456789abcdef", product: nil, events: ["bug.created"], by: admin)
    }

    @Test("a new bug's mail goes out at once while every webhook delivery hangs", arguments: TestBackend.all)
    func mailPassesHungWebhooks(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let silent = try SilentPort()
            try await Self.hook(site, port: silent.port)
            let box = MailBox()
            var settings = JobWorker.Settings()
            settings.pollInterval = .milliseconds(50)
            let sender = WebhookSender(database: site.services.database, timeout: .seconds(20), breaker: CircuitBreaker(threshold: 100))
            let worker = site.services.worker(transport: box, webhooks: sender, settings: settings, logger: TestBackend.logger)
            let running = Task { try await worker.run() }
            // More hung deliveries than the worker runs at once.
            for number in 0..<6 { _ = try await site.fileBug("Hung \(number)", as: "reporter") }
            try await Self.waitForMail(box, count: 6, within: .seconds(10))
            let filed = ContinuousClock.now
            let id = try await site.fileBug("Urgent", as: "reporter")
            try await Self.waitForMail(box, count: 7, within: .seconds(10))
            #expect(ContinuousClock.now - filed < .seconds(10))
            #expect(await box.sent.contains { $0.subject.contains("[Bug \(id)]") })
            running.cancel()
            try await running.value  // the hung deliveries end with the worker
        }
    }

    @Test("after a few failures in a row an endpoint's deliveries wait, untried and without spending attempts", arguments: TestBackend.all)
    func deadEndpointBacksOff(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let silent = try SilentPort()
            try await Self.hook(site, port: silent.port)
            var settings = JobWorker.Settings()
            settings.lanes = [.init(name: "all", kinds: nil, concurrency: 1)]  // one at a time: the count below is exact
            settings.baseDelay = 600
            let sender = WebhookSender(
                database: site.services.database, timeout: .milliseconds(200), breaker: CircuitBreaker(threshold: 3, cooldown: 300))
            let worker = site.services.worker(transport: MailBox(), webhooks: sender, settings: settings, logger: TestBackend.logger)
            for number in 0..<6 { _ = try await site.fileBug("Bug \(number)", as: "reporter") }
            let started = Date()
            try await NotificationTests.drain(worker)

            let admin = try await site.services.auth.principal(userID: 1)
            let (_, deliveries) = try await site.services.webhooks.deliveries(of: 1, by: admin)
            #expect(deliveries.count == 3 && deliveries.allSatisfy { $0.outcome.hasSuffix("will retry") })
            let queued = try await site.services.database.read { sql in try await SQLStore(sql).jobs(state: .queued, limit: 50) }
            let hooks = queued.filter { $0.kind == Outbox.Kind.webhook }
            #expect(hooks.count == 6)
            let untried = hooks.filter { $0.attempts == 0 }
            #expect(untried.count == 3 && untried.allSatisfy { $0.lastError.contains("keeps failing") })
            #expect(untried.allSatisfy { $0.runAt >= started.addingTimeInterval(299) })
            // Still waiting a minute on: nothing is tried, nothing dies.
            try await NotificationTests.drain(worker, later: 60)
            #expect(try await site.services.webhooks.deliveries(of: 1, by: admin).1.count == 3)
        }
    }

    @Test("the breaker opens after the threshold, lets one probe through after the cool-down, and doubles it on failure")
    func breaker() {
        let breaker = CircuitBreaker(threshold: 2, cooldown: 10, maximumCooldown: 25)
        let start = Date(timeIntervalSince1970: 1_000_000)
        #expect(breaker.permission(for: "a", now: start) == .allowed)
        breaker.failed("a", now: start)
        #expect(breaker.permission(for: "a", now: start) == .allowed)
        breaker.failed("a", now: start)
        guard case .postponed(let until) = breaker.permission(for: "a", now: start) else { Issue.record("not open"); return }
        #expect(until >= start.addingTimeInterval(10) && until <= start.addingTimeInterval(11))
        #expect(breaker.permission(for: "b", now: start) == .allowed)  // endpoints are apart

        let later = start.addingTimeInterval(10)
        #expect(breaker.permission(for: "a", now: later) == .allowed)  // the probe
        #expect(breaker.permission(for: "a", now: later) != .allowed)  // the others wait for it
        breaker.failed("a", now: later)
        guard case .postponed(let again) = breaker.permission(for: "a", now: later) else { Issue.record("not open again"); return }
        #expect(again >= later.addingTimeInterval(20))
        breaker.failed("a", now: later.addingTimeInterval(20))  // a third opening: capped at 25 s
        guard case .postponed(let capped) = breaker.permission(for: "a", now: later.addingTimeInterval(20)) else { Issue.record("not open"); return }
        #expect(capped <= later.addingTimeInterval(20 + 25 * 1.1))

        breaker.succeeded("a")
        #expect(breaker.permission(for: "a", now: later) == .allowed)
    }

    static func waitForMail(_ box: MailBox, count: Int, within limit: Duration) async throws {
        let deadline = ContinuousClock.now + limit
        while await box.sent.count < count {
            guard ContinuousClock.now < deadline else {
                Issue.record("only \(await box.sent.count) of \(count) messages within \(limit)")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
