import BugZotWAMP
import BugZotWire
import NIOCore
import Testing

/// Every message of the contract, with payloads where the layout allows them.
let everyMessage: [WAMPMessage] = [
    .hello(realm: "bugzot", details: ["roles": ["caller": [:], "subscriber": ["features": ["pattern_based_subscription": true]]]]),
    .welcome(session: 9_007_199_254_740_992, details: ["authid": "alice", "roles": ["broker": [:], "dealer": [:]]]),
    .abort(details: ["message": "no"], reason: "wamp.error.no_such_realm"),
    .challenge(method: "wampcra", extra: ["challenge": "{\"nonce\": \"x\"}", "iterations": 1000, "keylen": 32, "salt": "salt123"]),
    .authenticate(signature: "/fD7uCJ9=", extra: [:]),
    .goodbye(details: [:], reason: "wamp.close.normal"),
    .error(requestType: 48, request: 7, details: ["code": 101], error: "bugzot.error.invalid_bug", arguments: ["Bug 9 does not exist."], argumentsKw: ["code": 101, "message": "Bug 9 does not exist."]),
    .error(requestType: 68, request: 1, details: [:], error: "com.example.oops", arguments: nil, argumentsKw: nil),
    .publish(request: 1, options: ["acknowledge": true, "exclude_me": false], topic: "com.example.bench.topic", arguments: ["hi", .double(1.5), nil, true], argumentsKw: nil),
    .publish(request: 2, options: [:], topic: "com.example.t", arguments: nil, argumentsKw: ["only": "kwargs"]),
    .published(request: 1, publication: 4_503_599_627_370_496),
    .subscribe(request: 3, options: ["match": "prefix"], topic: "bugzot.bug."),
    .subscribed(request: 3, subscription: 17),
    .unsubscribe(request: 4, subscription: 17),
    .unsubscribed(request: 4),
    .event(subscription: 17, publication: 99, details: ["topic": "bugzot.bug.changed.12"], arguments: [["bug_id": 12, "kind": "changed"]], argumentsKw: nil),
    .call(request: 5, options: [:], procedure: "bugzot.bug.get", arguments: [42], argumentsKw: nil),
    .call(request: 0, options: ["timeout": 1000], procedure: "get_bug", arguments: [-1, -200, -40000, -3_000_000_000, 200, 70000, 5_000_000_000], argumentsKw: ["ids": [1, 2]]),
    .cancel(request: 5, options: ["mode": "kill"]),
    .result(request: 5, details: [:], arguments: [["bugs": [["id": 42, "summary": "Crash \u{e9} \u{1F600} \"quoted\"\n"]]]], argumentsKw: nil),
    .result(request: 6, details: [:], arguments: nil, argumentsKw: nil),
    .register(request: 8, options: ["invoke": "single"], procedure: "com.example.bench.echo"),
    .registered(request: 8, registration: 1),
    .unregister(request: 9, registration: 1),
    .unregistered(request: 9),
    .invocation(request: 1, registration: 1, details: ["caller": 123], arguments: ["payload"], argumentsKw: ["k": [:]]),
    .interrupt(request: 1, options: ["mode": "killnowait"]),
    .yield(request: 1, options: [:], arguments: [[]], argumentsKw: nil),
]

