import BugZotDomain
import BugZotServices
@testable import BugZotStorage
import BugZotWire
import Foundation
import HTTPTypes
import SQLKit
import Synchronization
import Testing

/// What an observer of `EventService` has heard.
final class HeardEvents: Sendable {
    private let notices = Mutex<[EventNotice]>([])

    init(_ events: EventService) {
        events.observe { [self] notice in notices.withLock { $0.append(notice) } }
    }

    /// The sequence numbers heard committed, in order.
    var sequences: [Int] {
        notices.withLock { $0.compactMap { if case .committed(let sequence) = $0 { sequence } else { nil } } }
    }

    /// How many times it was told that events may have been missed.
    var resets: Int { notices.withLock { $0.filter { $0 == .reset }.count } }

    /// Waits (up to 20 s) until `sequence` has been heard.
    func wait(for sequence: Int) async throws -> Bool {
        try await wait(until: { self.sequences.contains(sequence) })
    }

    /// Waits (up to 20 s: this is no timing test) until `condition` holds.
    func wait(until condition: () -> Bool) async throws -> Bool {
        for _ in 0..<400 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }
}

extension TestSite {
    /// The principal of one of the site's people (`admin`, `dev`, `insider`, `reporter`, `outsider`).
    func person(_ name: String) async throws -> Principal {
        try await services.auth.principal(for: .apiKey(try #require(keys[name])), clientAddress: "test")
    }

    /// The news of `sequence` for one person.
    func news(_ sequence: Int, for name: String) async throws -> [BugNews] {
        try await services.events.news(ofSequence: sequence, for: [person(name)])[0]
    }

    func attach(_ bug: Int, as user: String = "dev", extra: JSONObject = [:]) async throws -> Int {
        var body: JSONObject = [
            "ids": [.string("\(bug)")], "data": .string(Data("log line\n".utf8).base64EncodedString()), "file_name": "crash.log",
            "summary": "The crash log", "content_type": "text/plain",
        ]
        body.merge(extra) { $1 }
        return try await post("/rest/bug/\(bug)/attachment", .object(body), as: user).expect(.created)["ids"][0].int
    }
}

@Suite("Events: each committed change set, once, cut to each person's view")
struct EventTests {
    @Test("every write path raises its news as it commits: filing, fields, CC, dependencies, comments, attachments", arguments: TestBackend.all)
    func writePaths(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let heard = HeardEvents(site.services.events)
            let blocker = try await site.fileBug("Blocker", as: "dev")
            let filed = try #require(heard.sequences.last, "heard before the request returned")
            let created = try await site.news(filed, for: "admin")
            #expect(created.map(\.kind) == [.created] && created[0].bugID == blocker && created[0].actor == "dev@example.com")
            #expect(created[0].bug?.summary == "Blocker" && created[0].product == "Widget" && created[0].component == "Backend")

            let id = try await site.fileBug(as: "reporter")
            let before = heard.sequences.count
            try await site.put(
                "/rest/bug/\(id)", ["status": "ASSIGNED", "cc": ["add": ["outsider@example.com"]], "blocks": ["add": [.int(blocker)]]],
                as: "dev"
            ).expect(.ok)
            // One event for the bug changed, one for the bug its new link names.
            let update = try await Array(heard.sequences[before...]).asyncMap { try await site.news($0, for: "admin") }
            #expect(update.count == 2 && update.allSatisfy { $0.map(\.kind) == [.changed] })
            let changed = try #require(update.first { $0.first?.bugID == id }?.first)
            #expect(Set(changed.changes.map(\.field)) == ["status", "cc", "blocks"])
            #expect(changed.changes.first { $0.field == "status" }?.added == "ASSIGNED")
            let linked = try #require(update.first { $0.first?.bugID == blocker }?.first)
            #expect(linked.changes == [FieldChange(field: "depends_on", removed: "", added: "\(id)")])

            try await site.post("/rest/bug/\(id)/comment", ["comment": "Seen it too"], as: "outsider").expect(.created)
            let commented = try await site.news(try #require(heard.sequences.last), for: "reporter")
            #expect(commented.map(\.kind) == [.commented] && commented[0].comment?.text == "Seen it too")

            let attachment = try await site.attach(id)
            let attached = try await site.news(try #require(heard.sequences.last), for: "reporter")
            #expect(attached.map(\.kind) == [.commented, .attachment])
            #expect(attached[1].attachment?.id == attachment && attached[1].attachment?.fileName == "crash.log")
            #expect(attached[0].comment?.attachmentID == attachment)

            try await site.put("/rest/bug/attachment/\(attachment)", ["is_obsolete": true], as: "dev").expect(.ok)
            let obsoleted = try await site.news(try #require(heard.sequences.last), for: "reporter")
            #expect(obsoleted.map(\.kind) == [.attachment] && obsoleted[0].attachment?.isObsolete == true)
            #expect(obsoleted[0].changes.map(\.field) == ["attachments.isobsolete"])

            // Each sequence was heard once, in commit order, and is the newest given out.
            #expect(heard.sequences == heard.sequences.sorted() && Set(heard.sequences).count == heard.sequences.count)
            #expect(try await site.services.events.latestSequence == heard.sequences.last)
        }
    }

    @Test("a change that rolls back leaves no event and publishes nothing, even one raised before the failure", arguments: TestBackend.all)
    func rollback(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let heard = HeardEvents(site.services.events)
            let id = try await site.fileBug(as: "dev")
            let latest = try await site.services.events.latestSequence
            // The first bug's change is made (and its event raised) before the second id fails.
            try await site.put("/rest/bug/\(id)", ["ids": [.int(id), 99_999], "status": "ASSIGNED"], as: "dev").expectError(101, .notFound)
            #expect(try await site.put("/rest/bug/\(id)", ["status": "NO_SUCH"], as: "dev").json["error"] == true)
            #expect(heard.sequences.count == 1)
            #expect(try await site.services.events.latestSequence == latest)
            #expect(try await site.services.events.since(latest, limit: 10, for: site.person("admin")).isEmpty)
        }
    }

    @Test("a confidential bug's news reaches those who may see it and no one else", arguments: TestBackend.all)
    func confidential(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let heard = HeardEvents(site.services.events)
            let id = try await site.fileSecretBug("Secret crash")
            try await site.post("/rest/bug/\(id)/comment", ["comment": "Still secret"], as: "insider").expect(.created)
            let people = try await ["outsider", "dev", "insider", "admin"].asyncMap { try await site.person($0) }
            for sequence in heard.sequences {
                let news = try await site.services.events.news(ofSequence: sequence, for: people)
                #expect(news[0].isEmpty && news[1].isEmpty, "sequence \(sequence)")
                #expect(!news[2].isEmpty && !news[3].isEmpty && news[2].allSatisfy { $0.bugID == id }, "sequence \(sequence)")
            }
        }
    }

    @Test("a bug that becomes hidden from someone gives them no news from then on, replayed or live", arguments: TestBackend.all)
    func becomesHidden(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let heard = HeardEvents(site.services.events)
            let id = try await site.fileBug(as: "insider")
            try await site.post("/rest/bug/\(id)/comment", ["comment": "Public for now"], as: "insider").expect(.created)
            let shown = try #require(heard.sequences.last)
            #expect(try await site.news(shown, for: "outsider").count == 1)
            try await site.put("/rest/bug/\(id)", ["groups": ["add": ["secret"]]], as: "admin").expect(.ok)
            try await site.post("/rest/bug/\(id)/comment", ["comment": "Hidden now"], as: "insider").expect(.created)
            for sequence in heard.sequences {
                #expect(try await site.news(sequence, for: "outsider").isEmpty)
                #expect(try await !site.news(sequence, for: "insider").isEmpty)
            }
            #expect(try await site.services.events.since(0, limit: 100, for: site.person("outsider")).isEmpty)
        }
    }

    @Test("a private comment or attachment is news only for those who may see it", arguments: TestBackend.all)
    func privateParts(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let heard = HeardEvents(site.services.events)
            let id = try await site.fileBug(as: "reporter")
            try await site.put("/rest/bug/\(id)", ["status": "ASSIGNED", "comment": ["comment": "Customer is ACME", "is_private": true]], as: "admin")
                .expect(.ok)
            let mixed = try #require(heard.sequences.last)
            #expect(try await site.news(mixed, for: "outsider").map(\.kind) == [.changed])
            #expect(try await site.news(mixed, for: "insider").map(\.kind) == [.changed, .commented])

            try await site.post("/rest/bug/\(id)/comment", ["comment": "Only insiders", "is_private": true], as: "insider").expect(.created)
            let hidden = try #require(heard.sequences.last)
            #expect(try await site.news(hidden, for: "outsider").isEmpty)
            #expect(try await site.news(hidden, for: "insider").first?.comment?.text == "Only insiders")

            _ = try await site.attach(id, as: "insider", extra: ["is_private": true])
            let attached = try #require(heard.sequences.last)
            #expect(try await site.news(attached, for: "outsider").isEmpty)
            #expect(try await site.news(attached, for: "insider").map(\.kind) == [.commented, .attachment])
        }
    }

