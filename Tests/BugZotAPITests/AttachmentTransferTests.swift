import BugZotApp
import BugZotREST
import BugZotWire
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Streaming attachment upload and download")
struct AttachmentTransferTests {
    private func upload(
        _ site: TestSite, bug: Int, _ bytes: [UInt8], query: String = "file_name=trace.txt&summary=Trace", type: String = "text/plain",
        as user: String = "dev"
    ) async throws -> (HTTPResponse.Status, String) {
        let key = try #require(site.keys[user])
        let response = try await site.client.execute(
            uri: "/api/bugs/\(bug)/attachments?\(query)&Bugzilla_api_key=\(key)", method: .post,
            headers: [.contentType: type], body: ByteBuffer(bytes: bytes))
        return (response.status, String(buffer: response.body))
    }

    private func download(_ site: TestSite, _ path: String, as user: String = "dev", range: String? = nil) async throws -> TestResponse {
        let key = try #require(site.keys[user])
        var headers: HTTPFields = [:]
        if let range { headers[.range] = range }
        return try await site.client.execute(uri: "\(path)?Bugzilla_api_key=\(key)", method: .get, headers: headers, body: nil)
    }

    @Test("a raw upload streams into the store and downloads with safe headers", arguments: TestBackend.all)
    func roundTrip(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let bug = try await site.fileBug(as: "dev")
            let bytes = Array("0123456789".utf8)
            let (status, body) = try await upload(site, bug: bug, bytes)
            #expect(status == .created, "\(body)")
            let id = try JSONDecoder().decode(JSONValue.self, from: Data(body.utf8))["id"].int

            let response = try await download(site, "/attachments/\(id)/trace.txt")
            #expect(response.status == .ok)
            #expect(Array(response.body.readableBytesView) == bytes)
            #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
            #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            #expect(response.headers[.contentSecurityPolicy] == "sandbox; frame-ancestors 'none'")
            #expect(response.headers[.contentDisposition] == "inline; filename=\"trace.txt\"; filename*=UTF-8''trace.txt")
        }
    }

    @Test(
        "Range requests get 206 with the slice, and 416 when unsatisfiable, with files or the database as the store",
        arguments: TestBackend.all, AttachmentStoreKind.allCases)
    func ranges(backend: TestBackend, store: AttachmentStoreKind) async throws {
        try await TestSite.with(backend, attachmentStore: store) { site in
            let bug = try await site.fileBug(as: "dev")
            let (_, body) = try await upload(site, bug: bug, Array("0123456789".utf8))
            let id = try JSONDecoder().decode(JSONValue.self, from: Data(body.utf8))["id"].int
            let middle = try await download(site, "/attachments/\(id)", range: "bytes=2-5")
            #expect(middle.status == .partialContent)
            #expect(String(buffer: middle.body) == "2345")
            #expect(middle.headers[.contentRange] == "bytes 2-5/10")
            #expect(String(buffer: try await download(site, "/attachments/\(id)", range: "bytes=-3").body) == "789")
            #expect(String(buffer: try await download(site, "/attachments/\(id)", range: "bytes=7-").body) == "789")
            let unsatisfiable = try await download(site, "/attachments/\(id)", range: "bytes=20-30")
            #expect(unsatisfiable.status == .rangeNotSatisfiable)
            #expect(unsatisfiable.headers[.contentRange] == "bytes */10")
        }
    }

    @Test("HTML and SVG are never served as themselves", arguments: TestBackend.all)
    func activeContent(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let bug = try await site.fileBug(as: "dev")
            for (name, type) in [("page.html", "text/html"), ("logo.svg", "image/svg+xml")] {
                let (_, body) = try await upload(site, bug: bug, Array("<script>alert(1)</script>".utf8), query: "file_name=\(name)&summary=x", type: type)
                let id = try JSONDecoder().decode(JSONValue.self, from: Data(body.utf8))["id"].int
                let response = try await download(site, "/attachments/\(id)/\(name)")
                #expect(response.headers[.contentType] == "application/octet-stream")
                #expect(response.headers[.contentDisposition]?.hasPrefix("attachment;") == true)
                #expect(response.headers[.contentSecurityPolicy] == "sandbox; frame-ancestors 'none'")
            }
        }
    }

    @Test("uploads past the limit, to hidden bugs, or without credentials are refused and store nothing", arguments: TestBackend.all)
    func refusals(backend: TestBackend) async throws {
        try await TestSite.with(backend, attachmentLimit: 1000) { site in
            let bug = try await site.fileBug(as: "dev")
            let (tooLarge, tooLargeBody) = try await upload(site, bug: bug, [UInt8](repeating: 7, count: 1001))
            #expect(tooLarge == .badRequest && tooLargeBody.contains("\"code\":600"))
            let (empty, emptyBody) = try await upload(site, bug: bug, [])
            #expect(empty == .badRequest && emptyBody.contains("\"code\":606"))
            let secret = try await site.fileSecretBug("Secret")
            let (hidden, _) = try await upload(site, bug: secret, Array("x".utf8))
            #expect(hidden == .notFound)
            let anonymous = try await site.client.execute(
                uri: "/api/bugs/\(bug)/attachments?file_name=a.txt", method: .post, headers: [:], body: ByteBuffer(string: "x"))
            #expect(anonymous.status == .unauthorized)
            #expect(try await site.get("/rest/bug/\(bug)/attachment", as: "admin").expect(.ok)["bugs"]["\(bug)"] == [])
            let blobs = FileManager.default.enumerator(atPath: site.configuration.attachmentsPath)?.allObjects.compactMap { $0 as? String } ?? []
            #expect(blobs.filter { $0.hasPrefix("tmp/") || $0.count == 70 }.isEmpty)
        }
    }

    @Test("a multipart/form-data upload streams its file part and reads the other fields", arguments: TestBackend.all)
    func multipart(backend: TestBackend) async throws {
        try await TestSite.with(backend) { site in
            let bug = try await site.fileBug(as: "dev")
            let key = try #require(site.keys["dev"])
            let file = String(repeating: "0123456789abcdef", count: 2048)  // 32 KiB, in many parser callbacks
            let form = [
                "--XyZ", "Content-Disposition: form-data; name=\"summary\"", "", "Screenshot of the crash",
                "--XyZ", "Content-Disposition: form-data; name=\"file\"; filename=\"screen.png\"", "Content-Type: image/png", "", file,
                "--XyZ", "Content-Disposition: form-data; name=\"comment\"", "", "Taken just now",
                "--XyZ--", "",
            ].joined(separator: "\r\n")
            let response = try await site.client.execute(
                uri: "/api/bugs/\(bug)/attachments?Bugzilla_api_key=\(key)", method: .post,
                headers: [.contentType: "multipart/form-data; boundary=XyZ"], body: ByteBuffer(string: form))
            #expect(response.status == .created, "\(String(buffer: response.body))")
            let id = try JSONDecoder().decode(JSONValue.self, from: Data(String(buffer: response.body).utf8))["id"].int
            let attachment = try await site.get("/rest/bug/attachment/\(id)", as: "dev").expect(.ok)["attachments"]["\(id)"]
            #expect(attachment["file_name"] == "screen.png")
            #expect(attachment["content_type"] == "image/png")
            #expect(attachment["summary"] == "Screenshot of the crash")
            #expect(attachment["size"] == .int(file.utf8.count))
            #expect(attachment["data"] == .string(Data(file.utf8).base64EncodedString()))
            let comments = try await site.get("/rest/bug/\(bug)/comment", as: "dev").expect(.ok)["bugs"]["\(bug)"]["comments"]
            #expect(comments.array.last?["text"].string.hasSuffix("Taken just now") == true)
        }
    }
}
