import BugZotWAMP
import BugZotWire
import NIOCore
import Testing

/// What a JSON text decodes to, or the violation's message.
func decodeJSON(_ text: String) -> Result<WAMPMessage, WAMPProtocolViolation> {
    Result { () throws(WAMPProtocolViolation) in try WAMPSerializer.json.decode(ByteBuffer(string: text)) }
}

func violation(_ text: String) -> String? {
    if case .failure(let violation) = decodeJSON(text) { violation.message } else { nil }
}

func violation(_ bytes: [UInt8], _ serializer: WAMPSerializer = .msgpack) -> String? {
    do {
        _ = try serializer.decode(ByteBuffer(bytes: bytes))
        return nil
    } catch {
        return error.message
    }
}

@Suite("Malformed messages are protocol violations (wamp.md §7)")
struct WAMPDecodingViolationTests {
    @Test("not a list, an empty list, a non-integer or unknown type code")
    func notAMessage() {
        #expect(violation(#"{"hello": 1}"#) == "a message must be a list")
        #expect(violation("[]") == "a message must be a non-empty list")
        #expect(violation(#"["HELLO","bugzot",{}]"#) == "a message must start with its integer type code")
        #expect(violation("[999]") == "unknown message type 999")
        #expect(violation("[7]") == "unknown message type 7", "HEARTBEAT is gone since 2015")
    }

    @Test("the wrong number of elements, for each message type")
    func wrongLength() {
        #expect(violation(#"[32,1,{}]"#) == "SUBSCRIBE must have 4 elements, not 3")
        #expect(violation(#"[32,1,{},"t",[]]"#) == "SUBSCRIBE must have 4 elements, not 5")
        #expect(violation(#"[48,1,{},"p",[],{},[]]"#) == "CALL must have 4 to 6 elements, not 7")
        #expect(violation(#"[1,"bugzot"]"#) == "HELLO must have 3 elements, not 2")
        #expect(violation(#"[70,1]"#) == "YIELD must have 3 to 5 elements, not 2")
        #expect(violation(#"[8,48,1,{}]"#) == "ERROR must have 5 to 7 elements, not 4")
        for type in WAMPMessageType.allCases {
            #expect(violation("[\(type.rawValue)]") != nil, "\(type.name) with nothing after its code")
        }
    }

    @Test("elements of the wrong type")
    func wrongTypes() {
        #expect(violation(#"[1,42,{"roles":{"caller":{}}}]"#) == "HELLO Realm must be a string")
        #expect(violation(#"[1,"bugzot",[]]"#) == "HELLO Details must be a dict")
        #expect(violation(#"[48,"1",{},"p"]"#) == "CALL Request must be an integer id in 0...2^53")
        #expect(violation(#"[48,1,{},7]"#) == "CALL Procedure must be a string")
        #expect(violation(#"[48,1,{},"p",{"a":1}]"#) == "CALL Arguments must be a list")
        #expect(violation(#"[48,1,{},"p",[],[]]"#) == "CALL ArgumentsKw must be a dict")
        #expect(violation(#"[8,"48",1,{},"e"]"#) == "ERROR REQUEST.Type must be an integer")
        #expect(violation(#"[34,1,null]"#) == "UNSUBSCRIBE Subscription must be an integer id in 0...2^53")
    }

    @Test("ids outside 0...2^53, or not integers, are refused; 0 and 2^53 are tolerated as clients send them")
    func ids() {
        #expect(violation("[48,9007199254740993,{},\"p\"]") == "CALL Request must be an integer id in 0...2^53")
        #expect(violation("[48,-1,{},\"p\"]") == "CALL Request must be an integer id in 0...2^53")
        #expect(violation("[48,1.0,{},\"p\"]") == "CALL Request must be an integer id in 0...2^53")
        #expect(violation("[48,1e3,{},\"p\"]") == "CALL Request must be an integer id in 0...2^53")
        #expect(violation("[48,18446744073709551616,{},\"p\"]") == "CALL Request must be an integer id in 0...2^53")
        #expect(violation("[48,0,{},\"p\"]") == nil)
        #expect(violation("[48,9007199254740992,{},\"p\"]") == nil)
        // MessagePack: uint64 2^53 + 1.
        #expect(violation([0x94, 0x30, 0xCF, 0x00, 0x20, 0, 0, 0, 0, 0, 0x01, 0x80, 0xA1, 0x70]) == "CALL Request must be an integer id in 0...2^53")
    }

