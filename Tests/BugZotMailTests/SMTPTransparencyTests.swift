@testable import BugZotMail
import Testing

@Suite("DATA transparency (dot-stuffing)")
struct SMTPTransparencyTests {
    private static func payload(_ text: String) -> String {
        String(decoding: SMTPTransparency.dataPayload(for: Array(text.utf8)), as: UTF8.self)
    }

    @Test("doubles a dot at the start of every line, including a line of just \".\"")
    func stuffing() {
        #expect(Self.payload(".a\r\nb.c\r\n.\r\n..\r\n") == "..a\r\nb.c\r\n..\r\n...\r\n.\r\n")
    }

    @Test("ends the data with CRLF.CRLF, adding the missing CRLF")
    func terminator() {
        #expect(Self.payload("body\r\n") == "body\r\n.\r\n")
        #expect(Self.payload("body") == "body\r\n.\r\n")
        #expect(Self.payload("body\r\n.") == "body\r\n..\r\n.\r\n")
    }

    @Test("makes bare LF and bare CR into CRLF")
    func lineEndings() {
        #expect(Self.payload("a\nb\rc\r\n\n.d") == "a\r\nb\r\nc\r\n\r\n..d\r\n.\r\n")
    }
}
