/// The quoted-printable content transfer encoding (RFC 2045 §6.7) for UTF-8 text bodies.
enum QuotedPrintable {
    /// RFC 2045's limit on encoded lines, not counting the CRLF.
    static let maximumLineLength = 76

    /// Encodes `text` as quoted-printable lines joined by CRLF (no CRLF after the last line).
    /// Line breaks in `text` (CRLF, LF or CR) become hard line breaks; longer lines are split with
    /// soft line breaks (`=` at the end of a line).
    static func encode(_ text: String) -> String {
        lines(of: text).map(encodeLine).joined(separator: "\r\n")
    }

    private static func lines(of text: String) -> [Substring] {
        // Swift treats "\r\n" as one Character. Other Unicode line separators stay as content.
        text.split(omittingEmptySubsequences: false) { $0 == "\r\n" || $0 == "\n" || $0 == "\r" }
    }

    private static func encodeLine(_ line: Substring) -> String {
        let bytes = Array(line.utf8)
        var output: [String] = []
        var current = ""
        for (index, byte) in bytes.enumerated() {
            let isLastByte = index == bytes.count - 1
            let piece = encodedPiece(byte, atEndOfLine: isLastByte)
            // A line that is not the last one needs room for the "=" of its soft line break.
            let limit = isLastByte ? maximumLineLength : maximumLineLength - 1
            if current.utf8.count + piece.utf8.count > limit {
                output.append(current + "=")
                current = ""
            }
            current += piece
        }
        output.append(current)
        return output.joined(separator: "\r\n")
    }

    private static func encodedPiece(_ byte: UInt8, atEndOfLine: Bool) -> String {
        let isPrintable = (33...126).contains(byte) && byte != UInt8(ascii: "=")
        // Space and tab may stand for themselves except at the end of a line, where transports strip them.
        let isInnerWhitespace = (byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")) && !atEndOfLine
        if isPrintable || isInnerWhitespace {
            return String(UnicodeScalar(byte))
        }
        return "=" + hexByte(byte)
    }
}

/// Two upper-case hexadecimal digits, as quoted-printable and Q encoding want them.
func hexByte(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
}