    @Test("predefined Options/Details keys of the wrong type (wamp-proto's validation vectors)")
    func optionTypes() {
        #expect(violation(#"[16,123,{"acknowledge":"hello"},"com.example.topic"]"#) == "PUBLISH.Options.acknowledge must be a bool")
        #expect(violation(#"[16,123,{"acknowledge":1},"com.example.topic"]"#) == "PUBLISH.Options.acknowledge must be a bool")
        #expect(violation(#"[16,123,{"exclude_me":"hello"},"com.example.topic"]"#) == "PUBLISH.Options.exclude_me must be a bool")
        #expect(violation(#"[16,123,{"exclude":["hello"]},"com.example.topic"]"#) == "PUBLISH.Options.exclude must be a list of ids")
        #expect(violation(#"[16,123,{"exclude_authid":[123]},"com.example.topic"]"#) == "PUBLISH.Options.exclude_authid must be a list of strings")
        #expect(violation(#"[16,123,{"eligible_authrole":[123]},"com.example.topic"]"#) == "PUBLISH.Options.eligible_authrole must be a list of strings")
        #expect(violation(#"[32,123,{"match":"invalid"},"com.example.topic"]"#) == "SUBSCRIBE.Options.match must be one of exact, prefix, wildcard")
        #expect(violation(#"[32,123,{"match":123},"com.example.topic"]"#) == "SUBSCRIBE.Options.match must be one of exact, prefix, wildcard")
        #expect(violation(#"[32,123,{"get_retained":"hello"},"com.example.topic"]"#) == "SUBSCRIBE.Options.get_retained must be a bool")
        #expect(violation(#"[36,123,456,{"publisher":"hello"},["args"]]"#) == "EVENT.Details.publisher must be an id")
        #expect(violation(#"[36,123,456,{"topic":123},["args"]]"#) == "EVENT.Details.topic must be a string")
        #expect(violation(#"[48,1,{"timeout":-5},"p"]"#) == "CALL.Options.timeout must be a non-negative integer")
        #expect(violation(#"[49,1,{"mode":"later"}]"#) == "CANCEL.Options.mode must be one of skip, kill, killnowait")
        #expect(violation(#"[64,1,{"invoke":"all"},"p"]"#) == "REGISTER.Options.invoke must be one of single, roundrobin, random, first, last")
        #expect(violation(#"[70,1,{"progress":1}]"#) == "YIELD.Options.progress must be a bool")
        // Valid ones pass, and unknown keys are ignored.
        for text in [
            #"[16,123,{"exclude":[123,456,789],"eligible":[],"exclude_authid":["alice","bob"],"x_custom":"anything"},"com.example.topic"]"#,
            #"[32,123,{"match":"wildcard","get_retained":false},"com.example.topic"]"#,
            #"[36,123,456,{"publisher":789,"publisher_authid":"alice","forward_for":[]},["args"]]"#,
            #"[64,25349185,{"invoke":"single"},"get_bug"]"#,
        ] {
            #expect(violation(text) == nil, "\(text)")
        }
    }

    @Test("HELLO must name the client's roles; WELCOME the router's (as autobahn checks both)")
    func roles() {
        #expect(violation(#"[1,"bugzot",{}]"#) == "HELLO.Details.roles must be a dict naming at least one role")
        #expect(violation(#"[1,"bugzot",{"roles":{}}]"#) == "HELLO.Details.roles must be a dict naming at least one role")
        #expect(violation(#"[1,"bugzot",{"roles":{"broker":{}}}]"#) == "HELLO.Details.roles has an unknown role broker")
        #expect(violation(#"[1,"bugzot",{"roles":{"caller":true}}]"#) == "HELLO.Details.roles.caller must be a dict")
        #expect(violation(#"[1,"bugzot",{"roles":{"caller":{}},"authmethods":"ticket"}]"#) == "HELLO.Details.authmethods must be a list of strings")
        #expect(violation(#"[2,1,{"roles":{"caller":{}}}]"#) == "WELCOME.Details.roles has an unknown role caller")
        // wampy's HELLO: features given beside (not inside) `features`, an unknown call_timeout feature.
        #expect(violation(#"[1,"bugzot",{"roles":{"subscriber":{},"publisher":{},"callee":{"shared_registration":true},"caller":{"features":{"call_timeout":true}}},"authmethods":["ticket"],"authid":"alice"}]"#) == nil)
    }

