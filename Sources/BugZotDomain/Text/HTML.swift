/// HTML escaping for user text written into pages.
public enum HTML {
    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by entities, inert both as element
    /// content and inside a quoted attribute value.
    public static func escape(_ text: String) -> String {
        escapeScalars(text.unicodeScalars)
    }

    /// Escapes scalar by scalar: comparing `Character`s would let a combining mark hide a `<`
    /// inside a grapheme cluster (`"<\u{338}"` is one `Character` equal to `"≮"`).
    public static func escapeScalars(_ scalars: some Sequence<Unicode.Scalar>) -> String {
        var result = ""
        for scalar in scalars {
            appendEscaped(scalar, to: &result)
        }
        return result
    }

    public static func appendEscaped(_ scalar: Unicode.Scalar, to output: inout String) {
        switch scalar {
        case "&": output += "&amp;"
        case "<": output += "&lt;"
        case ">": output += "&gt;"
        case "\"": output += "&quot;"
        case "'": output += "&#39;"
        default: output.unicodeScalars.append(scalar)
        }
    }
}
