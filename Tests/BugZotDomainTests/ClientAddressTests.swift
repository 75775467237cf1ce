import BugZotDomain
import Testing

@Suite("Which client addresses count as one client for throttles")
struct ClientAddressTests {
    @Test("an IPv4 address counts on its own")
    func ipv4() {
        #expect(ClientAddress.throttleKey("192.0.2.1") == "192.0.2.1")
        #expect(ClientAddress.throttleKey("192.0.2.1") != ClientAddress.throttleKey("192.0.2.2"))
    }

    @Test("an IPv6 address counts by its /64, however it is written")
    func ipv6() {
        let key = ClientAddress.throttleKey("2001:db8:1:2::1")
        #expect(key == "2001:db8:1:2::/64")
        #expect(ClientAddress.throttleKey("2001:0db8:0001:0002:ffff:eeee:dddd:cccc") == key)
        #expect(ClientAddress.throttleKey("[2001:db8:1:2:abcd::9]") == key)
        #expect(ClientAddress.throttleKey("2001:db8:1:3::1") != key)
        #expect(ClientAddress.throttleKey("fe80::1%eth0") == "fe80:0:0:0::/64")
    }

    @Test("an IPv4 client seen through an IPv6 socket counts as its IPv4 address")
    func mapped() {
        #expect(ClientAddress.throttleKey("::ffff:192.0.2.1") == "192.0.2.1")
    }

    @Test("anything else counts as it is")
    func other() {
        #expect(ClientAddress.throttleKey("unknown") == "unknown")
        #expect(ClientAddress.throttleKey("") == "")
    }
}
