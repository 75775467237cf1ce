@testable import BugZotMail
import Testing

@Suite("SMTPError")
struct SMTPErrorTests {
    @Test("4xx replies are transient, 5xx permanent, and odd codes transient")
    func classification() {
        #expect(SMTPError.unexpected(SMTPReply(code: 451, lines: ["later"]), to: "RCPT TO").isTransient)
        #expect(!SMTPError.unexpected(SMTPReply(code: 550, lines: ["no"]), to: "RCPT TO").isTransient)
        #expect(SMTPError.unexpected(SMTPReply(code: 250, lines: ["?"]), to: "DATA").isTransient)
    }

    @Test("describes kind, code, step and reply")
    func description() {
        let error = SMTPError.unexpected(SMTPReply(code: 550, lines: ["5.1.1 No such user"]), to: "RCPT TO:<a@b>")
        #expect(error.code == 550)
        #expect("\(error)" == "SMTP permanent failure (550): RCPT TO:<a@b> failed: 550 5.1.1 No such user")
        #expect("\(SMTPError.transient(code: nil, message: "timed out"))" == "SMTP transient failure: timed out")
    }
}
