import BugZotWire

/// URI rules (wamp.md §4): dot-separated components. The loose rule (which every peer MUST keep)
/// allows any component without `.`, `#` or whitespace; the strict rule allows only `[0-9a-z_]`.
/// Empty components are allowed only in patterns, as autobahn and Crossbar check them: a prefix
/// may end with an empty component (`bugzot.bug.`), and any component of a wildcard may be empty
/// (`bugzot.bug..12345`). URIs under `wamp.` are the router's.
public enum WAMPURI {
    /// Which characters a component may hold.
    public enum Rule: Sendable {
        /// Anything but `.`, `#` and whitespace.
        case loose
        /// Only `0-9`, `a-z` and `_`.
        case strict
    }

    /// How a subscription or registration matches URIs (the `match` option).
    public enum Match: String, Sendable, Hashable, CaseIterable {
        case exact, prefix, wildcard

        /// The match that SUBSCRIBE or REGISTER options ask for: `exact` without a `match` option,
        /// nil for an unknown one.
        public init?(options: JSONObject) {
            switch options["match"] {
            case nil: self = .exact
            case .string(let name)?: self.init(rawValue: name)
            case _?: return nil
            }
        }
    }

    /// Whether `uri` is a valid URI (`.exact`) or pattern (`.prefix`, `.wildcard`) under `rule`.
    public static func isValid(_ uri: String, rule: Rule = .loose, match: Match = .exact) -> Bool {
        var componentLength = 0
        var emptyBeforeLast = false
        for scalar in uri.unicodeScalars {
            if scalar == "." {
                if componentLength == 0 { emptyBeforeLast = true }
                componentLength = 0
            } else if isAllowed(scalar, rule: rule) {
                componentLength += 1
            } else {
                return false
            }
        }
        guard !uri.isEmpty else { return false }
        switch match {
        case .exact: return !emptyBeforeLast && componentLength > 0
        case .prefix: return !emptyBeforeLast
        case .wildcard: return true
        }
    }

    /// Whether `uri` is under `wamp.`, which only the router may use.
    public static func isReserved(_ uri: String) -> Bool {
        uri.utf8.starts(with: "wamp.".utf8)
    }

    /// Whether `realm` is a realm name autobahn accepts: `^[A-Za-z][A-Za-z0-9_\-@.]{2,254}$`.
    public static func isValidRealm(_ realm: String) -> Bool {
        let bytes = realm.utf8
        guard (3...255).contains(bytes.count), let first = bytes.first, isLetter(first) else { return false }
        return bytes.dropFirst().allSatisfy { byte in
            isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "@") || byte == UInt8(ascii: ".")
        }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isAllowed(_ scalar: Unicode.Scalar, rule: Rule) -> Bool {
        switch rule {
        case .strict:
            guard scalar.isASCII else { return false }
            let byte = UInt8(scalar.value)
            return (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || isDigit(byte) || byte == UInt8(ascii: "_")
        case .loose:
            return scalar != "#" && !scalar.properties.isWhitespace
        }
    }
}
