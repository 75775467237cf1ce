@testable import BugZotMail
import Foundation
import Testing

@Suite("Quoted-printable bodies")
struct QuotedPrintableTests {
    @Test("encodes \"=\" and non-ASCII bytes, leaves other printable ASCII alone")
    func escapes() {
        #expect(QuotedPrintable.encode("a=b") == "a=3Db")
        #expect(QuotedPrintable.encode("Grüße") == "Gr=C3=BC=C3=9Fe")
        #expect(QuotedPrintable.encode("<p class=\"x\">50% ~ok!</p>") == "<p class=3D\"x\">50% ~ok!</p>")
    }

    @Test("encodes whitespace only at the end of a line")
    func trailingWhitespace() {
        #expect(QuotedPrintable.encode("a b \nc\t") == "a b=20\r\nc=09")
        #expect(QuotedPrintable.encode("  ") == " =20")
    }

    @Test("turns LF, CR and CRLF into CRLF hard line breaks")
    func lineBreaks() {
        #expect(QuotedPrintable.encode("a\nb\r\nc\rd\n") == "a\r\nb\r\nc\r\nd\r\n")
    }

    @Test("breaks long lines with soft line breaks at 76 characters, never inside an escape")
    func softLineBreaks() {
        let texts = [
            String(repeating: "x", count: 200), String(repeating: "ü", count: 100), String(repeating: "ab=", count: 60),
            String(repeating: "x", count: 76), String(repeating: "x", count: 77), String(repeating: "x", count: 75) + "=",
        ]
        for text in texts {
            let encoded = QuotedPrintable.encode(text)
            for line in encoded.components(separatedBy: "\r\n") {
                #expect(line.utf8.count <= 76)
                // An escape cut in two would leave "=" or "=X" before the soft break.
                #expect(line.firstMatch(of: /=(.?)$/).map { $0.output.1.isEmpty } ?? true)
            }
            #expect(MIMEDecoding.decodeQuotedPrintable(encoded) == text)
        }
        #expect(QuotedPrintable.encode(String(repeating: "x", count: 76)) == String(repeating: "x", count: 76))
        #expect(QuotedPrintable.encode(String(repeating: "x", count: 77)) == String(repeating: "x", count: 75) + "=\r\nxx")
    }

    @Test("a line starting with a dot stays as it is; dot-stuffing is SMTP's job")
    func leadingDot() {
        #expect(QuotedPrintable.encode(".\n.x") == ".\r\n.x")
    }
}
