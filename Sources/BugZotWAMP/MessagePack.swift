import BugZotWire
import Foundation

/// MessagePack (spec v5: str and bin apart) to and from `JSONValue`: nil, bool, int, float, str,
/// bin, array and map. Map keys must be strings; ext types are refused. `JSONValue` has no binary
/// case, so bin reads as WAMP's JSON convention for binary — a string of NUL and base64 — and such
/// a string is written back as bin. An unsigned integer beyond `Int` reads as a double.
enum MessagePack {
    /// Why bytes are not a MessagePack value.
    struct DecodingError: Error {
        /// What was wrong, and at which byte.
        let message: String
    }

    /// The one value `raw` holds (nothing may follow it).
    static func decode(_ raw: UnsafeRawBufferPointer, maximumDepth: Int) throws(DecodingError) -> JSONValue {
        var reader = Reader(bytes: raw, maximumDepth: maximumDepth)
        let value = try reader.value()
        guard reader.index == raw.count else { throw DecodingError(message: "bytes after the MessagePack value") }
        return value
    }

    /// Appends `value` to `output`.
    static func write(_ value: JSONValue, into output: inout [UInt8]) {
        switch value {
        case .null: output.append(0xC0)
        case .bool(let flag): output.append(flag ? 0xC3 : 0xC2)
        case .int(let integer): write(integer: integer, into: &output)
        case .double(let number):
            output.append(0xCB)
            append(number.bitPattern, width: 8, to: &output)
        case .string(let string): write(string: string, into: &output)
        case .array(let items):
            writeHeader(count: items.count, fix: 0x90, sixteen: 0xDC, thirtyTwo: 0xDD, into: &output)
            for item in items { write(item, into: &output) }
        case .object(let object): write(object: object, into: &output)
        }
    }

    /// Appends `object` as a map, keys in order.
    static func write(object: JSONObject, into output: inout [UInt8]) {
        writeHeader(count: object.members.count, fix: 0x80, sixteen: 0xDE, thirtyTwo: 0xDF, into: &output)
        for member in object.members {
            write(string: member.key, into: &output)
            write(member.value, into: &output)
        }
    }

    /// The big-endian bytes of `value`'s low `width` bytes.
    private static func append(_ value: UInt64, width: Int, to output: inout [UInt8]) {
        for shift in stride(from: (width - 1) * 8, through: 0, by: -8) {
            output.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    /// An integer in the fewest bytes MessagePack allows (as msgpack-python writes it).
    static func write(integer: Int, into output: inout [UInt8]) {
        let bits = UInt64(bitPattern: Int64(integer))
        switch integer {
        case 0...0x7F, -32 ..< 0: output.append(UInt8(truncatingIfNeeded: integer))
        case 0x80...0xFF:
            output.append(0xCC)
            append(bits, width: 1, to: &output)
        case 0x100...0xFFFF:
            output.append(0xCD)
            append(bits, width: 2, to: &output)
        case 0x10000...0xFFFF_FFFF:
            output.append(0xCE)
            append(bits, width: 4, to: &output)
        case 0x1_0000_0000...:
            output.append(0xCF)
            append(bits, width: 8, to: &output)
        case -128 ..< -32:
            output.append(0xD0)
            append(bits, width: 1, to: &output)
        case -32768 ..< -128:
            output.append(0xD1)
            append(bits, width: 2, to: &output)
        case -2_147_483_648 ..< -32768:
            output.append(0xD2)
            append(bits, width: 4, to: &output)
        default:
            output.append(0xD3)
            append(bits, width: 8, to: &output)
        }
    }

    /// Appends `string` as str, or as bin when it is the JSON convention for binary (NUL + base64).
    static func write(string: String, into output: inout [UInt8]) {
        if string.utf8.first == 0, let binary = Data(base64Encoded: String(string.dropFirst())) {
            if binary.count <= 0xFF {
                output.append(0xC4)
                append(UInt64(binary.count), width: 1, to: &output)
            } else if binary.count <= 0xFFFF {
                output.append(0xC5)
                append(UInt64(binary.count), width: 2, to: &output)
            } else {
                output.append(0xC6)
                append(UInt64(binary.count), width: 4, to: &output)
            }
            output.append(contentsOf: binary)
            return
        }
        let count = string.utf8.count
        if count < 32 {
            output.append(0xA0 | UInt8(count))
        } else if count <= 0xFF {
            output.append(0xD9)
            append(UInt64(count), width: 1, to: &output)
        } else if count <= 0xFFFF {
            output.append(0xDA)
            append(UInt64(count), width: 2, to: &output)
        } else {
            output.append(0xDB)
            append(UInt64(count), width: 4, to: &output)
        }
        output.append(contentsOf: string.utf8)
    }

    /// Appends an array or map header: the fix form below 16 elements, else 16 or 32 bits of count.
    static func writeHeader(count: Int, fix: UInt8, sixteen: UInt8, thirtyTwo: UInt8, into output: inout [UInt8]) {
        if count < 16 {
            output.append(fix | UInt8(count))
        } else if count <= 0xFFFF {
            output.append(sixteen)
            append(UInt64(count), width: 2, to: &output)
        } else {
            output.append(thirtyTwo)
            append(UInt64(count), width: 4, to: &output)
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
        // ASCII (most WAMP strings) needs no validation.
        if !text.contains(where: { $0 >= 0x80 }) { return String(decoding: text, as: UTF8.self) }
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
