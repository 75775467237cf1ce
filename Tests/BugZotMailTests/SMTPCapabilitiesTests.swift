@testable import BugZotMail
import Testing

@Suite("EHLO capabilities")
struct SMTPCapabilitiesTests {
    @Test("reads STARTTLS, AUTH, SIZE, 8BITMIME and SMTPUTF8, case-insensitively")
    func extensions() {
        let reply = SMTPReply(code: 250, lines: [
            "mail.example.com greets you", "size 35882577", "8BITMIME", "STARTTLS", "AUTH plain LOGIN", "SMTPUTF8", "PIPELINING",
        ])
        let capabilities = SMTPCapabilities(ehloReply: reply)
        #expect(capabilities.startTLS)
        #expect(capabilities.authMechanisms == ["PLAIN", "LOGIN"])
        #expect(capabilities.size)
        #expect(capabilities.maximumMessageSize == 35_882_577)
        #expect(capabilities.eightBitMIME)
        #expect(capabilities.smtpUTF8)
    }

    @Test("ignores the greeting line, even when it looks like a keyword")
    func greetingLine() {
        #expect(SMTPCapabilities(ehloReply: SMTPReply(code: 250, lines: ["STARTTLS"])) == SMTPCapabilities())
    }

    @Test("understands the old AUTH= form and SIZE without a limit")
    func variants() {
        let capabilities = SMTPCapabilities(ehloReply: SMTPReply(code: 250, lines: ["host", "AUTH=LOGIN", "SIZE"]))
        #expect(capabilities.authMechanisms == ["LOGIN"])
        #expect(capabilities.size)
        #expect(capabilities.maximumMessageSize == nil)
        #expect(SMTPCapabilities(ehloReply: SMTPReply(code: 250, lines: ["host", "SIZE 0"])).maximumMessageSize == nil)
    }
}
