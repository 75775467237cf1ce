import BugZotDomain
import BugZotREST
import BugZotServices
import BugZotStorage
import BugZotWire
import Foundation
import HTTPTypes
import Logging
import Testing

/// Collects the messages the worker sends; can be told to fail the next sends.
actor MailBox: MailTransport {
    private(set) var sent: [MailContent] = []
    private var failures: [JobFailure] = []

    func failNext(_ failure: JobFailure, times: Int = 1) {
        failures += Array(repeating: failure, count: times)
    }

    func send(_ mail: MailContent) async throws {
        if !failures.isEmpty { throw failures.removeFirst() }
        sent.append(mail)
    }

    func recipients() -> [String] { sent.map(\.to).sorted() }

    func messages(to login: String) -> [MailContent] { sent.filter { $0.to == login } }

    func clear() { sent = [] }
}

@Suite("Notifications: who hears about what, through the job queue")
struct NotificationTests {
    /// Runs every due job (and the jobs they queue) until none is left, `later` seconds from now.
    static func drain(_ worker: JobWorker, later: TimeInterval = 0) async throws {
        while try await worker.runDueJobs(now: Date().addingTimeInterval(later)) > 0 {}
    }

    static func worker(_ site: TestSite, _ box: MailBox, attempts: Int = 3) -> JobWorker {
        var settings = JobWorker.Settings()
        settings.baseDelay = 60
        settings.maximumAttempts = attempts
        return site.services.worker(transport: box, settings: settings, logger: TestBackend.logger)
    }

