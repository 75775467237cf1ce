import BugZotApp
import BugZotREST
import BugZotWire
import Foundation
import HTTPTypes
import Testing

@Suite("Attachments through the REST API")
struct AttachmentAPITests {
    private func attach(
        _ site: TestSite, to bug: Int, _ text: String = "log line 1\nlog line 2\n", as user: String = "dev", extra: JSONObject = [:]
    ) async throws -> APIResponse {
        var body: JSONObject = [
            "ids": [.string("\(bug)")], "data": .string(Data(text.utf8).base64EncodedString()), "file_name": "crash.log",
            "summary": "The crash log", "content_type": "text/plain",
        ]
        body.merge(extra) { $1 }
        return try await site.post("/rest/bug/\(bug)/attachment", .object(body), as: user)
    }

    @Test("an upload is stored once, announced in a comment, and read back with 0/1 flags", arguments: TestBackend.all)
    func roundTrip(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let bug = try await site.fileBug(as: "dev")
            let id = try await attach(site, to: bug).expect(.created)["ids"][0].int
            let attachment = try await site.get("/rest/bug/attachment/\(id)", as: "outsider").expect(.ok)["attachments"]["\(id)"]
            #expect(attachment["data"] == .string(Data("log line 1\nlog line 2\n".utf8).base64EncodedString()))
            #expect(attachment["file_name"] == "crash.log")
            #expect(attachment["size"] == 22)
            #expect(attachment["is_patch"] == 0 && attachment["is_private"] == 0 && attachment["is_obsolete"] == 0)
            let comments = try await site.get("/rest/bug/\(bug)/comment", as: "admin").expect(.ok)["bugs"]["\(bug)"]["comments"]
            #expect(comments.array.last?["text"].string.hasPrefix("Created attachment \(id)") == true)
            #expect(comments.array.last?["attachment_id"] == .int(id))

            let list = try await site.get("/rest/bug/\(bug)/attachment?exclude_fields=data", as: "outsider").expect(.ok)["bugs"]["\(bug)"]
            #expect(list.array.map { $0["id"].int } == [id])
            #expect(!list[0].keys.contains("data"))
        }
    }

    @Test("bad uploads get the right error and store nothing", arguments: TestBackend.all)
    func badUploads(backend: TestBackend) async throws {
        try await TestSite.with(backend, attachmentLimit: 100) { site in
            let bug = try await site.fileBug(as: "dev")
            try await attach(site, to: bug, "").expectError(606, .badRequest)
            try await attach(site, to: bug, String(repeating: "x", count: 101)).expectError(600, .badRequest)
            try await attach(site, to: bug, extra: ["data": "***not base64***"]).expectError(604, .badRequest)
            try await attach(site, to: bug, extra: ["content_type": "not a type"]).expectError(601, .badRequest)
            try await attach(site, to: bug, extra: ["summary": " "]).expectError(603, .badRequest)
            try await attach(site, to: bug, extra: ["is_private": true]).expectError(113, .unauthorized)
            try await attach(site, to: 4242).expectError(101, .notFound)
            #expect(try await site.get("/rest/bug/\(bug)/attachment", as: "admin").expect(.ok)["bugs"]["\(bug)"] == [])
            let blobs = FileManager.default.enumerator(atPath: site.configuration.attachmentsPath)?.allObjects.compactMap { $0 as? String } ?? []
            #expect(blobs.filter { $0.count == 64 + 6 }.isEmpty)
        }
    }

    @Test("file names lose their folders and control characters", arguments: TestBackend.all)
    func fileNames(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let bug = try await site.fileBug(as: "dev")
            let id = try await attach(site, to: bug, extra: ["file_name": "../../etc/pass\u{7}wd"]).expect(.created)["ids"][0].int
            #expect(try await site.get("/rest/bug/attachment/\(id)", as: "dev").expect(.ok)["attachments"]["\(id)"]["file_name"] == "passwd")
            try await attach(site, to: bug, extra: ["file_name": "../"]).expectError(602, .badRequest)
        }
    }

    @Test("private attachments are seen by insiders and their uploader only; hidden bugs' attachments do not exist", arguments: TestBackend.all)
    func visibility(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let bug = try await site.fileBug(as: "dev")
            let privateID = try await attach(site, to: bug, as: "insider", extra: ["is_private": true]).expect(.created)["ids"][0].int
            try await site.get("/rest/bug/attachment/\(privateID)", as: "outsider").expectError(101, .notFound)
            #expect(try await site.get("/rest/bug/\(bug)/attachment", as: "outsider").expect(.ok)["bugs"]["\(bug)"] == [])
            try await site.get("/rest/bug/attachment/\(privateID)", as: "insider").expect(.ok)

            let secret = try await site.fileSecretBug("Secret")
            let secretAttachment = try await attach(site, to: secret, as: "insider").expect(.created)["ids"][0].int
            let hidden = try await site.get("/rest/bug/attachment/\(secretAttachment)", as: "dev")
            let missing = try await site.get("/rest/bug/attachment/\(secretAttachment + 100)", as: "dev")
            #expect(hidden.text == missing.text.replacingOccurrences(of: "\(secretAttachment + 100)", with: "\(secretAttachment)"))
        }
    }

    @Test("updating an attachment records history and answers with changes", arguments: TestBackend.all)
    func update(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let bug = try await site.fileBug(as: "dev")
            let id = try await attach(site, to: bug).expect(.created)["ids"][0].int
            let result = try await site.put("/rest/bug/attachment/\(id)", ["is_obsolete": true, "summary": "Old log"], as: "dev").expect(.ok)
            #expect(result["attachments"][0]["changes"]["is_obsolete"] == ["added": "1", "removed": "0"])
            #expect(result["attachments"][0]["changes"]["summary"] == ["added": "Old log", "removed": "The crash log"])
            let history = try await site.get("/rest/bug/\(bug)/history", as: "admin").expect(.ok)["bugs"][0]["history"]
            #expect(history.array.last?["changes"][0]["attachment_id"] == .int(id))
            try await site.put("/rest/bug/attachment/\(id)", ["summary": "Mine"], as: "outsider").expectError(115, .unauthorized)
        }
    }

    @Test("changes to a private attachment stay out of the history outsiders read", arguments: TestBackend.all)
    func privateHistory(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let bug = try await site.fileBug(as: "dev")
            let id = try await attach(site, to: bug, as: "insider", extra: ["is_private": true]).expect(.created)["ids"][0].int
            try await site.put("/rest/bug/attachment/\(id)", ["summary": "Customer ACME's config"], as: "insider").expect(.ok)
            let outsiderHistory = try await site.get("/rest/bug/\(bug)/history", as: "outsider").expect(.ok)["bugs"][0]["history"]
            #expect(outsiderHistory.array.isEmpty)
            let insiderHistory = try await site.get("/rest/bug/\(bug)/history", as: "insider").expect(.ok)["bugs"][0]["history"]
            #expect(insiderHistory[0]["changes"][0]["added"] == "Customer ACME's config")
        }
    }
}
