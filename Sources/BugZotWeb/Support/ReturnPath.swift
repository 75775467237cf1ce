import Foundation

/// Where a form may send the browser afterwards: a path on this site, decided by parsing the
/// value, never by its first characters alone. Anything else becomes the home page.
///
/// Browsers drop tabs and line breaks anywhere in an address and read `\` as `/`, so
/// `/%09/evil.example` arrives as `/\t/evil.example` and is followed to `//evil.example`,
/// another site. Accepted is only a path-absolute reference: one leading `/`, no scheme or
/// authority, no control character, whitespace or backslash anywhere (raw or percent-encoded
/// in the path), and no `//` at the start of the path once percent-decoded.
enum ReturnPath {
    /// The longest return path kept (it travels in a form field and an address).
    static let maximumLength = 2048

    static func validated(_ value: String?) -> String {
        guard let value, isLocal(value) else { return "/" }
        return value
    }

    static func isLocal(_ value: String) -> Bool {
        guard value.utf8.count <= maximumLength, value.hasPrefix("/"), value.unicodeScalars.allSatisfy(isAllowed) else { return false }
        guard let components = URLComponents(string: value), components.scheme == nil, components.host == nil,
            components.percentEncodedUser == nil, components.port == nil
        else { return false }
        let path = components.percentEncodedPath
        guard path.hasPrefix("/"), let decoded = path.removingPercentEncoding else { return false }
        return !decoded.hasPrefix("//") && decoded.unicodeScalars.allSatisfy(isAllowed)
    }

    /// Printable, not whitespace, not a backslash.
    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        return scalar != "\\" && !properties.isWhitespace && properties.generalCategory != .control
            && properties.generalCategory != .format && properties.generalCategory != .lineSeparator
            && properties.generalCategory != .paragraphSeparator
    }
}
