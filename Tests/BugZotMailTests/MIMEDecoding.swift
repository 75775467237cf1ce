import Foundation

/// Test-side decoders for what the renderer encodes, written independently of it so that a
/// round trip through both checks the encoder against the RFCs rather than against itself.
enum MIMEDecoding {
    /// A rendered message split into unfolded header fields and the body.
    struct ParsedMessage {
        var headers: [(name: String, value: String)]
        var body: String

        /// The unfolded value of the first field called `name` (case-insensitive).
        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    /// Splits `message` at the first empty line and unfolds the header fields (RFC 5322 §2.2.3).
    static func parse(_ message: String) -> ParsedMessage {
        let parts = message.components(separatedBy: "\r\n\r\n")
        let head = parts[0]
        let body = parts.dropFirst().joined(separator: "\r\n\r\n")
        var headers: [(name: String, value: String)] = []
        for line in head.components(separatedBy: "\r\n") {
            if line.hasPrefix(" ") || line.hasPrefix("\t") {
                headers[headers.count - 1].value += line
            } else if let colon = line.firstIndex(of: ":") {
                let value = line[line.index(after: colon)...]
                headers.append((String(line[..<colon]), String(value.drop { $0 == " " })))
            }
        }
        return ParsedMessage(headers: headers, body: body)
    }

    /// Decodes RFC 2047 encoded-words in an unfolded header value; whitespace between two adjacent
    /// encoded-words is dropped, as §6.2 says.
    static func decodeEncodedWords(_ value: String) -> String {
        let pattern = /=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/
        var output = ""
        var rest = Substring(value)
        var previousWasEncoded = false
        while let match = rest.firstMatch(of: pattern) {
            let between = rest[..<match.range.lowerBound]
            if !(previousWasEncoded && between.allSatisfy(\.isWhitespace)) {
                output += between
            }
            let bytes = match.output.2.uppercased() == "B"
                ? [UInt8](Data(base64Encoded: String(match.output.3)) ?? Data())
                : decodeQ(match.output.3)
            output += String(decoding: bytes, as: UTF8.self)
            rest = rest[match.range.upperBound...]
            previousWasEncoded = true
        }
        return output + rest
    }

    /// Decodes a quoted-printable body (RFC 2045 §6.7) into text with CRLF line breaks.
    static func decodeQuotedPrintable(_ encoded: String) -> String {
        var bytes: [UInt8] = []
        let lines = encoded.components(separatedBy: "\r\n")
        for (index, line) in lines.enumerated() {
            var characters = Array(line.utf8)
            let isSoftBreak = characters.last == UInt8(ascii: "=")
            if isSoftBreak {
                characters.removeLast()
            }
            var position = 0
            while position < characters.count {
                if characters[position] == UInt8(ascii: "="), position + 2 < characters.count,
                    let byte = UInt8(String(decoding: characters[(position + 1)...(position + 2)], as: UTF8.self), radix: 16)
                {
                    bytes.append(byte)
                    position += 3
                } else {
                    bytes.append(characters[position])
                    position += 1
                }
            }
            if !isSoftBreak && index < lines.count - 1 {
                bytes += Array("\r\n".utf8)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func decodeQ(_ text: Substring) -> [UInt8] {
        var bytes: [UInt8] = []
        var characters = Array(text.utf8)[...]
        while let character = characters.popFirst() {
            if character == UInt8(ascii: "_") {
                bytes.append(UInt8(ascii: " "))
            } else if character == UInt8(ascii: "="), characters.count >= 2,
                let byte = UInt8(String(decoding: characters.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(byte)
                characters = characters.dropFirst(2)
            } else {
                bytes.append(character)
            }
        }
        return bytes
    }
}
