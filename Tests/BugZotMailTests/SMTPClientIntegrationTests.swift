import BugZotMail
import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing

@Suite(
    "SMTPClient against a real SMTP server (aiosmtpd)",
    .enabled(
        if: SMTPTestServer.isAvailable,
        "needs aiosmtpd: point BUGZOT_SMTP_PYTHON at a python that can import it (default ~/.cache/bugzot-venv/bin/python)"),
    .timeLimit(.minutes(1))
)
struct SMTPClientIntegrationTests {
    // smtp_server.py accepts the user "bugzot" with the password "s3cret:p@ss", percent-encoded in the URLs.
    private static let logger = Logger(label: "BugZotMailTests")

    private static let threadedMessage = MailMessage(
        from: MailAddress(address: "bugzot@bugs.example.com", name: "Zoë, the BugZot daemon"),
        to: [MailAddress(address: "ada@example.com", name: "Ada Lovelace"), MailAddress(address: "cb@example.com", name: "Чарльз Бэббидж")],
        subject: "[Bug 12] Übersicht stürzt ab — “quotes”, 日本語 and a subject long enough to be folded over several lines",
        text: "Bug 12 changed.\n\nWhat    |Removed |Added\nStatus  |NEW     |ASSIGNED\n\nGrüße, 🐞\n",
        html: "<p>Bug 12 changed: <b>Grüße</b>, 🐞</p>\n",
        messageID: "bug-12-change-34@bugs.example.com", inReplyTo: "bug-12@bugs.example.com",
        references: ["bug-12@bugs.example.com"],
        extraHeaders: [(name: "X-BugZot-Product", value: "Böse Bugs"), (name: "List-Id", value: "Böse Bugs <boese-bugs.bugs.example.com>")])

    private static func plainMessage(_ text: String, to recipient: String = "ada@example.com") -> MailMessage {
        MailMessage(
            from: MailAddress(address: "bugzot@bugs.example.com"), to: [MailAddress(address: recipient)], subject: "Plain",
            text: text, messageID: "plain-\(UUID().uuidString)@bugs.example.com")
    }

    private func send(
        _ message: MailMessage = threadedMessage, url: String, from sender: String = "bugzot@bugs.example.com",
        to recipients: [String] = ["ada@example.com"]
    ) async throws -> SMTPDelivery {
        let client = SMTPClient(settings: try SMTPSettings(url: url), logger: Self.logger)
        return try await client.send(message, from: sender, to: recipients)
    }

    /// Runs `body` and returns the `SMTPError` it throws (failing the test if it throws none).
    private func smtpError(_ body: () async throws -> SMTPDelivery) async -> SMTPError? {
        do {
            let delivery = try await body()
            Issue.record("expected an SMTPError, got a delivery: \(delivery.reply)")
            return nil
        } catch let error as SMTPError {
            return error
        } catch {
            Issue.record("expected an SMTPError, got \(error)")
            return nil
        }
    }

    @Test("delivers a multipart message whose headers and bodies decode to what was written")
    func deliversMultipart() async throws {
        let server = try await SMTPTestServer.start("plain")
        defer { server.stop() }
        let delivery = try await send(url: "smtp://127.0.0.1:\(server.port)", to: ["ada@example.com", "cb@example.com"])

        #expect(delivery.reply.code == 250)
        #expect(delivery.reply.description == "250 2.0.0 Ok: queued as TEST1")
        #expect(delivery.acceptedRecipients == ["ada@example.com", "cb@example.com"])
        #expect(delivery.rejectedRecipients.isEmpty)
        let received = try #require(try server.receivedMessages().first)
        let message = Self.threadedMessage
        #expect(received.mailFrom == "bugzot@bugs.example.com")
        #expect(received.rcptTos == ["ada@example.com", "cb@example.com"])
        #expect(received.mailOptions.contains("SIZE=\(message.rendered().count)"))
        #expect(received.defects.isEmpty)
        #expect(received.contentType == "multipart/alternative")
        #expect(received.header("Subject") == message.subject)
        #expect(received.header("From") == "\"Zoë, the BugZot daemon\" <bugzot@bugs.example.com>")
        #expect(received.header("To") == "Ada Lovelace <ada@example.com>, Чарльз Бэббидж <cb@example.com>")
        #expect(received.header("Message-ID") == "<bug-12-change-34@bugs.example.com>")
        #expect(received.header("In-Reply-To") == "<bug-12@bugs.example.com>")
        #expect(received.header("References") == "<bug-12@bugs.example.com>")
        #expect(received.header("X-BugZot-Product") == "Böse Bugs")
        #expect(received.header("List-Id") == "Böse Bugs <boese-bugs.bugs.example.com>")
        #expect(received.text.map(Self.lf) == message.text)
        #expect(received.html.map(Self.lf) == message.html)
    }

