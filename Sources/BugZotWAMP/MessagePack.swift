import BugZotWire
import Foundation
import NIOCore

/// MessagePack (spec v5: str and bin apart) to and from `JSONValue`: nil, bool, int, float, str,
/// bin, array and map. Map keys must be strings; ext types are refused. `JSONValue` has no binary
/// case, so bin reads as WAMP's JSON convention for binary — a string of NUL and base64 — and such
/// a string is written back as bin. An unsigned integer beyond `Int` reads as a double.
enum MessagePack {
    /// Why bytes are not a MessagePack value.
    struct DecodingError: Error {
        let message: String
    }

    /// The one value `raw` holds (nothing may follow it).
    static func decode(_ raw: UnsafeRawBufferPointer, maximumDepth: Int) throws(DecodingError) -> JSONValue {
        var reader = Reader(bytes: raw, maximumDepth: maximumDepth)
        let value = try reader.value()
        guard reader.index == raw.count else { throw DecodingError(message: "bytes after the MessagePack value") }
        return value
    }

    /// Appends `value` to `buffer`.
    static func write(_ value: JSONValue, into buffer: inout ByteBuffer) {
        switch value {
        case .null: buffer.writeInteger(UInt8(0xC0))
        case .bool(let flag): buffer.writeInteger(UInt8(flag ? 0xC3 : 0xC2))
        case .int(let integer): write(integer: integer, into: &buffer)
        case .double(let number):
            buffer.writeInteger(UInt8(0xCB))
            buffer.writeInteger(number.bitPattern)
        case .string(let string): write(string: string, into: &buffer)
        case .array(let items):
            writeHeader(count: items.count, fix: 0x90, sixteen: 0xDC, thirtyTwo: 0xDD, into: &buffer)
            for item in items { write(item, into: &buffer) }
        case .object(let object): write(object: object, into: &buffer)
        }
    }

    static func write(object: JSONObject, into buffer: inout ByteBuffer) {
        writeHeader(count: object.members.count, fix: 0x80, sixteen: 0xDE, thirtyTwo: 0xDF, into: &buffer)
        for member in object.members {
            write(string: member.key, into: &buffer)
            write(member.value, into: &buffer)
        }
    }

    static func write(integer: Int, into buffer: inout ByteBuffer) {
        switch integer {
        case 0...0x7F: buffer.writeInteger(UInt8(integer))
        case -32 ..< 0: buffer.writeInteger(Int8(integer))
        case 0x80...0xFF:
            buffer.writeInteger(UInt8(0xCC))
            buffer.writeInteger(UInt8(integer))
        case 0x100...0xFFFF:
            buffer.writeInteger(UInt8(0xCD))
            buffer.writeInteger(UInt16(integer))
        case 0x10000...0xFFFF_FFFF:
            buffer.writeInteger(UInt8(0xCE))
            buffer.writeInteger(UInt32(integer))
        case 0x1_0000_0000...:
            buffer.writeInteger(UInt8(0xCF))
            buffer.writeInteger(UInt64(integer))
        case -128 ..< -32:
            buffer.writeInteger(UInt8(0xD0))
            buffer.writeInteger(Int8(integer))
        case -32768 ..< -128:
            buffer.writeInteger(UInt8(0xD1))
            buffer.writeInteger(Int16(integer))
        case -2_147_483_648 ..< -32768:
            buffer.writeInteger(UInt8(0xD2))
            buffer.writeInteger(Int32(integer))
        default:
            buffer.writeInteger(UInt8(0xD3))
            buffer.writeInteger(Int64(integer))
        }
    }

    static func write(string: String, into buffer: inout ByteBuffer) {
        if string.utf8.first == 0, let binary = Data(base64Encoded: String(string.dropFirst())) {
            if binary.count <= 0xFF {
                buffer.writeInteger(UInt8(0xC4))
                buffer.writeInteger(UInt8(binary.count))
            } else if binary.count <= 0xFFFF {
                buffer.writeInteger(UInt8(0xC5))
                buffer.writeInteger(UInt16(binary.count))
            } else {
                buffer.writeInteger(UInt8(0xC6))
                buffer.writeInteger(UInt32(binary.count))
            }
            buffer.writeBytes(binary)
            return
        }
        let count = string.utf8.count
        if count < 32 {
            buffer.writeInteger(UInt8(0xA0) | UInt8(count))
        } else if count <= 0xFF {
            buffer.writeInteger(UInt8(0xD9))
            buffer.writeInteger(UInt8(count))
        } else if count <= 0xFFFF {
            buffer.writeInteger(UInt8(0xDA))
            buffer.writeInteger(UInt16(count))
        } else {
            buffer.writeInteger(UInt8(0xDB))
            buffer.writeInteger(UInt32(count))
        }
        buffer.writeString(string)
    }

    static func writeHeader(count: Int, fix: UInt8, sixteen: UInt8, thirtyTwo: UInt8, into buffer: inout ByteBuffer) {
        if count < 16 {
            buffer.writeInteger(fix | UInt8(count))
        } else if count <= 0xFFFF {
            buffer.writeInteger(sixteen)
            buffer.writeInteger(UInt16(count))
        } else {
            buffer.writeInteger(thirtyTwo)
            buffer.writeInteger(UInt32(count))
        }
    }
}

/// A cursor over MessagePack bytes.
private struct Reader {
    let bytes: UnsafeRawBufferPointer
    let maximumDepth: Int
    var index = 0
    var depth = 0

