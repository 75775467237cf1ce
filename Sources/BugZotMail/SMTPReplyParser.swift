import NIOCore

/// Turns the bytes an SMTP server sends into replies (RFC 5321 §4.2), one line at a time, and
/// refuses replies a hostile or broken server could use to exhaust memory.
struct SMTPReplyParser {
    /// The longest line accepted, CRLF included (RFC 5321 §4.5.3.1.5 sets 512 for a reply line).
    static let maximumLineLength = 4096
    /// The most lines one reply may have.
    static let maximumLinesPerReply = 100

    private var buffer = ByteBuffer()
    private var code: Int?
    private var lines: [String] = []

    /// Takes more bytes from the server.
    mutating func append(_ bytes: ByteBuffer) {
        var bytes = bytes
        buffer.discardReadBytes()
        buffer.writeBuffer(&bytes)
    }

    /// Whether bytes are waiting that do not yet make a complete reply.
    var hasBufferedInput: Bool {
        buffer.readableBytes > 0 || !lines.isEmpty
    }

    /// The next complete reply, or `nil` until more bytes arrive. Throws a transient `SMTPError`
    /// for malformed or oversized input; the connection can't be trusted after that.
    mutating func nextReply() throws -> SMTPReply? {
        while let line = try nextLine() {
            if let reply = try take(line) {
                return reply
            }
        }
        return nil
    }

    private mutating func nextLine() throws -> [UInt8]? {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if view.count >= Self.maximumLineLength {
                throw SMTPError.transient(code: nil, message: "server sent a reply line longer than \(Self.maximumLineLength) bytes")
            }
            return nil
        }
        let length = newline - view.startIndex + 1
        guard length <= Self.maximumLineLength else {
            throw SMTPError.transient(code: nil, message: "server sent a reply line longer than \(Self.maximumLineLength) bytes")
        }
        var line = buffer.readBytes(length: length)!
        line.removeLast()
        // RFC 5321 wants CRLF; a bare LF is tolerated.
        if line.last == UInt8(ascii: "\r") {
            line.removeLast()
        }
        return line
    }

    /// Adds one line to the reply under way, returning the reply when this line completes it.
    private mutating func take(_ line: [UInt8]) throws -> SMTPReply? {
        let digits = line.prefix(3)
        guard digits.count == 3, digits.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw malformed(line)
        }
        let lineCode = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard (200...599).contains(lineCode) else {
            throw malformed(line)
        }
        if let code, code != lineCode {
            throw SMTPError.transient(
                code: nil, message: "server changed the reply code from \(code) to \(lineCode) within one reply")
        }
        let separator = line.count > 3 ? line[3] : UInt8(ascii: " ")
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
            throw malformed(line)
        }
        lines.append(String(decoding: line.dropFirst(4), as: UTF8.self))
        guard separator == UInt8(ascii: " ") else {
            guard lines.count < Self.maximumLinesPerReply else {
                throw SMTPError.transient(code: nil, message: "server sent a reply of more than \(Self.maximumLinesPerReply) lines")
            }
            code = lineCode
            return nil
        }
        defer {
            code = nil
            lines = []
        }
        return SMTPReply(code: lineCode, lines: lines)
    }

    private func malformed(_ line: [UInt8]) -> SMTPError {
        .transient(code: nil, message: "server sent a malformed reply line: \(String(decoding: line.prefix(80), as: UTF8.self))")
    }
}