    @Test("text that is not JSON, or not strict JSON, is a violation saying where")
    func notJSON() {
        #expect(violation("hello") == "the message is not valid JSON: not a JSON value at byte 0")
        #expect(violation("[1,") == "the message is not valid JSON: the JSON text ends where a value should be at byte 3")
        #expect(violation(#"[48,1,{},"p",]"#) == "the message is not valid JSON: not a JSON value at byte 13")
        #expect(violation(#"[48,01,{},"p"]"#) == "the message is not valid JSON: a number with a leading zero at byte 5")
        #expect(violation(#"[48,1,{},"p"] x"#) == "the message is not valid JSON: text after the JSON value at byte 14")
        #expect(violation(#"[48,1,{'a':1},"p"]"#) == "the message is not valid JSON: expected a string key in an object at byte 7")
        #expect(violation("[48,1,{},\"p\u{1}\"]") == "the message is not valid JSON: a control character in a string at byte 11")
        #expect(violation(#"[48,1,{},"\ud800"]"#) != nil, "a lone surrogate")
        #expect(violation(#"[48,1,{},"\x41"]"#) != nil, "an unknown escape")
        #expect(violation("[NaN]") != nil && violation("[1e999]") != nil && violation("[-]") != nil && violation("[1.]") != nil)
    }

    @Test("bytes that are not UTF-8 are refused, in JSON strings and MessagePack str")
    func badUTF8() {
        let overlong: [UInt8] = Array(#"[48,1,{},""#.utf8) + [0xC0, 0xAF] + Array(#""]"#.utf8)
        #expect(violation(overlong, .json) == "the message is not valid JSON: a string is not valid UTF-8 at byte 10")
        let surrogate: [UInt8] = Array(#"[48,1,{},"a\n"#.utf8) + [0xED, 0xA0, 0x80] + Array(#""]"#.utf8)
        #expect(violation(surrogate, .json) == "the message is not valid JSON: a string is not valid UTF-8 at byte 10")
        let stray: [UInt8] = [UInt8(ascii: "[")] + [0xFF] + [UInt8(ascii: "]")]
        #expect(violation(stray, .json) == "the message is not valid JSON: not a JSON value at byte 1")
        #expect(violation([0x94, 0x30, 0x01, 0x80, 0xA2, 0xC3, 0x28]) == "the message is not valid MessagePack: a MessagePack str is not valid UTF-8 (at byte 5)")
    }

    @Test("nesting deeper than the limit is refused before it costs stack")
    func depth() {
        let deep = "[50,1,{}," + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "]"
        #expect(violation(deep) == "the message is not valid JSON: arrays and objects nested deeper than 64 at byte 72")
        let fine = "[50,1,{},[" + String(repeating: "[", count: 60) + String(repeating: "]", count: 60) + "]]"
        #expect(violation(fine) == nil)
        let deepPack: [UInt8] = [0x94, 0x32, 0x01, 0x80] + Array(repeating: 0x91, count: 100) + [0xC0]
        #expect(violation(deepPack)?.contains("nested deeper than 64") == true)
    }

    @Test("MessagePack that lies about its length, uses ext types or non-str keys is refused")
    func badMessagePack() {
        #expect(violation([0x94, 0x30, 0x01]) == "the message is not valid MessagePack: the MessagePack data ends early (at byte 1)", "a list of 4 in 2 bytes")
        #expect(violation([0xDD, 0xFF, 0xFF, 0xFF, 0xFF]) == "the message is not valid MessagePack: the MessagePack data ends early (at byte 5)")
        #expect(violation([0x94, 0x32, 0x01, 0x80, 0xD4, 0x01, 0x00]) == "the message is not valid MessagePack: MessagePack ext types are not supported (at byte 4)")
        #expect(violation([0x93, 0x32, 0x01, 0x81, 0x01, 0xC0]) == "the message is not valid MessagePack: a MessagePack map key must be a str (at byte 4)")
        #expect(violation([0x93, 0x32, 0x01, 0x80, 0xC0]) == "the message is not valid MessagePack: bytes after the MessagePack value")
        #expect(violation([0xC1]) == "the message is not valid MessagePack: 0xC1 is never used in MessagePack (at byte 0)")
        #expect(violation([0x93, 0x32, 0x01, 0x81, 0xC4, 0x01, 0x41, 0xC0]) == "the message is not valid MessagePack: a MessagePack map key must be a str (at byte 4)", "bin is no key")
    }

    @Test("a violation becomes the ABORT the spec asks for")
    func abort() {
        #expect(WAMPProtocolViolation("YIELD for unknown invocation 9").abort == .abort(details: ["message": "YIELD for unknown invocation 9"], reason: "wamp.error.protocol_violation"))
    }
}
