import Foundation

/// RFC 2047 encoded-words (`=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=`), which carry non-ASCII text in headers.
enum EncodedWord {
    /// RFC 2047 §2: an encoded-word may not be longer than 75 characters.
    static let maximumLength = 75

    private static let prefix = "=?UTF-8?"
    private static let suffix = "?="

    /// Encodes `text` as a run of encoded-words, each at most `maximumLength` characters and each
    /// holding whole characters. Readers join adjacent encoded-words without the whitespace between
    /// them, so spaces inside `text` are encoded too. Uses whichever of B and Q is shorter.
    static func encode(_ text: String, maximumLength: Int = maximumLength) -> [String] {
        let qWords = words(for: text, scheme: .q, maximumLength: maximumLength)
        let bWords = words(for: text, scheme: .b, maximumLength: maximumLength)
        let qLength = qWords.reduce(0) { $0 + $1.utf8.count }
        let bLength = bWords.reduce(0) { $0 + $1.utf8.count }
        return qLength <= bLength ? qWords : bWords
    }

    private enum Scheme: String {
        case b = "B"
        case q = "Q"

        /// The encoded length of `byteCount` bytes whose Q-encoded length would be `qLength`.
        func encodedLength(byteCount: Int, qLength: Int) -> Int {
            switch self {
            case .b: (byteCount + 2) / 3 * 4
            case .q: qLength
            }
        }

        func encode(_ bytes: [UInt8]) -> String {
            switch self {
            case .b: Data(bytes).base64EncodedString()
            case .q: bytes.map(EncodedWord.qEncoded).joined()
            }
        }
    }

    private static func words(for text: String, scheme: Scheme, maximumLength: Int) -> [String] {
        let overhead = prefix.utf8.count + 2 + suffix.utf8.count
        let budget = maximumLength - overhead
        var chunks: [[UInt8]] = []
        var chunk: [UInt8] = []
        var chunkQLength = 0
        // Splitting between Unicode scalars keeps every word's bytes valid UTF-8 on their own.
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            let qLength = bytes.reduce(0) { $0 + qEncoded($1).utf8.count }
            let grownLength = scheme.encodedLength(byteCount: chunk.count + bytes.count, qLength: chunkQLength + qLength)
            if grownLength > budget && !chunk.isEmpty {
                chunks.append(chunk)
                chunk = []
                chunkQLength = 0
            }
            chunk += bytes
            chunkQLength += qLength
        }
        if !chunk.isEmpty {
            chunks.append(chunk)
        }
        return chunks.map { prefix + scheme.rawValue + "?" + scheme.encode($0) + suffix }
    }

    /// Q encoding with the strictest character set (RFC 2047 §5 (3)), valid in every header context.
    private static func qEncoded(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: " "):
            return "_"
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "!"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"):
            return String(UnicodeScalar(byte))
        default:
            return "=" + hexByte(byte)
        }
    }
}