    init(bytes: UnsafeRawBufferPointer, maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    func failure(_ message: String) -> MessagePack.DecodingError {
        MessagePack.DecodingError(message: "\(message) (at byte \(index))")
    }

    mutating func byte() throws(MessagePack.DecodingError) -> UInt8 {
        guard index < bytes.count else { throw failure("the MessagePack data ends early") }
        defer { index += 1 }
        return bytes[index]
    }

    /// A big-endian unsigned integer of `width` bytes.
    mutating func unsigned(_ width: Int) throws(MessagePack.DecodingError) -> UInt64 {
        guard bytes.count - index >= width else { throw failure("the MessagePack data ends early") }
        var value: UInt64 = 0
        for offset in 0..<width { value = value << 8 | UInt64(bytes[index + offset]) }
        index += width
        return value
    }

    mutating func signed(_ width: Int) throws(MessagePack.DecodingError) -> Int {
        let raw = try unsigned(width)
        let shift = UInt64(64 - width * 8)
        return Int(Int64(bitPattern: raw << shift) >> Int64(shift))
    }

    mutating func take(_ count: Int) throws(MessagePack.DecodingError) -> UnsafeRawBufferPointer {
        guard count >= 0, bytes.count - index >= count else { throw failure("the MessagePack data ends early") }
        defer { index += count }
        return UnsafeRawBufferPointer(rebasing: bytes[index..<index + count])
    }

    mutating func value() throws(MessagePack.DecodingError) -> JSONValue {
        let head = try byte()
        switch head {
        case 0x00...0x7F: return .int(Int(head))
        case 0x80...0x8F: return try map(count: Int(head & 0x0F))
        case 0x90...0x9F: return try array(count: Int(head & 0x0F))
        case 0xA0...0xBF: return .string(try string(count: Int(head & 0x1F)))
        case 0xC0: return .null
        case 0xC2: return .bool(false)
        case 0xC3: return .bool(true)
        case 0xC4: return try binary(count: Int(try unsigned(1)))
        case 0xC5: return try binary(count: Int(try unsigned(2)))
        case 0xC6: return try binary(count: Int(try unsigned(4)))
        case 0xCA: return .double(Double(Float(bitPattern: UInt32(try unsigned(4)))))
        case 0xCB: return .double(Double(bitPattern: try unsigned(8)))
        case 0xCC: return .int(Int(try unsigned(1)))
        case 0xCD: return .int(Int(try unsigned(2)))
        case 0xCE: return .int(Int(try unsigned(4)))
        case 0xCF:
            let value = try unsigned(8)
            return value <= UInt64(Int.max) ? .int(Int(value)) : .double(Double(value))
        case 0xD0: return .int(try signed(1))
        case 0xD1: return .int(try signed(2))
        case 0xD2: return .int(try signed(4))
        case 0xD3: return .int(try signed(8))
        case 0xD9: return .string(try string(count: Int(try unsigned(1))))
        case 0xDA: return .string(try string(count: Int(try unsigned(2))))
        case 0xDB: return .string(try string(count: Int(try unsigned(4))))
        case 0xDC: return try array(count: Int(try unsigned(2)))
        case 0xDD: return try array(count: Int(try unsigned(4)))
        case 0xDE: return try map(count: Int(try unsigned(2)))
        case 0xDF: return try map(count: Int(try unsigned(4)))
        case 0xE0...0xFF: return .int(Int(Int8(bitPattern: head)))
        case 0xC7, 0xC8, 0xC9, 0xD4...0xD8:
            index -= 1
            throw failure("MessagePack ext types are not supported")
        default:
            index -= 1
            throw failure("0xC1 is never used in MessagePack")
        }
    }

    mutating func string(count: Int) throws(MessagePack.DecodingError) -> String {
        let start = index
        let text = try take(count)
        guard let string = String(validating: text, as: UTF8.self) else {
            index = start
            throw failure("a MessagePack str is not valid UTF-8")
        }
        return string
    }

    mutating func binary(count: Int) throws(MessagePack.DecodingError) -> JSONValue {
        let data = try take(count)
        return .string("\u{0}" + Data(data).base64EncodedString())
    }

    mutating func enter() throws(MessagePack.DecodingError) {
        depth += 1
        guard depth <= maximumDepth else { throw failure("arrays and maps nested deeper than \(maximumDepth)") }
    }

    mutating func array(count: Int) throws(MessagePack.DecodingError) -> JSONValue {
        try enter()
        // Every element takes at least a byte: a count beyond the bytes left is a lie, not a reservation.
        guard count <= bytes.count - index else { throw failure("the MessagePack data ends early") }
        var items: [JSONValue] = []
        items.reserveCapacity(count)
        for _ in 0..<count { items.append(try value()) }
        depth -= 1
        return .array(items)
    }

    mutating func map(count: Int) throws(MessagePack.DecodingError) -> JSONValue {
        try enter()
        guard count <= (bytes.count - index) / 2 else { throw failure("the MessagePack data ends early") }
        var object = JSONObject()
        for _ in 0..<count {
            guard index < bytes.count, (0xA0...0xBF).contains(bytes[index]) || (0xD9...0xDB).contains(bytes[index]),
                case .string(let key) = try value()
            else { throw failure("a MessagePack map key must be a str") }
            object[key] = try value()
        }
        depth -= 1
        return .object(object)
    }
}
