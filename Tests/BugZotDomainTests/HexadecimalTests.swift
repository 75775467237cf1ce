import BugZotDomain
import Testing

/// Digests, signatures and content keys are written as lowercase hexadecimal, two digits a byte.
@Suite("Hexadecimal text")
struct HexadecimalTests {
    @Test("every byte is two lowercase digits, leading zeros kept; no bytes is empty text")
    func digits() {
        #expect([0x00, 0x0F, 0x10, 0xA5, 0xFF].hexadecimal == "000f10a5ff")
        #expect([UInt8]().hexadecimal == "")
        #expect((0...255).map(UInt8.init).hexadecimal == (0...255).map { String($0 / 16, radix: 16) + String($0 % 16, radix: 16) }.joined())
    }
}