    @Test("dot-stuffing: lines starting with \".\" and a line of just \".\" arrive byte for byte")
    func dotStuffing() async throws {
        let server = try await SMTPTestServer.start("plain")
        defer { server.stop() }
        let message = Self.plainMessage(".leading dot\n..two dots\nbefore a lone dot\n.\nafter it\n.\n")
        _ = try await send(message, url: "smtp://127.0.0.1:\(server.port)")

        let received = try #require(try server.receivedMessages().first)
        #expect(received.raw == message.rendered())
        #expect(received.text.map(Self.lf) == message.text)
    }

    @Test("STARTTLS, then AUTH PLAIN with a percent-encoded password")
    func startTLSAndAuthPlain() async throws {
        let server = try await SMTPTestServer.start("starttls-auth")
        defer { server.stop() }
        let delivery = try await send(url: "smtp://bugzot:s3cret%3Ap%40ss@127.0.0.1:\(server.port)?tls_verify=none&starttls=required")
        #expect(delivery.reply.code == 250)
        #expect(try server.receivedMessages().count == 1)
    }

    @Test("AUTH LOGIN when the server offers no PLAIN")
    func authLogin() async throws {
        let server = try await SMTPTestServer.start("starttls-auth-login")
        defer { server.stop() }
        let delivery = try await send(url: "smtp://bugzot:s3cret%3Ap%40ss@127.0.0.1:\(server.port)?tls_verify=none")
        #expect(delivery.reply.code == 250)
        #expect(try server.receivedMessages().count == 1)
    }

    @Test("a wrong password is a permanent 535")
    func wrongPassword() async throws {
        let server = try await SMTPTestServer.start("starttls-auth")
        defer { server.stop() }
        let error = await smtpError { try await send(url: "smtp://bugzot:wrong@127.0.0.1:\(server.port)?tls_verify=none&timeout=5") }
        #expect(error?.isTransient == false)
        #expect(error?.code == 535)
        #expect(error.map { !"\($0)".contains("wrong") } ?? false)
    }

    @Test("with tls_ca the server's certificate is verified, including its IP address")
    func verifiedWithExtraCA() async throws {
        let server = try await SMTPTestServer.start("starttls-auth")
        defer { server.stop() }
        let url = "smtp://bugzot:s3cret%3Ap%40ss@127.0.0.1:\(server.port)?tls_ca=\(server.certificatePath)"
        let delivery = try await send(url: url)
        #expect(delivery.reply.code == 250)
    }

    @Test("an untrusted certificate fails the TLS handshake, transiently")
    func untrustedCertificate() async throws {
        let server = try await SMTPTestServer.start("starttls-auth")
        defer { server.stop() }
        let error = await smtpError { try await send(url: "smtp://bugzot:s3cret%3Ap%40ss@127.0.0.1:\(server.port)") }
        #expect(error?.isTransient == true)
        #expect(error?.message.contains("TLS") == true)
        #expect(try server.receivedMessages().isEmpty)
    }

    @Test("smtps: TLS from the first byte")
    func implicitTLS() async throws {
        let server = try await SMTPTestServer.start("smtps")
        defer { server.stop() }
        let delivery = try await send(url: "smtps://127.0.0.1:\(server.port)?tls_verify=none")
        #expect(delivery.reply.code == 250)
        #expect(try server.receivedMessages().count == 1)
    }

    @Test("starttls=required fails permanently when the server offers no STARTTLS")
    func startTLSRequiredButMissing() async throws {
        let server = try await SMTPTestServer.start("plain")
        defer { server.stop() }
        let error = await smtpError { try await send(url: "smtp://127.0.0.1:\(server.port)?starttls=required") }
        #expect(error?.isTransient == false)
        #expect(error?.message.contains("STARTTLS") == true)
    }

    @Test("credentials are not sent over a connection STARTTLS could not protect")
    func noPasswordInTheClear() async throws {
        let server = try await SMTPTestServer.start("plain")
        defer { server.stop() }
        let error = await smtpError { try await send(url: "smtp://bugzot:s3cret@127.0.0.1:\(server.port)") }
        #expect(error?.isTransient == false)
        #expect(try server.receivedMessages().isEmpty)
    }

    @Test("falls back to HELO when the server rejects EHLO")
    func heloFallback() async throws {
        let server = try await SMTPTestServer.start("helo-only")
        defer { server.stop() }
        let delivery = try await send(url: "smtp://127.0.0.1:\(server.port)")
        #expect(delivery.reply.code == 250)
        let received = try #require(try server.receivedMessages().first)
        #expect(received.mailOptions.isEmpty)
    }

    @Test("4xx to RCPT or to the message data is transient", arguments: [("rcpt-451", 451), ("data-451", 451)])
    func transientReplies(mode: String, code: Int) async throws {
        let server = try await SMTPTestServer.start(mode)
        defer { server.stop() }
        let error = await smtpError { try await send(url: "smtp://127.0.0.1:\(server.port)") }
        #expect(error?.isTransient == true)
        #expect(error?.code == code)
    }

