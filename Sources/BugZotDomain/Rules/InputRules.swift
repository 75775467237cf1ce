import Foundation

/// Syntax rules for values people type.
public enum InputRules {
    /// A pragmatic address check: one `@`, a dot in the domain, no spaces or control characters.
    public static func isValidEmail(_ email: String) -> Bool {
        let isControl = { (scalar: Unicode.Scalar) in scalar.properties.generalCategory == .control }
        guard email.count <= 255, !email.contains(where: \.isWhitespace), !email.unicodeScalars.contains(where: isControl)
        else { return false }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return false }
        let domain = parts[1]
        return domain.contains(".") && !domain.hasPrefix(".") && !domain.hasSuffix(".")
    }

    /// An alias must contain a letter, must not be a number, and has no commas or white space.
    public static func isValidAlias(_ alias: String) -> Bool {
        !alias.isEmpty && alias.count <= 40 && Int(alias) == nil
            && alias.contains(where: \.isLetter)
            && !alias.contains(where: { $0 == "," || $0.isWhitespace })
    }

    /// `YYYY-MM-DD` with a plausible month and day.
    public static func isValidDate(_ value: String) -> Bool {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let month = Int(parts[1]), let day = Int(parts[2])
        else { return false }
        return (1...12).contains(month) && (1...31).contains(day)
    }

    /// A See Also entry is an http or https URL with a host, at most 255 characters.
    public static func isValidSeeAlso(_ url: String) -> Bool {
        guard url.count <= 255, !url.contains(where: { $0.isWhitespace }),
            let schemeEnd = url.range(of: "://")
        else { return false }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        let rest = url[schemeEnd.upperBound...]
        return (scheme == "http" || scheme == "https") && !rest.isEmpty && !rest.hasPrefix("/")
    }
}
