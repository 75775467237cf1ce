import NIOCore

/// Why a text is not JSON: what was wrong, and at which byte.
public struct JSONParsingError: Error, Sendable, Equatable {
    /// What was wrong, in words.
    public let message: String
    /// The byte offset where it was found.
    public let offset: Int
}

/// Reads JSON text (RFC 8259, strictly) byte by byte into `JSONValue`: valid UTF-8 only, no
/// leading zeros, no lone surrogates, no trailing commas or text after the value; an integer stays
/// `.int` (a number with a fraction or an exponent, or beyond `Int`, is `.double`); arrays and
/// objects nest at most `maximumDepth` deep. A repeated object key keeps its last value.
extension JSONValue {
    /// The nesting of arrays and objects the parser accepts unless told otherwise.
    public static let defaultMaximumDepth = 64

    /// The JSON value `buffer`'s readable bytes hold.
    public init(parsing buffer: ByteBuffer, maximumDepth: Int = defaultMaximumDepth) throws(JSONParsingError) {
        let result = buffer.withUnsafeReadableBytes { raw in
            Result { () throws(JSONParsingError) -> JSONValue in
                var parser = JSONParser(bytes: raw, maximumDepth: maximumDepth)
                return try parser.parseDocument()
            }
        }
        self = try result.get()
    }

    /// The JSON value `bytes` hold.
    public init(parsing bytes: [UInt8], maximumDepth: Int = defaultMaximumDepth) throws(JSONParsingError) {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONParsingError) -> JSONValue in
                var parser = JSONParser(bytes: raw, maximumDepth: maximumDepth)
                return try parser.parseDocument()
            }
        }
        self = try result.get()
    }
}

/// A cursor over JSON text.
private struct JSONParser {
    let bytes: UnsafeRawBufferPointer
    let maximumDepth: Int
    var index = 0
    var depth = 0
    /// The items of the arrays being read, innermost last: each array is made at its end with its
    /// exact size, instead of growing as its items come.
    var items: [JSONValue] = []

    init(bytes: UnsafeRawBufferPointer, maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
        items.reserveCapacity(16)
    }