    @Test("news for fifty people sends no more statements than for one", arguments: TestBackend.all)
    func statementsPerPrincipal(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let heard = HeardEvents(site.services.events)
            let blocker = try await site.fileSecretBug("Hidden blocker")
            let id = try await site.fileBug(as: "reporter")
            let before = heard.sequences.count
            try await site.put("/rest/bug/\(id)", ["depends_on": ["add": [.int(blocker)]], "comment": ["comment": "Blocked"]], as: "admin")
                .expect(.ok)
            _ = try await site.attach(id)
            let people = try await ["outsider", "dev", "insider", "admin", "reporter"].asyncMap { try await site.person($0) }
            let sequences = Array(heard.sequences[before...])
            #expect(sequences.count == 3)
            for sequence in sequences {
                func statements(_ principals: [Principal]) async throws -> Int {
                    let counter = StatementCounter()
                    _ = try await counter.counting { try await site.services.events.news(ofSequence: sequence, for: principals) }
                    return counter.statements
                }
                let fifty = (0..<10).flatMap { _ in people }
                #expect(try await statements([people[0]]) == statements(fifty), "sequence \(sequence)")
            }
            // The link to the hidden bug is cut for the outsider, kept for the insider.
            let news = try await sequences.asyncMap { try await site.services.events.news(ofSequence: $0, for: [people[0], people[2]]) }
            let change = try #require(news.first { $0[1].first?.bugID == id })
            #expect(change[0].map(\.kind) == [.commented])
            #expect(change[1].first?.changes == [FieldChange(field: "depends_on", removed: "", added: "\(blocker)")])
            // The hidden bug's side of the link is news for the insider only.
            let other = try #require(news.first { $0[1].first?.bugID == blocker })
            #expect(other[0].isEmpty && other[1].first?.changes == [FieldChange(field: "blocks", removed: "", added: "\(id)")])
        }
    }

    @Test("a replay resumes after any sequence number, oldest first, and says so when what it asks for is gone", arguments: TestBackend.all)
    func replay(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let events = site.services.events
            let admin = try await site.person("admin")
            let start = try await events.latestSequence
            var filed: [Int] = []
            for number in 1...5 { filed.append(try await site.fileBug("Bug \(number)", as: "dev")) }
            let first = try await events.since(start, limit: 3, for: admin)
            #expect(first.map(\.bugID) == Array(filed[0..<3]) && first.allSatisfy { $0.kind == .created })
            let rest = try await events.since(try #require(first.last?.sequence), limit: 100, for: admin)
            #expect(rest.map(\.bugID) == Array(filed[3...]))
            #expect(try await events.since(events.latestSequence, limit: 100, for: admin).isEmpty)
            await #expect(throws: DomainError.self) { try await events.since(start, limit: 0, for: admin) }
            await #expect(throws: DomainError.self) { try await events.since(-1, limit: 10, for: admin) }

            // Pruned, the events can't be replayed: the error says so; from the newest on, nothing is missed.
            let worker = site.services.worker(transport: MailBox(), logger: TestBackend.logger)
            try await worker.pruneEvents(now: Date().addingTimeInterval(73 * 3600))
            let latest = try await events.latestSequence
            #expect(latest == rest.last?.sequence)
            do {
                _ = try await events.since(start, limit: 10, for: admin)
                Issue.record("a replay of pruned events succeeded")
            } catch let error as DomainError {
                #expect(error.message.contains("gone") && error.message.contains("resume from \(latest)"))
            }
            #expect(try await events.since(latest, limit: 10, for: admin).isEmpty)
            let next = try await site.fileBug("After the pruning", as: "dev")
            #expect(try await events.since(latest, limit: 10, for: admin).map(\.bugID) == [next])
        }
    }

    @Test("an instance hears the events another instance commits on the same PostgreSQL", arguments: TestBackend.all.filter { $0 == .postgres })
    func acrossInstances(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            try await site.withSecondInstance { second in
                let heard = HeardEvents(second.services.events)
                _ = try await second.services.events.latestSequence  // the second instance listens once a call has gone through
                let id = try await site.fileBug("Filed on the first", as: "dev")
                let sequence = try await site.services.events.latestSequence
                #expect(try await heard.wait(for: sequence))
                let news = try await second.services.events.news(ofSequence: sequence, for: [site.person("outsider")])
                #expect(news[0].map(\.bugID) == [id] && news[0].first?.bug?.summary == "Filed on the first")
                // The second instance's own commits are heard there once (at commit, not again by NOTIFY).
                try await second.post("/rest/bug/\(id)/comment", ["comment": "From the second"], as: "dev").expect(.created)
                let own = try await second.services.events.latestSequence
                try await Task.sleep(for: .milliseconds(300))
                #expect(heard.sequences.filter { $0 == own }.count == 1)
            }
        }
    }

    @Test("an instance whose notification connection drops is told so, and a replay from the last event it heard misses nothing",
        arguments: TestBackend.all.filter { $0 == .postgres })
    func notificationConnectionDrops(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            try await site.withSecondInstance { second in
                let heard = HeardEvents(second.services.events)
                _ = try await second.services.events.latestSequence
                _ = try await site.fileBug("Heard live", as: "dev")
                let last = try await site.services.events.latestSequence
                #expect(try await heard.wait(for: last))
                // The connections listening for this site's changes are cut, the second instance's among them.
                let cut = try await site.services.database.read { sql in
                    try await sql.raw(
                        """
                        SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity
                        WHERE query = 'LISTEN "bugzot_changes_' || current_schema() || '";'
                        """
                    ).all()
                }
                #expect(!cut.isEmpty)
                let missed = try await site.fileBug("Maybe missed", as: "dev")
                // Told when the connection went, and again when it is back.
                #expect(try await heard.wait(until: { heard.resets >= 2 }))
                let replayed = try await second.services.events.since(last, limit: 10, for: site.person("outsider"))
                #expect(replayed.map(\.bugID) == [missed])
                _ = try await site.fileBug("Heard live again", as: "dev")
                #expect(try await heard.wait(for: site.services.events.latestSequence))
            }
        }
    }

    @Test("a notification names its events' sequence numbers, and an instance that doesn't know a word forgets everything")
    func notificationPayload() {
        let payload = ChangePayload.encode([.catalog], from: "me") + " e5-7"
        let decoded = ChangePayload.decode(payload)
        #expect(decoded?.instance == "me" && decoded?.notice == .changed([.catalog, .events(5...7)]))
        #expect(ChangePayload.decode("me e7-5")?.notice == .reset)
    }
}

extension Array {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
