extension MailMessage {
    /// Header fields the renderer writes itself; extra headers with these names are dropped.
    private static let renderedFieldNames: Set<String> = [
        "date", "from", "to", "subject", "message-id", "in-reply-to", "references", "mime-version",
        "content-type", "content-transfer-encoding",
    ]

    /// The message in RFC 5322 / MIME form, ready for SMTP DATA: CRLF line endings throughout,
    /// 7-bit clean unless an address itself is non-ASCII. Non-ASCII header text becomes RFC 2047
    /// encoded-words; bodies are UTF-8 in quoted-printable. With `html`, the body is
    /// `multipart/alternative` with the plain text first.
    public func rendered() -> [UInt8] {
        var fields: [HeaderField] = [
            .verbatim("Date", RFC5322Date.string(from: date)),
            .mailboxes("From", [from]),
        ]
        if !to.isEmpty {
            fields.append(.mailboxes("To", to))
        }
        fields.append(.unstructured("Subject", subject))
        fields.append(.messageIDs("Message-ID", [messageID]))
        if let inReplyTo {
            fields.append(.messageIDs("In-Reply-To", [inReplyTo]))
        }
        if !references.isEmpty {
            fields.append(.messageIDs("References", references))
        }
        fields.append(.verbatim("MIME-Version", "1.0"))
        for (name, value) in extraHeaders {
            let name = HeaderField.sanitizedName(name)
            guard !name.isEmpty, !Self.renderedFieldNames.contains(name.lowercased()) else { continue }
            fields.append(.unstructured(name, value))
        }

        var message = fields.map(\.rendered).joined()
        if let html {
            let boundary = Self.makeBoundary()
            message += HeaderField(name: "Content-Type", tokens: ["multipart/alternative;", "boundary=\"\(boundary)\""]).rendered
            message += "\r\n"
            // The CRLF before each delimiter belongs to the delimiter (RFC 2046 §5.1.1), not the part.
            message += "--\(boundary)\r\n" + Self.textPart(subtype: "plain", content: text) + "\r\n"
            message += "--\(boundary)\r\n" + Self.textPart(subtype: "html", content: html) + "\r\n"
            message += "--\(boundary)--\r\n"
        } else {
            message += Self.textPart(subtype: "plain", content: text)
            if !message.hasSuffix("\r\n") {
                message += "\r\n"
            }
        }
        return Array(message.utf8)
    }

    /// The content header fields, a blank line and the quoted-printable body of one text part.
    private static func textPart(subtype: String, content: String) -> String {
        HeaderField.verbatim("Content-Type", "text/\(subtype); charset=utf-8").rendered
            + HeaderField.verbatim("Content-Transfer-Encoding", "quoted-printable").rendered
            + "\r\n"
            + QuotedPrintable.encode(content)
    }

    /// A fresh multipart boundary. It starts with "=_", which quoted-printable output can never
    /// contain ("=" is always followed by a hex digit or a line break), so no part can clash with it.
    private static func makeBoundary() -> String {
        let random = (0..<2).map { _ in
            let hex = String(UInt64.random(in: .min ... .max), radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }
        return "=_BugZot_" + random.joined()
    }
}
