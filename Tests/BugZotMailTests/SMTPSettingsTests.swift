import BugZotMail
import Testing

@Suite("SMTPSettings from a URL")
struct SMTPSettingsTests {
    @Test("smtp:// defaults to port 25, STARTTLS when offered, verification on, EHLO localhost, 30 s")
    func smtpDefaults() throws {
        let settings = try SMTPSettings(url: "smtp://mail.example.com")
        #expect(settings.host == "mail.example.com")
        #expect(settings.port == 25)
        #expect(settings.security == .startTLSWhenOffered)
        #expect(settings.username == nil)
        #expect(settings.password == nil)
        #expect(settings.verifiesCertificate)
        #expect(settings.trustedCAFile == nil)
        #expect(settings.heloName == "localhost")
        #expect(settings.timeout == .seconds(30))
    }

    @Test("smtps:// means implicit TLS on port 465")
    func smtpsDefaults() throws {
        let settings = try SMTPSettings(url: "SMTPS://mail.example.com")
        #expect(settings.security == .implicitTLS)
        #expect(settings.port == 465)
        #expect(try SMTPSettings(url: "smtps://mail.example.com:2465").port == 2465)
    }

    @Test("percent-decodes user and password")
    func credentials() throws {
        let settings = try SMTPSettings(url: "smtp://ada%40example.com:p%40ss%3Aw%2Fo%20rd@mail.example.com:587")
        #expect(settings.username == "ada@example.com")
        #expect(settings.password == "p@ss:w/o rd")
        #expect(settings.port == 587)
        #expect(try SMTPSettings(url: "smtp://@mail.example.com").username == nil)
    }

    @Test("reads starttls, tls_verify, tls_ca, helo and timeout from the query")
    func queryParameters() throws {
        let settings = try SMTPSettings(
            url: "smtp://h:2525?starttls=required&tls_verify=none&tls_ca=/etc/ssl/my%20ca.pem&helo=bugs.example.com&timeout=2.5")
        #expect(settings.security == .startTLSRequired)
        #expect(!settings.verifiesCertificate)
        #expect(settings.trustedCAFile == "/etc/ssl/my ca.pem")
        #expect(settings.heloName == "bugs.example.com")
        #expect(settings.timeout == .milliseconds(2500))
        #expect(try SMTPSettings(url: "smtp://h?starttls=never").security == .plaintext)
        #expect(try SMTPSettings(url: "smtp://h?starttls=auto").security == .startTLSWhenOffered)
    }

    @Test("accepts IPv6 literals")
    func ipv6() throws {
        let settings = try SMTPSettings(url: "smtp://[::1]:2525")
        #expect(settings.host == "::1")
        #expect(settings.redactedDescription == "smtp://[::1]:2525")
    }

    @Test("rejects bad URLs with a clear reason", arguments: [
        ("http://mail.example.com", "unsupported scheme"),
        ("smtp://", "no host"),
        ("smtp:///path", "no host"),
        ("smtp://h/inbox", "unexpected path"),
        ("smtp://h:0", "out of range"),
        ("smtp://h?tls=yes", "unknown parameter \"tls\""),
        ("smtp://h?starttls=maybe", "starttls must be"),
        ("smtps://h?starttls=required", "does not apply to smtps"),
        ("smtp://h?tls_verify=partly", "tls_verify must be"),
        ("smtp://h?timeout=-1", "timeout must be"),
        ("smtp://h?timeout=soon", "timeout must be"),
        ("smtp://h?helo=two%20words", "helo must be"),
        ("smtp://h?helo=x%0D%0AMAIL", "helo must be"),
        ("smtp://h?timeout=1&timeout=2", "given twice"),
        ("smtp://:secret@h", "without a user name"),
        ("not a url at all", ""),
    ])
    func invalid(url: String, reason: String) {
        #expect {
            try SMTPSettings(url: url)
        } throws: { error in
            guard let error = error as? SMTPSettingsError else { return false }
            return error.reason.contains(reason) && "\(error)".hasPrefix("invalid SMTP URL: ")
        }
    }

    @Test("the redacted description never shows the password")
    func redacted() throws {
        let settings = try SMTPSettings(url: "smtp://ada:hunter2@mail.example.com?starttls=required&timeout=10")
        #expect(settings.redactedDescription == "smtp://ada:***@mail.example.com:25?starttls=required&timeout=10")
        #expect(try SMTPSettings(url: "smtps://mail.example.com?tls_verify=none").redactedDescription
            == "smtps://mail.example.com:465?tls_verify=none")
    }

    @Test("errors about a URL never repeat its password")
    func errorsHidePassword() {
        #expect {
            try SMTPSettings(url: "smtp://ada:hunter2@mail.example.com?bogus=1")
        } throws: { error in
            !"\(error)".contains("hunter2")
        }
    }
}
