import BugZotWAMP
import BugZotWire
import NIOCore
import Testing

/// Single-message vectors from wamp-proto's testsuite (`testsuite/singlemessage/`, commit d8389b8):
/// autobahn-python's compact JSON and its MessagePack bytes for the same message.
let wampProtoVectors: [(json: String, msgpack: String)] = [
    (#"[3,{},"wamp.error.system_shutdown"]"#, "930380ba77616d702e6572726f722e73797374656d5f73687574646f776e"),
    (#"[5,"gir1mSx+deCDUV7FgLvsQNTi6n3W/Z/WcZ/OT9RwdZY=",{}]"#, "9305d92c676972316d53782b6465434455563746674c7673514e5469366e33572f5a2f57635a2f4f54395277645a593d80"),
    (#"[48,7814135,{},"com.myapp.myprocedure1",["Hello, world!"]]"#, "9530ce00773bf780b6636f6d2e6d796170702e6d7970726f6365647572653191ad48656c6c6f2c20776f726c6421"),
    (#"[49,7814135,{}]"#, "9331ce00773bf780"),
    (#"[4,"wampcra",{}]"#, "9304a777616d7063726180"),
    (#"[8,48,7814135,{},"com.myapp.error"]"#, "950830ce00773bf780af636f6d2e6d796170702e6572726f72"),
    (#"[36,9823526,112233445566,{},["Hello, event!"]]"#, "9524ce0095e526cf0000001a21a278be8091ad48656c6c6f2c206576656e7421"),
    (#"[6,{},"wamp.close.normal"]"#, "930680b177616d702e636c6f73652e6e6f726d616c"),
    (#"[1,"com.example.realm",{"roles":{"subscriber":{},"publisher":{}}}]"#, "9301b1636f6d2e6578616d706c652e7265616c6d81a5726f6c657382aa7375627363726962657280a97075626c697368657280"),
    (#"[69,6131533,{}]"#, "9345ce005d8f4d80"),
    (#"[68,6131533,9823526,{}]"#, "9444ce005d8f4dce0095e52680"),
    (#"[16,239714735,{},"com.myapp.mytopic1",["Hello, world!"]]"#, "9510ce0e49c1af80b2636f6d2e6d796170702e6d79746f7069633191ad48656c6c6f2c20776f726c6421"),
    (#"[16,987654321,{},"com.myapp.signal"]"#, "9410ce3ade68b180b0636f6d2e6d796170702e7369676e616c"),
    (#"[16,111222333,{},"com.myapp.data",["Alice",30],{"role":"admin","active":true}]"#, "9610ce06a11e3d80ae636f6d2e6d796170702e6461746192a5416c6963651e82a4726f6c65a561646d696ea6616374697665c3"),
    (#"[16,444555666,{"acknowledge":true},"com.myapp.important",[100,"critical"],{"priority":"high","count":5}]"#, "9610ce1a7f619281ab61636b6e6f776c65646765c3b3636f6d2e6d796170702e696d706f7274616e749264a8637269746963616c82a87072696f72697479a468696768a5636f756e7405"),
    (#"[16,239714735,{"exclude_me":false},"com.myapp.mytopic1",["Hello, world!"]]"#, "9510ce0e49c1af81aa6578636c7564655f6d65c2b2636f6d2e6d796170702e6d79746f7069633191ad48656c6c6f2c20776f726c6421"),
    (#"[17,239714735,4429313566]"#, "9311ce0e49c1afcf000000010801f61e"),
    (#"[64,25349185,{},"com.myapp.myprocedure1"]"#, "9440ce0182cc4180b6636f6d2e6d796170702e6d7970726f63656475726531"),
    (#"[65,25349185,2103333224]"#, "9341ce0182cc41ce7d5e5168"),
    (#"[50,7814135,{},["Hello, world!"]]"#, "9432ce00773bf78091ad48656c6c6f2c20776f726c6421"),
    (#"[32,713845233,{},"com.myapp.mytopic1"]"#, "9420ce2a8c69f180b2636f6d2e6d796170702e6d79746f70696331"),
    (#"[33,713845233,5512315355]"#, "9321ce2a8c69f1cf00000001488f41db"),
    (#"[66,788923562,2103333224]"#, "9342ce2f0604aace7d5e5168"),
    (#"[67,788923562]"#, "9243ce2f0604aa"),
    (#"[34,85346237,5512315355]"#, "9322ce051647bdcf00000001488f41db"),
    (#"[35,85346237]"#, "9223ce051647bd"),
    (#"[2,9129137332,{"roles":{"broker":{},"dealer":{}}}]"#, "9302cf00000002202394b481a5726f6c657382a662726f6b657280a66465616c657280"),
    (#"[70,6131533,{}]"#, "9346ce005d8f4d80"),
]

func bytes(hex: String) -> [UInt8] {
    var result: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        result.append(UInt8(hex[index..<next], radix: 16)!)
        index = next
    }
    return result
}

@Suite("wamp-proto's test vectors")
struct WAMPVectorTests {
    @Test("each vector's JSON and MessagePack decode to the same message, which encodes back to the vector's bytes when its keys are in order")
    func vectors() throws {
        for vector in wampProtoVectors {
            let packed = bytes(hex: vector.msgpack)
            let fromJSON = try WAMPSerializer.json.decode(ByteBuffer(string: vector.json))
            let fromPack = try WAMPSerializer.msgpack.decode(ByteBuffer(bytes: packed))
            #expect(fromJSON == fromPack, "\(vector.json)")
            // autobahn keeps dict keys in insertion order, BugZot in key order: where its JSON is
            // ours byte for byte, so is its MessagePack.
            if String(buffer: WAMPSerializer.json.encode(fromJSON)) == vector.json {
                #expect(Array(WAMPSerializer.msgpack.encode(fromPack).readableBytesView) == packed, "\(vector.json)")
            } else {
                #expect(try WAMPSerializer.msgpack.decode(WAMPSerializer.msgpack.encode(fromPack)) == fromPack)
            }
        }
    }

    @Test("the vectors' expected attributes")
    func attributes() throws {
        let call = try WAMPSerializer.json.decode(ByteBuffer(string: wampProtoVectors[2].json))
        #expect(call == .call(request: 7_814_135, options: [:], procedure: "com.myapp.myprocedure1", arguments: ["Hello, world!"], argumentsKw: nil))
        let publish = try WAMPSerializer.msgpack.decode(ByteBuffer(bytes: bytes(hex: wampProtoVectors[14].msgpack)))
        #expect(publish == .publish(request: 444_555_666, options: ["acknowledge": true], topic: "com.myapp.important", arguments: [100, "critical"], argumentsKw: ["count": 5, "priority": "high"]))
    }
}
