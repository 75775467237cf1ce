/// One mailbox: an address such as `ada@example.com` and, optionally, the name shown for it.
public struct MailAddress: Sendable, Hashable {
    /// The addr-spec, `local-part@domain`, without angle brackets.
    public var address: String
    /// The display name (`Ada Lovelace`), or `nil` to show the bare address.
    public var name: String?

    /// An address with an optional display name.
    public init(address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }

    /// Whether the address has characters beyond ASCII, which only SMTPUTF8 servers accept (RFC 6531).
    public var isInternationalized: Bool {
        address.unicodeScalars.contains { !$0.isASCII }
    }
}