func buffer(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
func buffer(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }
func text(_ buffer: ByteBuffer) -> String { String(buffer: buffer) }

@Suite("WAMP serializers: every message round-trips, and the bytes are the spec's")
struct WAMPSerializerTests {
    @Test("every message decodes back to itself in JSON and in MessagePack", arguments: [WAMPSerializer.json, .msgpack])
    func roundTrips(serializer: WAMPSerializer) throws {
        for message in everyMessage {
            let decoded = try serializer.decode(serializer.encode(message))
            #expect(decoded == message)
        }
    }

    @Test("subprotocol names pick the serializer; JSON is text, MessagePack binary")
    func subprotocols() {
        #expect(WAMPSerializer(subprotocol: "wamp.2.json") == .json)
        #expect(WAMPSerializer(subprotocol: "wamp.2.msgpack") == .msgpack)
        #expect(WAMPSerializer(subprotocol: "wamp.2.cbor") == nil)
        #expect(WAMPSerializer.negotiate(["wamp.2.cbor", "wamp.2.msgpack", "wamp.2.json"]) == .msgpack)
        #expect(WAMPSerializer.negotiate(["mqtt"]) == nil)
        #expect(!WAMPSerializer.json.usesBinaryFrames && WAMPSerializer.msgpack.usesBinaryFrames)
        #expect(WAMPSerializer.json.subprotocol == "wamp.2.json" && WAMPSerializer.msgpack.subprotocol == "wamp.2.msgpack")
    }

    @Test("the frames observed between autobahn and Crossbar (wamp.md §2, §6) decode to their messages")
    func observedFrames() throws {
        let json = WAMPSerializer.json
        #expect(try json.decode(buffer(#"[48,4,{},"bugzot.bug.get",[42]]"#)) == .call(request: 4, options: [:], procedure: "bugzot.bug.get", arguments: [42], argumentsKw: nil))
        #expect(try json.decode(buffer(#"[68,15,3,{},[42]]"#)) == .invocation(request: 15, registration: 3, details: [:], arguments: [42], argumentsKw: nil))
        #expect(try json.decode(buffer(#"[70,15,{},[{"id":42}]]"#)) == .yield(request: 15, options: [:], arguments: [["id": 42]], argumentsKw: nil))
        #expect(try json.decode(buffer(#"[50,4,{"callee":5,"callee_authid":"alice"},[{"id":42}]]"#)) == .result(request: 4, details: ["callee": 5, "callee_authid": "alice"], arguments: [["id": 42]], argumentsKw: nil))
        #expect(try json.decode(buffer(#"[4,"ticket",{}]"#)) == .challenge(method: "ticket", extra: [:]))
        #expect(try json.decode(buffer(#"[5,"/fD7uCJ9...5cs=",{}]"#)) == .authenticate(signature: "/fD7uCJ9...5cs=", extra: [:]))
        #expect(try json.decode(buffer(#"[3,{"message":"ticket in static WAMP-Ticket authentication is invalid"},"wamp.error.not_authorized"]"#)) == .abort(details: ["message": "ticket in static WAMP-Ticket authentication is invalid"], reason: "wamp.error.not_authorized"))
        // wampy: random 32-bit ids, calls as `[], {kwargs}`.
        #expect(try json.decode(buffer(#"[48, 3735928559, {}, "get_bug", [], {"id": 1}]"#)) == .call(request: 3_735_928_559, options: [:], procedure: "get_bug", arguments: nil, argumentsKw: ["id": 1]))
        // A callee's error for an invocation.
        #expect(try json.decode(buffer(#"[8,68,15,{},"com.example.oops",["why"]]"#)) == .error(requestType: 68, request: 15, details: [:], error: "com.example.oops", arguments: ["why"], argumentsKw: nil))
    }

    @Test("encoding leaves out empty trailing Arguments/ArgumentsKw, and keeps an empty Arguments before ArgumentsKw")
    func trailingPayload() {
        let json = WAMPSerializer.json
        #expect(text(json.encode(.call(request: 1, options: [:], procedure: "p", arguments: [], argumentsKw: [:]))) == #"[48,1,{},"p"]"#)
        #expect(text(json.encode(.call(request: 1, options: [:], procedure: "p", arguments: [1], argumentsKw: [:]))) == #"[48,1,{},"p",[1]]"#)
        #expect(text(json.encode(.call(request: 1, options: [:], procedure: "p", arguments: nil, argumentsKw: ["a": 1]))) == #"[48,1,{},"p",[],{"a":1}]"#)
        #expect(text(json.encode(.yield(request: 2, options: [:], arguments: nil, argumentsKw: nil))) == #"[70,2,{}]"#)
        #expect(text(json.encode(.error(requestType: 48, request: 3, details: [:], error: "e", arguments: nil, argumentsKw: nil))) == #"[8,48,3,{},"e"]"#)
    }

    @Test("an empty trailing Arguments or ArgumentsKw decodes as none")
    func emptyTrailingPayloadReadsAsNone() throws {
        let json = WAMPSerializer.json
        #expect(try json.decode(buffer(#"[50,1,{},[],{}]"#)) == .result(request: 1, details: [:], arguments: nil, argumentsKw: nil))
        #expect(try json.decode(buffer(#"[16,1,{},"t",[]]"#)) == .publish(request: 1, options: [:], topic: "t", arguments: nil, argumentsKw: nil))
    }

    @Test("JSON payloads keep integers apart from floats, and strings exactly")
    func jsonValues() throws {
        let decoded = try WAMPSerializer.json.decode(buffer(#"[50,1,{},[1,1.0,-0,1e3,-12.5e-1,9223372036854775807,-9223372036854775808,18446744073709551616,"a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\ud83d\ude00",null,true,false]]"#))
        #expect(decoded == .result(request: 1, details: [:], arguments: [1, .double(1), 0, .double(1000), .double(-1.25), .int(Int.max), .int(Int.min), .double(18446744073709551616), "a\"b\\c/d\u{8}\u{c}\n\r\tA\u{e9}\u{1F600}", nil, true, false], argumentsKw: nil))
    }

    @Test("JSON text is written as the REST writer writes it: escapes, key order, no spaces")
    func jsonText() {
        let message = WAMPMessage.event(subscription: 1, publication: 2, details: ["z": 1, "a": "\u{1}\"é"], arguments: [.double(0.5), -7], argumentsKw: nil)
        #expect(text(WAMPSerializer.json.encode(message)) == "[36,1,2,{\"a\":\"\\u0001\\\"é\",\"z\":1},[0.5,-7]]")
    }

    @Test("JSON text of every integer width, escapes and doubles reads back as the same value")
    func jsonWriterRoundTrips() throws {
        let value: JSONValue = [0, 7, -7, 10, 99, 100, -100, .int(Int.max), .int(Int.min), 9_007_199_254_740_992, .double(0.1), .double(-2.5e-300), "\u{0}\u{1f}\"\\/\r\n\t\u{7f}é\u{1F600}", ["nested": [true, false, nil]]]
        #expect(String(decoding: value.jsonBytes, as: UTF8.self).hasPrefix("[0,7,-7,10,99,100,-100,9223372036854775807,-9223372036854775808,9007199254740992,0.1,"))
        #expect(try JSONValue(parsing: value.jsonBytes) == value)
    }

    @Test("MessagePack bin reads as the JSON binary convention (NUL + base64) and is written back as bin")
    func binary() throws {
        // [50, 1, {}, [bin8 of 3 bytes]]
        let bytes: [UInt8] = [0x94, 0x32, 0x01, 0x80, 0x91, 0xC4, 0x03, 0x10, 0x83, 0xFF]
        let decoded = try WAMPSerializer.msgpack.decode(buffer(bytes))
        #expect(decoded == .result(request: 1, details: [:], arguments: ["\u{0}EIP/"], argumentsKw: nil))
        #expect(Array(WAMPSerializer.msgpack.encode(decoded).readableBytesView) == bytes)
        // A NUL-led string that isn't base64 stays a str.
        let plain = WAMPMessage.result(request: 1, details: [:], arguments: ["\u{0}not base64!"], argumentsKw: nil)
        #expect(try WAMPSerializer.msgpack.decode(WAMPSerializer.msgpack.encode(plain)) == plain)
    }

    @Test("MessagePack reads every integer, float and container width")
    func messagePackWidths() throws {
        // [50, 1, {}, [uint8 200, uint16, uint32, uint64, int8, int16, int32, int64, float32 0.5, float64 2.5, nil, fixstr, str8, array16, map16]]
        var bytes: [UInt8] = [0x94, 0x32, 0x01, 0x80, 0xDC, 0x00, 0x0F]
        bytes += [0xCC, 0xC8, 0xCD, 0x01, 0x00, 0xCE, 0x00, 0x01, 0x00, 0x00, 0xCF, 0, 0, 0, 1, 0, 0, 0, 0]
        bytes += [0xD0, 0x80, 0xD1, 0x80, 0x00, 0xD2, 0x80, 0, 0, 0, 0xD3, 0x80, 0, 0, 0, 0, 0, 0, 0]
        bytes += [0xCA, 0x3F, 0x00, 0x00, 0x00, 0xCB, 0x40, 0x04, 0, 0, 0, 0, 0, 0, 0xC0, 0xA1, 0x78, 0xD9, 0x01, 0x79]
        bytes += [0xDC, 0x00, 0x01, 0xC3, 0xDE, 0x00, 0x01, 0xA1, 0x6B, 0xC2]
        let decoded = try WAMPSerializer.msgpack.decode(buffer(bytes))
        let expected: [JSONValue] = [200, 256, 65536, .int(1 << 32), -128, -32768, .int(-2_147_483_648), .int(Int.min), .double(0.5), .double(2.5), nil, "x", "y", [true], ["k": false]]
        #expect(decoded == .result(request: 1, details: [:], arguments: expected, argumentsKw: nil))
    }
}