    @Test("5xx to RCPT or to the message data is permanent", arguments: [("rcpt-550", 550), ("data-554", 554)])
    func permanentReplies(mode: String, code: Int) async throws {
        let server = try await SMTPTestServer.start(mode)
        defer { server.stop() }
        let error = await smtpError { try await send(url: "smtp://127.0.0.1:\(server.port)") }
        #expect(error?.isTransient == false)
        #expect(error?.code == code)
    }

    @Test("a refused recipient is reported while the others still get the message")
    func partlyRejected() async throws {
        let server = try await SMTPTestServer.start("reject-nobody")
        defer { server.stop() }
        let delivery = try await send(url: "smtp://127.0.0.1:\(server.port)", to: ["nobody@example.com", "ada@example.com"])
        #expect(delivery.acceptedRecipients == ["ada@example.com"])
        #expect(delivery.rejectedRecipients.map(\.address) == ["nobody@example.com"])
        #expect(delivery.rejectedRecipients.first?.reply.code == 550)
        #expect(delivery.rejectedRecipients.first?.isTransient == false)
        #expect(try server.receivedMessages().first?.rcptTos == ["ada@example.com"])
    }

    @Test("a connection dropped in the middle of DATA is transient")
    func droppedDuringData() async throws {
        let server = try await SMTPTestServer.start("drop-in-data")
        defer { server.stop() }
        let error = await smtpError { try await send(url: "smtp://127.0.0.1:\(server.port)") }
        #expect(error?.isTransient == true)
        #expect(error?.code == nil)
    }

    @Test("a server that never replies times out, transiently, after the configured timeout")
    func silentServer() async throws {
        let server = try await SMTPTestServer.start("silent")
        defer { server.stop() }
        let clock = ContinuousClock()
        let start = clock.now
        let error = await smtpError { try await send(url: "smtp://127.0.0.1:\(server.port)?timeout=2") }
        let elapsed = clock.now - start
        #expect(error?.isTransient == true)
        #expect(error?.message.contains("timed out after 2 s") == true)
        #expect(elapsed >= .seconds(2) && elapsed < .seconds(5))
    }

    @Test("cancelling a send closes the connection at once")
    func cancellation() async throws {
        let server = try await SMTPTestServer.start("silent")
        defer { server.stop() }
        let clock = ContinuousClock()
        let start = clock.now
        let sending = Task { try await send(url: "smtp://127.0.0.1:\(server.port)?timeout=20") }
        try await Task.sleep(for: .milliseconds(300))
        sending.cancel()
        await #expect(throws: CancellationError.self) { try await sending.value }
        #expect(clock.now - start < .seconds(5))
    }

    @Test("a refused connection is transient")
    func connectionRefused() async throws {
        // Bind a port, then close it: nothing listens there any more.
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(listener.localAddress?.port)
        try await listener.close()
        let error = await smtpError { try await send(url: "smtp://127.0.0.1:\(port)?timeout=5") }
        #expect(error?.isTransient == true)
        #expect(error?.message.contains("could not connect") == true)
    }

    @Test("a message over the server's SIZE limit fails permanently before it is sent")
    func sizeLimit() async throws {
        let server = try await SMTPTestServer.start("plain", ["--size-limit", "1000"])
        defer { server.stop() }
        let message = Self.plainMessage(String(repeating: "A bug report that goes on and on.\n", count: 100))
        let error = await smtpError { try await send(message, url: "smtp://127.0.0.1:\(server.port)") }
        #expect(error?.isTransient == false)
        #expect(error?.message.contains("at most 1000") == true)
        #expect(try server.receivedMessages().isEmpty)
    }

    @Test("a non-ASCII address goes out with SMTPUTF8 and BODY=8BITMIME when the server offers them")
    func smtpUTF8() async throws {
        let server = try await SMTPTestServer.start("plain", ["--smtputf8"])
        defer { server.stop() }
        let message = Self.plainMessage("Hallo\n", to: "jürgen@bücher.example")
        _ = try await send(message, url: "smtp://127.0.0.1:\(server.port)", to: ["jürgen@bücher.example"])
        let received = try #require(try server.receivedMessages().first)
        #expect(received.rcptTos == ["jürgen@bücher.example"])
        #expect(received.mailOptions.contains("SMTPUTF8"))
        #expect(received.mailOptions.contains("BODY=8BITMIME"))
        #expect(received.header("To") == "jürgen@bücher.example")
    }

    @Test("a non-ASCII address fails permanently when the server lacks SMTPUTF8")
    func smtpUTF8Missing() async throws {
        let server = try await SMTPTestServer.start("plain")
        defer { server.stop() }
        let error = await smtpError { try await send(url: "smtp://127.0.0.1:\(server.port)", to: ["jürgen@bücher.example"]) }
        #expect(error?.isTransient == false)
        #expect(error?.message.contains("SMTPUTF8") == true)
    }

    private static func lf(_ text: String) -> String {
        text.replacing("\r\n", with: "\n")
    }
}
