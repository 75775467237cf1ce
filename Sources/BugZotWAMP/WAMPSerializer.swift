import BugZotWire
import NIOCore

/// The WebSocket subprotocols BugZot speaks: `wamp.2.json` (text frames) and `wamp.2.msgpack`
/// (binary frames). Decoding is strict — the wrong length or element types, ids outside 0...2^53,
/// bad UTF-8, nesting deeper than `maximumDepth` are protocol violations; encoding writes straight
/// into a buffer, JSON through the same writer as `JSONValue.jsonBytes`.
public enum WAMPSerializer: Sendable {
    case json, msgpack

    /// How deep arrays and dicts may nest in a message, the message's own list included.
    public static let maximumDepth = 64

    /// The serializer of a subprotocol name, or nil for one BugZot doesn't speak.
    public init?(subprotocol: String) {
        switch subprotocol {
        case "wamp.2.json": self = .json
        case "wamp.2.msgpack": self = .msgpack
        default: return nil
        }
    }

    /// The first of a client's offered subprotocols BugZot speaks (the client's order is its preference).
    public static func negotiate(_ offered: some Sequence<String>) -> WAMPSerializer? {
        offered.lazy.compactMap(WAMPSerializer.init(subprotocol:)).first
    }

    /// The subprotocol name, for the handshake.
    public var subprotocol: String {
        switch self {
        case .json: "wamp.2.json"
        case .msgpack: "wamp.2.msgpack"
        }
    }

    /// Whether messages travel in binary frames (else text frames).
    public var usesBinaryFrames: Bool { self == .msgpack }

    /// The message `bytes` (one WebSocket message) hold.
    public func decode(_ bytes: ByteBuffer) throws(WAMPProtocolViolation) -> WAMPMessage {
        let value: JSONValue
        switch self {
        case .json:
            do {
                value = try JSONValue(parsing: bytes, maximumDepth: Self.maximumDepth)
            } catch {
                throw WAMPProtocolViolation("the message is not valid JSON: \(error.message) at byte \(error.offset)")
            }
        case .msgpack:
            let result = bytes.withUnsafeReadableBytes { raw in
                Result { () throws(MessagePack.DecodingError) -> JSONValue in
                    try MessagePack.decode(raw, maximumDepth: Self.maximumDepth)
                }
            }
            do {
                value = try result.get()
            } catch {
                throw WAMPProtocolViolation("the message is not valid MessagePack: \(error.message)")
            }
        }
        guard case .array(let elements) = value else { throw WAMPProtocolViolation("a message must be a list") }
        return try WAMPMessage(elements: elements)
    }

    /// The message's bytes, in a buffer of their own.
    public func encode(_ message: WAMPMessage) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 128)
        encode(message, into: &buffer)
        return buffer
    }

    /// Appends the message's bytes to `buffer`.
    public func encode(_ message: WAMPMessage, into buffer: inout ByteBuffer) {
        switch self {
        case .json:
            var writer = JSONFieldWriter()
            message.write(to: &writer)
            buffer.writeBytes(writer.output)
        case .msgpack:
            var writer = MessagePackFieldWriter()
            message.write(to: &writer)
            buffer.writeBytes(writer.output)
        }
    }
}

/// Writes a message as a JSON list.
private struct JSONFieldWriter: WAMPFieldWriter {
    var output: [UInt8] = []

    mutating func begin(type: WAMPMessageType, count: Int) {
        output.reserveCapacity(128)
        output.append(UInt8(ascii: "["))
        JSONValue.writeInteger(type.rawValue, into: &output)
    }

    mutating func write(id: UInt64) {
        output.append(UInt8(ascii: ","))
        JSONValue.writeInteger(Int(id), into: &output)
    }

    mutating func write(integer: Int) {
        output.append(UInt8(ascii: ","))
        JSONValue.writeInteger(integer, into: &output)
    }

    mutating func write(string: String) {
        output.append(UInt8(ascii: ","))
        JSONValue.writeString(string, into: &output)
    }

    mutating func write(object: JSONObject) {
        output.append(UInt8(ascii: ","))
        object.write(into: &output)
    }

    mutating func write(array: [JSONValue]) {
        output.append(UInt8(ascii: ","))
        JSONValue.array(array).write(into: &output)
    }

    mutating func end() {
        output.append(UInt8(ascii: "]"))
    }
}

/// Writes a message as a MessagePack array.
private struct MessagePackFieldWriter: WAMPFieldWriter {
    var output: [UInt8] = []

    mutating func begin(type: WAMPMessageType, count: Int) {
        output.reserveCapacity(128)
        MessagePack.writeHeader(count: count, fix: 0x90, sixteen: 0xDC, thirtyTwo: 0xDD, into: &output)
        MessagePack.write(integer: type.rawValue, into: &output)
    }

    mutating func write(id: UInt64) { MessagePack.write(integer: Int(id), into: &output) }
    mutating func write(integer: Int) { MessagePack.write(integer: integer, into: &output) }
    mutating func write(string: String) { MessagePack.write(string: string, into: &output) }
    mutating func write(object: JSONObject) { MessagePack.write(object: object, into: &output) }
    mutating func write(array: [JSONValue]) { MessagePack.write(.array(array), into: &output) }
    mutating func end() {}
}
