import NIOCore

/// Writes JSON text directly: responses are built as `JSONValue` trees, and walking them here is
/// several times cheaper than going through `Encodable` containers. Objects keep their keys in order
/// (`JSONObject`), so responses are byte-for-byte repeatable. The same writer serves every API that
/// speaks JSON (REST bodies, WAMP messages), straight into the buffer that goes on the wire.
extension JSONValue {
    /// The value as JSON text.
    public var jsonBytes: [UInt8] {
        var buffer = ByteBufferAllocator().buffer(capacity: 256)
        write(into: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// Appends the value as JSON text to `buffer`.
    public func write(into buffer: inout ByteBuffer) {
        switch self {
        case .null:
            buffer.writeStaticString("null")
        case .bool(let value):
            if value { buffer.writeStaticString("true") } else { buffer.writeStaticString("false") }
        case .int(let value):
            Self.writeInteger(value, into: &buffer)
        case .double(let value):
            // JSON has no infinities or NaN.
            buffer.writeString(value.isFinite ? String(value) : "null")
        case .string(let value):
            Self.writeString(value, into: &buffer)
        case .array(let items):
            buffer.writeInteger(UInt8(ascii: "["))
            var first = true
            for item in items {
                if !first { buffer.writeInteger(UInt8(ascii: ",")) }
                first = false
                item.write(into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: "]"))
        case .object(let object):
            object.write(into: &buffer)
        }
    }

    /// Appends `value` in decimal to `buffer`, without making a `String` of it.
    public static func writeInteger(_ value: Int, into buffer: inout ByteBuffer) {
        var magnitude = value.magnitude
        let negative = value < 0
        var digits = 1
        var scale: UInt = 10
        while digits < 20, magnitude >= scale {
            digits += 1
            let (next, overflow) = scale.multipliedReportingOverflow(by: 10)
            if overflow { break }
            scale = next
        }
        let length = digits + (negative ? 1 : 0)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { raw in
            if negative { raw[0] = UInt8(ascii: "-") }
            var place = length - 1
            repeat {
                raw[place] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
                place -= 1
            } while magnitude > 0
            return length
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `string` as a JSON string (quoted, escaped) to `buffer`.
    public static func writeString(_ string: String, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            // Runs that need no escape (most strings are one) are copied whole.
            var runStart = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index { buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
                runStart = index + 1
                switch byte {
                case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
                case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
                case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
                default:
                    buffer.writeStaticString("\\u00")
                    buffer.writeInteger(hexDigits[Int(byte >> 4)])
                    buffer.writeInteger(hexDigits[Int(byte & 0xF)])
                }
            }
            if runStart < bytes.count { buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[runStart...])) }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }
}

extension JSONObject {
    /// Appends the object as JSON text to `buffer`, members in key order.
    public func write(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "{"))
        var first = true
        for member in members {
            if !first { buffer.writeInteger(UInt8(ascii: ",")) }
            first = false
            JSONValue.writeString(member.key, into: &buffer)
            buffer.writeInteger(UInt8(ascii: ":"))
            member.value.write(into: &buffer)
        }
        buffer.writeInteger(UInt8(ascii: "}"))
    }
}