    @Test("a change reaches the reporter, assignee and CC list once each, never the person who made it", arguments: TestBackend.all)
    func audience(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let box = MailBox()
            let worker = Self.worker(site, box)
            let id = try await site.fileBug(as: "reporter", extra: ["cc": ["outsider@example.com"]])
            try await Self.drain(worker)
            #expect(await box.recipients() == ["dev@example.com", "outsider@example.com"])
            let filed = try #require(await box.messages(to: "dev@example.com").first)
            #expect(filed.subject == "[Bug \(id)] New: Crash on save" && filed.inReplyTo == nil)
            #expect(filed.headers.contains(.init("X-BugZot-Reason", "AssignedTo")))

            await box.clear()
            try await site.post("/rest/bug/\(id)/comment", ["comment": "Seen it too"], as: "outsider").expect(.created)
            try await Self.drain(worker)
            #expect(await box.recipients() == ["dev@example.com", "reporter@example.com"])
            let reply = try #require(await box.messages(to: "reporter@example.com").first)
            #expect(reply.subject == "[Bug \(id)] Crash on save" && reply.text.contains("Seen it too"))
            // One thread per bug: every later message replies to the first one.
            let reporter = try #require(try await site.services.users.users(ids: [], names: ["reporter@example.com"], match: [], limit: nil, by: .anonymous).first)
            let root = "bug-\(id)-\(reporter.id)@\(site.services.composer.mailDomain)"
            #expect(reply.inReplyTo == root && reply.references == [root] && reply.messageID != root)
        }
    }

    @Test("reassigning tells the old assignee too, and someone taken off the CC list hears of it once more", arguments: TestBackend.all)
    func formerPeople(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let box = MailBox()
            let worker = Self.worker(site, box)
            let id = try await site.fileBug(as: "reporter", extra: ["cc": ["outsider@example.com"]])
            try await Self.drain(worker)
            await box.clear()
            try await site.put(
                "/rest/bug/\(id)", ["assigned_to": "insider@example.com", "cc": ["remove": ["outsider@example.com"]]], as: "admin"
            ).expect(.ok)
            try await Self.drain(worker)
            #expect(await box.recipients() == ["dev@example.com", "insider@example.com", "outsider@example.com", "reporter@example.com"])
            #expect(await box.messages(to: "dev@example.com").first?.headers.contains(.init("X-BugZot-Reason", "AssignedTo")) == true)
        }
    }

    @Test("confidential bugs and private comments reach only those allowed to see them", arguments: TestBackend.all)
    func confidentiality(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let box = MailBox()
            let worker = Self.worker(site, box)
            // Outsider is on the CC list of a confidential bug that is not CC-accessible.
            let secret = try await site.fileBug(
                "Secret plan", as: "insider",
                extra: ["groups": ["secret"], "cc": ["outsider@example.com", "reporter@example.com"]])
            try await site.put("/rest/bug/\(secret)", ["is_cc_accessible": false], as: "admin").expect(.ok)
            let open = try await site.fileBug("Public", as: "reporter", extra: ["cc": ["insider@example.com"]])
            try await Self.drain(worker)
            await box.clear()
            try await site.post("/rest/bug/\(secret)/comment", ["comment": "launch date"], as: "insider").expect(.created)
            try await site.post("/rest/bug/\(open)/comment", ["comment": "internal only", "is_private": true], as: "admin").expect(.created)
            try await Self.drain(worker)
            let sent = await box.sent
            #expect(!sent.contains { $0.to == "outsider@example.com" || $0.to == "reporter@example.com" && $0.text.contains("launch date") })
            #expect(!sent.contains { $0.text.contains("internal only") && $0.to != "insider@example.com" && $0.to != "dev@example.com" })
            #expect(sent.contains { $0.to == "insider@example.com" && $0.text.contains("internal only") })
            #expect(!sent.contains { $0.to == "reporter@example.com" && $0.subject.contains("Public") })
        }
    }

    @Test("people who opted out of a kind of change don't hear of it; component watchers hear of every bug", arguments: TestBackend.all)
    func preferences(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let box = MailBox()
            let worker = Self.worker(site, box)
            let reporter = try await site.services.auth.principal(userID: try #require(
                try await site.services.users.users(ids: [], names: ["reporter@example.com"], match: [], limit: nil, by: .anonymous).first).id)
            let outsider = try await site.services.auth.principal(userID: try #require(
                try await site.services.users.users(ids: [], names: ["outsider@example.com"], match: [], limit: nil, by: .anonymous).first).id)
            let component = try #require(try await site.services.catalog.product(named: "Widget")?.components.first)
            try await site.services.accounts.setMailPreferences(optedOut: [], watched: [component.id], by: outsider)
            try await site.services.accounts.setMailPreferences(optedOut: [.comment], watched: [], by: reporter)
            let id = try await site.fileBug(as: "reporter")
            try await Self.drain(worker)
            #expect(await box.messages(to: "outsider@example.com").first?.headers.contains(.init("X-BugZot-Reason", "Watch")) == true)
            await box.clear()
            try await site.post("/rest/bug/\(id)/comment", ["comment": "chatter"], as: "dev").expect(.created)
            try await Self.drain(worker)
            #expect(await box.recipients() == ["outsider@example.com"])
            await box.clear()
            try await site.put("/rest/bug/\(id)", ["status": "ASSIGNED", "comment": ["body": "taking it"]], as: "dev").expect(.ok)
            try await Self.drain(worker)
            #expect(await box.recipients() == ["outsider@example.com", "reporter@example.com"])
        }
    }

    @Test("a failed send is retried later with backoff; after the last attempt the job is dead until an admin retries it", arguments: TestBackend.all)
    func retries(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let box = MailBox()
            let worker = Self.worker(site, box, attempts: 2)
            _ = try await site.fileBug(as: "reporter")
            await box.failNext(.retryLater("451 try again"), times: 2)
            try await Self.drain(worker)
            #expect(await box.sent.isEmpty)
            // Not due yet: the retry waits at least half the base delay.
            #expect(try await worker.runDueJobs(now: Date().addingTimeInterval(20)) == 0)
            try await Self.drain(worker, later: 3600)
            let admin = try await site.services.auth.principal(userID: 1)
            let dead = try await site.services.jobs.jobs(state: .dead, by: admin)
            #expect(dead.count == 1 && dead[0].lastError == "451 try again" && dead[0].attempts == 2)
            try await site.services.jobs.retry(id: dead[0].id, by: admin)
            try await Self.drain(worker)
            #expect(await box.recipients() == ["dev@example.com"])
            #expect(try await site.services.jobs.jobs(state: .dead, by: admin).isEmpty)
        }
    }

    @Test("a permanent failure kills the job at once, without retries", arguments: TestBackend.all)
    func permanentFailure(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let box = MailBox()
            let worker = Self.worker(site, box, attempts: 5)
            _ = try await site.fileBug(as: "reporter")
            await box.failNext(.permanent("550 no such user"))
            try await Self.drain(worker)
            let admin = try await site.services.auth.principal(userID: 1)
            let dead = try await site.services.jobs.jobs(state: .dead, by: admin)
            #expect(dead.map(\.lastError) == ["550 no such user"] && dead[0].attempts == 1)
        }
    }

    @Test("a job whose worker died is taken again once its lease runs out, and its fan-out queues nothing twice", arguments: TestBackend.all)
    func crashedWorker(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let box = MailBox()
            let worker = Self.worker(site, box)
            _ = try await site.fileBug(as: "reporter", extra: ["cc": ["outsider@example.com"]])
            let database = site.services.database
            // A worker claims the fan-out, queues its messages, then dies before recording it.
            let now = Date()
            let claimed = try await database.transaction { sql in try await SQLStore(sql).claimJobs(limit: 10, now: now, leaseUntil: now.addingTimeInterval(300)) }
            #expect(claimed.count == 1)
            try await site.services.notifications.fanOut(claimed[0], mail: site.services.composer)
            #expect(try await worker.runDueJobs(now: now.addingTimeInterval(10)) == 2)  // only the two messages
            // After the lease the fan-out runs again; its messages are already queued.
            try await Self.drain(worker, later: 400)
            #expect(await box.recipients() == ["dev@example.com", "outsider@example.com"])
        }
    }

    @Test("done jobs are forgotten after a week; dead ones stay for an administrator", arguments: TestBackend.all)
    func pruning(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let box = MailBox()
            let worker = Self.worker(site, box, attempts: 1)
            _ = try await site.fileBug(as: "reporter")
            await box.failNext(.permanent("550 gone"))
            try await Self.drain(worker)
            let counts = { try await site.services.database.read { sql in try await SQLStore(sql).jobCounts() } }
            let before = try await counts()
            #expect(before[.done] == 1 && before[.dead] == 1)
            try await worker.pruneDoneJobs(now: Date().addingTimeInterval(6 * 24 * 3600))
            let sixDaysOn = try await counts()
            #expect(sixDaysOn[.done] == 1)
            try await worker.pruneDoneJobs(now: Date().addingTimeInterval(8 * 24 * 3600))
            let eightDaysOn = try await counts()
            #expect(eightDaysOn[.done] == nil && eightDaysOn[.dead] == 1)
        }
    }

    @Test("concurrent workers never run the same job twice", arguments: TestBackend.all)
    func concurrentClaims(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let database = site.services.database
            let now = Date()
            try await database.transaction { sql in
                for number in 0..<60 {
                    try await SQLStore(sql).enqueueJob(kind: "test", payload: "\(number)", runAt: now)
                }
            }
            let claims = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        var mine: [Int] = []
                        while true {
                            let jobs = try await database.transaction { sql in
                                try await SQLStore(sql).claimJobs(limit: 3, now: now, leaseUntil: now.addingTimeInterval(300))
                            }
                            if jobs.isEmpty { return mine }
                            mine += jobs.map(\.id)
                        }
                    }
                }
                return try await group.reduce(into: [Int]()) { $0 += $1 }
            }
            #expect(claims.count == 60 && Set(claims).count == 60)
        }
    }
}
