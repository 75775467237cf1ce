/// The service extensions a server announced in its EHLO reply (RFC 5321 §4.1.1.1) that the
/// client acts on. A server greeted with HELO announces none.
struct SMTPCapabilities: Equatable {
    /// STARTTLS (RFC 3207).
    var startTLS = false
    /// The SASL mechanisms of AUTH (RFC 4954), upper-cased.
    var authMechanisms: Set<String> = []
    /// The SIZE limit in bytes (RFC 1870); `nil` when not announced or announced without a limit.
    var maximumMessageSize: Int?
    /// Whether SIZE was announced at all, so the MAIL command may carry `SIZE=`.
    var size = false
    /// 8BITMIME (RFC 6152).
    var eightBitMIME = false
    /// SMTPUTF8 (RFC 6531).
    var smtpUTF8 = false

    /// No extensions, as after HELO.
    init() {}

    /// The extensions listed in an EHLO reply: every line after the first is one keyword with
    /// optional parameters; unknown ones are ignored.
    init(ehloReply: SMTPReply) {
        for line in ehloReply.lines.dropFirst() {
            let words = line.split(separator: " ").map { $0.uppercased() }
            guard let keyword = words.first else { continue }
            let parameters = words.dropFirst()
            switch keyword {
            case "STARTTLS":
                startTLS = true
            case "AUTH":
                authMechanisms.formUnion(parameters)
            case _ where keyword.hasPrefix("AUTH="):
                // Pre-standard servers announce "AUTH=LOGIN PLAIN".
                authMechanisms.insert(String(keyword.dropFirst("AUTH=".count)))
                authMechanisms.formUnion(parameters)
            case "SIZE":
                size = true
                // "SIZE" or "SIZE 0" means the server sets no fixed limit.
                maximumMessageSize = parameters.first.flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
            case "8BITMIME":
                eightBitMIME = true
            case "SMTPUTF8":
                smtpUTF8 = true
            default:
                continue
            }
        }
    }
}