    mutating func parseDocument() throws(JSONParsingError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw failure("text after the JSON value") }
        return value
    }

    func failure(_ message: String) -> JSONParsingError {
        JSONParsingError(message: message, offset: index)
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func parseValue() throws(JSONParsingError) -> JSONValue {
        guard index < bytes.count else { throw failure("the JSON text ends where a value should be") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectWord("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectWord("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectWord("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        default:
            throw failure("not a JSON value")
        }
    }

    mutating func expectWord(_ word: StaticString) throws(JSONParsingError) {
        let length = word.utf8CodeUnitCount
        guard bytes.count - index >= length else { throw failure("not a JSON value") }
        let matches = word.withUTF8Buffer { expected in
            (0..<length).allSatisfy { bytes[index + $0] == expected[$0] }
        }
        guard matches else { throw failure("not a JSON value") }
        index += length
    }

    mutating func enter() throws(JSONParsingError) {
        depth += 1
        guard depth <= maximumDepth else { throw failure("arrays and objects nested deeper than \(maximumDepth)") }
    }

    mutating func parseArray() throws(JSONParsingError) -> JSONValue {
        try enter()
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array([])
        }
        let base = items.count
        while true {
            skipWhitespace()
            let item = try parseValue()
            items.append(item)
            skipWhitespace()
            guard index < bytes.count else { throw failure("unterminated array") }
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: ",") { continue }
            if byte == UInt8(ascii: "]") { break }
            index -= 1
            throw failure("expected , or ] in an array")
        }
        depth -= 1
        let array = Array(items[base...])
        items.removeLast(items.count - base)
        return .array(array)
    }

    mutating func parseObject() throws(JSONParsingError) -> JSONValue {
        try enter()
        index += 1
        var object = JSONObject()
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a string key in an object") }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected : after an object key") }
            index += 1
            skipWhitespace()
            object[key] = try parseValue()
            skipWhitespace()
            guard index < bytes.count else { throw failure("unterminated object") }
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: ",") { continue }
            if byte == UInt8(ascii: "}") { break }
            index -= 1
            throw failure("expected , or } in an object")
        }
        depth -= 1
        return .object(object)
    }

    /// A string from its opening quote: without escapes (the common case) it is made from the text in place.
    mutating func parseString() throws(JSONParsingError) -> String {
        index += 1
        let start = index
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                index += 1
                if ascii { return String(decoding: text, as: UTF8.self) }
                guard let string = String(validating: text, as: UTF8.self) else {
                    index = start
                    throw failure("a string is not valid UTF-8")
                }
                return string
            }
            if byte == UInt8(ascii: "\\") { return try parseEscapedString(from: start) }
            if byte < 0x20 { throw failure("a control character in a string") }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        throw failure("unterminated string")
    }

    mutating func parseEscapedString(from start: Int) throws(JSONParsingError) -> String {
        var text = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let string = String(validating: text, as: UTF8.self) else {
                    index = start
                    throw failure("a string is not valid UTF-8")
                }
                return string
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { throw failure("unterminated string") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escape)
                case UInt8(ascii: "b"): text.append(0x08)
                case UInt8(ascii: "f"): text.append(0x0C)
                case UInt8(ascii: "n"): text.append(0x0A)
                case UInt8(ascii: "r"): text.append(0x0D)
                case UInt8(ascii: "t"): text.append(0x09)
                case UInt8(ascii: "u"):
                    let scalar = try parseUnicodeEscape()
                    UTF8.encode(scalar) { text.append($0) }
                default:
                    index -= 1
                    throw failure("an unknown escape in a string")
                }
            case 0..<0x20:
                index -= 1
                throw failure("a control character in a string")
            default:
                text.append(byte)
            }
        }
        throw failure("unterminated string")
    }

    /// The scalar of `\uXXXX` (after the `u`), or of a surrogate pair `\uD83D\uDE00`.
    mutating func parseUnicodeEscape() throws(JSONParsingError) -> Unicode.Scalar {
        let unit = try parseHex4()
        switch unit {
        case 0xD800...0xDBFF:
            guard bytes.count - index >= 2, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw failure("a lone surrogate in a string")
            }
            index += 2
            let low = try parseHex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw failure("a lone surrogate in a string") }
            let value = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            guard let scalar = Unicode.Scalar(value) else { throw failure("a lone surrogate in a string") }
            return scalar
        case 0xDC00...0xDFFF:
            throw failure("a lone surrogate in a string")
        default:
            guard let scalar = Unicode.Scalar(unit) else { throw failure("a lone surrogate in a string") }
            return scalar
        }
    }

    mutating func parseHex4() throws(JSONParsingError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw failure("a \\u escape needs four hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("a \\u escape needs four hex digits")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    func isDigit(at position: Int) -> Bool {
        position < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position])
    }

    /// A number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    mutating func parseNumber() throws(JSONParsingError) -> JSONValue {
        let start = index
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard isDigit(at: index) else { throw failure("a number needs a digit") }
        // Integers accumulate as they are read (negatively, so Int.min fits); overflow falls back to Double.
        var integer = 0
        var fits = true
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if isDigit(at: index) { throw failure("a number with a leading zero") }
        } else {
            while isDigit(at: index) {
                if fits {
                    let (scaled, overflow) = integer.multipliedReportingOverflow(by: 10)
                    let (next, overflow2) = scaled.subtractingReportingOverflow(Int(bytes[index] - UInt8(ascii: "0")))
                    if overflow || overflow2 { fits = false } else { integer = next }
                }
                index += 1
            }
        }
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard isDigit(at: index) else { throw failure("a number needs a digit after its point") }
            while isDigit(at: index) { index += 1 }
            isInteger = false
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard isDigit(at: index) else { throw failure("a number needs a digit in its exponent") }
            while isDigit(at: index) { index += 1 }
            isInteger = false
        }
        if isInteger, fits {
            if negative { return .int(integer) }
            if integer != Int.min { return .int(-integer) }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            index = start
            throw failure("a number out of range")
        }
        return .double(value)
    }
}
