import Foundation

/// Which client addresses count as one client for throttles keyed by address.
public enum ClientAddress {
    /// The prefix length an IPv6 client is counted by: a /64 is one network's hosts, which any
    /// one of them can change addresses within at will (privacy extensions do so by themselves).
    public static let ipv6PrefixBits = 64

    /// What a throttle counts `address` under: an IPv4 address as it is; an IPv6 address by its
    /// /64 (`2001:db8:1:2::/64`), an IPv4-mapped one (`::ffff:192.0.2.1`) as its IPv4 address;
    /// anything else (a zone index is ignored; an unknown address) as it is.
    public static func throttleKey(_ address: String) -> String {
        let host = address.hasPrefix("[") && address.hasSuffix("]") ? String(address.dropFirst().dropLast()) : address
        let unzoned = String(host.prefix { $0 != "%" })
        var parsed = in6_addr()
        guard inet_pton(AF_INET6, unzoned, &parsed) == 1 else { return address }
        let bytes = withUnsafeBytes(of: &parsed) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
            return bytes[12...].map(String.init).joined(separator: ".")
        }
        let prefixBytes = ipv6PrefixBits / 8
        let groups = stride(from: 0, to: prefixBytes, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/\(ipv6PrefixBits)"
    }
}
