/// One reply from an SMTP server (RFC 5321 §4.2): a three-digit code and one or more lines of text.
public struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
    /// The reply code, 200 to 599.
    public let code: Int
    /// The text of each line, without the code and separator; at least one, possibly empty.
    public let lines: [String]

    /// A reply; `lines` should hold at least one (possibly empty) line.
    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines.isEmpty ? [""] : lines
    }

    /// The reply as the server sent it, lines joined by newlines: `250 2.0.0 Ok: queued as X`.
    public var description: String {
        lines.enumerated().map { index, line in
            let isLast = index == lines.count - 1
            return isLast && line.isEmpty ? "\(code)" : "\(code)\(isLast ? " " : "-")\(line)"
        }.joined(separator: "\n")
    }
}
