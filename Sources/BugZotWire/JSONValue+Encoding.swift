/// Writes JSON text directly: responses are built as `JSONValue` trees, and walking them here is
/// several times cheaper than going through `Encodable` containers. Objects keep their keys in order
/// (`JSONObject`), so responses are byte-for-byte repeatable. The same writer serves every API that
/// speaks JSON (REST bodies, WAMP messages); it appends to a byte array, whose appends cost a
/// fraction of a `ByteBuffer`'s, and a caller copies the finished text into its buffer at once.
extension JSONValue {
    /// The value as JSON text.
    public var jsonBytes: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(into: &output)
        return output
    }

    /// Appends the value as JSON text to `output`.
    public func write(into output: inout [UInt8]) {
        switch self {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let value):
            output.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value):
            Self.writeInteger(value, into: &output)
        case .double(let value):
            // JSON has no infinities or NaN.
            output.append(contentsOf: (value.isFinite ? String(value) : "null").utf8)
        case .string(let value):
            Self.writeString(value, into: &output)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            var first = true
            for item in items {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                item.write(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            object.write(into: &output)
        }
    }

    /// Appends `value` in decimal to `output`, without making a `String` of it.
    public static func writeInteger(_ value: Int, into output: inout [UInt8]) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        // Digits come least significant first: written from the end of a scratch space.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            output.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `string` as a JSON string (quoted, escaped) to `output`.
    public static func writeString(_ string: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            // Runs that need no escape (most strings are one) are copied whole.
            var runStart = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index { output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
                runStart = index + 1
                output.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(byte)
                case UInt8(ascii: "\n"): output.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): output.append(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"): output.append(UInt8(ascii: "t"))
                default:
                    output.append(contentsOf: "u00".utf8)
                    output.append(hexDigits[Int(byte >> 4)])
                    output.append(hexDigits[Int(byte & 0xF)])
                }
            }
            if runStart < bytes.count { output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
        }
        output.append(UInt8(ascii: "\""))
    }
}

extension JSONObject {
    /// Appends the object as JSON text to `output`, members in key order.
    public func write(into output: inout [UInt8]) {
        output.append(UInt8(ascii: "{"))
        var first = true
        for member in members {
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            JSONValue.writeString(member.key, into: &output)
            output.append(UInt8(ascii: ":"))
            member.value.write(into: &output)
        }
        output.append(UInt8(ascii: "}"))
    }
}
