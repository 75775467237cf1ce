@testable import BugZotMail
import Foundation
import Testing

@Suite("Rendering a MailMessage as RFC 5322")
struct MailMessageRenderingTests {
    /// 2025-07-01 09:05:03 UTC, a Tuesday.
    private static let date = Date(timeIntervalSince1970: 1_751_360_703)

    private static func message(
        subject: String = "[Bug 12] Crash on save", text: String = "Hello\n", html: String? = nil,
        from: MailAddress = MailAddress(address: "bugzot@bugs.example.com", name: "BugZot"),
        to: [MailAddress] = [MailAddress(address: "ada@example.com", name: "Ada Lovelace")],
        extraHeaders: [(name: String, value: String)] = []
    ) -> MailMessage {
        MailMessage(
            from: from, to: to, subject: subject, text: text, html: html, messageID: "bug-12-change-34@bugs.example.com",
            date: date, extraHeaders: extraHeaders)
    }

    private static func text(of message: MailMessage) -> String {
        String(decoding: message.rendered(), as: UTF8.self)
    }

    @Test("writes Date, From, To, Subject, Message-ID and MIME-Version in that order")
    func headerOrder() {
        let parsed = MIMEDecoding.parse(Self.text(of: Self.message()))
        #expect(parsed.headers.map(\.name) == [
            "Date", "From", "To", "Subject", "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
        ])
        #expect(parsed.header("Date") == "Tue, 01 Jul 2025 09:05:03 +0000")
        #expect(parsed.header("From") == "BugZot <bugzot@bugs.example.com>")
        #expect(parsed.header("To") == "Ada Lovelace <ada@example.com>")
        #expect(parsed.header("Subject") == "[Bug 12] Crash on save")
        #expect(parsed.header("Message-ID") == "<bug-12-change-34@bugs.example.com>")
        #expect(parsed.header("MIME-Version") == "1.0")
        #expect(parsed.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(parsed.header("Content-Transfer-Encoding") == "quoted-printable")
    }

    @Test("formats the date in English and UTC with two-digit days")
    func dateFormat() {
        #expect(RFC5322Date.string(from: Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(RFC5322Date.string(from: Date(timeIntervalSince1970: 951_782_400)) == "Tue, 29 Feb 2000 00:00:00 +0000")
    }

    @Test("threads with In-Reply-To and References, folding long reference lists")
    func threadingHeaders() {
        var message = Self.message()
        message.inReplyTo = "bug-12@bugs.example.com"
        message.references = (1...5).map { "bug-12-change-\($0)@bugs.example.com" }
        let rendered = Self.text(of: message)
        let parsed = MIMEDecoding.parse(rendered)
        #expect(parsed.header("In-Reply-To") == "<bug-12@bugs.example.com>")
        #expect(parsed.header("References") == message.references.map { "<\($0)>" }.joined(separator: " "))
        #expect(rendered.contains("\r\n <bug-12-change-"))
    }

    @Test("uses CRLF for every line break, with no bare CR or LF anywhere")
    func crlfEverywhere() {
        let message = Self.message(subject: "Line\nbreaks\rhere", text: "one\ntwo\r\nthree\rfour\n", html: "<p>a\nb</p>")
        let bytes = message.rendered()
        for (index, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: "\n") {
                #expect(index > 0 && bytes[index - 1] == UInt8(ascii: "\r"))
            }
            if byte == UInt8(ascii: "\r") {
                #expect(index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\n"))
            }
        }
        #expect(bytes.suffix(2) == [UInt8(ascii: "\r"), UInt8(ascii: "\n")])
    }

    @Test("is pure 7-bit ASCII with lines of at most 78 characters when the addresses are ASCII")
    func sevenBitAndShortLines() {
        let message = Self.message(
            subject: "Ünïcödé everywhere, in a subject long enough that it needs several encoded-words to fit — 日本語のテキスト",
            text: String(repeating: "Grüße aus dem Bugtracker! ", count: 20), html: "<p>\(String(repeating: "€", count: 100))</p>",
            from: MailAddress(address: "bugzot@bugs.example.com", name: "Zoë Bugzot"),
            extraHeaders: [(name: "X-BugZot-Component", value: String(repeating: "Komponente ", count: 12))])
        let rendered = message.rendered()
        #expect(rendered.allSatisfy { $0 < 128 })
        let lines = String(decoding: rendered, as: UTF8.self).components(separatedBy: "\r\n")
        for line in lines {
            #expect(line.utf8.count <= 78, "too long: \(line)")
        }
    }

    @Test("encodes a non-ASCII subject as encoded-words that decode to the original")
    func encodedSubject() throws {
        for subject in ["Übersicht stürzt ab", "日本語の件名がとても長い場合でも正しく分割されること", "Emoji 🐞🐛 and “quotes”", "Looks like =?utf-8?q?x?= but is not"] {
            let parsed = MIMEDecoding.parse(Self.text(of: Self.message(subject: subject)))
            let value = try #require(parsed.header("Subject"))
            #expect(MIMEDecoding.decodeEncodedWords(value) == subject)
        }
    }

    @Test("keeps ASCII words of a partly non-ASCII value readable")
    func partialEncoding() throws {
        let parsed = MIMEDecoding.parse(Self.text(of: Self.message(extraHeaders: [(name: "List-Id", value: "Böse Bugs <boese.bugs.example.com>")])))
        let value = try #require(parsed.header("List-Id"))
        #expect(value.hasSuffix(" <boese.bugs.example.com>"))
        #expect(MIMEDecoding.decodeEncodedWords(value) == "Böse Bugs <boese.bugs.example.com>")
    }

    @Test("quotes display names with specials, escapes quotes, and encodes non-ASCII names", arguments: [
        ("Ada Lovelace", "Ada Lovelace <a@example.com>"),
        ("Lovelace, Ada", "\"Lovelace, Ada\" <a@example.com>"),
        ("Ada \"Countess\" L.", "\"Ada \\\"Countess\\\" L.\" <a@example.com>"),
        ("back\\slash", "\"back\\\\slash\" <a@example.com>"),
        ("=?utf-8?q?fake?=", "\"=?utf-8?q?fake?=\" <a@example.com>"),
    ])
    func displayNames(name: String, expected: String) {
        let parsed = MIMEDecoding.parse(Self.text(of: Self.message(to: [MailAddress(address: "a@example.com", name: name)])))
        #expect(parsed.header("To") == expected)
    }

    @Test("encodes a non-ASCII display name and leaves the address as it is")
    func nonASCIIDisplayName() throws {
        let parsed = MIMEDecoding.parse(Self.text(of: Self.message(to: [
            MailAddress(address: "a@example.com", name: "Zoë, die Erste"), MailAddress(address: "b@example.com"),
        ])))
        let value = try #require(parsed.header("To"))
        #expect(value.hasPrefix("=?UTF-8?"))
        #expect(value.hasSuffix(" <a@example.com>, b@example.com"))
        #expect(MIMEDecoding.decodeEncodedWords(value) == "Zoë, die Erste <a@example.com>, b@example.com")
    }

    @Test("turns CR and LF in any header value into spaces, so no header can be injected")
    func noHeaderInjection() {
        let message = Self.message(
            subject: "Hi\r\nBcc: victim@example.com", from: MailAddress(address: "bugzot@bugs.example.com", name: "Eve\nBcc: x@example.com"),
            extraHeaders: [(name: "X-Note\r\nBcc", value: "ok\r\n\r\nbody injection"), (name: "X-Ümlaut", value: "b\nBcc: y@example.com")])
        let rendered = Self.text(of: message)
        let head = rendered.components(separatedBy: "\r\n\r\n")[0]
        for line in head.components(separatedBy: "\r\n") {
            #expect(!line.lowercased().hasPrefix("bcc"))
        }
        let parsed = MIMEDecoding.parse(rendered)
        #expect(parsed.header("Subject") == "Hi Bcc: victim@example.com")
        #expect(parsed.header("X-NoteBcc") == "ok body injection")
        #expect(parsed.header("X-mlaut") == "b Bcc: y@example.com")
    }

    @Test("drops extra headers that would duplicate the ones the renderer writes")
    func reservedExtraHeaders() {
        let message = Self.message(extraHeaders: [
            (name: "Content-Type", value: "text/html"), (name: "X-BugZot-Product", value: "Widgets"), (name: "from", value: "x@y"),
        ])
        let parsed = MIMEDecoding.parse(Self.text(of: message))
        #expect(parsed.headers.filter { $0.name.lowercased() == "content-type" }.count == 1)
        #expect(parsed.headers.filter { $0.name.lowercased() == "from" }.count == 1)
        #expect(parsed.header("X-BugZot-Product") == "Widgets")
        #expect(parsed.headers.map(\.name).firstIndex(of: "X-BugZot-Product")! > parsed.headers.map(\.name).firstIndex(of: "MIME-Version")!)
    }

    @Test("a text-only body is quoted-printable UTF-8 that decodes to the text")
    func textOnlyBody() {
        let text = "Grüße!\nA = sign, a trailing space \n\(String(repeating: "long line ", count: 20))\n"
        let parsed = MIMEDecoding.parse(Self.text(of: Self.message(text: text)))
        #expect(MIMEDecoding.decodeQuotedPrintable(parsed.body) == text.replacing("\n", with: "\r\n"))
    }

    @Test("text and HTML become multipart/alternative, text first, with a boundary found nowhere in the parts")
    func multipartAlternative() throws {
        let html = "<p>Grüße</p>\n<p>--not a boundary</p>"
        let rendered = Self.text(of: Self.message(text: "Grüße\n", html: html))
        let parsed = MIMEDecoding.parse(rendered)
        let contentType = try #require(parsed.header("Content-Type"))
        let boundary = try #require(contentType.firstMatch(of: /^multipart\/alternative; boundary="([^"]+)"$/)?.output.1)
        let sections = parsed.body.components(separatedBy: "\r\n--\(boundary)")
        // What comes before the first delimiter (it starts the body, without a CRLF), two parts, the closing "--".
        #expect(parsed.body.hasPrefix("--\(boundary)\r\n"))
        #expect(sections.count == 3)
        #expect(sections.last == "--\r\n")
        let parts = [sections[0].trimmingPrefix("--\(boundary)\r\n"), sections[1].trimmingPrefix("\r\n")].map { MIMEDecoding.parse(String($0)) }
        #expect(parts.map { $0.header("Content-Type") } == ["text/plain; charset=utf-8", "text/html; charset=utf-8"])
        #expect(parts.map { $0.header("Content-Transfer-Encoding") } == ["quoted-printable", "quoted-printable"])
        #expect(MIMEDecoding.decodeQuotedPrintable(parts[0].body) == "Grüße\r\n")
        #expect(MIMEDecoding.decodeQuotedPrintable(parts[1].body) == html.replacing("\n", with: "\r\n"))
        #expect(parts.allSatisfy { !$0.body.contains(String(boundary)) })
    }

    @Test("each message gets a different boundary")
    func freshBoundaries() {
        let message = Self.message(html: "<p>x</p>")
        #expect(message.rendered() != message.rendered())
    }

    @Test("needs SMTPUTF8 only when an address is non-ASCII")
    func needsSMTPUTF8() {
        #expect(!Self.message(subject: "Ünïcödé", from: MailAddress(address: "a@example.com", name: "Zoë")).needsSMTPUTF8)
        #expect(Self.message(to: [MailAddress(address: "jürgen@example.com")]).needsSMTPUTF8)
        #expect(Self.message(from: MailAddress(address: "bugs@bücher.example")).needsSMTPUTF8)
    }
}
