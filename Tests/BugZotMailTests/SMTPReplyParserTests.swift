@testable import BugZotMail
import NIOCore
import Testing

@Suite("Parsing SMTP replies")
struct SMTPReplyParserTests {
    private static func replies(_ chunks: String...) throws -> [SMTPReply] {
        var parser = SMTPReplyParser()
        var replies: [SMTPReply] = []
        for chunk in chunks {
            parser.append(ByteBuffer(string: chunk))
            while let reply = try parser.nextReply() {
                replies.append(reply)
            }
        }
        return replies
    }

    @Test("reads a one-line reply")
    func singleLine() throws {
        #expect(try Self.replies("220 mail.example.com ESMTP ready\r\n") == [SMTPReply(code: 220, lines: ["mail.example.com ESMTP ready"])])
    }

    @Test("joins a multi-line reply up to the line with a space after the code")
    func multiLine() throws {
        let replies = try Self.replies("250-mail.example.com\r\n250-SIZE 1000\r\n250-8BITMIME\r\n250 STARTTLS\r\n")
        #expect(replies == [SMTPReply(code: 250, lines: ["mail.example.com", "SIZE 1000", "8BITMIME", "STARTTLS"])])
        #expect(replies[0].description == "250-mail.example.com\n250-SIZE 1000\n250-8BITMIME\n250 STARTTLS")
    }

    @Test("waits for the rest of a reply split across reads, and splits replies read together")
    func chunking() throws {
        let replies = try Self.replies("25", "0-first\r", "\n250 second\r\n354 go", " ahead\r\n")
        #expect(replies == [SMTPReply(code: 250, lines: ["first", "second"]), SMTPReply(code: 354, lines: ["go ahead"])])
    }

    @Test("accepts a bare code, an empty text and bare LF line endings")
    func lenient() throws {
        #expect(try Self.replies("250\r\n", "221 \n") == [SMTPReply(code: 250, lines: [""]), SMTPReply(code: 221, lines: [""])])
    }

    @Test("rejects malformed lines", arguments: ["hello\r\n", "25\r\n", "2500 x\r\n", "abc def\r\n", "199 too low\r\n", "250_x\r\n"])
    func malformed(input: String) {
        #expect(throws: SMTPError.self) { try Self.replies(input) }
    }

    @Test("rejects a reply whose lines change the code")
    func codeChange() {
        #expect(throws: SMTPError.self) { try Self.replies("250-a\r\n251 b\r\n") }
    }

    @Test("rejects a line longer than 4 KiB, even before its end arrives")
    func longLine() throws {
        let long = "250 " + String(repeating: "x", count: 5000)
        #expect(throws: SMTPError.self) { try Self.replies(long) }
        #expect(throws: SMTPError.self) { try Self.replies(long + "\r\n") }
        #expect(try Self.replies("250 " + String(repeating: "x", count: 4000) + "\r\n").count == 1)
    }

    @Test("rejects a reply of more than 100 lines")
    func tooManyLines() throws {
        let lines = String(repeating: "250-x\r\n", count: 100) + "250 end\r\n"
        #expect(throws: SMTPError.self) { try Self.replies(lines) }
        #expect(try Self.replies(String(repeating: "250-x\r\n", count: 99) + "250 end\r\n")[0].lines.count == 100)
    }
}
